"""What every form people type into shares: typed text is cleaned the same
way everywhere, and a long text field says its limit next to it.

`CleanTextMixin` goes first in the bases of a form (`class F(CleanTextMixin,
forms.ModelForm)`). On a bound form it cleans every submitted value before
any field sees it, so the value validated, saved and shown again is the
cleaned one:

- a vertical tab or form feed (what Word puts for a manual line or page
  break, and what comes along when its text is pasted) becomes a line break;
- every other character that no spreadsheet cell or XML document can hold
  (core.spreadsheets.clean_text: the C0 controls other than tab, line feed
  and carriage return, DEL, the C1 controls, lone surrogates, U+FFFE/U+FFFF)
  is removed.

Such characters are invisible, carry no meaning in a name, a subject or a
comment, and one of them stored used to break every export of a table; so
they are removed rather than refused with a message the user could not act
on (they cannot see them). Length limits count the cleaned text.

A text field with a length limit and a text area as its widget gets "At
most N characters." as its help text when it has none, in the language of
the request, and the limit as the text area's `maxlength`; the server checks
it too (the form field's own max_length, and the model field's validator).
"""
from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import ngettext

from .spreadsheets import clean_text

# Word's manual line break and page break: line breaks in a text field.
_BREAKS = re.compile("[\x0b\x0c]")


def clean_typed_text(value: str) -> str:
    """`value` as typed, without the characters no text field should hold."""
    return clean_text(_BREAKS.sub("\n", value))


def _clean_value(value: Any) -> Any:
    return clean_typed_text(value) if isinstance(value, str) else value


def clean_form_data(data):
    """A copy of a form's submitted data (a QueryDict or a dict) with every
    text value cleaned (clean_typed_text); files are not in it."""
    if hasattr(data, "lists"):
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, [_clean_value(value) for value in values])
        return cleaned
    return {key: _clean_value(value) for key, value in data.items()}


def length_help(limit: int) -> str:
    """"At most N characters.", in the active language."""
    return ngettext("At most %(count)s character.", "At most %(count)s characters.", limit) % {
        "count": number_format(limit, force_grouping=True)
    }


class CleanTextMixin:
    """Cleans the typed text of a bound form and states the length limits of
    its text areas (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = clean_form_data(self.data)
        for field in self.fields.values():
            limit = getattr(field, "max_length", None)
            if limit and isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("maxlength", str(limit))
                if not field.help_text:
                    field.help_text = length_help(limit)
