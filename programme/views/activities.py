"""The pages of one activity: its card, the form that creates or edits it
(a page of its own, or inline in the Programme page with htmx), its status,
its outcome, its change log, and the consultation's comments and answers.

Every form is a plain POST that redirects; with htmx the edit form and the
status form answer with the row's partial instead."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.views import form_errors, handles_portal_errors

from .. import selectors, services
from ..forms import ActivityForm, AnswerForm, CommentForm, DocumentFormSet, OutcomeForm, StatusForm
from ..models import ConsultationComment


def activity_url(request, pk: int, **kwargs) -> str:
    return reverse("programme:activity_detail", args=[pk])


def _activity(request, pk: int):
    return selectors.activity_for_page(user=request.user, pk=pk)


def _is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _detail_context(request, activity, **extra):
    comments = list(selectors.comments_of(activity=activity, user=request.user))
    for comment in comments:
        comment.form = AnswerForm(initial={"answer": comment.answer, "revision": comment.revision}, prefix=f"c{comment.pk}")
    outcome = selectors.outcome_of(activity)
    context = {
        "activity": activity,
        "version": activity.version,
        "outcome": outcome,
        "comments": comments,
        "status_form": StatusForm(initial={"status": activity.status, "status_reason": activity.status_reason,
                                           "revision": activity.revision}),
        "comment_form": CommentForm(),
        "reasons": activity.updates_after.none(),
        "update_records": activity.update_records.select_related("previous__version", "decided_by"),
    }
    # The task group's action items and requests tied to the activity
    # (the task group builds on the Programme, hence asked here, not imported).
    from taskgroup.selectors import activity_context

    context.update(activity_context(activity=activity, user=request.user))
    context["show_taskgroup"] = bool(
        request.user.has_perm("taskgroup.view_overview") or context["taskgroup_action_items"]
        or context["taskgroup_requests"]
    )
    context.update(extra)
    return context


@login_required
def activity_detail(request, pk: int):
    activity = _activity(request, pk)
    return render(request, "programme/activity_detail.html", _detail_context(request, activity))


@login_required
@handles_portal_errors(redirect_to=lambda request, pk: reverse("programme:version_detail", args=[pk]))
def activity_create(request, pk: int):
    version = selectors.version_for_page(user=request.user, pk=pk)
    if not request.user.has_perm("programme.edit_version", version):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            activity = services.activity_create(version=version, by=request.user, **form.service_kwargs())
            messages.success(request, _("The activity has been added."))
            return redirect(activity)
    return render(request, "programme/activity_form.html", {"form": form, "version": version, "activity": None})


@login_required
@handles_portal_errors(redirect_to=activity_url)
def activity_edit(request, pk: int):
    activity = _activity(request, pk)
    version = activity.version
    if not request.user.has_perm("programme.edit_activity", version):
        if version.is_frozen:
            messages.error(request, services.VERSION_FROZEN)
            return redirect(activity)
        raise PermissionDenied
    inline = _is_htmx(request) or request.GET.get("inline") == "1"
    if request.method == "POST":
        form = ActivityForm(request.POST, version=version)
        if form.is_valid():
            with form_errors(form):
                services.activity_update(
                    activity=activity, revision=revision_from(request.POST), by=request.user, **form.service_kwargs()
                )
                if _is_htmx(request):
                    fresh = selectors.activities_of_version(version=version, user=request.user).get(pk=activity.pk)
                    selectors.mark_concerns([fresh], request.user.institute_id)
                    return render(request, "programme/_activity_row.html", {
                        "activity": fresh, "version": version, "my_institute_id": request.user.institute_id,
                    })
                messages.success(request, _("The activity has been saved."))
                return redirect(activity)
    else:
        form = ActivityForm(initial=ActivityForm.initial_of(activity), version=version)
    template = "programme/_activity_edit_row.html" if _is_htmx(request) else "programme/activity_form.html"
    return render(request, template, {"form": form, "version": version, "activity": activity, "inline": inline})


@login_required
def activity_row(request, pk: int):
    """The row of the Programme page (htmx: cancel an inline edit)."""
    activity = _activity(request, pk)
    fresh = selectors.activities_of_version(version=activity.version, user=request.user).get(pk=activity.pk)
    selectors.mark_concerns([fresh], request.user.institute_id)
    return render(request, "programme/_activity_row.html", {
        "activity": fresh, "version": activity.version, "my_institute_id": request.user.institute_id,
    })


@require_POST
@login_required
@handles_portal_errors(redirect_to=activity_url)
def activity_status(request, pk: int):
    activity = _activity(request, pk)
    if not request.user.has_perm("programme.follow_activity", activity):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.activity_set_status(
                activity=activity, revision=revision_from(request.POST), by=request.user,
                status=form.cleaned_data["status"], status_reason=form.cleaned_data["status_reason"],
            )
            messages.success(request, _("The status has been saved."))
            return redirect(activity)
    activity = _activity(request, pk)
    return render(request, "programme/activity_detail.html", _detail_context(request, activity, status_form=form), status=200)


@require_POST
@login_required
@handles_portal_errors(redirect_to=lambda request, pk: reverse("programme:activity_detail", args=[pk]))
def activity_delete(request, pk: int):
    activity = _activity(request, pk)
    if not request.user.has_perm("programme.edit_activity", activity.version):
        raise PermissionDenied
    version = services.activity_delete(activity=activity, revision=revision_from(request.POST), by=request.user)
    messages.success(request, _("The activity has been removed from the version."))
    return redirect(version)


@login_required
def activity_history(request, pk: int):
    activity = _activity(request, pk)
    if not request.user.has_perm("programme.view_history", activity.version):
        raise Http404
    return render(request, "programme/activity_history.html", {
        "activity": activity, "version": activity.version, "entries": selectors.activity_change_log(activity),
    })


@login_required
@handles_portal_errors(redirect_to=activity_url)
def activity_outcome(request, pk: int):
    activity = _activity(request, pk)
    if not request.user.has_perm("programme.follow_activity", activity):
        raise PermissionDenied
    if activity.status != "done":
        messages.error(request, services.OUTCOME_NOT_DONE)
        return redirect(activity)
    outcome = selectors.outcome_of(activity)
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        documents = DocumentFormSet(request.POST, prefix="doc")
        if form.is_valid() and documents.is_valid():
            rows = [
                services.DocumentRow(kind=d.get("kind") or "report", title=d.get("title", ""), reference=d.get("reference", ""))
                for d in documents.cleaned_data if d
            ]
            data = dict(form.cleaned_data)
            data.pop("revision", None)
            with form_errors(form):
                services.outcome_save(
                    activity=activity, revision=revision_from(request.POST), by=request.user, documents=rows, **data
                )
                messages.success(request, _("The outcome has been recorded."))
                return redirect(activity)
    else:
        initial = {"revision": outcome.revision} if outcome else {}
        if outcome:
            initial.update({name: getattr(outcome, name) for name in services.OUTCOME_FIELDS})
        form = OutcomeForm(initial=initial)
        documents = DocumentFormSet(
            prefix="doc",
            initial=[{"kind": d.kind, "title": d.title, "reference": d.reference} for d in outcome.documents.all()] if outcome else None,
        )
    return render(request, "programme/outcome_form.html", {
        "activity": activity, "version": activity.version, "form": form, "documents": documents, "outcome": outcome,
    })


@require_POST
@login_required
@handles_portal_errors(redirect_to=activity_url)
def comment_add(request, pk: int):
    activity = _activity(request, pk)
    if not request.user.has_perm("programme.comment_activity", activity):
        if activity.version.status != "consultation":
            raise PermissionDenied
        form = CommentForm(request.POST)
        form.is_valid()
        form.add_error("text", services.COMMENT_NOT_YOURS)
        return render(request, "programme/activity_detail.html", _detail_context(request, activity, comment_form=form), status=403)
    form = CommentForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.comment_add(activity=activity, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your comment has been sent to the Secretariat."))
            return redirect(activity)
    return render(request, "programme/activity_detail.html", _detail_context(request, activity, comment_form=form))


@require_POST
@login_required
@handles_portal_errors
def comment_answer(request, pk: int):
    comment = get_object_or_404(ConsultationComment.objects.visible_to(request.user).select_related("activity"), pk=pk)
    if not request.user.has_perm("programme.manage_consultation"):
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix=f"c{comment.pk}")
    back = request.POST.get("next") or reverse("programme:activity_detail", args=[comment.activity_id])
    if not back.startswith("/"):
        back = reverse("programme:activity_detail", args=[comment.activity_id])
    if form.is_valid():
        services.comment_answer(comment=comment, revision=revision_from(request.POST, f"c{comment.pk}-revision"),
                                answer=form.cleaned_data["answer"], by=request.user)
        messages.success(request, _("Your answer has been saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(back)
