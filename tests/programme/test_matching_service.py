"""Matching in the portal: the demo's proposals, decisions kept across runs,
what is refused and why, the command line."""
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from core.errors import ConflictError, PortalError
from programme import matching_services as services
from programme.matching import codes
from programme.models import Activity, MatchDecision, MatchingRun, ProgrammeVersion
from programme.reasons import Names, reason_text
from surveys.models import Campaign, CampaignKind, Need, Offer, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def undecided(demo):
    """The demo without its matching decisions: a year nobody has matched yet."""
    MatchDecision.objects.all().delete()
    Activity.objects.all().delete()
    ProgrammeVersion.objects.all().delete()
    MatchingRun.objects.all().delete()


def _run(user_named, year=2022):
    return services.matching_run_start(year=year, by=user_named("secretariat"))


def _proposals(run):
    return {p.key: p for p in run.proposals.all()}


def _acronym(run, proposal):
    from institutes.models import Institute

    return Institute.objects.get(pk=proposal.data["provider"]).acronym


def _recipients(proposal):
    from institutes.models import Institute

    return sorted(Institute.objects.filter(pk__in=proposal.data["recipients"]).values_list("country__iso2", flat=True))


def test_the_demo_proposes_what_the_source_document_says(undecided, user_named):
    run = _run(user_named)
    proposals = list(run.proposals.order_by("position"))
    by_type = {}
    for proposal in proposals:
        by_type.setdefault(proposal.activity_type, []).append((_acronym(run, proposal), _recipients(proposal)))
    # Comparisons for Kyrgyzstan and Uzbekistan piloted by Belarus, Moldova or Russia.
    assert {country for _provider, countries in by_type["comparison"] for country in countries} == {"KG", "UZ"}
    assert {provider for provider, _ in by_type["comparison"]} <= {"BelGIM", "INM", "VNIIM", "VNIIMS", "VNIIFTRI", "UNIIM"}
    # Calibrations for Armenia, Tajikistan and Uzbekistan.
    assert {country for _provider, countries in by_type["calibration"] for country in countries} == {"AM", "TJ", "UZ"}
    # Internships and training from Russia and Belarus.
    assert {provider for provider, _ in by_type["internship"] + by_type["training"]} <= {"BelGIM", "VNIIM", "VNIIFTRI", "VNIIMS"}
    # Tajikistan's small-volume procedure is served by VNIIMS.
    assert ("VNIIMS", ["TJ"]) in by_type["procedure"]
    # Armenia's prereview and pH-meter procedure are unmatched, with why.
    unmatched = {Need.objects.get(pk=item["need"]).subject: item["code"] for item in run.details["unmatched"]}
    armenia = {subject: code for subject, code in unmatched.items() if "pH" in subject or "внешней оценке" in subject}
    assert set(armenia.values()) == {codes.NO_OFFER_OF_TYPE_IN_AREA} and len(armenia) == 2
    # China's and Russia's extra offers are unsolicited.
    providers = {Offer.objects.get(pk=item["offer"]).response.institute.country.iso2 for item in run.details["unsolicited"]}
    assert {"CN", "RU"} <= providers


def test_the_demo_accepts_the_technical_assistance_into_the_2022_programme(demo):
    # Matching's demo accepts into the 2022 draft; the Programme's demo then publishes it.
    version = ProgrammeVersion.objects.get(year=2022, number=1)
    accepted = MatchDecision.objects.filter(verdict="accepted").select_related("activity")
    assert accepted.exists() and all(decision.activity.version_id == version.pk for decision in accepted)
    types = set(Activity.objects.filter(match_decisions__in=accepted).values_list("activity_type", flat=True))
    assert types == {"comparison", "calibration", "procedure"}
    comparison = version.activities.filter(activity_type="comparison").first()
    assert comparison.providers.count() == 1 and comparison.recipients.exists() and comparison.needs.exists()


