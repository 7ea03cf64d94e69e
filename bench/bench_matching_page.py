"""The matching page in the suite: matching of the synthetic year
SUMMARY_YEAR run by the portal's service (reading the needs and offers,
solving, storing the proposals), then its page's tabs fetched in-process.

The synthetic summary year holds 10·N needs and offers (70% needs), so the
two sizes are the suite's small and large. Targets: the page makes the same
number of queries at both sizes (every tab); its latency ratio and the
service's time per need are reported.
"""
from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bench.context import Context
from bench.registry import LARGE, SMALL, Benchmark, Figure, benchmark
from institutes.models import User
from institutes.synth import SECRETARIAT
from programme.matching_services import matching_run_start
from programme.models import MatchingRun
from surveys.synth import SUMMARY_YEAR

PAGE = f"/en/programme/matching/{SUMMARY_YEAR}/"
TABS = ("proposals", "unmatched", "unsolicited", "capacity")


@benchmark("matching_page")
class MatchingPage(Benchmark):
    """Run matching of the synthetic year through the service, then GET each
    tab of its page: queries (the same at both sizes is the target), median
    latency large/small, and the service's run time."""

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        MatchingRun.objects.filter(year=SUMMARY_YEAR).delete()
        secretariat = User.objects.get(username=SECRETARIAT)
        start = time.perf_counter()
        with override_settings(MATCHING_INLINE_LIMIT=10**9):
            run = matching_run_start(year=SUMMARY_YEAR, by=secretariat)
        run_ms = (time.perf_counter() - start) * 1000
        result = {"run_ms": run_ms, "needs": run.needs_count, "offers": run.offers_count,
                  "proposals": run.proposals_count, "tabs": {}}
        for tab in TABS:
            url = f"{PAGE}?tab={tab}"
            ctx.client(SECRETARIAT)
            with CaptureQueriesContext(connection) as captured:
                ctx.get(url, SECRETARIAT)
            queries = len(captured)
            for _ in range(ctx.warmup):
                ctx.get(url, SECRETARIAT)
            timings = []
            for _ in range(ctx.samples):
                begin = time.perf_counter()
                ctx.get(url, SECRETARIAT)
                timings.append((time.perf_counter() - begin) * 1000)
            result["tabs"][tab] = {"queries": queries, "median_ms": statistics.median(timings)}
        MatchingRun.objects.filter(year=SUMMARY_YEAR).delete()
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        small, large = measured[SMALL], measured[LARGE]
        sizes = f"{small['needs']:,} → {large['needs']:,} needs, {small['offers']:,} → {large['offers']:,} offers"
        figures = [Figure(
            benchmark=self.name, subject="run", metric="run_ms", value=round(large["run_ms"]), unit="ms",
            better="lower", target="reference: absolute", met=None,
            detail=f"{small['run_ms']:,.0f} → {large['run_ms']:,.0f} ms ({sizes}; "
                   f"{small['proposals']:,} → {large['proposals']:,} proposals)",
        )]
        for tab in TABS:
            s, l = small["tabs"][tab], large["tabs"][tab]
            figures.append(Figure(
                benchmark=self.name, subject=tab, metric="queries", value=l["queries"], unit="queries",
                better="lower", target="same as small", met=l["queries"] == s["queries"],
                detail=f"{s['queries']} → {l['queries']} queries ({sizes})",
            ))
            figures.append(Figure(
                benchmark=self.name, subject=tab, metric="latency_large_vs_small",
                value=round(l["median_ms"] / s["median_ms"], 2), unit="×", better="lower",
                target="reference", met=None,
                detail=f"median {s['median_ms']:.1f} → {l['median_ms']:.1f} ms ({sizes})",
            ))
        return figures
