"""The Programme's pages in the benchmark suite: its synthetic data is of
the size asked and removable; the Programme page, its timeline and the
comparison make as many queries at two sizes."""
import pytest

from bench import page_benchmarks, synth
from bench.context import Context
from bench.page_benchmarks import QueriesPerPage
from bench.registry import LARGE, PAGES, SIZES, SMALL, load_all
from programme.models import Activity
from programme.synth_programme import synthetic_programme

pytestmark = pytest.mark.django_db

PROGRAMME_PAGES = {"programme_version", "programme_timeline", "programme_compare"}


def test_synthetic_programme_has_ten_activities_per_scale_and_flushes():
    synth.generate(scale=3, seed=1)
    programme = synthetic_programme()
    assert Activity.objects.filter(version__programme=programme, version__year=programme.first_year).count() == 30
    synth.flush()
    assert synthetic_programme() is None


@pytest.fixture
def ctx(settings):
    settings.ROOT_URLCONF = "bench.urls"
    load_all()
    return Context(mode="smoke", rows={SMALL: 10, LARGE: 40}, warmup=0, samples=1, throughput_seconds=0)


def test_programme_pages_make_the_same_queries_at_two_sizes(ctx, monkeypatch):
    pages = [page for page in PAGES if page.name in PROGRAMME_PAGES]
    assert {page.name for page in pages} == PROGRAMME_PAGES
    monkeypatch.setattr(page_benchmarks, "PAGES", pages)
    queries = QueriesPerPage()
    measured = {}
    for size in SIZES:
        ctx.load(size)
        measured[size] = queries.measure(ctx, size)
    assert measured[LARGE]["programme_version"]["rows"] == 40
    figures = queries.figures(ctx, measured)
    assert {f.subject for f in figures} >= PROGRAMME_PAGES
    assert [f"{f.subject}: {f.detail}" for f in figures if not f.met] == []
