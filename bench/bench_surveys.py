"""The surveys app in the suite: its pages, measured by the generic page
benchmarks, and two benchmarks of its own, the summary table's export and
the spreadsheet import.

The pages read the synthetic campaigns of surveys.synth: the summary table
of SUMMARY_YEAR holds 10·N needs and offers (100 and 20,000 at the suite's
sizes), its needs campaign invites about a tenth of the institutes.
"""
from __future__ import annotations

import csv
import io
import random
import statistics
import time
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench.context import Context
from bench.registry import DETAIL, LARGE, SMALL, Benchmark, BenchError, Figure, Page, benchmark, register_page
from institutes.models import Institute, MetrologyArea, SubField, User
from institutes.synth import SECRETARIAT
from surveys import synth as surveys_synth
from surveys.importing import ResponseImport, normalize
from surveys.models import Campaign, CampaignKind, Invitation, Need, Priority, Response
from surveys.synth import OPEN_YEAR, SUMMARY_YEAR, summary_rows

SUMMARY = f"/en/surveys/summary/{SUMMARY_YEAR}/"
EXPORT = f"/en/surveys/summary/{SUMMARY_YEAR}/export.{{fmt}}/"
EXPORT_FORMATS = ("xlsx", "csv")
# Rows of one spreadsheet per second, from the small to the large size: a
# linear export keeps it (ratio 1); a fixed cost per file makes it rise.
RATE_RATIO_TARGET = 0.8


def _campaign(kind: str, year: int) -> Campaign:
    return surveys_synth.synthetic_campaigns().get(kind=kind, year=year)


# --- Pages ------------------------------------------------------------------------

def _campaign_detail() -> str:
    return f"/en/surveys/campaigns/{_campaign(CampaignKind.NEEDS, SUMMARY_YEAR).pk}/"


def _invited() -> int:
    return Invitation.objects.filter(campaign=_campaign(CampaignKind.NEEDS, SUMMARY_YEAR)).count()


def _largest_response() -> dict:
    """The submitted response with the most needs in the summary's needs
    campaign (the lowest id of a tie), with their number: the page lists
    its items, so the larger the data, the longer its list."""
    return (
        Need.objects.filter(response__campaign=_campaign(CampaignKind.NEEDS, SUMMARY_YEAR),
                            response__status=Response.Status.SUBMITTED)
        .values("response_id")
        .annotate(items=Count("pk"))
        .order_by("-items", "response_id")
        .first()
    )


def _response_detail() -> str:
    return f"/en/surveys/responses/{_largest_response()['response_id']}/"


def _response_items() -> int:
    return _largest_response()["items"]


def _filter_need() -> Need:
    """The first need of a submitted response in the summary's year: its
    area makes the filter, so the filter matches at every size."""
    return (
        Need.objects.filter(response__campaign=_campaign(CampaignKind.NEEDS, SUMMARY_YEAR),
                            response__status=Response.Status.SUBMITTED)
        .select_related("area")
        .order_by("pk")
        .first()
    )


def _summary_filtered() -> str:
    need = _filter_need()
    area = need.area.code if need.area else "none"
    return f"{SUMMARY}?kind=need&status=submitted&area={area}&sort=-period"


def _summary_filtered_rows() -> int:
    need = _filter_need()
    return Need.objects.filter(
        response__campaign__year=SUMMARY_YEAR, response__campaign__kind=CampaignKind.NEEDS,
        response__status=Response.Status.SUBMITTED, area=need.area,
    ).count()


register_page(Page("campaign_list", "/en/surveys/", user=SECRETARIAT, rows=Campaign.objects.count))
# The progress table lists every invited institute on one page: a list.
register_page(Page("campaign_detail", _campaign_detail, user=SECRETARIAT, rows=_invited))
register_page(Page("response_detail", _response_detail, user=SECRETARIAT, kind=DETAIL, rows=_response_items))
register_page(Page("summary", SUMMARY, user=SECRETARIAT, rows=summary_rows, paginated=True, heavy=True))
# What a reader of the matrix clicks: one area's submitted needs, latest period first.
register_page(Page("summary_filtered", _summary_filtered, user=SECRETARIAT, rows=_summary_filtered_rows, paginated=True))
register_page(Page("summary_matrix", f"{SUMMARY}matrix/", user=SECRETARIAT, rows=summary_rows))


