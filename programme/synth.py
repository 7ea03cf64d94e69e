"""More needs and offers for a year that already has submitted answers: for
the tests and benchmarks of the matching page at a larger size."""
from __future__ import annotations

import random
from datetime import date

from institutes.models import SubField
from surveys.models import CampaignKind, Need, Offer, Response

TYPES = ["comparison", "calibration", "training", "internship", "procedure"]


def grow_year(year: int, *, needs: int, offers: int, seed: int = 1) -> tuple[int, int]:
    """Add `needs` needs and `offers` offers, spread over the submitted
    responses of the year's needs and offers campaigns, the activity types
    and sub-fields, with periods inside the two years after `year`.
    Returns (needs, offers) added."""
    rng = random.Random(seed)
    subfields = list(SubField.objects.order_by("code").values_list("pk", "area_id"))
    need_responses = list(Response.objects.filter(
        campaign__year=year, campaign__kind=CampaignKind.NEEDS, status=Response.Status.SUBMITTED).order_by("pk"))
    offer_responses = list(Response.objects.filter(
        campaign__year=year, campaign__kind=CampaignKind.OFFERS, status=Response.Status.SUBMITTED).order_by("pk"))
    start, end = date(year + 1, 1, 1), date(year + 2, 12, 31)

    def item(model, responses, n, **extra):
        subfield, area = rng.choice(subfields)
        return model(
            response=rng.choice(responses), position=1000 + n, activity_type=rng.choice(TYPES), area_id=area,
            subfield_id=subfield, subject=f"synthetic {n}", period_from=start, period_to=end, **extra,
        )

    Need.objects.bulk_create(
        [item(Need, need_responses, n, priority=rng.choice(["high", "medium", "low"])) for n in range(needs)],
        batch_size=1000,
    )
    Offer.objects.bulk_create(
        [item(Offer, offer_responses, n, capacity=rng.randint(1, 5), languages="ru", conditions="contract")
         for n in range(offers)],
        batch_size=1000,
    )
    return needs, offers
