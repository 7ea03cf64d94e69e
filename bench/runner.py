"""`python -m bench [--quick] [--output bench/results.json]`: create the
benchmark database afresh and migrate it, load the synthetic data at the small then the large
size, run every registered benchmark at the sizes it asks for, print the
figures and what got worse since the last committed results, and write
the results file and the table in docs/performance.md.

Exits 0 whatever the figures are; non-zero only when the suite itself
breaks (a page not answering 200, a server not starting, a crash).
"""
from __future__ import annotations

import argparse
import json
import os
import time
import traceback
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "bench" / "results.json"
DEFAULT_DOCUMENT = ROOT / "docs" / "performance.md"


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def recreate_database(settings_dict: dict[str, Any]) -> None:
    """Start from an empty benchmark database: every run migrates from zero,
    so no leftover of an earlier run or another branch's migrations can
    change a figure or break the run. On PostgreSQL through the server's
    `postgres` database; for SQLite by removing the file. Refuses any
    database but the suite's own."""
    from bench.settings import BENCH_DATABASE_NAME, BENCH_SQLITE_PATH

    if "postgresql" in settings_dict["ENGINE"]:
        import psycopg2
        from psycopg2 import sql

        if settings_dict["NAME"] != BENCH_DATABASE_NAME:
            raise RuntimeError(f"Refusing to recreate {settings_dict['NAME']!r}: not the benchmark database.")
        connection = psycopg2.connect(
            dbname="postgres",
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None,
        )
        connection.autocommit = True
        try:
            name = sql.Identifier(BENCH_DATABASE_NAME)
            with connection.cursor() as cursor:
                # FORCE: a server left over from a killed run may still hold connections.
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
        finally:
            connection.close()
    else:
        if Path(settings_dict["NAME"]) != BENCH_SQLITE_PATH:
            raise RuntimeError(f"Refusing to recreate {settings_dict['NAME']!r}: not the benchmark database.")
        BENCH_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        BENCH_SQLITE_PATH.unlink(missing_ok=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small version CI runs (2,000 rows, fewer samples)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="results file (default bench/results.json)")
    parser.add_argument("--document", type=Path, default=DEFAULT_DOCUMENT, help="Markdown file whose table is updated")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument(
        "--only", default="", metavar="NAMES",
        help="comma-separated pages and benchmarks to run (e.g. summary,institute_list,export): a partial run,"
        " written to bench/data/results-only.json, never into the results file or docs/performance.md",
    )
    args = parser.parse_args(argv)
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    if args.only:
        args.output, args.document = ROOT / "bench" / "data" / "results-only.json", None
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Forced, not defaulted: a shell that exports the portal's own settings
    # must not send the benchmark into the development database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    try:
        run_suite(args)
    except Exception:  # noqa: BLE001 - any failure of the suite itself is reported the same way
        traceback.print_exc()
        _say("The benchmark suite broke (see above).")
        return 1
    return 0


def _keep_only(names: set[str]) -> None:
    """Narrow the registered pages and benchmarks to `names` (a partial run).
    The page benchmarks (queries, latency, throughput) stay, over the named
    pages only; another benchmark stays if it is named."""
    from bench.registry import BENCHMARKS, PAGES

    page_names = {page.name for page in PAGES}
    unknown = names - page_names - {bench.name for bench in BENCHMARKS}
    if unknown:
        raise SystemExit(f"--only: no page or benchmark named {', '.join(sorted(unknown))}")
    PAGES[:] = [page for page in PAGES if page.name in names]
    generic = {"queries", "latency", "throughput"}
    BENCHMARKS[:] = [bench for bench in BENCHMARKS if bench.name in names or (bench.name in generic and PAGES)]
    _say(f"partial run: pages {', '.join(p.name for p in PAGES) or '-'}; benchmarks {', '.join(b.name for b in BENCHMARKS)}")


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    import django
    from django.conf import settings

    recreate_database(settings.DATABASES["default"])
    django.setup()

    from django.core.management import call_command

    from bench import report
    from bench.context import Context
    from bench.registry import BENCHMARKS, SIZES, load_all

    started = time.monotonic()
    mode = "quick" if args.quick else "full"
    ctx = Context.for_mode(mode, seed=args.seed)
    database = report.database_info()
    _say(f"{mode} run on {database['label']}, database {database['name']}")
    # Read the baseline before this run overwrites the file.
    baseline, baseline_source = report.committed_results(args.output)
    previous_run = (baseline or {}).get("runs", {}).get(mode)

    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    if args.only:
        _keep_only(args.only)

    measured: dict[str, dict[str, Any]] = defaultdict(dict)
    for size in SIZES:
        start = time.monotonic()
        counts = ctx.load(size)
        _say(f"{size}: synthetic data in {time.monotonic() - start:.1f} s: {counts}")
        for bench in BENCHMARKS:
            if size in bench.sizes:
                start = time.monotonic()
                measured[bench.name][size] = bench.measure(ctx, size)
                _say(f"{size}: {bench.name} in {time.monotonic() - start:.1f} s")

    figures = []
    for bench in BENCHMARKS:
        for figure in bench.figures(ctx, measured[bench.name]):
            figure.database, figure.vendor = database["label"], database["vendor"]
            figures.append(figure.as_dict())

    run = {
        "mode": mode,
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round(time.monotonic() - started, 1),
        "sizes": ctx.rows,
        "seed": ctx.seed,
        "data": ctx.data,
        "machine": report.machine_info(),
        "database": database,
        "figures": figures,
        "measured": measured,
    }
    table = report.markdown(run)
    print()
    print(table)
    print(report.comparison_text(report.compare(previous_run, run), baseline_source, previous_run))
    missed = [f["key"] for f in figures if f["met"] is False]
    if missed:
        print(f"Missed their target: {', '.join(missed)}.")

    # Keep the other mode's run: the file holds the latest of each.
    results = report.read_results(args.output)
    results["format"] = report.RESULTS_FORMAT
    results.setdefault("runs", {})[mode] = run
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _say(f"results written to {args.output}")
    if args.document:
        text = args.document.read_text(encoding="utf-8") if args.document.exists() else ""
        args.document.write_text(report.update_document(text, mode, table), encoding="utf-8")
        _say(f"table written to {args.document}")
    return run
