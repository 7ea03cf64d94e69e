"""The generic benchmarks, run over every registered page: queries per page,
latency at both sizes and of the first against the last page, and
throughput under gunicorn against a trivial view."""
from __future__ import annotations

import math
import statistics
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import load
from bench.context import Context
from bench.registry import ADMIN, DETAIL, LARGE, LIST, PAGES, SMALL, Benchmark, BenchError, Figure, Page, benchmark
from bench.urls import LAYOUT_PATH, TRIVIAL_PATH

LATENCY_RATIO_TARGET = 1.5
THROUGHPUT_RATIO_TARGET = 1 / 3
# Out of all requests of a load run; above it the server or the cookie is broken.
MAX_FAILED_SHARE = 0.01
CONTROL = "control"
# A control this much faster or slower at one size than at the other means
# the machine was not steady during the run.
DRIFT_WARNING = 0.2


def _variants(pages: list[Page], kinds: tuple[str, ...]) -> list[tuple[str, Page, str]]:
    """(subject, page, url) for each page of `kinds`, and for each paginated
    one its last page as well (subject '<name>@last')."""
    found = []
    for page in pages:
        if page.kind in kinds:
            found.append((page.name, page, page.url()))
            if page.paginated:
                found.append((f"{page.name}@last", page, page.last_url()))
    return found


def _rows_text(small: int | None, large: int | None) -> str:
    if small is None or large is None:
        return "no list"
    return f"{small:,} → {large:,} rows"


