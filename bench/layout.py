"""`python -m bench.layout [--profile N] [--seconds S] [--keep]`: what every
page pays whatever its data, measured alone, without the whole suite.

Measures the throughput benchmark's own two figures for the empty layout
page (`/bench/layout/`) and the trivial view (`/bench/trivial/`): gunicorn
with the suite's workers and client threads, trivial before and after the
layout, and prints requests per second and their ratio (the suite's
`throughput/control` figure). With `--profile N` it first sends N in-process
requests of the layout page through the WSGI handler under a profiler
(pyinstrument if it is installed, else cProfile) and prints where the time
went.

It uses the suite's database (bench.settings: PostgreSQL database
BENCH_DATABASE_NAME, or bench/data/bench.sqlite3), recreated with the small
synthetic data unless `--keep` is given and the database already holds it.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time


def _prepare(keep: bool) -> None:
    import django
    from django.conf import settings

    from bench.runner import recreate_database

    if not keep:
        recreate_database(settings.DATABASES["default"])
    django.setup()
    from django.core.management import call_command

    from bench.context import Context
    from bench.registry import SMALL, load_all
    from institutes.models import User

    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    if not (keep and User.objects.filter(username__startswith="syn-").exists()):
        Context.for_mode("quick").load(SMALL)


def _profile(requests: int, cookie: str) -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import FakePayload

    from bench.urls import LAYOUT_PATH

    handler = WSGIHandler()

    def get() -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": LAYOUT_PATH, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie,
            "wsgi.input": FakePayload(b""), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        statuses = []
        body = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"GET {LAYOUT_PATH}: {statuses[0]}")

    for _ in range(50):
        get()
    start = time.perf_counter()
    for _ in range(requests):
        get()
    plain = (time.perf_counter() - start) / requests * 1000
    print(f"in-process: {plain:.3f} ms per layout page ({requests} requests, no profiler)")
    # cProfile: cumulative time per request of the functions a layout page
    # is made of, so the shares add up the way the request nests.
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[3] for entry in stats.stats.values() if entry[3]) and max(entry[3] for entry in stats.stats.values())
    rows = sorted(
        ((cumulative, calls, f"{name} {path.rsplit('site-packages/', 1)[-1]}:{line}")
         for (path, line, name), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items()),
        reverse=True,
    )
    print(f"profiled: {total / requests * 1000:.3f} ms per request (cProfile overhead included); cumulative per request:")
    for cumulative, calls, where in rows[:70]:
        print(f"  {cumulative / requests * 1000:7.3f} ms {calls / requests:6.1f} calls  {where}")


def _throughput(seconds: float, cookie: str) -> None:
    from bench import load
    from bench.context import Context
    from bench.urls import LAYOUT_PATH, TRIVIAL_PATH

    ctx = Context.for_mode("quick")
    with load.gunicorn(workers=ctx.throughput_workers) as port:
        def run(path: str) -> float:
            load.load(port, path, cookie=cookie, threads=ctx.throughput_threads, seconds=1.0)
            result = load.load(port, path, cookie=cookie, threads=ctx.throughput_threads, seconds=seconds)
            if result.failed:
                raise SystemExit(f"GET {path}: {result.statuses}")
            return result.per_second

        before = run(TRIVIAL_PATH)
        layout = run(LAYOUT_PATH)
        after = run(TRIVIAL_PATH)
    trivial = (before + after) / 2
    print(
        f"throughput ({ctx.throughput_workers} workers, {ctx.throughput_threads} threads, {seconds:.0f} s each): "
        f"trivial {trivial:.0f} req/s ({before:.0f}/{after:.0f} before/after), layout {layout:.0f} req/s, "
        f"layout/trivial {layout / trivial:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.layout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N in-process requests first")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run")
    parser.add_argument("--no-throughput", action="store_true", help="profile only")
    parser.add_argument("--keep", action="store_true", help="reuse the benchmark database if it holds synthetic data")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    _prepare(args.keep)

    from bench import load
    from institutes.synth import SECRETARIAT

    cookie = load.session_cookie(SECRETARIAT)
    if args.profile:
        _profile(args.profile, cookie)
    if not args.no_throughput:
        _throughput(args.seconds, cookie)
    return 0


if __name__ == "__main__":
    sys.exit(main())
