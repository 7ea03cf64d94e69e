"""The annual report's PDF: a year of 20, 200 and 2,000 activities, each
rendered by the whole job (reports.services.version_render: the year's
queries, the template, WeasyPrint, the atomic store) and by WeasyPrint
alone on the same HTML.

Figures per size: pages, pages per second (the whole job), peak Python
memory of the job (tracemalloc; Pango's and HarfBuzz's C memory is not
traced) and the overhead: the job's time divided by WeasyPrint's own time
on the same HTML, which should stay under OVERHEAD_TARGET (what the portal
adds around WeasyPrint must be small against it).

It makes its own Programme year (SYNTH_YEAR, far from any real one) for
each size and removes it afterwards; it runs once, at the suite's large
size (the data the runner loads is not used).
"""
from __future__ import annotations

import gc
import time
import tracemalloc
from typing import Any

from bench.registry import LARGE, Benchmark, Figure, benchmark

SIZES = (20, 200, 2_000)
SYNTH_YEAR = 2088
OVERHEAD_TARGET = 1.15


def _timed(function) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def measure_size(activities: int, *, seed: int = 1) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from reports.models import AnnualReport, ReportVersion
    from reports.rendering import pdf_from_html, report_html
    from reports.services import version_render
    from reports.synth import programme_year, programme_year_remove

    # What a run stopped half-way may have left.
    programme_year_remove(year=SYNTH_YEAR)
    ReportVersion.objects.filter(report__year=SYNTH_YEAR).delete()
    AnnualReport.objects.filter(year=SYNTH_YEAR).delete()
    programme_year(year=SYNTH_YEAR, activities=activities, seed=seed)
    report = AnnualReport.objects.create(year=SYNTH_YEAR, document_number="BENCH")
    try:
        # Warm-up on the same document (fonts, templates, the stylesheet,
        # the layout's code paths), so neither of the two timed runs pays
        # for a first use the other does not.
        pdf_from_html(report_html(year=SYNTH_YEAR, language="en", report=report))
        # Alternating runs, the fastest of each kind: on a shared machine a
        # single run measures the neighbours as much as the code.
        repeats = 3 if activities <= 200 else 1
        job_times, weasy_times, number = [], [], 0
        html = report_html(year=SYNTH_YEAR, language="en", report=report)
        for _ in range(repeats):
            number += 1
            version = ReportVersion.objects.create(report=report, number=number, language="en")
            job_times.append(_timed(lambda: version_render(version=version))[0])
            seconds, rendered = _timed(lambda: pdf_from_html(html))
            weasy_times.append(seconds)
        job_seconds, weasy_seconds = min(job_times), min(weasy_times)
        # Peak memory on a third run: tracemalloc slows Python down, so the
        # times above are taken without it.
        second = ReportVersion.objects.create(report=report, number=number + 1, language="en")
        tracemalloc.start()
        version_render(version=second)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        for stored in ReportVersion.objects.filter(report=report).exclude(file=""):
            default_storage.delete(stored.file.name)
        return {
            "activities": activities, "pages": rendered.pages, "job_s": job_seconds, "weasyprint_s": weasy_seconds,
            "peak_bytes": peak, "bytes": len(rendered.content),
        }
    finally:
        ReportVersion.objects.filter(report__year=SYNTH_YEAR).delete()
        AnnualReport.objects.filter(year=SYNTH_YEAR).delete()
        programme_year_remove(year=SYNTH_YEAR)


@benchmark("annual_report")
class AnnualReportBenchmark(Benchmark):
    sizes = (LARGE,)
    activity_counts: tuple[int, ...] = SIZES

    def measure(self, ctx, size: str) -> dict[str, Any]:
        return {str(n): measure_size(n, seed=ctx.seed) for n in self.activity_counts}

    def figures(self, ctx, measured: dict[str, Any]) -> list[Figure]:
        figures = []
        for key, m in measured[LARGE].items():
            subject = f"activities_{key}"
            pages_per_second = m["pages"] / m["job_s"] if m["job_s"] else 0.0
            overhead = m["job_s"] / m["weasyprint_s"] if m["weasyprint_s"] else 0.0
            figures += [
                Figure(benchmark=self.name, subject=subject, metric="pages_per_second",
                       value=round(pages_per_second, 2), unit="pages/s", better="higher",
                       target="reference: absolute", met=None,
                       detail=f"{m['pages']} pages, {m['bytes']:,} bytes in {m['job_s']:.2f} s (the whole job)"),
                Figure(benchmark=self.name, subject=subject, metric="peak_memory",
                       value=round(m["peak_bytes"] / 2**20, 1), unit="MiB", better="lower",
                       target="reference: absolute", met=None,
                       detail="tracemalloc peak of the job; C libraries' memory not traced"),
                Figure(benchmark=self.name, subject=subject, metric="overhead", value=round(overhead, 3), unit="×",
                       better="lower", target=f"< {OVERHEAD_TARGET}", met=overhead < OVERHEAD_TARGET,
                       detail=f"job {m['job_s']:.2f} s / WeasyPrint alone {m['weasyprint_s']:.2f} s on the same HTML"),
            ]
        return figures
