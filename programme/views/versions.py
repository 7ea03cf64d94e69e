"""The pages of a Programme version: the Programme page (activities by
direction, filtered), its timeline, progress, export, change log, the
consultation's comments, the version's steps (consultation, approval,
publication, revision, annual update) and the comparison of two versions.

Every version is fetched through ProgrammeVersion.objects.visible_to (a
foreign id is 404); what the user may do is asked of programme.permissions;
a refused step becomes a message (core.views.handles_portal_errors)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.paging import TwoWayPaginator
from core.views import handles_portal_errors

from .. import selectors, services
from ..filters import ActivityFilter
from ..forms import CompareForm, UpdateDecisionForm
from ..models import Activity, Direction, ProgrammeVersion, UpdateAction


def _version(request, pk: int) -> ProgrammeVersion:
    return selectors.version_for_page(user=request.user, pk=pk)


def version_url(request, pk: int, **kwargs) -> str:
    return reverse("programme:version_detail", args=[pk])


def _page(request, queryset):
    from django.conf import settings

    paginator = TwoWayPaginator(queryset, settings.PORTAL_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filtered(request, version):
    activities = selectors.activities_of_version(version=version, user=request.user)
    filterset = ActivityFilter(request.GET or None, version=version, request=request)
    activities = filterset.cleaned(activities)
    if request.GET.get("mine") == "1" and request.user.institute_id:
        activities = ActivityFilter.filter_institute(activities, "institute", request.user.institute_id)
    return filterset, selectors.ordered_by_direction(activities)


@login_required
def programme_home(request):
    version = selectors.latest_version_for(user=request.user)
    if version is None:
        return render(request, "programme/version_list.html", {"versions": [], "empty": True})
    return redirect(version)


@login_required
def version_list(request):
    versions = list(selectors.versions_for_list(user=request.user))
    return render(request, "programme/version_list.html", {"versions": versions})


@login_required
def version_detail(request, pk: int):
    version = _version(request, pk)
    filterset, activities = _filtered(request, version)
    page = _page(request, activities)
    sections = []
    for activity in selectors.mark_concerns(page.object_list, request.user.institute_id):
        if not sections or sections[-1][0] != activity.direction:
            sections.append((activity.direction, Direction(activity.direction).label, []))
        sections[-1][2].append(activity)
    progress = selectors.progress_of(activities=activities)
    context = {
        "version": version,
        "programme": version.programme,
        "filter": filterset,
        "page": page,
        "sections": sections,
        "progress": progress,
        "query": _query_without_page(request),
        "statuses": Activity.Status,
        "my_institute_id": request.user.institute_id,
    }
    return render(request, "programme/version_detail.html", context)


@login_required
def version_timeline(request, pk: int):
    version = _version(request, pk)
    filterset, activities = _filtered(request, version)
    page = _page(request, activities)
    columns = selectors.timeline_columns(version)
    context = {
        "version": version,
        "programme": version.programme,
        "filter": filterset,
        "page": page,
        "rows": selectors.timeline_rows(
            version=version, activities=selectors.mark_concerns(page.object_list, request.user.institute_id)
        ),
        "columns": columns,
        "years": selectors.years_of(version),
        "query": _query_without_page(request),
        "statuses": Activity.Status.choices,
        "my_institute_id": request.user.institute_id,
    }
    return render(request, "programme/version_timeline.html", context)


@login_required
def version_progress(request, pk: int):
    version = _version(request, pk)
    activities = Activity.objects.visible_to(request.user).filter(version=version)
    progress = selectors.progress_of(activities=activities)
    return render(request, "programme/version_progress.html", {
        "version": version, "progress": progress, "statuses": Activity.Status.choices,
        "directions": dict(Direction.choices),
    })


@login_required
def version_export(request, pk: int):
    from ..exports import version_xlsx

    version = _version(request, pk)
    if not request.user.has_perm("programme.export_version", version):
        raise PermissionDenied
    filterset, activities = _filtered(request, version)
    content = version_xlsx(version=version, activities=activities)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"programme-{version.year}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def version_history(request, pk: int):
    version = _version(request, pk)
    if not request.user.has_perm("programme.view_history", version):
        raise Http404
    return render(request, "programme/version_history.html", {
        "version": version, "entries": selectors.version_change_log(version),
    })


@login_required
def version_comments(request, pk: int):
    from ..forms import AnswerForm

    version = _version(request, pk)
    if not request.user.has_perm("programme.manage_consultation") and not request.user.has_perm("programme.view_drafts"):
        raise Http404
    comments = list(selectors.comments_of_version(version=version, user=request.user))
    for comment in comments:
        comment.form = AnswerForm(initial={"answer": comment.answer, "revision": comment.revision}, prefix=f"c{comment.pk}")
    return render(request, "programme/version_comments.html", {"version": version, "comments": comments})


def _step(request, pk: int, perm: str, service, done: str):
    version = _version(request, pk)
    if not request.user.has_perm(perm, version):
        raise PermissionDenied
    service(version=version, revision=revision_from(request.POST), by=request.user)
    messages.success(request, done)
    return redirect(version)


@require_POST
@login_required
@handles_portal_errors(redirect_to=version_url)
def version_open_consultation(request, pk: int):
    return _step(request, pk, "programme.open_consultation", services.consultation_open,
                 _("The consultation is open. The institutes named in the version have been notified."))


@require_POST
@login_required
@handles_portal_errors(redirect_to=version_url)
def version_close_consultation(request, pk: int):
    return _step(request, pk, "programme.close_consultation", services.consultation_close,
                 _("The consultation is closed. The version is a draft again, ready to be approved."))


@require_POST
@login_required
@handles_portal_errors(redirect_to=version_url)
def version_approve(request, pk: int):
    return _step(request, pk, "programme.approve_version", services.version_approve, _("The version is approved."))


@require_POST
@login_required
@handles_portal_errors(redirect_to=version_url)
def version_publish(request, pk: int):
    return _step(request, pk, "programme.publish_version", services.version_publish,
                 _("The version is published. It is now frozen."))


@require_POST
@login_required
@handles_portal_errors(redirect_to=version_url)
def version_revise(request, pk: int):
    version = _version(request, pk)
    if not request.user.has_perm("programme.revise_version", version):
        raise PermissionDenied
    draft = services.version_revise(version=version, by=request.user)
    messages.success(request, _("A new draft version of %(year)s has been prepared.") % {"year": draft.year})
    return redirect(draft)


@login_required
@handles_portal_errors(redirect_to=version_url)
def version_update(request, pk: int):
    """Prepare next year's version: one row per activity not done, each
    with its decision (carry over, rescope, drop) and its reason."""
    version = _version(request, pk)
    if not request.user.has_perm("programme.prepare_update", version):
        raise PermissionDenied
    pending = list(services.pending_for_update(version).select_related("area", "subfield"))
    data = request.POST if request.method == "POST" else None
    rows = []
    for activity in pending:
        initial = {"action": UpdateAction.CARRIED, "reason": activity.status_reason,
                   "first_quarter": activity.first_quarter, "last_quarter": activity.last_quarter}
        if activity.status == Activity.Status.CANCELLED:
            initial["action"] = UpdateAction.DROPPED
        form = UpdateDecisionForm(data, initial=initial, prefix=f"a{activity.pk}", programme=version.programme)
        rows.append((activity, form))
    if request.method == "POST":
        if all(form.is_valid() for _activity, form in rows):
            decisions = {
                activity.pk: services.UpdateDecision(**form.cleaned_data) for activity, form in rows
            }
            try:
                result = services.ProgrammeUpdate(previous=version, decisions=decisions, by=request.user).run()
            except ValidationError as error:
                by_id = {f"activity-{activity.pk}": form for activity, form in rows}
                for key, problems in error.message_dict.items():
                    form = by_id.get(key)
                    if form is not None:
                        form.add_error(None, problems)
                    else:
                        messages.error(request, " ".join(problems))
            else:
                messages.success(request, _(
                    "Next year's version is ready: %(carried)s carried over, %(rescoped)s rescoped, "
                    "%(dropped)s dropped, %(added)s added from accepted matches."
                ) % {"carried": result.carried, "rescoped": result.rescoped, "dropped": result.dropped,
                     "added": result.added_from_matching})
                return redirect(result.version)
    return render(request, "programme/version_update.html", {
        "version": version, "rows": rows, "next_year": version.year + 1,
        "done_count": version.activities.filter(status=Activity.Status.DONE).count(),
    })


@login_required
def version_compare(request):
    versions = list(selectors.versions_for_list(user=request.user))
    form = CompareForm(request.GET or None, versions=versions)
    comparison = None
    if request.GET and form.is_valid():
        a = selectors.version_for_page(user=request.user, pk=form.cleaned_data["a"])
        b = selectors.version_for_page(user=request.user, pk=form.cleaned_data["b"])
        comparison = selectors.version_compare(a=a, b=b, user=request.user)
    return render(request, "programme/version_compare.html", {"form": form, "comparison": comparison})
