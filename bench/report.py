"""Results: the machine and database they came from, the JSON file, the
comparison with the last committed results, and the Markdown table."""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FORMAT = 1
# A figure this much worse than in the last committed results is reported.
REGRESSION_THRESHOLD = 0.20


def machine_info() -> dict[str, Any]:
    """What the figures ran on: CPU model and cores, memory, OS, Python and
    the main libraries."""
    import django
    import gunicorn

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram_bytes = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram_bytes / 2**30, 1),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
    }


def database_info() -> dict[str, str]:
    """Vendor and server version of the default database, e.g.
    {"vendor": "postgresql", "label": "PostgreSQL 15.10"}."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        label = f"PostgreSQL {version}"
    elif connection.vendor == "sqlite":
        import sqlite3

        label = f"SQLite {sqlite3.sqlite_version}"
    else:
        label = connection.display_name
    return {"vendor": connection.vendor, "label": label, "name": str(connection.settings_dict["NAME"])}


def read_results(path: Path) -> dict[str, Any]:
    """The results file at `path`, or an empty one if there is none yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": RESULTS_FORMAT, "runs": {}}


def committed_results(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The results as last committed (`git show HEAD:<path>`), else as they
    are on disk before this run overwrites them; with where they came from."""
    try:
        relative = path.resolve().relative_to(ROOT)
        shown = subprocess.run(
            ["git", "show", f"HEAD:{relative.as_posix()}"], cwd=ROOT, capture_output=True, text=True, timeout=30
        )
        if shown.returncode == 0:
            return json.loads(shown.stdout), f"HEAD:{relative.as_posix()}"
    except (ValueError, OSError, subprocess.SubprocessError):
        pass
    if path.exists():
        return read_results(path), f"{path} (not committed)"
    return None, "nothing"


@dataclass(frozen=True)
class Regression:
    key: str
    before: float
    after: float
    worse_by: float  # a fraction: 0.25 is 25% worse
    unit: str


def worse_by(before: float, after: float, better: str) -> float:
    """How much worse `after` is than `before`, as a fraction of `before`
    (0 or less: not worse). "lower" is better for counts and latency
    ratios, "higher" for throughput ratios."""
    if better == "lower":
        if before == 0:
            return float("inf") if after > 0 else 0.0
        return (after - before) / before
    if before == 0:
        return 0.0
    return (before - after) / before


@dataclass(frozen=True)
class Comparison:
    compared: int  # figures found in both runs, from the same database vendor
    regressions: list[Regression]


def compare(previous_run: dict[str, Any] | None, run: dict[str, Any], threshold: float = REGRESSION_THRESHOLD) -> Comparison:
    """The figures of `run` worse by more than `threshold` than the figure of
    the same key in `previous_run`. Figures are compared only with figures
    from the same database vendor; new or vanished figures are not
    regressions."""
    if not previous_run:
        return Comparison(compared=0, regressions=[])
    before = {figure["key"]: figure for figure in previous_run.get("figures", [])}
    compared, found = 0, []
    for figure in run["figures"]:
        old = before.get(figure["key"])
        if old is None or old.get("vendor") != figure.get("vendor"):
            continue
        compared += 1
        change = worse_by(float(old["value"]), float(figure["value"]), figure["better"])
        if change > threshold:
            found.append(Regression(figure["key"], old["value"], figure["value"], change, figure["unit"]))
    return Comparison(compared=compared, regressions=found)


def _number(value: float) -> str:
    """Whole numbers as they are, others to three significant digits (a
    throughput ratio of 0.012 must not read 0.01)."""
    value = float(value)
    if value.is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def markdown(run: dict[str, Any]) -> str:
    """The run as Markdown: where it ran, then one table row per figure."""
    machine = run["machine"]
    sizes = run["sizes"]
    lines = [
        f"{run['mode'].capitalize()} run of {run['finished']}, {run['duration_s']:.0f} s: "
        f"{sizes['small']:,} and {sizes['large']:,} rows in the largest list; database {run['database']['label']}.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, {machine['os']}; "
        f"Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']}.",
        "",
        f"{sum(1 for f in run['figures'] if f['met'])} of {sum(1 for f in run['figures'] if f['met'] is not None)} "
        "figures with a target meet it.",
        "",
        "| benchmark | page | figure | value | target | met | measured |",
        "| --- | --- | --- | ---: | --- | --- | --- |",
    ]
    for figure in run["figures"]:
        met = {True: "yes", False: "**no**", None: "—"}[figure["met"]]
        value = f"{_number(figure['value'])} {figure['unit']}".strip()
        lines.append(
            f"| {figure['benchmark']} | {figure['subject']} | {figure['metric'].replace('_', ' ')} | {value} "
            f"| {figure['target']} | {met} | {figure['detail']} |"
        )
    return "\n".join(lines) + "\n"


def comparison_text(comparison: Comparison, source: str, previous_run: dict[str, Any] | None) -> str:
    """What the comparison found, in words, saying what it compared with."""
    if previous_run is None:
        return f"Nothing to compare with: no earlier results of this mode in {source}."
    where = f"{source} ({previous_run.get('database', {}).get('label', '?')}, {previous_run.get('finished', '?')})"
    if comparison.compared == 0:
        return f"Nothing compared: no figure of {where} comes from the same database vendor with the same name."
    if not comparison.regressions:
        return f"No figure got worse by more than {REGRESSION_THRESHOLD:.0%} than in {where} ({comparison.compared} compared)."
    lines = [f"Worse by more than {REGRESSION_THRESHOLD:.0%} than in {where} ({comparison.compared} compared):"]
    for item in comparison.regressions:
        lines.append(f"  {item.key}: {_number(item.before)} → {_number(item.after)} {item.unit} ({item.worse_by:+.0%} worse)")
    return "\n".join(lines)


def markers(mode: str) -> tuple[str, str]:
    return f"<!-- bench:{mode}:begin -->", f"<!-- bench:{mode}:end -->"


def update_document(text: str, mode: str, table: str) -> str:
    """`text` with the part between the mode's markers replaced by `table`;
    the prose around is kept. Without the markers the table is appended
    inside a new pair."""
    begin, end = markers(mode)
    block = f"{begin}\n{table}{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _match: block, text, count=1)
    return f"{text.rstrip()}\n\n{block}\n"
