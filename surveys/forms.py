from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutes.models import Institute, MetrologyArea, SubField

from .models import Campaign, Need, Offer, Response


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm):
    institutes = forms.ModelMultipleChoiceField(
        label=_("Invited institutes"),
        queryset=Institute.objects.select_related("country").order_by("country__iso2", "acronym"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Their respondents get an email with a link when the campaign opens."),
    )
    institutes.label_from_instance = lambda institute: f"{institute.country.iso2} · {institute.acronym} — {institute.name}"

    class Meta:
        model = Campaign
        fields = ("kind", "year", "opens_on", "closes_on", "reminder_days", "introduction_ru", "introduction_en")
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "introduction_ru": forms.Textarea(attrs={"rows": 4}),
            "introduction_en": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "introduction_ru": _("Introduction (Russian)"),
            "introduction_en": _("Introduction (English)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
        else:
            self.fields["institutes"].initial = list(self.instance.invitations.values_list("institute_id", flat=True))

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The deadline is before the opening date."))
        return cleaned

    def _post_clean(self):
        # The model's own uniqueness and constraints are checked by the service.
        pass


def area_choices() -> dict[str, list]:
    """The area and sub-field choices of an item form, sub-fields grouped
    under their area, names in the active language: two queries, made once
    per page however many item forms it shows."""
    areas = [("", "---------")] + [(area.pk, str(area)) for area in MetrologyArea.objects.order_by("position")]
    groups: dict[str, list] = {}
    for subfield in SubField.objects.select_related("area").order_by("area__position", "position"):
        groups.setdefault(subfield.area.code, []).append((subfield.pk, subfield.name))
    return {"area": areas, "subfield": [("", "---------"), *groups.items()]}


class AreaSubfieldMixin:
    def setup_area_fields(self, choices: dict[str, list] | None):
        choices = choices or area_choices()
        self.fields["area"].queryset = MetrologyArea.objects.all()
        self.fields["subfield"].queryset = SubField.objects.all()
        # Fixed choices: rendering the form makes no query of its own.
        self.fields["area"].choices = choices["area"]
        self.fields["subfield"].choices = choices["subfield"]


ITEM_COMMON = ("activity_type", "area", "subfield", "subject", "measurement_range", "period_from", "period_to")


class NeedForm(AreaSubfieldMixin, forms.ModelForm):
    class Meta:
        model = Need
        fields = (*ITEM_COMMON, "target_uncertainty", "priority", "comment")
        widgets = {"period_from": DateInput(), "period_to": DateInput(), "comment": forms.Textarea(attrs={"rows": 2})}
        labels = {"period_from": _("Wanted from"), "period_to": _("Wanted until")}

    def __init__(self, *args, choices: dict[str, list] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_area_fields(choices)

    def _post_clean(self):
        # Drafts: model-level validation happens in the service, so that an
        # incomplete item still saves.
        opts = self._meta
        forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)


class OfferForm(AreaSubfieldMixin, forms.ModelForm):
    class Meta:
        model = Offer
        fields = (
            *ITEM_COMMON, "capacity", "languages", "conditions", "customs_paid_by", "location", "comment",
        )
        widgets = {"period_from": DateInput(), "period_to": DateInput(), "comment": forms.Textarea(attrs={"rows": 2})}
        labels = {"period_from": _("Available from"), "period_to": _("Available until")}

    def __init__(self, *args, choices: dict[str, list] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_area_fields(choices)

    _post_clean = NeedForm._post_clean


class SelfClassificationForm(forms.ModelForm):
    considers_ceems = forms.TypedChoiceField(
        label=_("Does your country count itself as a country with an emerging metrology system (CEEMS)?"),
        choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Response
        fields = ("considers_ceems", "ceems_reason", "comment")
        widgets = {"ceems_reason": forms.Textarea(attrs={"rows": 4}), "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance.considers_ceems
        self.initial["considers_ceems"] = "" if value is None else ("true" if value else "false")


class ResponseCommentForm(forms.ModelForm):
    class Meta:
        model = Response
        fields = ("comment",)
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("Submit by"),
        required=False,
        widget=DateInput(),
        help_text=_("A personal deadline for this institute; needed once the campaign's deadline has passed."),
    )


class CampaignDeadlineForm(forms.Form):
    """The new deadline of an open campaign, or of a closed one being reopened."""

    closes_on = forms.DateField(label=_("New deadline"), widget=DateInput())


def item_form_class(kind: str):
    return OfferForm if kind == "offers" else NeedForm
