"""A tiny run of the page benchmarks in-process, on the test database: it
fails if a registered page stops answering or its query count grows with
the data."""
import http.server
import threading

import pytest

from bench import load
from bench.context import Context
from bench.page_benchmarks import Latency, QueriesPerPage
from bench.registry import LARGE, PAGES, SIZES, load_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(settings):
    # The suite's URLconf: the portal's pages plus its control and trivial views.
    settings.ROOT_URLCONF = "bench.urls"
    load_all()
    return Context(mode="smoke", rows={"small": 10, "large": 40}, warmup=0, samples=2, throughput_seconds=0)


def test_queries_per_page_do_not_grow_from_small_to_large(ctx):
    queries, latency = QueriesPerPage(), Latency()
    measured, timed = {}, {}
    for size in SIZES:
        ctx.load(size)
        measured[size] = queries.measure(ctx, size)
        timed[size] = latency.measure(ctx, size)

    figures = queries.figures(ctx, measured)
    assert {page.name for page in PAGES} <= {figure.subject for figure in figures}
    assert [figure.detail for figure in figures if not figure.met] == []
    assert measured[LARGE]["institute_list"]["rows"] == 40
    assert all(figure.value > 0 for figure in latency.figures(ctx, timed))


def test_load_counts_answers_by_status():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()
            self.wfile.write(b"x")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((load.HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        done = load.load(port, "/ok", cookie="", threads=2, seconds=5, max_requests=20)
        missing = load.load(port, "/nope", cookie="", threads=2, seconds=5, max_requests=6)
    finally:
        server.shutdown()
    assert (done.ok, done.failed) == (20, 0)
    assert (missing.ok, missing.failed, missing.statuses) == (0, 6, {404: 6})