# --- The summary export ------------------------------------------------------------

def _download(ctx: Context, url: str) -> int:
    """GET a file as the Secretariat, reading a streamed body to its end
    (its query runs only then); returns its length in bytes."""
    response = ctx.get(url, SECRETARIAT)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


@benchmark("export")
class SummaryExport(Benchmark):
    """The whole summary table of SUMMARY_YEAR as XLSX and as CSV (in-process
    GETs read to their last byte) at both sizes: its queries (the same count
    at both is the target), its time large/small next to the rows
    large/small, and its rows per second: at the large size, and large
    against small (≥ 0.8: the time grows no faster than the rows)."""

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        rows = summary_rows()
        # Each GET of the large file takes seconds: fewer rounds than a page gets.
        samples, warmup = min(ctx.samples, 5), min(ctx.warmup, 1)
        result = {}
        for fmt in EXPORT_FORMATS:
            url = EXPORT.format(fmt=fmt)
            ctx.client(SECRETARIAT)  # log in outside the count
            with CaptureQueriesContext(connection) as captured:
                size_bytes = _download(ctx, url)
            # Now: the next request's start empties the connection's query log.
            queries = len(captured)
            for _ in range(warmup):
                _download(ctx, url)
            timings = []
            for _ in range(samples):
                start = time.perf_counter()
                _download(ctx, url)
                timings.append((time.perf_counter() - start) * 1000)
            result[fmt] = {"url": url, "rows": rows, "bytes": size_bytes, "queries": queries,
                           "median_ms": statistics.median(timings), "samples": samples}
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        figures = []
        for fmt in EXPORT_FORMATS:
            small, large = measured[SMALL][fmt], measured[LARGE][fmt]
            rows = f"{small['rows']:,} → {large['rows']:,} rows"
            figures.append(Figure(
                benchmark=self.name, subject=fmt, metric="queries", value=large["queries"], unit="queries",
                better="lower", target="same as small", met=large["queries"] == small["queries"],
                detail=f"{small['queries']} → {large['queries']} queries ({rows})",
            ))
            time_ratio = large["median_ms"] / small["median_ms"]
            rows_ratio = large["rows"] / small["rows"]
            figures.append(Figure(
                benchmark=self.name, subject=fmt, metric="time_large_vs_small", value=round(time_ratio, 2), unit="×",
                better="lower", target=f"reference: rows ×{rows_ratio:,.0f}", met=None,
                detail=f"median {small['median_ms']:.0f} → {large['median_ms']:,.0f} ms ({rows}, "
                       f"{small['bytes'] / 1024:,.0f} → {large['bytes'] / 1024:,.0f} KiB)",
            ))
            rate = {size: m["rows"] / (m["median_ms"] / 1000) for size, m in ((SMALL, small), (LARGE, large))}
            ratio = rate[LARGE] / rate[SMALL]
            figures.append(Figure(
                benchmark=self.name, subject=fmt, metric="rows_per_s_large_vs_small", value=round(ratio, 3), unit="×",
                better="higher", target=f"≥ {RATE_RATIO_TARGET}", met=ratio >= RATE_RATIO_TARGET,
                detail=f"{rate[SMALL]:,.0f} → {rate[LARGE]:,.0f} rows/s ({rows})",
            ))
            figures.append(Figure(
                benchmark=self.name, subject=fmt, metric="rows_per_s", value=round(rate[LARGE]), unit="rows/s",
                better="higher", target="reference: absolute", met=None,
                detail=f"{large['rows']:,} rows in {large['median_ms'] / 1000:.2f} s, median of {large['samples']}",
            ))
        return figures


# --- The import ----------------------------------------------------------------------

