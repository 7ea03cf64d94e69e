import json

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from institutes.models import Institute, MetrologyArea, SubField

from .models import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    REASON_MAX_LENGTH,
    Campaign,
    Need,
    Offer,
    Response,
    default_working_languages,
    validate_capacity,
)

EMPTY_ITEM = _("Fill in at least one field before saving, or cancel.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(CleanTextMixin, forms.ModelForm):
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


def area_choices() -> dict:
    """The area and sub-field choices of an item form, names in the active
    language: "area", "subfield" (every sub-field, grouped under its area)
    and "by_area" (each area's own sub-fields, by area id). Two queries,
    made once per page however many item forms it shows."""
    areas = [("", "---------")] + [(area.pk, str(area)) for area in MetrologyArea.objects.order_by("position")]
    groups: dict[str, list] = {}
    by_area: dict[int, list] = {}
    for subfield in SubField.objects.select_related("area").order_by("area__position", "position"):
        groups.setdefault(subfield.area.code, []).append((subfield.pk, subfield.name))
        by_area.setdefault(subfield.area_id, []).append((subfield.pk, subfield.name))
    return {"area": areas, "subfield": [("", "---------"), *groups.items()], "by_area": by_area}


class AreaSubfieldMixin:
    """The sub-field list offers only the chosen area's sub-fields (every
    sub-field, grouped by area, while no area is chosen). Changing the area
    asks the server for the new list (htmx, surveys:subfield_options); without
    JavaScript the pair is checked when the form is saved, and a sub-field of
    another area gets its message next to the field (the services'
    item_values_check)."""

    def chosen_area_id(self) -> int | None:
        if self.is_bound:
            raw = self.data.get(self.add_prefix("area"))
        else:
            raw = self.initial.get("area", getattr(self.instance, "area_id", None))
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def setup_area_fields(self, choices: dict | None):
        choices = choices or area_choices()
        self.fields["area"].queryset = MetrologyArea.objects.all()
        self.fields["subfield"].queryset = SubField.objects.all()
        # Fixed choices: rendering the form makes no query of its own.
        self.fields["area"].choices = choices["area"]
        area_id = self.chosen_area_id()
        if area_id in choices["by_area"]:
            self.fields["subfield"].choices = [("", "---------"), *choices["by_area"][area_id]]
        else:
            self.fields["subfield"].choices = choices["subfield"]
        subfield_id = f"id_{self.add_prefix('subfield')}"
        self.fields["area"].widget.attrs.update(
            {
                "hx-get": reverse("surveys:subfield_options"),
                "hx-trigger": "change",
                "hx-target": f"#{subfield_id}",
                "hx-swap": "outerHTML",
                "hx-vals": json.dumps({"prefix": self.prefix or ""}),
            }
        )


ITEM_COMMON = ("activity_type", "area", "subfield", "subject", "measurement_range", "period_from", "period_to")


class ItemForm(CleanTextMixin, AreaSubfieldMixin, forms.ModelForm):
    """A need or an offer of a draft. Nothing is required to save a draft;
    the fields needed to submit (`required_to_submit`, set by the view from
    the services' lists) are marked as the campaign form marks its own."""

    required_to_submit: frozenset = frozenset()

    def __init__(self, *args, choices: dict | None = None, required_to_submit=(), **kwargs):
        super().__init__(*args, **kwargs)
        # What a new item starts with (field -> value): not something the
        # respondent entered, so a new item holding only these is empty.
        self.defaults: dict = self.new_item_defaults() if self.instance.pk is None else {}
        for name, value in self.defaults.items():
            if self.initial.get(name) in (None, ""):  # the new instance's blank
                self.initial[name] = value
        self.setup_area_fields(choices)
        self.required_to_submit = frozenset(required_to_submit)
        for name in self.required_to_submit & set(self.fields):
            self.fields[name].widget.attrs["aria-required"] = "true"

    def _post_clean(self):
        # Drafts: model-level validation happens in the service, so that an
        # incomplete item still saves.
        opts = self._meta
        forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def new_item_defaults(self) -> dict:
        return {}

    def clean(self):
        cleaned = super().clean()
        entered = (
            value for name, value in cleaned.items()
            if value not in (None, "") and value != self.defaults.get(name)
        )
        if self.instance.pk is None and not any(entered):
            # A new item with nothing in it is not saved: it would only stand
            # in the way of submitting.
            raise forms.ValidationError(EMPTY_ITEM, code="empty")
        return cleaned


class NeedForm(ItemForm):
    class Meta:
        model = Need
        fields = (*ITEM_COMMON, "target_uncertainty", "priority", "languages", "comment")
        widgets = {"period_from": DateInput(), "period_to": DateInput(), "comment": forms.Textarea(attrs={"rows": 2})}
        labels = {"period_from": _("Wanted from"), "period_to": _("Wanted until")}

    def new_item_defaults(self) -> dict:
        """A new need starts with the working language of its institute's
        country where one is obvious (surveys.models.default_working_languages)."""
        if not self.instance.response_id:
            return {}
        default = default_working_languages(self.instance.response.institute.country.iso2)
        return {"languages": default} if default else {}


class OfferForm(ItemForm):
    class Meta:
        model = Offer
        fields = (
            *ITEM_COMMON, "capacity", "languages", "conditions", "customs_paid_by", "location", "comment",
        )
        widgets = {
            "period_from": DateInput(),
            "period_to": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 2}),
            "capacity": forms.NumberInput(attrs={"min": MIN_CAPACITY, "max": MAX_CAPACITY}),
        }
        labels = {"period_from": _("Available from"), "period_to": _("Available until")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's rule, checked by the form too so its message shows next
        # to the field before the service is asked.
        self.fields["capacity"].validators.append(validate_capacity)


class SelfClassificationForm(CleanTextMixin, forms.ModelForm):
    # Needed to submit, not to save a draft: marked as the campaign form marks its own.
    required_to_submit = frozenset({"considers_ceems"})

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


class ResponseCommentForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Response
        fields = ("comment",)
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class ReopenForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
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
