"""The task group's pages. Views parse, check the permission, call one
service, say what happened and redirect; objects come only through
`visible_to(user)`, so a meeting, document or calendar one may not see is 404."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.changelog import LogSource, change_log
from core.concurrency import revision_from
from core.views import form_errors, handles_portal_errors
from institutes.permissions import permission_required

from . import selectors, services
from .calendar import calendar_bytes, meeting_ics, meeting_ics_filename
from .forms import (
    ActionItemForm,
    ActionStatusForm,
    AgendaItemForm,
    AssignForm,
    CalendarSettingsForm,
    CommentForm,
    DecisionForm,
    DocumentForm,
    DocumentVersionForm,
    InfoMessageForm,
    InfoRequestForm,
    JoinDecisionForm,
    JoinRequestForm,
    LinkActivityForm,
    MeetingForm,
    MembershipEndForm,
    MembershipForm,
    MinutesForm,
    PrepareNextForm,
    ReviewForm,
)
from .models import (
    ActionItem,
    AgendaComment,
    AgendaItem,
    CalendarSettings,
    Document,
    DocumentVersion,
    InfoAttachment,
    InfoRequest,
    JoinRequest,
    Meeting,
    Membership,
    Minutes,
)


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _meeting(request, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)


def _meeting_url(request, pk: int, *args, **kwargs) -> str:
    return reverse("taskgroup:meeting_detail", args=[pk])


def _form_page(request, *, form, title: str, back: str, submit: str, intro: str = "", revision=None,
               multipart: bool = False, testid: str = "form"):
    return render(request, "taskgroup/form.html", {
        "form": form, "title": title, "back": back, "submit": submit, "intro": intro, "revision": revision,
        "multipart": multipart, "testid": testid,
    })


# --- Overview and members ---------------------------------------------------------

@permission_required("taskgroup.view_overview")
def overview(request):
    user = request.user
    per_year = selectors.meetings_per_year(user=user)
    upcoming = selectors.meetings_for_list(user=user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:5]
    return render(request, "taskgroup/overview.html", {
        "per_year": per_year,
        "too_few": selectors.too_few_meetings(per_year=per_year),
        "year": timezone.localdate().year,
        "required": selectors.MEETINGS_PER_YEAR,
        "upcoming": list(upcoming),
        "overdue_count": ActionItem.objects.visible_to(user).overdue().count(),
        "pending_joins": selectors.pending_join_requests().count() if user.has_perm("taskgroup.decide_join") else 0,
        "zone": selectors.viewer_zone(user),
    })


@permission_required("taskgroup.view_composition")
def composition(request):
    user = request.user
    context = selectors.composition(user=user)
    context["can_manage"] = user.has_perm("taskgroup.manage_memberships")
    if user.has_perm("taskgroup.decide_join"):
        context["join_requests"] = list(selectors.pending_join_requests())
        context["decision_form"] = JoinDecisionForm()
    return render(request, "taskgroup/composition.html", context)


@permission_required("taskgroup.view_composition")
def composition_history(request):
    entries = change_log(
        LogSource(Membership.history.all(), describe=lambda r: f"{r.user} ({r.get_role_display()})"),
    )
    return render(request, "taskgroup/history.html", {"entries": entries, "title": _("Changes to the composition"),
                                                      "back": reverse("taskgroup:composition")})


@permission_required("taskgroup.manage_memberships")
@handles_portal_errors(redirect_to=lambda request: reverse("taskgroup:composition"))
def membership_add(request):
    form = MembershipForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.membership_add(**form.cleaned_data, by=request.user)
            messages.success(request, _("The membership has been added."))
            return redirect("taskgroup:composition")
    return _form_page(request, form=form, title=_("Add a member"), back=reverse("taskgroup:composition"),
                      submit=_("Add"), testid="membership-form")


@permission_required("taskgroup.manage_memberships")
@handles_portal_errors(redirect_to=lambda request, pk: reverse("taskgroup:composition"))
def membership_end(request, pk: int):
    membership = get_object_or_404(Membership.objects.visible_to(request.user).select_related("user"), pk=pk)
    form = MembershipEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.membership_end(membership=membership, ends_on=form.cleaned_data["ends_on"], by=request.user)
            messages.success(request, _("The membership ends on the day given."))
            return redirect("taskgroup:composition")
    return _form_page(request, form=form, title=_("End the membership of %(person)s") % {"person": membership.user},
                      back=reverse("taskgroup:composition"), submit=_("End the membership"), testid="membership-end-form")


@login_required
@handles_portal_errors(redirect_to=lambda request: reverse("home"))
def join(request):
    _require(request, "taskgroup.ask_to_join")
    pending = JoinRequest.objects.filter(user=request.user, status=JoinRequest.Status.PENDING).first()
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.join_request_create(user=request.user, message=form.cleaned_data["message"], by=request.user)
            messages.success(request, _("Your request has been sent to the chair of the task group."))
            return redirect("home")
    intro = (_("Your request to join is waiting for the chair's decision.") if pending else
             _("The task group welcomes representatives of CEEMS institutes. The chair decides on your request."))
    return _form_page(request, form=form, title=_("Join the task group"), back=reverse("home"),
                      submit=_("Ask to join"), intro=intro, testid="join-form")


@require_POST
@permission_required("taskgroup.decide_join")
@handles_portal_errors(redirect_to=lambda request, pk: reverse("taskgroup:composition"))
def join_decide(request, pk: int):
    join_request = get_object_or_404(JoinRequest, pk=pk)
    form = JoinDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline."))
        return redirect("taskgroup:composition")
    accept = form.cleaned_data["decision"] == "accept"
    services.join_request_decide(request=join_request, accept=accept,
                                 role=form.cleaned_data.get("role") or Membership.Role.MEMBER, by=request.user)
    messages.success(request, _("The request has been accepted.") if accept else _("The request has been declined."))
    return redirect("taskgroup:composition")


# --- Meetings ---------------------------------------------------------------------

@login_required
def meeting_list(request):
    user = request.user
    page = Paginator(selectors.meetings_for_list(user=user), settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "taskgroup/meeting_list.html", {
        "page_obj": page, "zone": selectors.viewer_zone(user),
        "can_add": user.has_perm("taskgroup.add_meeting"),
    })


def _meeting_from_form(form) -> dict:
    data = form.cleaned_data
    return {
        "title_ru": data["title_ru"], "title_en": data["title_en"], "starts_at": data["starts_at"],
        "ends_at": data["ends_at"], "time_zone": data["time_zone"], "format": data["format"],
        "place": data["place"], "link": data["link"], "invitees": list(data["invitees"]), "guests": data["guests"],
    }


@permission_required("taskgroup.add_meeting")
@handles_portal_errors(redirect_to=lambda request: reverse("taskgroup:meeting_list"))
def meeting_create(request):
    form = MeetingForm(request.POST or None, initial=None if request.method == "POST" else {
        "time_zone": "Asia/Almaty", "invitees": list(selectors.current_members().values_list("pk", flat=True)),
    })
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            meeting = services.meeting_save(**_meeting_from_form(form), by=request.user)
            messages.success(request, _("The meeting has been created. Its agenda is a draft."))
            return redirect(meeting)
    return _form_page(request, form=form, title=_("New meeting"), back=reverse("taskgroup:meeting_list"),
                      submit=_("Create"), testid="meeting-form")


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def meeting_edit(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    form = MeetingForm(request.POST or None, meeting=meeting) if request.method == "POST" else MeetingForm(meeting=meeting)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.meeting_save(meeting=meeting, **_meeting_from_form(form), revision=revision_from(request.POST),
                                  by=request.user)
            messages.success(request, _("The meeting has been saved."))
            return redirect(meeting)
    return _form_page(request, form=form, title=_("Edit the meeting"), back=meeting.get_absolute_url(),
                      submit=_("Save"), revision=meeting.revision, testid="meeting-form")


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def meeting_prepare_next(request, pk: int):
    previous = _meeting(request, pk)
    _require(request, "taskgroup.add_meeting")
    form = PrepareNextForm(request.POST or None, previous=previous)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            meeting = services.meeting_prepare_next(previous=previous, starts_at=form.cleaned_data["starts_at"],
                                                    ends_at=form.cleaned_data["ends_at"], by=request.user)
            messages.success(request, _("The next meeting has been prepared from this one: check its title and agenda."))
            return redirect(meeting)
    intro = _("The new meeting takes this one's title, format, place, link, invited people and standing agenda "
              "items. Its first item approves this meeting's minutes. Times are in %(zone)s.") % {"zone": previous.time_zone}
    return _form_page(request, form=form, title=_("Prepare the next meeting"), back=previous.get_absolute_url(),
                      submit=_("Prepare"), intro=intro, testid="prepare-next-form")


@login_required
def meeting_detail(request, pk: int):
    user = request.user
    try:
        meeting = selectors.meeting_for_page(user=user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    minutes = selectors.minutes_of(meeting)
    can_change = user.has_perm("taskgroup.change_meeting", meeting)
    context = {
        "meeting": meeting,
        "items": meeting.agenda_items.all(),
        "minutes": minutes,
        "zone": selectors.viewer_zone(user),
        "can_change": can_change,
        "can_finalise": user.has_perm("taskgroup.finalise_agenda", meeting),
        "can_comment": user.has_perm("taskgroup.comment_agenda", meeting),
        "can_review": user.has_perm("taskgroup.review_agenda", meeting),
        "can_approve_minutes": user.has_perm("taskgroup.approve_minutes", meeting),
        "comment_form": CommentForm(),
        "today": timezone.localdate(),
        "to_approve": selectors.minutes_to_approve(meeting=meeting),
        "status_choices": ActionItem.Status.choices,
    }
    if context["can_review"] and meeting.agenda_status == Meeting.AgendaStatus.CIRCULATED:
        context["own_review"] = selectors.own_review(meeting=meeting, user=user)
        context["review_form"] = ReviewForm(initial={"verdict": getattr(context["own_review"], "verdict", None)})
    if user.has_perm("taskgroup.view_reviews", meeting) and meeting.agenda_round:
        context["reviews"] = selectors.review_overview(meeting=meeting)
    if can_change:
        context["document_form"] = DocumentForm()
        context["minutes_form"] = MinutesForm(initial={"text": minutes.text if minutes else ""})
    return render(request, "taskgroup/meeting_detail.html", context)


@login_required
def meeting_history(request, pk: int):
    meeting = _meeting(request, pk)
    entries = change_log(
        LogSource(Meeting.history.filter(id=meeting.pk)),
        LogSource(AgendaItem.history.filter(meeting_id=meeting.pk), describe=lambda r: r.title),
        LogSource(AgendaComment.history.filter(meeting_id=meeting.pk), describe=lambda r: str(r.author)),
        LogSource(Minutes.history.filter(meeting_id=meeting.pk)),
        LogSource(ActionItem.history.filter(meeting_id=meeting.pk), describe=lambda r: r.title),
    )
    return render(request, "taskgroup/history.html", {"entries": entries, "title": _("Change log"),
                                                      "meeting": meeting, "back": meeting.get_absolute_url()})


def _ics_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def meeting_calendar(request, pk: int):
    meeting = _meeting(request, pk)
    return _ics_response(meeting_ics(meeting), meeting_ics_filename(meeting))


# --- Agenda -----------------------------------------------------------------------

def _item(request, pk: int, item_pk: int) -> tuple[Meeting, AgendaItem]:
    meeting = _meeting(request, pk)
    return meeting, get_object_or_404(AgendaItem, meeting=meeting, pk=item_pk)


def _item_form_page(request, meeting, item=None):
    _require(request, "taskgroup.change_meeting", meeting)
    initial = None
    if item is not None and request.method != "POST":
        initial = {"title_ru": item.title_ru, "title_en": item.title_en, "presenter": item.presenter,
                   "planned_minutes": item.planned_minutes, "standing": item.standing,
                   "documents": list(item.documents.all()), "activities": list(item.activities.all())}
    form = AgendaItemForm(request.POST or None, initial=initial, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.agenda_item_save(meeting=meeting, item=item, **form.cleaned_data,
                                      revision=revision_from(request.POST), by=request.user)
            messages.success(request, _("The agenda has been saved."))
            return redirect(meeting)
    return _form_page(request, form=form, title=_("Agenda item") if item else _("New agenda item"),
                      back=meeting.get_absolute_url(), submit=_("Save"), revision=meeting.revision,
                      testid="agenda-item-form")


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_item_add(request, pk: int):
    return _item_form_page(request, _meeting(request, pk))


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_item_edit(request, pk: int, item_pk: int):
    meeting, item = _item(request, pk, item_pk)
    return _item_form_page(request, meeting, item)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_item_delete(request, pk: int, item_pk: int):
    meeting, item = _item(request, pk, item_pk)
    _require(request, "taskgroup.change_meeting", meeting)
    services.agenda_item_delete(item=item, revision=revision_from(request.POST), by=request.user)
    messages.success(request, _("The item has been removed from the agenda."))
    return redirect(meeting)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_item_move(request, pk: int, item_pk: int):
    meeting, item = _item(request, pk, item_pk)
    _require(request, "taskgroup.change_meeting", meeting)
    services.agenda_item_move(item=item, up=request.POST.get("direction") == "up",
                              revision=revision_from(request.POST), by=request.user)
    return redirect(meeting)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_circulate(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    count = services.agenda_circulate(meeting=meeting, revision=revision_from(request.POST), by=request.user)
    messages.success(request, _("The agenda has been circulated for review; %(count)s invitations are on their way.")
                     % {"count": count})
    return redirect(meeting)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_finalise(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.finalise_agenda", meeting)
    services.agenda_finalise(meeting=meeting, revision=revision_from(request.POST), by=request.user)
    messages.success(request, _("The agenda is final."))
    return redirect(meeting)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def comment_add(request, pk: int):
    meeting = _meeting(request, pk)
    # Whoever may see the meeting but is not invited gets the service's
    # message (NOT_INVITED); an invited observer may read, not comment.
    from .permissions import is_invited, is_observer_only

    if is_invited(request.user, meeting) and is_observer_only(request.user):
        raise PermissionDenied
    item = None
    if request.POST.get("item"):
        item = get_object_or_404(AgendaItem, meeting=meeting, pk=revision_from(request.POST, "item") or 0)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(meeting)
    services.comment_add(meeting=meeting, item=item, text=form.cleaned_data["text"], by=request.user)
    messages.success(request, _("Your comment has been added."))
    return redirect(f"{meeting.get_absolute_url()}#item-{item.pk if item else 'general'}")


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def comment_edit(request, pk: int, comment_pk: int):
    meeting = _meeting(request, pk)
    comment = get_object_or_404(AgendaComment, meeting=meeting, pk=comment_pk)
    _require(request, "taskgroup.edit_comment", comment)
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.comment_edit(comment=comment, text=form.cleaned_data["text"], by=request.user)
            messages.success(request, _("Your comment has been saved."))
            return redirect(meeting)
    return _form_page(request, form=form, title=_("Edit your comment"), back=meeting.get_absolute_url(),
                      submit=_("Save"), testid="comment-form")


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def agenda_review(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.review_agenda", meeting)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you approve the agenda or ask for changes."))
        return redirect(meeting)
    services.agenda_review(meeting=meeting, verdict=form.cleaned_data["verdict"], note=form.cleaned_data["note"],
                           by=request.user)
    messages.success(request, _("Thank you: your review has been recorded."))
    return redirect(meeting)


# --- Documents --------------------------------------------------------------------

@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def document_upload(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        with form_errors(form):
            services.document_upload(meeting=meeting, upload=form.cleaned_data["file"], title=form.cleaned_data["title"],
                                     by=request.user)
            messages.success(request, _("The document has been uploaded."))
            return redirect(f"{meeting.get_absolute_url()}#documents")
    return _form_page(request, form=form, title=_("Upload a document"), back=meeting.get_absolute_url(),
                      submit=_("Upload"), multipart=True, testid="document-form")


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def document_version(request, pk: int, document_pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    document = get_object_or_404(Document, meeting=meeting, pk=document_pk)
    form = DocumentVersionForm(request.POST, request.FILES)
    if form.is_valid():
        with form_errors(form):
            services.document_upload(meeting=meeting, upload=form.cleaned_data["file"], document=document, by=request.user)
            messages.success(request, _("A new version of the document has been uploaded."))
            return redirect(f"{meeting.get_absolute_url()}#documents")
    return _form_page(request, form=form, title=_("New version of %(title)s") % {"title": document.title},
                      back=meeting.get_absolute_url(), submit=_("Upload"), multipart=True, testid="document-form")


def _file_response(stored, filename: str, content_type: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def document_download(request, pk: int, version_pk: int):
    meeting = _meeting(request, pk)
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), document__meeting=meeting, pk=version_pk)
    return _file_response(version.file, version.filename, version.content_type)


# --- Minutes, decisions and action items ------------------------------------------

@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def minutes_save(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    form = MinutesForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.minutes_save(meeting=meeting, text=form.cleaned_data["text"], revision=revision_from(request.POST),
                                  by=request.user)
            if request.POST.get("circulate"):
                minutes = Minutes.objects.get(meeting=meeting)
                services.minutes_circulate(meeting=meeting, revision=minutes.revision, by=request.user)
                messages.success(request, _("The minutes have been circulated to the invited."))
            else:
                messages.success(request, _("The minutes have been saved."))
            return redirect(f"{meeting.get_absolute_url()}#minutes")
    return _form_page(request, form=form, title=_("Minutes"), back=meeting.get_absolute_url(), submit=_("Save"),
                      revision=revision_from(request.POST), testid="minutes-form")


@require_POST
@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def minutes_approve(request, pk: int):
    """On the later meeting's page: approve the previous meeting's minutes."""
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.approve_minutes", meeting)
    minutes = get_object_or_404(Minutes, pk=revision_from(request.POST, "minutes") or 0)
    services.minutes_approve(minutes=minutes, at_meeting=meeting, by=request.user)
    messages.success(request, _("The previous meeting's minutes are approved and locked."))
    return redirect(meeting)


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def decision_add(request, pk: int):
    meeting = _meeting(request, pk)
    _require(request, "taskgroup.change_meeting", meeting)
    form = DecisionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.decision_add(meeting=meeting, text=form.cleaned_data["text"],
                                  activity=form.cleaned_data["activity"], by=request.user)
            messages.success(request, _("The decision has been recorded."))
            return redirect(f"{meeting.get_absolute_url()}#decisions")
    return _form_page(request, form=form, title=_("New decision"), back=meeting.get_absolute_url(), submit=_("Save"),
                      testid="decision-form")


def _action_form_page(request, meeting, item=None):
    _require(request, "taskgroup.change_meeting", meeting)
    initial = None
    if item is not None and request.method != "POST":
        initial = {"title": item.title, "owner": item.owner_id, "due_on": item.due_on, "status": item.status,
                   "activity": item.activity_id}
    form = ActionItemForm(request.POST or None, initial=initial, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.action_item_save(meeting=meeting, item=item, **form.cleaned_data,
                                      revision=revision_from(request.POST), by=request.user)
            messages.success(request, _("The action item has been saved."))
            return redirect(f"{meeting.get_absolute_url()}#actions")
    return _form_page(request, form=form, title=_("Action item") if item else _("New action item"),
                      back=meeting.get_absolute_url(), submit=_("Save"),
                      revision=item.revision if item else None, testid="action-form")


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def action_add(request, pk: int):
    return _action_form_page(request, _meeting(request, pk))


@login_required
@handles_portal_errors(redirect_to=_meeting_url)
def action_edit(request, pk: int, action_pk: int):
    meeting = _meeting(request, pk)
    return _action_form_page(request, meeting, get_object_or_404(ActionItem, meeting=meeting, pk=action_pk))


@require_POST
@login_required
@handles_portal_errors
def action_status(request, action_pk: int):
    item = get_object_or_404(ActionItem.objects.visible_to(request.user), pk=action_pk)
    _require(request, "taskgroup.update_action", item)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_item_set_status(item=item, status=form.cleaned_data["status"],
                                        revision=revision_from(request.POST), by=request.user)
        messages.success(request, _("The action item's status has been saved."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else reverse("taskgroup:action_list"))


ACTION_FILTERS = {"open": "open", "overdue": "overdue", "mine": "mine", "all": "all"}


@permission_required("taskgroup.view_actions")
def action_list(request):
    show = ACTION_FILTERS.get(request.GET.get("show", "open"), "open")
    items = selectors.actions_for_list(user=request.user, show=show)
    page = Paginator(items, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "taskgroup/action_list.html", {
        "page_obj": page, "show": show, "query": f"show={show}", "today": timezone.localdate(),
        "status_choices": ActionItem.Status.choices,
    })


# --- Calendar ---------------------------------------------------------------------

@login_required
def calendar_settings(request):
    user = request.user
    row = CalendarSettings.objects.filter(user=user).first()
    form = CalendarSettingsForm(request.POST or None, initial={"time_zone": row.time_zone if row else ""})
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "feed":
            token = services.feed_token_create(user=user)
            messages.success(request, _("Your new calendar address is below. Copy it now: it is shown only once."))
        elif action == "revoke":
            services.feed_token_revoke(user=user)
            messages.success(request, _("Your calendar address has been revoked; it no longer works."))
            return redirect("taskgroup:calendar_settings")
        elif form.is_valid():
            with form_errors(form):
                services.calendar_settings_save(user=user, time_zone=form.cleaned_data["time_zone"])
                messages.success(request, _("Your time zone has been saved."))
                return redirect("taskgroup:calendar_settings")
    feed_url = None
    if token:
        feed_url = request.build_absolute_uri(reverse("taskgroup_feed", args=[token]))
    return render(request, "taskgroup/calendar_settings.html", {
        "form": form, "feed_url": feed_url,
        "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://") if feed_url else None,
        "has_feed": bool(row and row.feed_token_hash) or bool(token),
    })


FEED_REVOKED = gettext_lazy(
    "This calendar address is not valid: it was revoked or replaced. Make a new one on your calendar page."
)


def calendar_feed(request, token: str):
    """The personal feed: the meetings the token's owner is invited to. No
    login (calendar programs cannot); the secret token is the key. A revoked
    or unknown token is 404 with a plain message."""
    row = (
        CalendarSettings.objects.select_related("user")
        .filter(feed_token_hash=CalendarSettings.hash_token(token), user__is_active=True)
        .exclude(feed_token_hash="")
        .first()
    )
    if row is None:
        return HttpResponse(str(FEED_REVOKED), status=404, content_type="text/plain; charset=utf-8")
    meetings = Meeting.objects.filter(invitees=row.user).order_by("starts_at")
    data = calendar_bytes(meetings, name=_("TG-CEEMS meetings"))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tg-ceems.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- Information support ----------------------------------------------------------

def _request_url(request, pk: int, *args, **kwargs) -> str:
    return reverse("taskgroup:request_detail", args=[pk])


@permission_required("taskgroup.view_requests")
def request_list(request):
    status = request.GET.get("status", "")
    page = Paginator(selectors.requests_for_list(user=request.user, status=status), settings.PORTAL_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "taskgroup/request_list.html", {
        "page_obj": page, "status": status, "query": f"status={status}" if status else "",
        "statuses": InfoRequest.Status.choices, "can_ask": request.user.has_perm("taskgroup.ask_info"),
    })


@permission_required("taskgroup.ask_info")
@handles_portal_errors(redirect_to=lambda request: reverse("taskgroup:request_list"))
def request_create(request):
    form = InfoRequestForm(request.POST or None, request.FILES or None,
                           initial={"language": request.user.preferred_language})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            info = services.info_request_create(requester=request.user, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your request has been sent to the task group."))
            return redirect(info)
    return _form_page(request, form=form, title=_("Ask the task group for information support"),
                      back=reverse("taskgroup:request_list"), submit=_("Send"), multipart=True, testid="request-form")


def _info(request, pk: int) -> InfoRequest:
    try:
        return selectors.request_for_page(user=request.user, pk=pk)
    except InfoRequest.DoesNotExist:
        raise Http404 from None


@login_required
def request_detail(request, pk: int):
    info = _info(request, pk)
    user = request.user
    context = {
        "info": info,
        "can_assign": user.has_perm("taskgroup.assign_info", info),
        "can_answer": user.has_perm("taskgroup.answer_info", info) and info.status != InfoRequest.Status.CLOSED,
        "can_reply": user.has_perm("taskgroup.reply_info", info) and info.status != InfoRequest.Status.CLOSED,
        "can_link": user.has_perm("taskgroup.link_info_activity", info),
        "message_form": InfoMessageForm(),
    }
    if context["can_assign"]:
        context["assign_form"] = AssignForm(initial={"assignee": info.assigned_to_id})
    if context["can_link"]:
        context["link_form"] = LinkActivityForm(user=user, initial={"activity": info.activity_id})
    return render(request, "taskgroup/request_detail.html", context)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_request_url)
def request_assign(request, pk: int):
    info = _info(request, pk)
    _require(request, "taskgroup.assign_info", info)
    form = AssignForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.info_request_assign(request=info, assignee=form.cleaned_data["assignee"], by=request.user)
            messages.success(request, _("The request has been assigned."))
            return redirect(info)
    for error in form.errors.get("assignee", []):
        messages.error(request, error)
    return redirect(info)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_request_url)
def request_message(request, pk: int):
    info = _info(request, pk)
    user = request.user
    form = InfoMessageForm(request.POST, request.FILES)
    answering = user.has_perm("taskgroup.answer_info", info) and request.POST.get("as") != "reply"
    if not answering:
        _require(request, "taskgroup.reply_info", info)
    if form.is_valid():
        with form_errors(form):
            if answering:
                services.info_request_answer(request=info, text=form.cleaned_data["text"],
                                             attachments=form.cleaned_data["attachments"], by=user)
                messages.success(request, _("Your answer has been sent to the requester."))
            else:
                services.info_request_reply(request=info, text=form.cleaned_data["text"],
                                            attachments=form.cleaned_data["attachments"], by=user)
                messages.success(request, _("Your reply has been sent."))
            return redirect(info)
    context = {"info": info, "message_form": form, "can_answer": answering, "can_reply": not answering}
    return render(request, "taskgroup/request_detail.html", context)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_request_url)
def request_close(request, pk: int):
    info = _info(request, pk)
    if not (request.user.has_perm("taskgroup.reply_info", info) or request.user.has_perm("taskgroup.assign_info", info)):
        raise PermissionDenied
    services.info_request_close(request=info, by=request.user)
    messages.success(request, _("The request is closed."))
    return redirect(info)


@require_POST
@login_required
@handles_portal_errors(redirect_to=_request_url)
def request_link(request, pk: int):
    info = _info(request, pk)
    _require(request, "taskgroup.link_info_activity", info)
    form = LinkActivityForm(request.POST, user=request.user)
    if form.is_valid():
        services.info_request_link_activity(request=info, activity=form.cleaned_data["activity"], by=request.user)
        messages.success(request, _("The request's Programme activity has been saved."))
    return redirect(info)


@require_GET
@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    info = _info(request, pk)
    attachment = get_object_or_404(InfoAttachment, message__request=info, pk=attachment_pk)
    return _file_response(attachment.file, attachment.filename, attachment.content_type)
