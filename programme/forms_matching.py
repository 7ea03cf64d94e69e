"""The Secretariat's decision on a proposal: accept (some or all of its
needs, with a title and planned quarters) or reject with a reason."""
from django import forms
from django.utils.translation import gettext_lazy as _, pgettext

from core.forms import CleanTextMixin

from .matching_services import Acceptance
from .models import REASON_MAX_LENGTH, quarter_code, quarter_parts


def quarter_label(code: int) -> str:
    year, quarter = quarter_parts(code)
    return pgettext("quarter", "Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def quarter_choices(programme) -> list[tuple[int, str]]:
    """Every quarter of the Programme's period."""
    return [
        (quarter_code(year, quarter), quarter_label(quarter_code(year, quarter)))
        for year in range(programme.first_year, programme.last_year + 1)
        for quarter in range(1, 5)
    ]


def _need_choices(proposal) -> list[tuple[str, str]]:
    return [(str(a["need"]), a.get("subject", "") or str(a["need"])) for a in proposal.data.get("needs", [])]


class AcceptForm(CleanTextMixin, forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Needs to serve"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one of the proposal's needs to accept.")},
    )
    title = forms.CharField(
        label=_("Title of the activity"), max_length=255, required=False,
        help_text=_("Leave empty for a title made from the activity type and what it is about, in both languages."),
    )
    first_quarter = forms.TypedChoiceField(label=_("From quarter"), coerce=int, required=False, empty_value=None)
    last_quarter = forms.TypedChoiceField(label=_("To quarter"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, proposal, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = _need_choices(proposal)
        choices = [("", _("as the periods allow"))] + (quarter_choices(programme) if programme else [])
        self.fields["first_quarter"].choices = choices
        self.fields["last_quarter"].choices = choices

    def clean(self):
        data = super().clean()
        first, last = data.get("first_quarter"), data.get("last_quarter")
        if first is not None and last is not None and last < first:
            self.add_error("last_quarter", _("The last quarter cannot come before the first."))
        return data

    def acceptance(self) -> Acceptance:
        data = self.cleaned_data
        return Acceptance(
            need_ids=tuple(int(n) for n in data["needs"]),
            title=data.get("title", ""),
            first_quarter=data.get("first_quarter"),
            last_quarter=data.get("last_quarter"),
        )


class RejectForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is it rejected?"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the proposal is rejected.")},
    )
    needs = forms.MultipleChoiceField(label=_("Needs"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = _need_choices(proposal)

    def clean_needs(self):
        return [int(n) for n in self.cleaned_data["needs"]]
