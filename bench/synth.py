"""Synthetic data at any scale, deterministic from a seed.

The knob is the scale N: every generator makes about 10·N rows of the
largest list it feeds (institutes; the needs and offers of one year's
summary table; activities later), so `--scale 10` gives lists of 100 rows
and `--scale 2000` lists of 20,000, the two sizes the benchmark suite
compares.

Every synthetic row is recognisable by PREFIX (in a username, an acronym, a
country's name, a title...), so synthetic data can live next to real or demo
data and be flushed without touching it.

Adding a generator (e.g. for surveys)
-------------------------------------
Write `<app>/synth.py` with three functions and add its dotted path to
GENERATORS, after the apps whose rows it uses:

    def generate(rng: random.Random, scale: int) -> dict[str, int]:
        '''Create this app's synthetic rows; return {"needs": 1234, ...}.'''

    def existing() -> dict[str, int]:
        '''Count this app's synthetic rows now in the database, by kind.'''

    def flush() -> dict[str, int]:
        '''Delete this app's synthetic rows; return what was deleted.'''

`generate` draws every random choice from `rng` (never the global `random`
module), reads the rows of earlier generators from the database (e.g.
synthetic institutes by their acronym prefix) and writes with bulk_create.
Each generator gets its own `random.Random` seeded from the seed and its
name, so adding a generator never changes the data of the ones before it.
"""
from __future__ import annotations

import importlib
import random
from types import ModuleType

from django.db import transaction

# What marks a row as synthetic; generators put it at the start of a text
# field that is unique or shown (username, acronym, name, title).
PREFIX = "syn-"

# The institutes come first: every other generator hangs its rows on them.
GENERATORS: list[str] = [
    "institutes.synth",
    "surveys.synth",
    "taskgroup.synth",
    "programme.synth_programme",
]

ROWS_PER_SCALE = 10


class SynthError(Exception):
    """Synthetic data cannot be created as asked (e.g. some already exists)."""


ALREADY_THERE = "Synthetic data is already there ({counts}); flush it first (--flush)."


def _modules() -> list[tuple[str, ModuleType]]:
    return [(path, importlib.import_module(path)) for path in GENERATORS]


def existing() -> dict[str, int]:
    """Synthetic rows now in the database, by kind; empty when there are none."""
    counts: dict[str, int] = {}
    for _path, module in _modules():
        counts.update({kind: n for kind, n in module.existing().items() if n})
    return counts


def rng_for(seed: int, generator: str) -> random.Random:
    """The random source of one generator: a function of the seed and the
    generator's name only (str seeds hash deterministically, unlike hash())."""
    return random.Random(f"{seed}/{generator}")


def generate(*, scale: int, seed: int = 1) -> dict[str, int]:
    """Create synthetic data at `scale` with every generator, in order, in one
    transaction. Refuses (SynthError) if synthetic data is already there, so
    two sizes are never mixed by accident; `flush()` first. Returns the
    number of rows created, by kind. The same scale and seed give the same
    data on any database."""
    if scale < 0:
        raise SynthError("The scale must be zero or more.")
    present = existing()
    if present:
        raise SynthError(ALREADY_THERE.format(counts=_describe(present)))
    created: dict[str, int] = {}
    with transaction.atomic():
        for path, module in _modules():
            created.update(module.generate(rng_for(seed, path), scale))
    return created


def flush() -> dict[str, int]:
    """Delete every synthetic row, later generators first (their rows point
    at the earlier ones'). Real and demo data are left alone. Safe to run
    again. Returns the number of rows deleted, by kind."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for _path, module in reversed(_modules()):
            deleted.update(module.flush())
    return deleted


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())