def test_running_again_keeps_every_decision_and_proposes_only_what_is_new(undecided, user_named):
    secretariat = user_named("secretariat")
    run = _run(user_named)
    proposals = list(run.proposals.order_by("position"))
    accepted, rejected = proposals[0], proposals[4]
    services.proposal_accept(proposal=accepted, by=secretariat, revision=accepted.revision,
                             acceptance=services.Acceptance(need_ids=tuple(a["need"] for a in accepted.data["needs"])))
    services.proposal_reject(proposal=rejected, by=secretariat, revision=rejected.revision, reason="Too far")
    rejected_pairs = {(a["need"], rejected.offer_id) for a in rejected.data["needs"]}

    # A new answer: Uzbekistan asks for a mass comparison too.
    response = Response.objects.get(campaign__kind=CampaignKind.NEEDS, campaign__year=2022, institute__acronym="UzNIM")
    new_need = Need.objects.create(
        response=response, activity_type="comparison", area_id=accepted.offer.area_id, subfield_id=accepted.offer.subfield_id,
        subject="Сличение гирь", priority="high", period_from=date(2023, 1, 1), period_to=date(2024, 12, 31),
    )
    again = _run(user_named)
    pairs = {(a["need"], p.offer_id): a for p in again.proposals.all() for a in p.data["needs"]}
    for need_id in (a["need"] for a in accepted.data["needs"]):
        assert pairs[(need_id, accepted.offer_id)]["accepted"] is True
    assert not rejected_pairs & set(pairs)
    assert any(need == new_need.pk for need, _offer in pairs)
    # The decisions are still there, once each.
    assert MatchDecision.objects.filter(verdict="accepted").count() == len(accepted.data["needs"])
    assert MatchDecision.objects.filter(verdict="rejected", reason="Too far").count() == len(rejected_pairs)


def test_a_grouped_offer_gains_recipients_in_its_one_activity(undecided, user_named):
    secretariat = user_named("secretariat")
    run = _run(user_named)
    comparison = next(p for p in run.proposals.all() if p.grouped and p.activity_type == "comparison")
    offer = comparison.offer
    response = Response.objects.get(campaign__kind=CampaignKind.NEEDS, campaign__year=2022, institute__acronym="NIM-AM")
    extra = Need.objects.create(
        response=response, activity_type="comparison", area_id=offer.area_id, subfield_id=offer.subfield_id,
        subject="Armenia joins", priority="low", period_from=date(2023, 1, 1), period_to=date(2024, 12, 31),
    )
    services.proposal_accept(proposal=comparison, by=secretariat, revision=comparison.revision,
                             acceptance=services.Acceptance(need_ids=tuple(a["need"] for a in comparison.data["needs"])))
    again = _run(user_named)
    grouped = again.proposals.get(offer=offer)
    assert extra.pk in [a["need"] for a in grouped.data["needs"]]
    activity = services.proposal_accept(proposal=grouped, by=secretariat, revision=grouped.revision,
                                        acceptance=services.Acceptance(need_ids=(extra.pk,)))
    assert Activity.objects.filter(offers=offer).count() == 1
    assert "NIM-AM" in set(activity.recipients.values_list("acronym", flat=True))


def test_two_people_deciding_one_proposal_get_a_conflict(undecided, user_named):
    secretariat = user_named("secretariat")
    run = _run(user_named)
    proposal = run.proposals.order_by("position").first()
    loaded = proposal.revision
    services.proposal_reject(proposal=proposal, by=secretariat, revision=loaded, reason="No")
    with pytest.raises(ConflictError):
        services.proposal_accept(proposal=proposal, by=secretariat, revision=loaded,
                                 acceptance=services.Acceptance(need_ids=(proposal.data["needs"][0]["need"],)))
    assert not MatchDecision.objects.filter(verdict="accepted").exists()


def test_deciding_on_a_superseded_run_is_a_conflict(undecided, user_named):
    run = _run(user_named)
    proposal = run.proposals.first()
    _run(user_named)
    with pytest.raises(ConflictError):
        services.proposal_reject(proposal=proposal, by=user_named("secretariat"), revision=proposal.revision, reason="x")


