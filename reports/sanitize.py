"""Narrative text: a small piece of HTML the PDF can show, and nothing else.

What people type is sanitised when it is saved (`narrative_clean`) and once
more when the report is rendered, with nh3 (the Rust `ammonia` sanitiser):
only paragraphs, line breaks, bold, italic, underline, sub- and superscript,
lists and quotations survive, and no attribute at all. So no image, link,
stylesheet, attachment or script ever reaches WeasyPrint from user text: the
URL fetcher (reports.rendering) is the second wall, not the only one.

Text typed without any tag is plain text: an empty line separates
paragraphs, a line starting with "- " or "• " is a list item.
"""
from __future__ import annotations

import re
from html import escape

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li", "blockquote"}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_ITEM = re.compile(r"^\s*[-•]\s+")


def _plain_to_html(text: str) -> str:
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_ITEM.match(line) for line in lines):
            items = "".join(f"<li>{escape(_ITEM.sub('', line).strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line.strip()) for line in lines) + "</p>")
    return "".join(blocks)


def narrative_clean(value: str) -> str:
    """The HTML to store and render for `value`: plain text becomes
    paragraphs and lists; HTML keeps only the allowed tags, no attributes,
    and the content of scripts and styles is dropped."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _TAG.search(value):
        value = _plain_to_html(value)
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes={},
        clean_content_tags={"script", "style", "title", "svg", "math", "iframe", "object", "embed"},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )
    return cleaned.strip()


_SIMPLE_TAGS = re.compile(r"</?(p|br|ul|li)\s*/?>")


def narrative_as_text(value: str) -> str:
    """What the edit form shows for stored narrative HTML: when it holds only
    paragraphs, line breaks and bulleted lists (what plain text becomes),
    the plain text that gives it back (`narrative_clean` of the result is
    `value`), so nobody edits tags they never typed; richer HTML as it is."""
    from html import unescape

    value = value or ""
    if any(match.group(0) for match in _TAG.finditer(_SIMPLE_TAGS.sub("", value))):
        return value
    text = value.replace("</p>", "\n\n").replace("<p>", "").replace("<br>", "\n").replace("<br/>", "\n")
    text = text.replace("<ul>", "").replace("</ul>", "\n").replace("<li>", "- ").replace("</li>", "\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return unescape(text).strip()
