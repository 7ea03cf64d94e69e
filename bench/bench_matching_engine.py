"""The matching engine alone, on synthetic needs and offers in plain Python
(bench/matching_synth.py; no database, no page): its time at 1,000 and
20,000 needs with 1,000 offers and how it grows against the sizes and the
pairs, its peak memory, and the same instances solved by networkx's
min-cost flow (network simplex), the reference a user would reach for: the
ratio of times and the same optimum.

It runs once, at the suite's large size (the data it loads is not used).
"""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from typing import Any

from bench.context import Context
from bench.matching_synth import instance
from bench.registry import LARGE, Benchmark, Figure, benchmark

OFFERS = 1_000
NEEDS = (1_000, 20_000)
# The target: 20,000 needs with 1,000 offers under a second on one core.
TARGET_MS = 1_000
# Time per allowed pair, large against small: the cost grows no faster
# than the pairs (the same target as the pages' latency ratios).
PER_PAIR_TARGET = 1.5
REPEATS = {"full": 5, "quick": 3}
DEFAULT_REPEATS = 1
# networkx's network simplex is pure Python: minutes at 20,000 needs.
# The quick run (CI) compares at the small size only.
NETWORKX_AT = {"full": "both", "quick": "small"}
DEFAULT_NETWORKX_AT = "both"


def networkx_optimum(problem) -> int:
    """The engine's problem (the pairs the rules allow, their scores, the
    offers' places) as one networkx graph, solved by `network_simplex`:
    the best total score. The same network as programme.matching.solver,
    without the components and the tie bonus a user would not write."""
    import networkx as nx

    needs = len(problem.needs)
    graph = nx.DiGraph()
    graph.add_node("source", demand=-needs)
    graph.add_node("sink", demand=needs)
    graph.add_edge("source", "sink", capacity=needs, weight=0)
    for n in range(needs):
        graph.add_edge("source", ("need", n), capacity=1, weight=0)
    for o, places in enumerate(problem.places.tolist()):
        graph.add_edge(("offer", o), "sink", capacity=places, weight=0)
    for n, o, score in zip(problem.pair_needs.tolist(), problem.pair_offers.tolist(), problem.pair_scores.tolist()):
        graph.add_edge(("need", n), ("offer", o), capacity=1, weight=-score)
    cost, _flow = nx.network_simplex(graph)
    return -cost


def _timed_both(function) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one call. The engine runs on one
    thread, so its CPU time is its time on one core, which other processes
    on a loaded machine change far less than the wall clock."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


