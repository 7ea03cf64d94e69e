"""What a benchmark gets from the runner: the run's sizes and sample counts,
the data now loaded, and logged-in in-process clients."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from bench import synth
from bench.registry import LARGE, SMALL, BenchError

# Rows of the largest list at each size, by mode. The sizes are 100
# and 20,000; quick mode (CI) keeps the small size and a tenth of the large.
MODES = {
    "full": {"rows": {SMALL: 100, LARGE: 20_000}, "warmup": 5, "samples": 50, "throughput_seconds": 15.0},
    "quick": {"rows": {SMALL: 100, LARGE: 2_000}, "warmup": 3, "samples": 15, "throughput_seconds": 3.0},
}


@dataclass
class Context:
    """One run's settings and state. `load(size)` replaces the synthetic data
    with that size's; `client(username)` is a test client logged in as that
    synthetic user, valid until the next `load`."""

    mode: str
    rows: dict[str, int]
    warmup: int
    samples: int
    throughput_seconds: float
    seed: int = 1
    throughput_threads: int = 8
    throughput_workers: int = 2
    size: str | None = None
    data: dict[str, dict[str, int]] = field(default_factory=dict)
    _clients: dict[str, Client] = field(default_factory=dict, repr=False)

    @classmethod
    def for_mode(cls, mode: str, *, seed: int = 1) -> Context:
        return cls(mode=mode, seed=seed, **MODES[mode])

    def scale(self, size: str) -> int:
        return self.rows[size] // synth.ROWS_PER_SCALE

    def load(self, size: str) -> dict[str, int]:
        """Flush the synthetic data and generate `size`'s, then refresh the
        planner's statistics so the queries run as they would on a settled
        database. Returns the rows created, by kind."""
        synth.flush()
        counts = synth.generate(scale=self.scale(size), seed=self.seed)
        with connection.cursor() as cursor:
            # VACUUM as well where it can run (not inside a transaction, as
            # in tests): otherwise autovacuum wakes up for the fresh rows in
            # the middle of a measurement.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        # Tens of thousands of model instances were just made and dropped;
        # collect them now, or the garbage collector's passes over them
        # would land in the first measurements (about +25% on a light page).
        gc.collect()
        self.size = size
        self.data[size] = counts
        self._clients.clear()
        return counts

    def client(self, username: str) -> Client:
        if username not in self._clients:
            from institutes.models import User

            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist as error:
                raise BenchError(f"No synthetic user {username!r}: is its generator in bench.synth.GENERATORS?") from error
            client = Client()
            client.force_login(user)
            self._clients[username] = client
        return self._clients[username]

    def get(self, url: str, username: str):
        """GET `url` as `username` in-process; anything but 200 breaks the suite."""
        response = self.client(username).get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} as {username} answered {response.status_code}, not 200.")
        return response
