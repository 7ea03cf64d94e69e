"""Every page a demo user can reach by following links answers.

For each demo role: log in, start at the home page, follow every same-site
link (<a href>, and the Location of a redirect) breadth-first with GETs
only, and fail on any answer of 500 or more and on any link that answers
404 (or 403: shown to someone who may not follow it) where it is shown,
listing each with the page it was found on. The
English pages are crawled whole, the Russian ones from the home page to a
depth of two links (a spot check of the translations' placeholders and
plurals). The admin is limited to its index, its app pages, each
changelist and one change page per model; downloads are fetched to their
last byte but not parsed. New pages are found by themselves, through the
links that lead to them. Of the links that differ only in their query
values (sorting, filters, pages, exports of each filter) one of each shape
(path and parameter names) is followed, which keeps the crawl bounded.

The demo is loaded once for the module, inside a transaction rolled back
at the end, so the other tests see the database as before.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

# Every demo user of README.md: one per staff role and every respondent.
ROLES = [
    "admin", "secretariat", "chair", "committee",
    "nmi-am", "nmi-by", "nmi-cn", "nmi-kg", "nmi-kz", "nmi-md", "nmi-sk", "nmi-tj", "nmi-uz",
    "nmi-ru-vniim", "nmi-ru-vniims", "nmi-ru-vniiftri", "nmi-ru-vniiofi", "nmi-ru-uniim", "nmi-ru-sniim", "nmi-ru-vniir",
]
MAX_PAGES = 900  # per role, both languages together; the demo's Programme (five versions, about 60 activities) and task group need fewer
SPOT_CHECK_DEPTH = 2  # links followed from the Russian home page

SKIPPED_PATHS = re.compile(r"^/(static|media)/|^/[a-z]{2}/accounts/logout/|^/language/")

# Links known to answer 404 where they are shown (none: keep it that way).
KNOWN_BROKEN: list[re.Pattern] = []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


@dataclass
class Crawl:
    client: Client
    failures: list[str] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)
    admin_change_pages: set[str] = field(default_factory=set)
    fetched: int = 0

    def _admin_allowed(self, path: str, query: str) -> bool:
        """Index, app pages and changelists without filters, one change page per model."""
        parts = path.strip("/").split("/")[2:]  # after /<lang>/admin/
        if len(parts) <= 2:
            return not query
        if len(parts) == 4 and parts[3] == "change" and not query:
            model = "/".join(parts[:2])
            if model in self.admin_change_pages:
                return False
            self.admin_change_pages.add(model)
            return True
        return False

    def _normalise(self, href: str, base: str) -> str | None:
        url = urljoin("http://testserver" + base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            return None
        path = parts.path
        if SKIPPED_PATHS.search(path):
            return None
        if re.match(r"^/[a-z]{2}/admin/", path) and not self._admin_allowed(path, parts.query):
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def _shape(url: str) -> tuple:
        parts = urlsplit(url)
        return parts.path, frozenset(name for name, _value in parse_qsl(parts.query, keep_blank_values=True))

    def run(self, start: str, *, max_depth: int | None = None) -> None:
        queue = deque([(start, "(start)", 0)])
        self.seen.add(self._shape(start))
        while queue:
            url, found_on, depth = queue.popleft()
            if self.fetched >= MAX_PAGES:
                self.failures.append(f"more than {MAX_PAGES} pages from {start}: raise MAX_PAGES or bound the links")
                return
            self.fetched += 1
            response = self.client.get(url)
            status = response.status_code
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)  # an error in a generator shows only here
            if status >= 500:
                error = getattr(response, "exc_info", None)
                detail = f" ({error[0].__name__}: {error[1]})" if error else ""
                self.failures.append(f"{status} {url} (linked from {found_on}){detail}")
                continue
            if status == 403:
                self.failures.append(f"403 {url} (linked from {found_on})")
                continue
            if status == 404:
                if not any(pattern.match(urlsplit(url).path) for pattern in KNOWN_BROKEN):
                    self.failures.append(f"404 {url} (linked from {found_on})")
                continue
            if max_depth is not None and depth >= max_depth:
                continue
            if status in (301, 302, 303, 307, 308):
                hrefs = [response["Location"]]
            elif status == 200 and response.get("Content-Type", "").startswith("text/html") and not response.has_header(
                "Content-Disposition"
            ):
                html = response.content.decode()
                if "г.." in html:  # "24 декабря 2026 г." ends a sentence by itself
                    self.failures.append(f"a date followed by a second full stop on {url}")
                hrefs = _links(html)
            else:
                continue
            for href in hrefs:
                target = self._normalise(href, urlsplit(url).path)
                if target is not None and self._shape(target) not in self.seen:
                    self.seen.add(self._shape(target))
                    queue.append((target, url, depth + 1))


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo, loaded once for every role of this module and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo", force=True, verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_reachable_from_the_home_page_answers(demo_once, django_user_model, username):
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.get(username=username))
    crawl = Crawl(client)
    crawl.run("/en/")
    english = crawl.fetched
    crawl.run("/ru/", max_depth=SPOT_CHECK_DEPTH)

    if crawl.failures:
        pytest.fail(f"{username}, {crawl.fetched} pages:\n" + "\n".join(crawl.failures), pytrace=False)
    assert english > 3, f"{username} reached only {english} pages: is the home page's menu there?"