@benchmark("matching_engine")
class MatchingEngine(Benchmark):
    """programme.matching.match on synthetic needs and offers at NEEDS with
    OFFERS offers: median time (the target: under TARGET_MS at 20,000), the
    growth of time against needs and against allowed pairs, peak memory
    (tracemalloc: Python objects and NumPy arrays; the solver's C++ memory
    is not traced), and networkx's network simplex on the same pairs."""

    sizes = (LARGE,)
    needs: tuple[int, int] = NEEDS
    offers: int = OFFERS

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        from programme.matching import match
        from programme.matching.engine import problem

        repeats = REPEATS.get(ctx.mode, DEFAULT_REPEATS)
        at = NETWORKX_AT.get(ctx.mode, DEFAULT_NETWORKX_AT)
        reference = self.needs if at == "both" else self.needs[:1]
        result: dict[str, Any] = {"offers": self.offers, "needs": list(self.needs), "repeats": repeats}
        for n in self.needs:
            needs, offers, facts = instance(n, self.offers, seed=ctx.seed)
            match(needs, offers, facts)  # warm-up
            timings = [_timed_both(lambda: match(needs, offers, facts)) for _ in range(repeats)]
            found = match(needs, offers, facts)
            gc.collect()
            tracemalloc.start()
            match(needs, offers, facts)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            measured = {
                "median_ms": statistics.median(wall for wall, _cpu in timings),
                "median_cpu_ms": statistics.median(cpu for _wall, cpu in timings),
                "timings_ms": [wall for wall, _cpu in timings], "pairs": found.pairs,
                "served": len(found.served_need_ids()), "unmatched": len(found.unmatched),
                "unsolicited": len(found.unsolicited), "total_score": found.total_score, "peak_bytes": peak,
            }
            if n in reference:
                pairs = problem(needs, offers, facts)
                optimum = []
                wall, cpu = _timed_both(lambda: optimum.append(networkx_optimum(pairs)))
                measured["networkx"] = {"ms": wall, "cpu_ms": cpu, "total_score": optimum[0]}
            result[str(n)] = measured
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        run = measured[LARGE]
        small_needs, large_needs = run["needs"]
        small, large = run[str(small_needs)], run[str(large_needs)]
        offers = f"{run['offers']:,} offers"
        figures = []
        for n, m in ((small_needs, small), (large_needs, large)):
            is_large = n == large_needs
            figures.append(Figure(
                benchmark=self.name, subject=f"needs_{n}", metric="median_cpu_ms", value=round(m["median_cpu_ms"], 1),
                unit="ms", better="lower",
                target=f"< {TARGET_MS:,} ms on one core" if is_large else "reference: absolute",
                met=m["median_cpu_ms"] < TARGET_MS if is_large else None,
                detail=f"{n:,} needs, {offers}, {m['pairs']:,} allowed pairs: {m['served']:,} served, "
                       f"{m['unmatched']:,} unmatched; CPU time of the one thread, median of {run['repeats']}",
            ))
            figures.append(Figure(
                benchmark=self.name, subject=f"needs_{n}", metric="median_ms", value=round(m["median_ms"], 1),
                unit="ms", better="lower", target="reference: wall clock", met=None,
                detail=f"wall clock, median of {run['repeats']}: above the CPU time when other processes "
                       f"share the cores",
            ))
        time_ratio = large["median_cpu_ms"] / small["median_cpu_ms"]
        needs_ratio = large_needs / small_needs
        pairs_ratio = large["pairs"] / small["pairs"]
        figures.append(Figure(
            benchmark=self.name, subject="time", metric="large_vs_small", value=round(time_ratio, 2), unit="×",
            better="lower", target=f"reference: needs ×{needs_ratio:,.0f}, pairs ×{pairs_ratio:,.1f}", met=None,
            detail=f"median CPU {small['median_cpu_ms']:,.0f} → {large['median_cpu_ms']:,.0f} ms "
                   f"({small_needs:,} → {large_needs:,} needs, {small['pairs']:,} → {large['pairs']:,} pairs)",
        ))
        per_pair = time_ratio / pairs_ratio
        figures.append(Figure(
            benchmark=self.name, subject="time_per_pair", metric="large_vs_small", value=round(per_pair, 3), unit="×",
            better="lower", target=f"≤ {PER_PAIR_TARGET}", met=per_pair <= PER_PAIR_TARGET,
            detail=f"{1000 * small['median_cpu_ms'] / small['pairs']:.2f} → "
                   f"{1000 * large['median_cpu_ms'] / large['pairs']:.2f} µs of CPU per allowed pair",
        ))
        figures.append(Figure(
            benchmark=self.name, subject=f"needs_{large_needs}", metric="peak_memory", value=round(
                large["peak_bytes"] / 2**20, 1), unit="MiB", better="lower", target="reference: absolute", met=None,
            detail=f"tracemalloc peak {small['peak_bytes'] / 2**20:,.1f} → {large['peak_bytes'] / 2**20:,.1f} MiB "
                   f"({small_needs:,} → {large_needs:,} needs), {large['peak_bytes'] / large['pairs']:,.0f} "
                   f"bytes per pair; the solver's own C++ memory not traced",
        ))
        for n, m in ((small_needs, small), (large_needs, large)):
            if "networkx" not in m:
                continue
            reference = m["networkx"]
            ratio = m["median_cpu_ms"] / reference["cpu_ms"]
            figures.append(Figure(
                benchmark=self.name, subject=f"needs_{n}", metric="vs_networkx", value=round(ratio, 4), unit="×",
                better="lower", target="reference: networkx network simplex", met=None,
                detail=f"CPU: engine {m['median_cpu_ms']:,.0f} ms (rules, scores, solver, reasons) vs networkx "
                       f"{reference['cpu_ms']:,.0f} ms (graph and solve on the same {m['pairs']:,} pairs)",
            ))
            same = reference["total_score"] == m["total_score"]
            figures.append(Figure(
                benchmark=self.name, subject=f"needs_{n}", metric="same_optimum_as_networkx", value=int(same),
                unit="", better="higher", target="= 1", met=same,
                detail=f"total score {m['total_score']:,} vs networkx {reference['total_score']:,}",
            ))
        return figures
