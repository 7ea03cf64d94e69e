"""The matching page of a year: run matching, read its proposals, gaps and
unsolicited offers, and (the Secretariat) accept, edit or reject proposals."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.views import handles_portal_errors
from institutes.permissions import permission_required

from .. import matching_selectors as selectors
from .. import matching_services as services
from ..forms_matching import AcceptForm, RejectForm, quarter_choices
from ..models import Direction, MatchingRun, Proposal
from ..services import programme_for_year


def _year_url(year: int, **query) -> str:
    url = reverse("programme:matching_year", args=[year])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})
    return url


def _back_to_year(request, *args, **kwargs) -> str:
    proposal = Proposal.objects.filter(pk=kwargs.get("pk")).select_related("run").first()
    if proposal is None:
        return reverse("programme:matching_latest")
    return _year_url(proposal.run.year, page=request.POST.get("page", ""), direction=request.POST.get("direction", ""))


@permission_required("programme.view_matching")
def matching_latest(request):
    years = selectors.matching_years()
    return redirect("programme:matching_year", year=years[0] if years else timezone.localdate().year)


@permission_required("programme.view_matching")
def matching_year(request, year: int):
    if not 1900 <= year <= 2200:
        raise Http404
    return _year_page(request, year, request.GET)


def _year_page(request, year: int, params, *, bound=None, status: int = 200):
    """The page of `year`; `bound` is (proposal id, "accept" or "reject",
    form) when a decision's form came back with errors, shown in its card."""
    tab = params.get("tab", "proposals")
    if tab not in selectors.TABS:
        tab = "proposals"
    direction = params.get("direction", "")
    if direction not in Direction.values:
        direction = ""
    run = selectors.newest_done_run(year=year)
    pending = selectors.pending_run(year=year)
    if pending and run and pending.created_at < run.created_at:
        pending = None
    context = {
        "year": year,
        "years": selectors.matching_years(),
        "run": run,
        "pending": pending,
        "tab": tab,
        "direction": direction,
        "directions": Direction.choices,
        "can_run": request.user.has_perm("programme.run_matching"),
        "can_decide": request.user.has_perm("programme.decide_proposal"),
        "bound": bound,
        "direction_query": f"&direction={direction}" if direction else "",
        "tab_labels": [
            ("proposals", _("Proposals")), ("unmatched", _("Unmatched needs")),
            ("unsolicited", _("Unsolicited offers")), ("not_considered", _("Not considered")),
            ("capacity", _("Capacity by offer")), ("decisions", _("Decisions")),
        ],
    }
    if run is not None:
        totals = (run.details or {}).get("totals", {})
        context["totals"] = totals
        context["donors"] = selectors.capacity_by_donor(run)
        if tab == "proposals":
            context["page_obj"], context["cards"] = selectors.proposal_page(
                run=run, page=params.get("page"), direction=direction
            )
            if context["can_decide"]:
                programme = programme_for_year(year)
                context["programme"] = programme
                context["quarters"] = quarter_choices(programme) if programme else []
        elif tab == "decisions":
            context["page_obj"] = selectors.decision_page(year=year, page=params.get("page"))
        else:
            context["page_obj"], context["rows"] = selectors.detail_page(run=run, tab=tab, page=params.get("page"))
    return render(request, "programme/matching/page.html", context, status=status)


@require_POST
@permission_required("programme.run_matching")
@handles_portal_errors
def matching_run(request, year: int):
    if not 1900 <= year <= 2200:
        raise Http404
    run = services.matching_run_start(year=year, by=request.user)
    if run.status == MatchingRun.Status.DONE:
        totals = run.details.get("totals", {})
        if totals.get("needs_considered", 0) == 0 or totals.get("offers_considered", 0) == 0:
            messages.warning(
                request,
                _("Matching found nothing to match for %(year)s: it needs submitted needs and submitted offers of "
                  "that year (and each must say its activity type, area and period).") % {"year": year},
            )
        else:
            messages.success(
                request,
                ngettext("Matching proposes %(count)s activity.", "Matching proposes %(count)s activities.",
                         run.proposals_count) % {"count": run.proposals_count},
            )
    else:
        messages.info(request, _("Matching is running in the background; this page shows its progress."))
    return redirect(_year_url(year))


@permission_required("programme.view_matching")
def matching_run_status(request, pk: int):
    """The progress of a background run (htmx polls it); when the run is
    done, the page reloads to show it."""
    run = get_object_or_404(MatchingRun.objects.visible_to(request.user).defer("result", "details").select_related("job"), pk=pk)
    if run.status != MatchingRun.Status.PENDING and getattr(request, "htmx", False):
        response = render(request, "programme/matching/_run_status.html", {"pending": run})
        response["HX-Refresh"] = "true"
        return response
    return render(request, "programme/matching/_run_status.html", {"pending": run})


def _proposal(request, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("run").filter(run__in=MatchingRun.objects.visible_to(request.user)), pk=pk
    )


@require_POST
@permission_required("programme.decide_proposal")
@handles_portal_errors(redirect_to=_back_to_year)
def proposal_accept(request, pk: int):
    proposal = _proposal(request, pk)
    programme = programme_for_year(proposal.run.year)
    form = AcceptForm(request.POST, proposal=proposal, programme=programme)
    if not form.is_valid():
        return _year_page(request, proposal.run.year, request.POST, bound=(proposal.pk, "accept", form))
    activity = services.proposal_accept(
        proposal=proposal, by=request.user, revision=revision_from(request.POST), acceptance=form.acceptance(),
    )
    messages.success(request, _("Accepted into the draft Programme as “%(title)s”.") % {"title": activity.title})
    return redirect(_back_to_year(request, pk=pk) + f"#proposal-{proposal.pk}")


@require_POST
@permission_required("programme.decide_proposal")
@handles_portal_errors(redirect_to=_back_to_year)
def proposal_reject(request, pk: int):
    proposal = _proposal(request, pk)
    form = RejectForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return _year_page(request, proposal.run.year, request.POST, bound=(proposal.pk, "reject", form))
    count = services.proposal_reject(
        proposal=proposal, by=request.user, revision=revision_from(request.POST),
        reason=form.cleaned_data["reason"], need_ids=form.cleaned_data["needs"] or None,
    )
    messages.success(request, ngettext(
        "Rejected (%(count)s pair); it will not be proposed again.",
        "Rejected (%(count)s pairs); they will not be proposed again.", count) % {"count": count})
    return redirect(_back_to_year(request, pk=pk) + f"#proposal-{proposal.pk}")

