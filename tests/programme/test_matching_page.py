"""The matching page: who may read, run and decide; what it shows; errors
next to the form; a fixed number of queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme import matching_services as services
from programme.models import Activity, MatchDecision, MatchingRun, ProgrammeVersion

pytestmark = pytest.mark.django_db

PAGE = "/en/programme/matching/2022/"
RUN = "/en/programme/matching/2022/run/"


def url(name, *args):
    return "/en" + reverse(name, args=args)[3:]


def _latest():
    return MatchingRun.objects.filter(year=2022, status="done").order_by("-pk").first()


def _open_proposal():
    run = _latest()
    decided = set(MatchDecision.objects.values_list("need_id", "offer_id"))
    return next(p for p in run.proposals.order_by("position")
                if not {(a["need"], p.offer_id) for a in p.data["needs"]} & decided)


@pytest.mark.parametrize("username", ["secretariat", "chair", "committee"])
def test_readers_see_the_proposals_gaps_and_unsolicited_offers(client_as, username):
    client = client_as(username)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="proposal"' in text and "Technical assistance" in text
    assert ('data-testid="run-matching"' in text) == (username == "secretariat")
    assert ('data-testid="accept-form"' in text) == (username == "secretariat")
    unmatched = client.get(PAGE, {"tab": "unmatched"}).content.decode()
    assert "No offer of this activity type" in unmatched
    unsolicited = client.get(PAGE, {"tab": "unsolicited"}).content.decode()
    assert "NIM" in unsolicited and "No need of this activity type" in unsolicited
    for tab in ("not_considered", "capacity", "decisions"):
        assert client.get(PAGE, {"tab": tab}).status_code == 200


@pytest.mark.parametrize("username", ["nmi-kg", "nmi-ru-vniim"])
def test_a_respondent_can_neither_read_nor_run(client_as, username):
    client = client_as(username)
    assert client.get(PAGE).status_code == 403
    assert client.post(RUN).status_code == 403


@pytest.mark.parametrize("username", ["chair", "committee", "nmi-kg"])
def test_only_the_secretariat_runs_and_decides(client_as, username):
    client = client_as(username)
    proposal = _open_proposal()
    runs = MatchingRun.objects.count()
    assert client.post(RUN).status_code == 403
    accept = url("programme:proposal_accept", proposal.pk)
    reject = url("programme:proposal_reject", proposal.pk)
    assert client.post(accept, {"needs": [proposal.data["needs"][0]["need"]], "revision": proposal.revision}).status_code == 403
    assert client.post(reject, {"reason": "x", "revision": proposal.revision}).status_code == 403
    assert MatchingRun.objects.count() == runs and MatchDecision.objects.filter(proposal=proposal).count() == 0


def test_the_secretariat_runs_accepts_and_rejects_in_the_browser(client_as):
    client = client_as("secretariat")
    answer = client.post(RUN, follow=True)
    assert "Matching proposes" in answer.content.decode()
    proposal = _open_proposal()
    need = proposal.data["needs"][0]["need"]
    accepted = client.post(url("programme:proposal_accept", proposal.pk),
                           {"needs": [need], "title": "Стажировка в БелГИМ", "revision": proposal.revision}, follow=True)
    assert "Accepted into the draft Programme" in accepted.content.decode()
    activity = Activity.objects.get(match_decisions__need_id=need)
    assert activity.title_en == "Стажировка в БелГИМ" and activity.version.status == ProgrammeVersion.Status.DRAFT
    other = _open_proposal()
    rejected = client.post(url("programme:proposal_reject", other.pk),
                           {"reason": "The Committee prefers another provider", "revision": other.revision}, follow=True)
    assert "will not be proposed again" in rejected.content.decode()
    assert MatchDecision.objects.filter(offer=other.offer, verdict="rejected").exists()


def test_a_rejection_without_reason_is_shown_next_to_the_field(client_as):
    client = client_as("secretariat")
    proposal = _open_proposal()
    page = client.post(url("programme:proposal_reject", proposal.pk), {"reason": "  ", "revision": proposal.revision})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="reason-error"' in text and "Say why the proposal is rejected." in text
    assert not MatchDecision.objects.filter(proposal=proposal).exists()


def test_reversed_quarters_are_shown_next_to_the_field(client_as):
    client = client_as("secretariat")
    proposal = _open_proposal()
    page = client.post(url("programme:proposal_accept", proposal.pk), {
        "needs": [proposal.data["needs"][0]["need"]], "first_quarter": "20244", "last_quarter": "20231",
        "revision": proposal.revision,
    })
    assert page.status_code == 200 and 'data-testid="quarter-error"' in page.content.decode()
    assert not MatchDecision.objects.filter(proposal=proposal).exists()


@pytest.mark.parametrize("post", [
    {"needs": ["999999"], "revision": "1"},
    {"needs": ["x"], "revision": "abc"},
    {"needs": [], "revision": "1"},
    {"needs": ["1"], "title": "x" * 200_000, "revision": "1", "first_quarter": "\x00"},
])
def test_hostile_decisions_never_crash(client_as, post):
    client = client_as("secretariat")
    proposal = _open_proposal()
    answer = client.post(url("programme:proposal_accept", proposal.pk), post)
    assert answer.status_code in (200, 302)
    assert not MatchDecision.objects.filter(proposal=proposal).exists()


def test_a_foreign_or_missing_proposal_is_404(client_as):
    client = client_as("secretariat")
    assert client.post(url("programme:proposal_accept", 10**9), {"revision": 1}).status_code == 404
    assert client.get(url("programme:matching_run_status", 10**9)).status_code == 404


def test_a_conflicting_decision_says_so_and_keeps_the_first(client_as):
    client = client_as("secretariat")
    proposal = _open_proposal()
    loaded = proposal.revision
    client.post(url("programme:proposal_reject", proposal.pk), {"reason": "first", "revision": loaded})
    second = client.post(url("programme:proposal_accept", proposal.pk),
                         {"needs": [proposal.data["needs"][0]["need"]], "revision": loaded}, follow=True)
    assert "Somebody decided this proposal" in second.content.decode()
    assert set(MatchDecision.objects.filter(proposal=proposal).values_list("verdict", flat=True)) == {"rejected"}


def _queries(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("tab", ["proposals", "unmatched", "unsolicited", "not_considered", "capacity", "decisions"])
def test_the_page_makes_the_same_number_of_queries_at_two_sizes(client_as, user_named, tab):
    from programme.synth import grow_year

    client = client_as("secretariat")
    secretariat = user_named("secretariat")
    grow_year(2022, needs=40, offers=10, seed=1)
    services.matching_run_start(year=2022, by=secretariat)
    smaller = _queries(client, {"tab": tab})
    grow_year(2022, needs=400, offers=100, seed=2)
    services.matching_run_start(year=2022, by=secretariat)
    assert _queries(client, {"tab": tab}) == smaller
