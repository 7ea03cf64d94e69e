"""Forms of the task group's pages. Each only parses; the services decide."""
import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from institutes.models import Institute, User

from . import services
from .models import (
    COMMENT_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ActionItem,
    AgendaReview,
    InfoRequest,
    Meeting,
    Membership,
)
from .selectors import current_members


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))]


def person_label(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.institute.acronym})" if user.institute_id else name


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return person_label(user)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return person_label(user)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def activity_queryset(user):
    from programme.models import Activity

    return Activity.objects.visible_to(user).select_related("version").order_by("-version__year", "title", "pk")


class ActivityField(forms.ModelChoiceField):
    def label_from_instance(self, activity):
        return f"{activity.version.year} · {activity.title}" if hasattr(activity.version, "year") else activity.title


class ActivitiesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, activity):
        return f"{activity.version.year} · {activity.title}" if hasattr(activity.version, "year") else activity.title


# --- Members ----------------------------------------------------------------------

class MembershipForm(CleanTextMixin, forms.Form):
    user = PersonField(label=_("Person"), queryset=User.objects.filter(is_active=True).select_related("institute").order_by("last_name", "username"))
    institute = forms.ModelChoiceField(label=_("Institute"), queryset=Institute.objects.select_related("country"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To"), widget=DateInput(), required=False, help_text=_("Empty while the term goes on."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class MembershipEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())


class JoinRequestForm(CleanTextMixin, forms.Form):
    message = forms.CharField(
        label=_("Why you would like to join"), required=False, max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER, required=False)


# --- Meetings ---------------------------------------------------------------------

class MeetingTimesForm(forms.Form):
    """Date, start and end time in the meeting's zone; the form gives the
    aware datetimes as starts_at and ends_at."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput(), required=False,
                               help_text=_("Only for a meeting over several days."))

    def zone_name(self) -> str:
        return self.cleaned_data.get("time_zone") or ""

    def clean(self):
        data = super().clean()
        name = self.zone_name()
        if not all(data.get(k) for k in ("date", "starts", "ends")) or not name:
            return data
        zone = zoneinfo.ZoneInfo(name)
        starts_at = datetime.combine(data["date"], data["starts"], tzinfo=zone)
        ends_at = datetime.combine(data.get("end_date") or data["date"], data["ends"], tzinfo=zone)
        if ends_at <= starts_at:
            self.add_error("ends", services.MEETING_ENDS_BEFORE_START)
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class MeetingForm(CleanTextMixin, MeetingTimesForm):
    title_ru = forms.CharField(label=_("Title in Russian"), max_length=255)
    title_en = forms.CharField(label=_("Title in English"), max_length=255)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices, initial="Asia/Almaty")
    format = forms.ChoiceField(label=_("Format"), choices=Meeting.Format.choices)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    invitees = PeopleField(label=_("Invited"), queryset=User.objects.none(), required=False,
                           widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    guests = forms.CharField(label=_("Guests without an account"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["title_ru", "title_en", "date", "starts", "ends", "end_date", "time_zone", "format", "place",
                   "link", "invitees", "guests"]

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        if meeting is not None and "initial" not in kwargs:
            start, end = meeting.local_start, meeting.local_end
            kwargs["initial"] = {
                "title_ru": meeting.title_ru, "title_en": meeting.title_en, "date": start.date(),
                "starts": start.time(), "ends": end.time(),
                "end_date": end.date() if end.date() != start.date() else None,
                "time_zone": meeting.time_zone, "format": meeting.format, "place": meeting.place,
                "link": meeting.link, "invitees": list(meeting.invitees.values_list("pk", flat=True)),
                "guests": meeting.guests,
            }
        super().__init__(*args, **kwargs)
        # Current members, and whoever is invited already (a guest with an account).
        members = current_members()
        invited = meeting.invitees.values("pk") if meeting is not None else User.objects.none().values("pk")
        self.fields["invitees"].queryset = (
            User.objects.filter(pk__in=members.values("pk")) | User.objects.filter(pk__in=invited)
        ).select_related("institute").order_by("last_name", "username")

    def clean_time_zone(self):
        return self.cleaned_data["time_zone"]


class PrepareNextForm(MeetingTimesForm):
    def __init__(self, *args, previous: Meeting, **kwargs):
        self.previous = previous
        if "initial" not in kwargs:
            start = previous.local_start + timedelta(days=182)
            kwargs["initial"] = {"date": start.date(), "starts": start.time(), "ends": previous.local_end.time()}
        super().__init__(*args, **kwargs)

    def zone_name(self) -> str:
        return self.previous.time_zone


class AgendaItemForm(CleanTextMixin, forms.Form):
    title_ru = forms.CharField(label=_("Title in Russian"), max_length=255)
    title_en = forms.CharField(label=_("Title in English"), max_length=255)
    presenter = forms.CharField(label=_("Presenter"), max_length=200, required=False)
    planned_minutes = forms.IntegerField(label=_("Planned minutes"), min_value=1, max_value=600, initial=10)
    standing = forms.BooleanField(label=_("Standing item (copied into the next meeting)"), required=False)
    documents = forms.ModelMultipleChoiceField(label=_("Documents"), queryset=None, required=False,
                                               widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    activities = ActivitiesField(label=_("Programme activities"), queryset=None, required=False,
                                 widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = meeting.documents.all()
        self.fields["activities"].queryset = activity_queryset(user)


class CommentForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(CleanTextMixin, forms.Form):
    verdict = forms.ChoiceField(label=_("Your review"), choices=AgendaReview.Verdict.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=COMMENT_MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, required=False,
                            help_text=_("Empty: the file's name."))
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office document or image."))


class DocumentVersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))


class MinutesForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Minutes"), max_length=MINUTES_MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 14}))


class DecisionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    activity = ActivityField(label=_("Programme activity"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activity_queryset(user)


class ActionItemForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Action"), max_length=500)
    owner = PersonField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices, initial=ActionItem.Status.OPEN)
    activity = ActivityField(label=_("Programme activity"), queryset=None, required=False)

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(pk__in=current_members().values("pk"))
            | User.objects.filter(pk__in=meeting.invitees.values("pk"))
        ).select_related("institute").order_by("last_name", "username")
        self.fields["activity"].queryset = activity_queryset(user)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)


class CalendarSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Your time zone"), required=False,
                                  help_text=_("Meeting times are shown in this zone. Empty: in each meeting's own zone."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Each meeting's own zone"))] + zone_choices()


# --- Information support ----------------------------------------------------------

class InfoRequestForm(CleanTextMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    topic = forms.ChoiceField(label=_("Topic"), choices=InfoRequest.Topic.choices)
    language = forms.ChoiceField(label=_("Language of the answer"), choices=[("ru", _("Russian")), ("en", _("English"))])
    text = forms.CharField(label=_("Your question"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Attachments"), help_text=_("PDF, Office documents or images."))


class InfoMessageForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label=_("Attachments"))


class AssignForm(forms.Form):
    assignee = PersonField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = current_members()


class LinkActivityForm(forms.Form):
    activity = ActivityField(label=_("Programme activity"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activity_queryset(user)
