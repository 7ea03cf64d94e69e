"""What the suite measures: pages and benchmarks, registered by the modules
`bench/bench_<app>.py`, and the figures they report.

A page (`register_page`) is measured by the generic benchmarks of
bench/page_benchmarks.py: queries per page (every page), latency (list
pages) and throughput under gunicorn (pages marked `heavy`). A capability
benchmark is a class decorated with `@benchmark("name")`; the runner calls
its `measure(ctx, size)` once per data size it asks for, with that size
loaded, then `figures(ctx, measured)` once with every size's result.
docs/performance.md shows both with an example.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

SMALL = "small"
LARGE = "large"
SIZES = (SMALL, LARGE)

LIST = "list"
DETAIL = "detail"
ADMIN = "admin"


class BenchError(Exception):
    """The suite itself is broken (a page does not answer 200, a server does
    not start): the run stops and exits non-zero. A slow figure is never one."""


@dataclass(frozen=True)
class Page:
    """One page of the portal as the benchmarks fetch it.

    `path` is the URL, or a callable giving it from the loaded data (e.g. a
    detail page's pk). `rows` counts the rows of the list behind the page, to
    report the size and to find the last page when `paginated`. `heavy` puts
    the page in the throughput benchmark. `user` is the synthetic username
    the page is fetched as.
    """

    name: str
    path: str | Callable[[], str]
    user: str
    kind: str = LIST
    rows: Callable[[], int] | None = None
    paginated: bool = False
    heavy: bool = False

    def url(self) -> str:
        return self.path() if callable(self.path) else self.path

    def last_url(self) -> str:
        """The URL of the last page of the list (page 1 when it fits on one)."""
        from django.conf import settings

        pages = max(1, math.ceil((self.count_rows() or 0) / settings.PORTAL_PAGE_SIZE))
        url = self.url()
        return f"{url}{'&' if '?' in url else '?'}page={pages}"

    def count_rows(self) -> int | None:
        return self.rows() if self.rows else None


@dataclass
class Figure:
    """One number of the results, with what it should be.

    `better` says which way is an improvement ("lower": query counts and
    latency ratios; "higher": throughput ratios); the comparison with the
    last committed results uses it. `met` is None when there is no target.
    """

    benchmark: str
    subject: str
    metric: str
    value: float
    unit: str
    better: Literal["lower", "higher"]
    target: str
    met: bool | None
    detail: str
    database: str = ""
    vendor: str = ""

    @property
    def key(self) -> str:
        return f"{self.benchmark}/{self.subject}/{self.metric}"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, **self.__dict__}


class Benchmark:
    """A measurement run at one or more data sizes. Subclasses set `sizes`
    if they need fewer than both, and implement `measure` and `figures`."""

    name: ClassVar[str] = ""
    sizes: ClassVar[tuple[str, ...]] = SIZES

    def measure(self, ctx: Any, size: str) -> Any:
        """Measure with the data of `size` loaded; return anything JSON-able."""
        raise NotImplementedError

    def figures(self, ctx: Any, measured: dict[str, Any]) -> list[Figure]:
        """Turn `measured` ({size: what measure returned}) into figures."""
        raise NotImplementedError


PAGES: list[Page] = []
BENCHMARKS: list[Benchmark] = []


def register_page(page: Page) -> Page:
    if any(known.name == page.name for known in PAGES):
        raise BenchError(f"Two pages are named {page.name!r}.")
    PAGES.append(page)
    return page


def benchmark(name: str) -> Callable[[type[Benchmark]], type[Benchmark]]:
    """Class decorator: register one instance of the benchmark under `name`."""

    def register(cls: type[Benchmark]) -> type[Benchmark]:
        if any(known.name == name for known in BENCHMARKS):
            raise BenchError(f"Two benchmarks are named {name!r}.")
        cls.name = name
        BENCHMARKS.append(cls())
        return cls

    return register


def load_all() -> None:
    """Import the generic page benchmarks, then every bench/bench_*.py in name
    order; importing registers. Safe to call again (modules import once)."""
    importlib.import_module("bench.page_benchmarks")
    package = importlib.import_module("bench")
    for module in sorted(info.name for info in pkgutil.iter_modules(package.__path__)):
        if module.startswith("bench_"):
            importlib.import_module(f"bench.{module}")
