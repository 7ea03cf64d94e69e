"""The annual report's benchmark, tiny: it runs, gives every figure, and
leaves no synthetic year behind."""
import pytest

from bench.bench_reports import SYNTH_YEAR, AnnualReportBenchmark
from bench.context import Context
from bench.registry import LARGE

pytestmark = pytest.mark.django_db


def test_the_report_benchmark_gives_its_figures_and_cleans_up(settings, tmp_path):
    from programme.models import Programme
    from reports.models import AnnualReport

    settings.MEDIA_ROOT = str(tmp_path)
    bench = AnnualReportBenchmark()
    bench.activity_counts = (5,)
    ctx = Context(mode="smoke", rows={"small": 10, "large": 40}, warmup=0, samples=1, throughput_seconds=0)
    measured = {LARGE: bench.measure(ctx, LARGE)}
    figures = {f"{f.subject}/{f.metric}": f for f in bench.figures(ctx, measured)}
    assert set(figures) == {"activities_5/pages_per_second", "activities_5/peak_memory", "activities_5/overhead"}
    assert measured[LARGE]["5"]["pages"] >= 3
    assert figures["activities_5/overhead"].value > 0
    assert not AnnualReport.objects.filter(year=SYNTH_YEAR).exists()
    assert not Programme.objects.filter(first_year=SYNTH_YEAR).exists()
    assert not any(tmp_path.rglob("*.pdf"))
