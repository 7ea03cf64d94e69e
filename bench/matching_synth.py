"""Synthetic needs and offers for the matching engine, in plain Python (no
database): what the engine's benchmark and its scale test feed it.

The mix follows the surveys' synthetic data (surveys/synth.py): activity
types with calibrations and comparisons first, the KCDB areas with mass,
electricity and temperature first, three sub-fields per area, periods of 6
to 36 months starting in one year, priorities, languages, capacities and
terms in the same proportions. Institutes sit in 60 countries, a third of
them in one customs union and a quarter in another; needs come from one
institute per eight needs, offers from one per four offers, drawn from the
same countries, so that some pairs fall to the own-country rule.
Deterministic from the seed.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from programme.matching import Facts, Need, Offer

YEAR = 2093
ACTIVITY_WEIGHTS = {"calibration": 30, "comparison": 18, "training": 15, "internship": 10, "procedure": 8,
                    "prereview": 5, "joint_project": 6, "international": 3, "information": 5}
AREA_REQUIRED = {"comparison", "calibration", "procedure", "internship"}
AREA_WEIGHTS = {"M": 25, "EM": 18, "T": 15, "L": 12, "QM": 10, "TF": 6, "PR": 5, "AUV": 5, "RI": 4}
SUBFIELDS_PER_AREA = 3
PRIORITY_WEIGHTS = {"high": 35, "medium": 45, "low": 20}
LANGUAGE_WEIGHTS = {("ru",): 40, ("en",): 30, ("en", "ru"): 30}
CONDITION_WEIGHTS = {"free": 30, "cost_sharing": 30, "contract": 40}
PAID_BY_WEIGHTS = {"recipient": 50, "provider": 20, "shared": 30}
CAPACITIES = [1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]
DURATIONS = [6, 12, 12, 12, 18, 24, 24, 36]  # months
COUNTRIES = 60


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _period(rng: random.Random) -> tuple[date, date]:
    start = date(YEAR, rng.randint(1, 12), 1)
    months = start.month - 1 + rng.choice(DURATIONS)
    end = date(start.year + months // 12, months % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _what(rng: random.Random) -> tuple[str, str | None, str | None]:
    activity = _pick(rng, ACTIVITY_WEIGHTS)
    if activity not in AREA_REQUIRED and rng.random() < 0.4:
        return activity, None, None
    area = _pick(rng, AREA_WEIGHTS)
    subfield = f"{area}.{rng.randint(1, SUBFIELDS_PER_AREA)}" if rng.random() < 0.8 else None
    return activity, area, subfield


def countries() -> list[str]:
    return [f"Z{number:02d}" for number in range(COUNTRIES)]


def facts() -> Facts:
    unions = {}
    for number, country in enumerate(countries()):
        if number % 3 == 0:
            unions[country] = "EAEU"
        elif number % 4 == 1:
            unions[country] = "EU"
    return Facts(customs_unions=unions)


def instance(needs: int, offers: int, *, seed: int = 1) -> tuple[list[Need], list[Offer], Facts]:
    """`needs` needs and `offers` offers, the same for the same arguments."""
    rng = random.Random(f"matching/{seed}/{needs}/{offers}")
    places = countries()
    recipients = [(f"R{number}", rng.choice(places)) for number in range(max(1, needs // 8))]
    donors = [(f"D{number}", rng.choice(places)) for number in range(max(1, offers // 4))]
    need_list = []
    for number in range(needs):
        institute, country = rng.choice(recipients)
        activity, area, subfield = _what(rng)
        start, end = _period(rng)
        need_list.append(Need(
            id=number + 1, institute=institute, country=country, activity_type=activity, area=area,
            subfield=subfield, subject=f"{activity} {subfield or area or ''}".strip(), period_from=start,
            period_to=end, priority=_pick(rng, PRIORITY_WEIGHTS), languages=_pick(rng, LANGUAGE_WEIGHTS),
        ))
    offer_list = []
    for number in range(offers):
        institute, country = rng.choice(donors)
        activity, area, subfield = _what(rng)
        start, end = _period(rng)
        offer_list.append(Offer(
            id=number + 1, institute=institute, country=country, activity_type=activity, area=area,
            subfield=subfield, subject=f"{activity} {subfield or area or ''}".strip(), capacity=rng.choice(CAPACITIES),
            period_from=start, period_to=end, languages=_pick(rng, LANGUAGE_WEIGHTS),
            conditions=_pick(rng, CONDITION_WEIGHTS), customs_paid_by=_pick(rng, PAID_BY_WEIGHTS),
        ))
    return need_list, offer_list, facts()
