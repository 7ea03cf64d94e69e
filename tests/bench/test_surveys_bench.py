"""The surveys in the benchmark suite: their synthetic data is deterministic,
of the size asked and removable without touching real surveys; their pages
make as many queries at two sizes; the export and import benchmarks run."""
import hashlib

import pytest
from django.core.management import call_command

from bench import page_benchmarks, synth
from bench.bench_surveys import SpreadsheetImport, SummaryExport
from bench.context import Context
from bench.page_benchmarks import QueriesPerPage
from bench.registry import LARGE, PAGES, SIZES, SMALL, load_all
from institutes.models import Institute
from surveys import synth as surveys_synth
from surveys.models import Campaign, CampaignKind, Invitation, Language, Need, Offer, Questionnaire, Response
from surveys.services import AREA_REQUIRED_TYPES

pytestmark = pytest.mark.django_db

SURVEY_PAGES = {"campaign_list", "campaign_detail", "response_detail", "summary", "summary_filtered", "summary_matrix"}


def digest() -> str:
    """A fingerprint of the synthetic surveys' content, blind to primary keys
    and to the moment they were made."""
    campaigns = surveys_synth.synthetic_campaigns()
    items = [
        model.objects.filter(response__campaign__in=campaigns).values_list(
            "response__campaign__kind", "response__campaign__year", "response__institute__acronym", "position",
            "activity_type", "area__code", "subfield__code", "subject", "measurement_range", "period_from", "period_to",
            "comment",
            *fields,
        )
        for model, fields in (
            (Need, ("priority", "target_uncertainty", "languages")),
            (Offer, ("capacity", "languages", "conditions", "customs_paid_by", "location")),
        )
    ]
    rows = [
        *campaigns.values_list("kind", "year", "status", "questionnaire__title_en", "opens_on", "closes_on"),
        *Invitation.objects.filter(campaign__in=campaigns).values_list(
            "campaign__kind", "campaign__year", "institute__acronym", "reminder_sent_at"
        ),
        *Response.objects.filter(campaign__in=campaigns).values_list(
            "campaign__kind", "campaign__year", "institute__acronym", "status", "submitted_by__username",
            "submitted_at", "considers_ceems", "accepted_by__username", "reopen_reason",
        ),
        *items[0],
        *items[1],
    ]
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def test_same_seed_gives_the_same_surveys_and_another_seed_others():
    synth.generate(scale=2, seed=7)
    first = digest()
    synth.flush()
    synth.generate(scale=2, seed=7)
    assert digest() == first
    synth.flush()
    synth.generate(scale=2, seed=8)
    assert digest() != first


def test_scale_sets_the_size_of_the_summary_table():
    created = synth.generate(scale=3, seed=1)

    assert surveys_synth.summary_rows() == 30
    assert Need.objects.filter(response__campaign__year=surveys_synth.SUMMARY_YEAR).count() == 21  # 70%
    campaigns = surveys_synth.synthetic_campaigns()
    assert set(campaigns.values_list("kind", flat=True)) == set(CampaignKind.values)
    assert campaigns.filter(status=Campaign.Status.OPEN, year=surveys_synth.OPEN_YEAR, kind=CampaignKind.NEEDS).exists()
    # Only synthetic institutes, never invited twice, answering at most once.
    assert not Invitation.objects.filter(campaign__in=campaigns).exclude(institute__acronym__startswith=synth.PREFIX).exists()
    assert set(Response.objects.filter(campaign__in=campaigns).values_list("status", flat=True)) <= set(Response.Status.values)
    assert Response.objects.filter(campaign__in=campaigns, status=Response.Status.SUBMITTED).exists()
    # What a submitted response needs is there; a sub-field is one of its area's.
    for item in [*Need.objects.filter(response__campaign__in=campaigns), *Offer.objects.filter(response__campaign__in=campaigns)]:
        assert item.activity_type and item.subject
        if item.activity_type in AREA_REQUIRED_TYPES:
            assert item.area_id
        if item.subfield_id:
            assert item.subfield.area_id == item.area_id
    assert surveys_synth.existing()["needs"] == created["needs"]
    # Needs have working languages (a few left blank), as offers have languages.
    need_languages = set(Need.objects.filter(response__campaign__in=campaigns).values_list("languages", flat=True))
    assert need_languages - {""} and need_languages <= {"", *Language.values}