# Rows of the large file by mode (the 10,000; quick mode a tenth);
# the small file has a tenth of them. Another mode (the tests') gets DEFAULT.
IMPORT_ROWS = {"full": 10_000, "quick": 1_000}
IMPORT_REPEATS = {"full": 3, "quick": 2}
DEFAULT_IMPORT_ROWS, DEFAULT_REPEATS = 200, 1
# Of the rows, the share that re-sends a need already in the campaign (half
# of them with another priority): the mix of a file sent again with changes.
RESENT_SHARE = 0.1
IMPORT_SEED = "import"
VARIANTS = ("dry_run_csv", "dry_run_xlsx", "confirm_csv")
BASELINE = "bulk_create"
# The columns of the file, by their keys (accepted as headers in any language).
HEADERS = ("institute", "country", "activity_type", "area", "subfield", "subject", "measurement_range",
           "target_uncertainty", "period_from", "period_to", "priority", "languages", "comment")


def import_rows(*, campaign: Campaign, n: int, seed: int) -> list[dict]:
    """`n` rows of a needs file for the institutes invited to `campaign`,
    keyed by HEADERS, with dates as dates: about RESENT_SHARE of them needs
    already in the campaign (half with a new priority), the others new, each
    with a subject of its own, so that no two rows share a natural key."""
    rng = random.Random(f"{seed}/{IMPORT_SEED}")
    rows: list[dict] = []
    keys: set[tuple] = set()

    def add(**row) -> None:
        key = (row["institute"], row["activity_type"], row["area"], row["subfield"], normalize(row["subject"]))
        if key not in keys and len(rows) < n:
            keys.add(key)
            rows.append(row)

    priorities = list(Priority.values)
    stored = (
        Need.objects.filter(response__campaign=campaign, period_from__isnull=False, period_to__isnull=False)
        .exclude(priority="")
        .select_related("response__institute__country", "area", "subfield")
        .order_by("pk")[: round(n * RESENT_SHARE)]
    )
    for number, need in enumerate(stored):
        institute = need.response.institute
        priority = need.priority
        if number % 2:
            priority = priorities[(priorities.index(priority) + 1) % len(priorities)]
        add(institute=institute.acronym, country=institute.country.iso2, activity_type=need.activity_type,
            area=need.area.code if need.area else "", subfield=need.subfield.code if need.subfield else "",
            subject=need.subject, measurement_range=need.measurement_range,
            target_uncertainty=need.target_uncertainty, period_from=need.period_from, period_to=need.period_to,
            priority=priority, languages=need.languages, comment=need.comment)

    invited = list(
        Institute.objects.filter(invitations__campaign=campaign).order_by("pk").values_list("acronym", "country__iso2")
    )
    subfields = list(SubField.objects.select_related("area").order_by("code"))
    areas = list(MetrologyArea.objects.order_by("code"))
    activities, weights = list(surveys_synth.ACTIVITY_WEIGHTS), list(surveys_synth.ACTIVITY_WEIGHTS.values())
    lot = 0
    while len(rows) < n:
        lot += 1
        acronym, iso2 = rng.choice(invited)
        activity = rng.choices(activities, weights)[0]
        area_code = subfield_code = ""
        what = rng.choice(surveys_synth.GENERAL_TOPICS)
        if activity in surveys_synth.AREA_REQUIRED_TYPES or rng.random() < 0.6:
            if rng.random() < 0.8:
                subfield = rng.choice(subfields)
                area_code, subfield_code, what = subfield.area.code, subfield.code, subfield.name_en.lower()
            else:
                area = rng.choice(areas)
                area_code, what = area.code, area.name_en.lower()
        subject = surveys_synth.SUBJECTS[activity].format(what=what, detail=rng.choice(surveys_synth.DETAILS))
        technical = activity in surveys_synth.RANGE_TYPES
        start, end = surveys_synth._period(rng, campaign.year)
        add(institute=acronym, country=iso2, activity_type=activity, area=area_code, subfield=subfield_code,
            subject=f"{subject}, lot {lot}", measurement_range=rng.choice(surveys_synth.RANGES) if technical else "",
            target_uncertainty=rng.choice(surveys_synth.UNCERTAINTIES) if rng.random() < 0.45 else "",
            period_from=start, period_to=end, priority=rng.choice(priorities),
            languages=surveys_synth._pick(rng, surveys_synth.NEED_LANGUAGE_WEIGHTS),
            comment=rng.choice(surveys_synth.COMMENTS) if rng.random() < 0.15 else "")
    rng.shuffle(rows)
    return rows