def test_accepting_a_withdrawn_offer_is_refused_and_nothing_is_lost(undecided, user_named):
    secretariat = user_named("secretariat")
    run = _run(user_named)
    first, second = list(run.proposals.order_by("position"))[:2]
    services.proposal_accept(proposal=first, by=secretariat, revision=first.revision,
                             acceptance=services.Acceptance(need_ids=(first.data["needs"][0]["need"],)))
    Response.objects.filter(pk=second.offer.response_id).update(status=Response.Status.REOPENED)
    with pytest.raises(PortalError) as refused:
        services.proposal_accept(proposal=second, by=secretariat, revision=second.revision,
                                 acceptance=services.Acceptance(need_ids=(second.data["needs"][0]["need"],)))
    assert refused.value.code == "offer_withdrawn"
    assert MatchDecision.objects.count() == 1 and Activity.objects.count() == 1


def test_accepting_beyond_a_reduced_capacity_is_refused(undecided, user_named):
    run = _run(user_named)
    proposal = run.proposals.order_by("position").first()
    Offer.objects.filter(pk=proposal.offer_id).update(capacity=0)
    with pytest.raises(PortalError) as refused:
        services.proposal_accept(proposal=proposal, by=user_named("secretariat"), revision=proposal.revision,
                                 acceptance=services.Acceptance(need_ids=(proposal.data["needs"][0]["need"],)))
    assert refused.value.code == "offer_reduced"
    assert not MatchDecision.objects.exists()


def test_quarters_outside_the_programme_are_refused(undecided, user_named):
    from programme.demo_matching import demo_programme

    demo_programme()
    run = _run(user_named)
    proposal = run.proposals.order_by("position").first()
    with pytest.raises(PortalError) as refused:
        services.proposal_accept(proposal=proposal, by=user_named("secretariat"), revision=proposal.revision,
                                 acceptance=services.Acceptance(need_ids=(proposal.data["needs"][0]["need"],),
                                                                first_quarter=20301, last_quarter=20302))
    assert refused.value.code == "quarter_outside"


def test_a_year_without_answers_gives_an_empty_result(demo, user_named):
    run = _run(user_named, year=2031)
    assert run.status == MatchingRun.Status.DONE and run.proposals_count == 0
    assert run.details["totals"]["needs_considered"] == 0


def test_a_submitted_need_missing_its_area_is_listed_as_not_considered(undecided, user_named):
    response = Response.objects.get(campaign__kind=CampaignKind.NEEDS, campaign__year=2022, institute__acronym="UzNIM")
    need = Need.objects.create(response=response, activity_type="calibration", subject="no area",
                               period_from=date(2023, 1, 1), period_to=date(2023, 12, 31))
    run = _run(user_named)
    item = next(i for i in run.details["not_considered"] if i["kind"] == "need" and i["id"] == need.pk)
    assert [r["code"] for r in item["reasons"]] == [codes.MISSING_AREA]


def test_a_large_year_runs_in_the_background_with_progress(undecided, user_named, settings, django_capture_on_commit_callbacks):
    settings.MATCHING_INLINE_LIMIT = 1
    from core.jobs import job_run

    run = _run(user_named)
    assert run.status == MatchingRun.Status.PENDING and run.job is not None
    job_run(job_id=run.job_id)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE and run.proposals.exists()
    assert run.job.status == "done" and run.job.progress_done == run.job.progress_total == 3


def test_every_reason_code_reads_as_a_sentence_in_both_languages():
    for code in codes.ALL:
        for language in ("en", "ru"):
            with translation.override(language):
                text = reason_text({"code": code, "values": {}}, Names())
            assert text and text != code, (code, language)


def test_the_command_prints_json_by_acronym_and_writes_nothing(demo):
    runs = MatchingRun.objects.count()
    out = StringIO()
    call_command("match", year=2022, format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2022 and data["proposals"]
    providers = {p["provider"] for p in data["proposals"]}
    assert "VNIIM" in providers
    first = data["proposals"][0]
    assert {"id", "offer", "subject", "area", "subfield", "recipients", "needs"} <= set(first)
    assert all(isinstance(r, str) for r in first["recipients"])
    assert data["unsolicited"] and data["unmatched"]
    assert MatchingRun.objects.count() == runs


def test_the_command_prints_text_with_reasons(demo):
    out = StringIO()
    call_command("match", year=2022, format="text", lang="ru", stdout=out)
    text = out.getvalue()
    assert "Предложения" in text and "Тот же вид мероприятия" in text
    assert "Невостребованные предложения" in text