def test_synth_flush_removes_synthetic_surveys_and_keeps_the_demo(demo):
    real = (Campaign.objects.count(), Response.objects.count(), Need.objects.count(), Offer.objects.count())
    call_command("synth", scale=1, verbosity=0)
    assert surveys_synth.existing()["campaigns"] == len(surveys_synth.CAMPAIGNS)

    call_command("synth", flush=True, verbosity=0)

    assert synth.existing() == {}
    assert (Campaign.objects.count(), Response.objects.count(), Need.objects.count(), Offer.objects.count()) == real
    assert not Questionnaire.objects.filter(title_en__startswith=synth.PREFIX).exists()


def test_a_real_campaign_in_a_synthetic_year_stops_the_generator():
    questionnaire = Questionnaire.objects.create(kind=CampaignKind.NEEDS, title="Real", title_en="Real", title_ru="Real")
    Campaign.objects.create(kind=CampaignKind.NEEDS, year=surveys_synth.SUMMARY_YEAR, questionnaire=questionnaire,
                            opens_on="2092-01-01", closes_on="2092-02-01")
    with pytest.raises(synth.SynthError, match="Real campaigns"):
        synth.generate(scale=1, seed=1)
    # One transaction: not even the institutes stay.
    assert not Institute.objects.filter(acronym__startswith=synth.PREFIX).exists()


@pytest.fixture
def ctx(settings):
    settings.ROOT_URLCONF = "bench.urls"
    load_all()
    return Context(mode="smoke", rows={SMALL: 10, LARGE: 40}, warmup=0, samples=1, throughput_seconds=0)


def test_survey_pages_and_exports_make_the_same_queries_at_two_sizes(ctx, monkeypatch):
    pages = [page for page in PAGES if page.name in SURVEY_PAGES]
    assert {page.name for page in pages} == SURVEY_PAGES
    monkeypatch.setattr(page_benchmarks, "PAGES", pages)
    queries, export = QueriesPerPage(), SummaryExport()
    measured, exported = {}, {}
    for size in SIZES:
        ctx.load(size)
        measured[size] = queries.measure(ctx, size)
        exported[size] = export.measure(ctx, size)

    assert measured[LARGE]["summary"]["rows"] == 40
    assert measured[SMALL]["summary"]["rows"] == 10
    # The response page shows more items at the large size: a query per item would show.
    assert measured[LARGE]["response_detail"]["rows"] > measured[SMALL]["response_detail"]["rows"]
    figures = queries.figures(ctx, measured)
    assert {f.subject for f in figures} >= SURVEY_PAGES
    assert [f"{f.subject}: {f.detail}" for f in figures if not f.met] == []

    export_figures = export.figures(ctx, exported)
    assert [f.detail for f in export_figures if f.metric == "queries" and not f.met] == []
    assert {f.subject for f in export_figures} == {"xlsx", "csv"}
    assert exported[LARGE]["csv"]["bytes"] > exported[SMALL]["csv"]["bytes"]


def test_import_benchmark_imports_every_row_of_its_files(ctx):
    ctx.load(LARGE)
    benchmark = SpreadsheetImport()

    measured = {LARGE: benchmark.measure(ctx, LARGE)}

    files = measured[LARGE]["files"]
    assert (files["small"]["rows"], files["large"]["rows"]) == (20, 200)
    assert sum(files["large"]["counts"].values()) == 200
    assert files["large"]["counts"]["new"] and files["large"]["counts"]["updated"]
    figures = {f.key: f for f in benchmark.figures(ctx, measured)}
    assert figures["import/dry_run_csv/queries"].met
    assert figures["import/confirm_csv/rows_per_s"].value > 0
    # Every confirmation was rolled back.
    assert not Need.objects.filter(subject__contains=", lot ").exists()
