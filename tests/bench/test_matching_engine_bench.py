"""The matching engine's benchmark, tiny: it runs without a database, gives
every figure, and networkx finds the same optimum as the engine."""
from bench.bench_matching_engine import MatchingEngine
from bench.context import Context
from bench.matching_synth import instance
from bench.registry import LARGE


def test_the_engine_benchmark_gives_its_figures_and_networkx_agrees():
    bench = MatchingEngine()
    bench.needs, bench.offers = (60, 240), 30
    ctx = Context(mode="smoke", rows={"small": 10, "large": 40}, warmup=0, samples=1, throughput_seconds=0)
    measured = {LARGE: bench.measure(ctx, LARGE)}
    figures = {f"{f.subject}/{f.metric}": f for f in bench.figures(ctx, measured)}
    assert set(figures) == {
        "needs_60/median_ms", "needs_240/median_ms", "needs_60/median_cpu_ms", "needs_240/median_cpu_ms", "time/large_vs_small", "time_per_pair/large_vs_small",
        "needs_240/peak_memory", "needs_60/vs_networkx", "needs_60/same_optimum_as_networkx",
        "needs_240/vs_networkx", "needs_240/same_optimum_as_networkx",
    }
    assert figures["needs_60/same_optimum_as_networkx"].met and figures["needs_240/same_optimum_as_networkx"].met
    assert measured[LARGE]["240"]["pairs"] > measured[LARGE]["60"]["pairs"] > 0
    assert figures["needs_240/peak_memory"].value > 0


def test_the_synthetic_instance_is_the_same_for_the_same_seed():
    assert instance(50, 10, seed=3) == instance(50, 10, seed=3)
    assert instance(50, 10, seed=3) != instance(50, 10, seed=4)
