"""The Programme's forms. They parse and check what a form can; the rules
of an activity (quarters within the period, provider not recipient, a
reason for postponed and cancelled) are the services', whose
ValidationError lands next to the field (core.views.form_errors)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from institutes.models import Institute, MetrologyArea, SubField
from surveys.models import ActivityType, Conditions, Need, Offer

from .models import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Activity,
    ConsultationComment,
    Direction,
    OutcomeDocument,
    ProgrammeVersion,
    ResultKind,
    UpdateAction,
)
from .services import quarter_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InstituteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, institute):
        return f"{institute.acronym} ({institute.country.iso2}) — {institute.name}"


class ActivityForm(CleanTextMixin, forms.Form):
    """Create or edit an activity of a version."""

    activity_type = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("As the activity type says")), *Direction.choices], required=False
    )
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=255, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=255, required=False)
    description_ru = forms.CharField(
        label=_("Description (Russian)"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    area = forms.ModelChoiceField(label=_("Metrology area"), queryset=MetrologyArea.objects.order_by("position"), required=False)
    subfield = forms.ModelChoiceField(
        label=_("Sub-field"), queryset=SubField.objects.select_related("area").order_by("area__position", "position"),
        required=False,
    )
    recipients = InstituteChoiceField(
        label=_("Recipients"), required=False,
        queryset=Institute.objects.select_related("country").order_by("country__iso2", "acronym"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    providers = InstituteChoiceField(
        label=_("Providers"), required=False,
        queryset=Institute.objects.select_related("country").order_by("country__iso2", "acronym"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    first_quarter = forms.TypedChoiceField(label=_("From quarter"), coerce=int, required=False, empty_value=None)
    last_quarter = forms.TypedChoiceField(label=_("To quarter"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices, initial=Activity.Status.PLANNED)
    status_reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the activity is postponed or cancelled."),
    )
    funding = forms.ChoiceField(label=_("Funding basis"), choices=[("", "—"), *Conditions.choices], required=False)
    responsible = forms.CharField(label=_("Responsible person"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=NOTES_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version: ProgrammeVersion, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(code), label) for code, label in quarter_choices(version.programme))]
        # A quarter outside the period (an old row) stays selectable so the
        # form shows it and the service says what is wrong with it.
        self.fields["first_quarter"].choices = choices
        self.fields["last_quarter"].choices = choices
        self.fields["first_quarter"].error_messages["invalid_choice"] = _(
            "Choose a quarter within the Programme's period."
        )
        self.fields["last_quarter"].error_messages["invalid_choice"] = _(
            "Choose a quarter within the Programme's period."
        )

    @classmethod
    def initial_of(cls, activity: Activity) -> dict:
        data = {name: getattr(activity, name) for name in (
            "activity_type", "direction", "title_ru", "title_en", "description_ru", "description_en", "area",
            "subfield", "first_quarter", "last_quarter", "status", "status_reason", "funding", "responsible", "notes",
        )}
        data["recipients"] = list(activity.recipients.all())
        data["providers"] = list(activity.providers.all())
        data["revision"] = activity.revision
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        return data


class StatusForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices)
    status_reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the activity is postponed or cancelled."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OutcomeForm(CleanTextMixin, forms.Form):
    held_from = forms.DateField(label=_("Held from"), required=False, widget=DateInput())
    held_to = forms.DateField(label=_("Held to"), required=False, widget=DateInput())
    participants = forms.CharField(
        label=_("Participants"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Institutes and people who took part."),
    )
    participants_count = forms.IntegerField(label=_("Number of participants"), required=False, min_value=0, max_value=100000)
    result_kind = forms.ChoiceField(label=_("Result"), choices=ResultKind.choices, required=False)
    result_identifier = forms.CharField(
        label=_("Result identifier"), required=False, max_length=100,
        help_text=_("For example the comparison's identifier COOMET.M.M-K1 or a certificate number."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


DOCUMENT_ROWS = 3


class DocumentForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeDocument.Kind.choices, required=False)
    title = forms.CharField(label=_("Document"), max_length=255, required=False)
    reference = forms.CharField(label=_("Number or link"), max_length=500, required=False)


DocumentFormSet = forms.formset_factory(DocumentForm, extra=DOCUMENT_ROWS, max_num=20, validate_max=True)


class CommentForm(CleanTextMixin, forms.Form):
    stance = forms.ChoiceField(
        label=_("Your position"), choices=ConsultationComment.Stance.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(CleanTextMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UpdateDecisionForm(CleanTextMixin, forms.Form):
    """One row of the annual update: an activity not done of the previous
    version, and what becomes of it."""

    action = forms.ChoiceField(label=_("Decision"), choices=UpdateAction.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    first_quarter = forms.TypedChoiceField(label=_("From quarter"), coerce=int, required=False, empty_value=None)
    last_quarter = forms.TypedChoiceField(label=_("To quarter"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(code), label) for code, label in quarter_choices(programme))]
        self.fields["first_quarter"].choices = choices
        self.fields["last_quarter"].choices = choices


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("From version"), coerce=int)
    b = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, f"{v.year} · {v.number} · {v.get_status_display()}") for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


__all__ = ["ActivityForm", "StatusForm", "OutcomeForm", "DocumentFormSet", "CommentForm", "AnswerForm",
           "UpdateDecisionForm", "CompareForm", "Need", "Offer"]