def rows_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row[key].isoformat() if hasattr(row[key], "isoformat") else row[key] for key in HEADERS])
    return out.getvalue().encode("utf-8")


def rows_xlsx(rows: list[dict]) -> bytes:
    """The rows as a workbook such as Excel writes: dates as dates, empty cells empty."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Needs")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row[key] if row[key] != "" else None for key in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bulk_create(campaign: Campaign, rows: list[dict]) -> None:
    """The same rows written with nothing but bulk_create: a response for
    each institute that has none, then every row as a new need."""
    institutes = {(acronym, iso2): pk for pk, acronym, iso2 in Institute.objects.filter(
        invitations__campaign=campaign).values_list("pk", "acronym", "country__iso2")}
    responses = dict(Response.objects.filter(campaign=campaign).values_list("institute_id", "pk"))
    missing = sorted({institutes[(row["institute"], row["country"])] for row in rows} - set(responses))
    for response in Response.objects.bulk_create(
        [Response(campaign=campaign, institute_id=pk, status=Response.Status.SUBMITTED) for pk in missing], batch_size=500
    ):
        responses[response.institute_id] = response.pk
    areas = dict(MetrologyArea.objects.values_list("code", "pk"))
    subfields = dict(SubField.objects.values_list("code", "pk"))
    item_fields = ("activity_type", "subject", "measurement_range", "target_uncertainty", "period_from", "period_to",
                   "priority", "languages", "comment")
    Need.objects.bulk_create([
        Need(response_id=responses[institutes[(row["institute"], row["country"])]], area_id=areas.get(row["area"]),
             subfield_id=subfields.get(row["subfield"]), position=number, **{key: row[key] for key in item_fields})
        for number, row in enumerate(rows, start=1)
    ], batch_size=500)


def _import(campaign: Campaign, content: bytes, fmt: str, *, dry_run: bool, expected: int) -> tuple[float, dict]:
    """One ResponseImport of `content` as the Secretariat, rolled back;
    (seconds, rows by status). A file that does not import cleanly breaks
    the suite: its time would measure an error report, not an import."""
    file = ContentFile(content, name=f"needs.{fmt}")
    # A fresh user, as a request has: one that has read its roles before
    # would make the first import run one query more than the others.
    by = User.objects.get(username=SECRETARIAT)
    with transaction.atomic():
        start = time.perf_counter()
        report = ResponseImport(campaign=campaign, by=by, file=file).run(dry_run=dry_run)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    if not report.is_valid or len(report.rows) != expected or (not dry_run and not report.applied):
        problems = [str(p) for p in report.file_errors] + [
            f"row {row.number}: {'; '.join(map(str, row.errors))}" for row in report.error_rows[:3]
        ]
        raise BenchError(f"The benchmark's {fmt} file does not import cleanly: {problems or report.counts}")
    return seconds, report.counts


def _baseline(campaign: Campaign, rows: list[dict]) -> float:
    """Seconds of _bulk_create of `rows`, rolled back."""
    with transaction.atomic():
        start = time.perf_counter()
        _bulk_create(campaign, rows)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


@benchmark("import")
class SpreadsheetImport(Benchmark):
    """surveys.importing.ResponseImport of a needs file into the open
    synthetic needs campaign, as the Secretariat, at the large size: a dry
    run of a CSV and of an XLSX of the same rows, and the confirmation of
    the CSV (rolled back afterwards, so every run starts from the same
    data). For a file of IMPORT_ROWS rows and one of a tenth of them: rows
    per second (an absolute throughput, shown as a reference), its ratio
    between the two files (≥ 0.8: the time grows no faster than the rows),
    the confirmation against a plain bulk_create of the same rows, and the
    dry runs' queries (the same count for both files)."""

    sizes = (LARGE,)

    def measure(self, ctx: Context, size: str) -> dict[str, Any]:
        campaign = _campaign(CampaignKind.NEEDS, OPEN_YEAR)
        n_large = IMPORT_ROWS.get(ctx.mode, DEFAULT_IMPORT_ROWS)
        repeats = IMPORT_REPEATS.get(ctx.mode, DEFAULT_REPEATS)
        rows = import_rows(campaign=campaign, n=n_large, seed=ctx.seed)
        result: dict[str, Any] = {"campaign": str(campaign), "repeats": repeats, "files": {}}
        # The small file first: it warms up every path the large one takes.
        for file_name, file_rows in (("small", rows[: n_large // 10]), ("large", rows)):
            files = {"csv": rows_csv(file_rows), "xlsx": rows_xlsx(file_rows)}
            measured: dict[str, Any] = {"rows": len(file_rows), "bytes": {k: len(v) for k, v in files.items()}}
            for variant in VARIANTS:
                fmt = variant.rsplit("_", 1)[1]
                dry_run = variant.startswith("dry_run")
                if dry_run:
                    # An untimed first run, whose queries are counted.
                    with CaptureQueriesContext(connection) as captured:
                        _seconds, counts = _import(campaign, files[fmt], fmt, dry_run=True, expected=len(file_rows))
                    measured[f"{variant}_queries"] = len(captured)
                    measured["counts"] = counts
                measured[variant] = statistics.median(
                    _import(campaign, files[fmt], fmt, dry_run=dry_run, expected=len(file_rows))[0]
                    for _ in range(repeats)
                )
            measured[BASELINE] = statistics.median(_baseline(campaign, file_rows) for _ in range(repeats))
            result["files"][file_name] = measured
        return result

    def figures(self, ctx: Context, measured: dict[str, Any]) -> list[Figure]:
        files = measured[LARGE]["files"]
        small, large = files["small"], files["large"]
        repeats = measured[LARGE]["repeats"]
        rate = {name: {key: f["rows"] / f[key] for key in (*VARIANTS, BASELINE)} for name, f in files.items()}
        sizes = f"{small['rows']:,} → {large['rows']:,} rows"
        figures = []
        for variant in VARIANTS:
            mix = ", ".join(f"{n:,} {status}" for status, n in large["counts"].items() if n)
            figures.append(Figure(
                benchmark=self.name, subject=variant, metric="rows_per_s", value=round(rate["large"][variant]),
                unit="rows/s", better="higher", target="reference: absolute", met=None,
                detail=f"{large['rows']:,} rows in {large[variant]:.2f} s, median of {repeats} ({mix})",
            ))
            ratio = rate["large"][variant] / rate["small"][variant]
            figures.append(Figure(
                benchmark=self.name, subject=variant, metric="rows_per_s_large_vs_small_file", value=round(ratio, 3),
                unit="×", better="higher", target=f"≥ {RATE_RATIO_TARGET}", met=ratio >= RATE_RATIO_TARGET,
                detail=f"{rate['small'][variant]:,.0f} → {rate['large'][variant]:,.0f} rows/s ({sizes})",
            ))
            if variant.startswith("dry_run"):
                before, after = small[f"{variant}_queries"], large[f"{variant}_queries"]
                figures.append(Figure(
                    benchmark=self.name, subject=variant, metric="queries", value=after, unit="queries",
                    better="lower", target="same as small file", met=after == before,
                    detail=f"{before} → {after} queries ({sizes})",
                ))
        ratio = rate["large"]["confirm_csv"] / rate["large"][BASELINE]
        figures.append(Figure(
            benchmark=self.name, subject="confirm_csv", metric="vs_bulk_create", value=round(ratio, 3), unit="×",
            better="higher", target="reference: plain bulk_create", met=None,
            detail=f"{rate['large']['confirm_csv']:,.0f} vs {rate['large'][BASELINE]:,.0f} rows/s, {large['rows']:,} rows",
        ))
        return figures
