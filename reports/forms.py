from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin

from .sanitize import narrative_as_text
from .models import BASIS_MAX_LENGTH, NARRATIVE_MAX_LENGTH, AnnualReport, ReportLanguage

TEXT_HELP = _(
    "An empty line starts a new paragraph; a line starting with “- ” is a list item. "
    "Bold, italic and lists are kept; images, links and other markup are removed."
)


class ReportForm(CleanTextMixin, forms.ModelForm):
    """The document number, the basis and the narrative parts, in both languages."""

    class Meta:
        model = AnnualReport
        fields = [
            "document_number",
            "basis_ru", "basis_en",
            "summary_ru", "summary_en",
            "conclusions_ru", "conclusions_en",
            "proposals_ru", "proposals_en",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4 if name.startswith("basis") else 6})
            for name in ("basis_ru", "basis_en", "summary_ru", "summary_en", "conclusions_ru", "conclusions_en",
                         "proposals_ru", "proposals_en")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Stored as HTML; shown as the plain text that gives it back.
            for name in self.fields:
                if name != "document_number":
                    self.initial[name] = narrative_as_text(self.initial.get(name, ""))
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-control")
            if name != "document_number":
                field.help_text = TEXT_HELP
                limit = BASIS_MAX_LENGTH if name.startswith("basis") else NARRATIVE_MAX_LENGTH
                field.max_length = limit
                field.widget.attrs["maxlength"] = limit

    def texts(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "document_number"}


class GenerateForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=ReportLanguage.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        initial=[ReportLanguage.RU, ReportLanguage.EN],
        error_messages={"required": _("Choose Russian, English or both.")},
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
