"""The upload form of the spreadsheet import (surveys.importing)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign


class ImportUploadForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        help_text=_("The answers are imported into the responses of the institutes invited to it."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or Windows-1251, comma or semicolon), laid out as the template."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Answers can come in while a campaign is open and after it has closed.
        self.fields["campaign"].queryset = Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-year", "kind")
