"""The matching page in the benchmark suite: it runs matching of the
synthetic year through the service and its tabs make as many queries at
two sizes."""
import pytest

from bench.bench_matching_page import TABS, MatchingPage
from bench.context import Context
from bench.registry import LARGE, SIZES, SMALL, load_all
from programme.models import MatchingRun
from surveys.synth import SUMMARY_YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(settings):
    settings.ROOT_URLCONF = "bench.urls"
    load_all()
    return Context(mode="smoke", rows={"small": 60, "large": 240}, warmup=0, samples=2, throughput_seconds=0)


def test_matching_page_benchmark_runs_and_its_queries_do_not_grow(ctx):
    benchmark, measured = MatchingPage(), {}
    for size in SIZES:
        ctx.load(size)
        measured[size] = benchmark.measure(ctx, size)
    assert measured[LARGE]["needs"] > measured[SMALL]["needs"] > 0
    assert measured[SMALL]["proposals"] > 0
    figures = benchmark.figures(ctx, measured)
    assert {f.subject for f in figures} == {"run", *TABS}
    assert [f.detail for f in figures if f.metric == "queries" and not f.met] == []
    assert not MatchingRun.objects.filter(year=SUMMARY_YEAR).exists()