@benchmark("queries")
class QueriesPerPage(Benchmark):
    """Database queries of one GET of every page (list, detail, admin) at
    both sizes. Target: the same count at both."""

    def measure(self, ctx: Context, size: str) -> dict[str, dict[str, Any]]:
        result = {}
        for subject, page, url in _variants(PAGES, (LIST, DETAIL, ADMIN)):
            ctx.client(page.user)  # log in outside the count
            with CaptureQueriesContext(connection) as captured:
                ctx.get(url, page.user)
            result[subject] = {"url": url, "queries": len(captured), "rows": page.count_rows()}
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        figures = []
        for subject, large in measured[LARGE].items():
            small = measured[SMALL].get(subject)
            if small is None:
                continue
            figures.append(Figure(
                benchmark=self.name, subject=subject, metric="count", value=large["queries"], unit="queries",
                better="lower", target="same as small", met=large["queries"] == small["queries"],
                detail=f"{small['queries']} → {large['queries']} queries ({_rows_text(small['rows'], large['rows'])})",
            ))
        return figures


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction`
    of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def time_requests(ctx: Context, targets: list[tuple[str, str, str]]) -> dict[str, dict[str, float]]:
    """Median and p95 in ms of ctx.samples in-process GETs of each target
    (key, url, username), one request at a time, after ctx.warmup unmeasured
    ones each (templates, caches and connections settle). The targets take
    turns, so a burst of load from elsewhere on the machine spreads over all
    of them instead of falling on one."""
    for _key, url, username in targets:
        for _ in range(ctx.warmup):
            ctx.get(url, username)
    timings: dict[str, list[float]] = {key: [] for key, _url, _username in targets}
    for _ in range(ctx.samples):
        for key, url, username in targets:
            start = time.perf_counter()
            ctx.get(url, username)
            timings[key].append((time.perf_counter() - start) * 1000)
    return {key: {"median": statistics.median(values), "p95": percentile(values, 0.95)} for key, values in timings.items()}


@benchmark("latency")
class Latency(Benchmark):
    """In-process latency (concurrency 1, after warm-up) of every list page
    and of its last page, at both sizes. Figures: large/small of the median
    and of the p95, and last/first page at the large size. Target ≤ 1.5.

    The two sizes are timed a minute or more apart, and a machine shared
    with anything else is not equally fast all that time. So a control, an
    empty page in the portal's layout (bench.urls.layout) whose work does not
    depend on the data, takes its turn with the pages at each size; its
    large/small ratio of medians, the drift, is shown next to every ratio
    (about 1.0 on a steady machine) and a drift beyond DRIFT_WARNING is
    reported. The ratios are not corrected by it: under bursty load the
    control is as noisy as the pages, and a correction would add its noise."""

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        variants = _variants(PAGES, (LIST,))
        if not variants:
            return {"pages": {}, CONTROL: None}
        control_user = variants[0][1].user
        timed = time_requests(
            ctx, [(CONTROL, LAYOUT_PATH, control_user)] + [(subject, url, page.user) for subject, page, url in variants]
        )
        pages = {subject: {"url": url, "rows": page.count_rows(), **timed[subject]} for subject, page, url in variants}
        return {"pages": pages, CONTROL: timed[CONTROL]}

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        figures = []
        small_size, large_size = measured[SMALL], measured[LARGE]
        if not large_size["pages"]:
            return figures
        drift = large_size[CONTROL]["median"] / small_size[CONTROL]["median"]
        if abs(drift - 1) > DRIFT_WARNING:
            print(f"Latency: the control page took {drift:.2f}× as long at the large size as at the small one; "
                  "the machine was not steady, read the large/small ratios with care.")
        control = f"control {small_size[CONTROL]['median']:.1f} → {large_size[CONTROL]['median']:.1f} ms, drift {drift:.2f}"
        for subject, large in large_size["pages"].items():
            small = small_size["pages"].get(subject)
            if small is None:
                continue
            rows = _rows_text(small["rows"], large["rows"])
            for stat in ("median", "p95"):
                ratio = large[stat] / small[stat]
                figures.append(Figure(
                    benchmark=self.name, subject=subject, metric=f"{stat}_large_vs_small", value=round(ratio, 3),
                    unit="×", better="lower", target=f"≤ {LATENCY_RATIO_TARGET}", met=ratio <= LATENCY_RATIO_TARGET,
                    detail=f"{stat} {small[stat]:.1f} → {large[stat]:.1f} ms ({rows}); {control}",
                ))
        # Same size, same rounds: no drift to correct.
        for subject, last in large_size["pages"].items():
            if not subject.endswith("@last"):
                continue
            first = large_size["pages"][subject.removesuffix("@last")]
            ratio = last["median"] / first["median"]
            figures.append(Figure(
                benchmark=self.name, subject=subject.removesuffix("@last"), metric="median_last_vs_first_page",
                value=round(ratio, 3), unit="×", better="lower", target=f"≤ {LATENCY_RATIO_TARGET}",
                met=ratio <= LATENCY_RATIO_TARGET,
                detail=f"median {first['median']:.1f} → {last['median']:.1f} ms, page 1 → {last['url'].rsplit('=', 1)[-1]} at {last['rows']:,} rows",
            ))
        return figures


@benchmark("throughput")
class Throughput(Benchmark):
    """Requests per second of each heavy page under gunicorn (two sync
    workers, persistent database connections as in production) at
    concurrency 8, at the large size, divided by the requests per second of
    a trivial view through the same middleware, measured before and after
    the pages (their mean). Target ≥ 1/3.

    The control page of the latency benchmark (the empty layout) is measured
    the same way, as a reference without a target: no page drawn in the
    portal's layout can do better than it, so it tells how far the target is
    within reach at all."""

    sizes = (LARGE,)

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        pages = [page for page in PAGES if page.heavy]
        cookies = {page.user: load.session_cookie(page.user) for page in pages}
        any_cookie = next(iter(cookies.values()), "")
        result: dict[str, Any] = {"workers": ctx.throughput_workers, "threads": ctx.throughput_threads, "pages": {}}
        with load.gunicorn(workers=ctx.throughput_workers) as port:
            def run(path: str, cookie: str) -> dict[str, Any]:
                # A short unmeasured run first: workers import, connect, fill caches.
                load.load(port, path, cookie=cookie, threads=ctx.throughput_threads, seconds=1.0)
                measured = load.load(port, path, cookie=cookie, threads=ctx.throughput_threads, seconds=ctx.throughput_seconds)
                total = measured.ok + measured.failed
                if measured.ok == 0 or measured.failed > MAX_FAILED_SHARE * total:
                    raise BenchError(f"GET {path} under load: {measured.statuses} (status: count; 0 = connection error).")
                return {"url": path, "per_second": measured.per_second, "requests": total, "failed": measured.failed}

            # The trivial view gets the same cookie: the request is the same, the view does nothing with it.
            trivial_before = run(TRIVIAL_PATH, any_cookie)
            for page in pages:
                result["pages"][page.name] = {**run(page.url(), cookies[page.user]), "rows": page.count_rows()}
            if pages:
                result["pages"][CONTROL] = {**run(LAYOUT_PATH, any_cookie), "rows": None}
            trivial_after = run(TRIVIAL_PATH, any_cookie)
        result["trivial"] = {"before": trivial_before["per_second"], "after": trivial_after["per_second"]}
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        large = measured[LARGE]
        trivial = (large["trivial"]["before"] + large["trivial"]["after"]) / 2
        figures = []
        for name, page in large["pages"].items():
            ratio = page["per_second"] / trivial
            is_control = name == CONTROL
            figures.append(Figure(
                benchmark=self.name, subject=name, metric="vs_trivial_view", value=round(ratio, 4), unit="×",
                better="higher", target="reference: empty layout" if is_control else "≥ 1/3",
                met=None if is_control else ratio >= THROUGHPUT_RATIO_TARGET,
                detail=(f"{page['per_second']:.0f} vs {trivial:.0f} req/s "
                        f"({large['trivial']['before']:.0f}/{large['trivial']['after']:.0f} before/after), "
                        f"{large['workers']} workers, concurrency {large['threads']}, "
                        + ("no list" if page["rows"] is None else f"{page['rows']:,} rows")),
            ))
        return figures
