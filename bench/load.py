"""HTTP load on 127.0.0.1: a gunicorn server for the duration of a
measurement, a session cookie to fetch pages as a user, and a bounded
closed-loop load of concurrent clients."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.registry import BenchError

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# No benchmark needs more; the bound keeps a fast machine from running away.
MAX_REQUESTS = 200_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int, settings_module: str = "bench.settings", timeout: float = 60.0) -> Iterator[int]:
    """Run the portal under gunicorn (sync workers, as in production) on a
    free local port; yield the port once /healthz/ answers; stop it after.
    The server reads the same environment, so the same database."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    command = [
        sys.executable, "-m", "gunicorn", "ceems_portal.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--log-level", "warning", "--graceful-timeout", "5",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise BenchError(f"gunicorn stopped at start (exit {server.returncode}).")
            try:
                status, _ = fetch(port, "/healthz/", cookie="")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer /healthz/ within {timeout:.0f} s.")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(port: int, path: str, *, cookie: str, timeout: float = 30.0) -> tuple[int, int]:
    """One GET on a new connection (sync gunicorn closes each one anyway);
    returns (status, body length)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def session_cookie(username: str) -> str:
    """A Cookie header of a fresh database session logged in as `username`,
    exactly what django.contrib.auth.login() would store, without a password,
    and the CSRF cookie a browser holds after logging in (the login rotates
    it): without it every page with a form would make and set a new CSRF
    secret, which no logged-in browser asks for."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module
    from django.middleware.csrf import _get_new_csrf_string

    from institutes.models import User

    user = User.objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"


@dataclass
class LoadResult:
    ok: int
    failed: int
    seconds: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def load(port: int, path: str, *, cookie: str, threads: int, seconds: float, max_requests: int = MAX_REQUESTS) -> LoadResult:
    """`threads` clients each GET `path` in a loop, one request at a time,
    until `seconds` have passed or `max_requests` were sent in all. Counts
    200 answers as done; anything else (another status, a reset connection)
    as failed."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    sent = 0
    start = time.perf_counter()
    deadline = start + seconds

    def client() -> None:
        nonlocal sent
        while time.perf_counter() < deadline:
            with lock:
                if sent >= max_requests:
                    return
                sent += 1
            try:
                status, _ = fetch(port, path, cookie=cookie)
            except OSError:
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - start
    ok = statuses.get(200, 0)
    return LoadResult(ok=ok, failed=sum(statuses.values()) - ok, seconds=elapsed, statuses=statuses)
