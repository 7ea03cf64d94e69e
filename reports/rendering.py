"""The annual report as HTML and as PDF.

`report_html` renders reports/pdf/annual_report.html inside
`translation.override(language)`; `pdf_from_html` gives it to WeasyPrint with
`StaticOnlyFetcher`, which serves the portal's own static files (the report's
stylesheet) and refuses every other URL: `file:`, `http(s):`, `data:`, an
attachment, anything. A refused resource is left out of the PDF with a
warning in the log; the rendering goes on.

The PDF is PDF/UA-1 (see docs/reports.md for why not PDF/A-3u): tagged, so
headings are a navigable structure, with the title, the language and the
author in its metadata, taken from the HTML's <title>, <html lang> and
<meta name="author">.
"""
from __future__ import annotations

import logging
import posixpath
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .document import ReportData, build_sections
from .models import AnnualReport

logger = logging.getLogger(__name__)

# The base URL of the HTML WeasyPrint reads: relative URLs ("reports/x.css")
# resolve under it, and only URLs under it are ever served.
STATIC_BASE = "https://portal.invalid/static/"
PDF_VARIANT = "pdf/ua-1"


def static_file(url: str) -> Path | None:
    """The file of the portal's own static `url` (under STATIC_BASE), or None
    for any other URL or a path that climbs out of the static folders."""
    if not url.startswith(STATIC_BASE):
        return None
    relative = url[len(STATIC_BASE):].split("?", 1)[0].split("#", 1)[0]
    normal = posixpath.normpath(relative)
    if not relative or normal.startswith(("..", "/")) or "\\" in relative or "\x00" in relative:
        return None
    found = finders.find(normal)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / normal
    return collected if collected.is_file() else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's URL fetcher for the report: the portal's static files
        and nothing else."""

        def __init__(self):
            super().__init__(allowed_protocols=("https",), fail_on_errors=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            path = static_file(url)
            if path is None:
                self.refused.append(url)
                logger.warning("The report refused to fetch %r: only the portal's static files are served.", url[:200])
                raise ValueError(f"Refused: {url[:200]}")
            mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix, "")
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime} if mime else {})

    return StaticOnlyFetcher


def static_only_fetcher():
    return _fetcher_class()()


def page_counter_css(pattern: str) -> str:
    """The CSS `content` value of a translated "Page %(page)s of %(pages)s":
    its words as CSS strings around the page counters, in the language's
    own order."""
    import re

    parts = []
    for token in re.split(r"(%\((?:page|pages)\)s)", pattern):
        if token == "%(page)s":
            parts.append("counter(page)")
        elif token == "%(pages)s":
            parts.append("counter(pages)")
        elif token:
            parts.append('"' + token.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"')
    return " ".join(parts)


def report_context(*, year: int, language: str, report: AnnualReport | None = None) -> dict:
    """What the report's template needs; call inside translation.override."""
    if report is None:
        report = AnnualReport.objects.filter(year=year).first()
    data = ReportData(year=year, language=language, report=report)
    return {
        "year": year,
        "language": language,
        "report": report,
        "document_number": (report.document_number if report else "") or "",
        "sections": build_sections(data),
        "title": _("On the activity of the COOMET Task Group for CEEMS support (TG-CEEMS) in %(year)s")
        % {"year": year},
        "author": _("COOMET Task Group for CEEMS support"),
        "generated_on": timezone.localdate(),
        "page_counter_css": page_counter_css(_("Page %(page)s of %(pages)s")),
    }


def report_html(*, year: int, language: str, report: AnnualReport | None = None) -> str:
    """The report of `year` as the HTML document WeasyPrint renders."""
    with translation.override(language):
        context = report_context(year=year, language=language, report=report)
        return render_to_string("reports/pdf/annual_report.html", context)


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    refused: list[str]


def pdf_from_html(html: str) -> RenderedPdf:
    """WeasyPrint alone: lay out `html` and write the PDF (PDF/UA-1)."""
    from weasyprint import HTML

    fetcher = static_only_fetcher()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render()
    content = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPdf(content=content, pages=len(document.pages), refused=fetcher.refused)


class RenderTimeout(Exception):
    """The rendering took longer than its time limit."""


@contextmanager
def time_limit(seconds: int | None):
    """Interrupt the block after `seconds` with RenderTimeout. It uses
    SIGALRM, so it works in the main thread only (a Celery worker's task, the
    management command); elsewhere the Celery task's own limits apply."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout(f"The rendering took longer than {seconds} seconds.")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def report_pdf(*, year: int, language: str, report: AnnualReport | None = None, limit: int | None = None) -> RenderedPdf:
    """The report of `year` in `language` as a PDF, within `limit` seconds."""
    with time_limit(limit):
        return pdf_from_html(report_html(year=year, language=language, report=report))
