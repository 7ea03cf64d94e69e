"""The meetings list, a meeting's page and the action-item list make the
same number of queries at two sizes of data (taskgroup.synth)."""
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synth import PREFIX
from taskgroup import synth
from taskgroup.models import Meeting
from tests.factories import InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db


def _counts(client, scale: int) -> list[int]:
    synth.flush()
    synth.generate(random.Random(1), scale)
    latest = Meeting.objects.order_by("-starts_at", "-pk").first()
    counts = []
    for url in ("/en/taskgroup/meetings/", "/en/taskgroup/meetings/?page=2", latest.get_absolute_url(),
                "/en/taskgroup/actions/?show=all", "/en/taskgroup/actions/?show=overdue"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_pages_make_the_same_number_of_queries_at_two_sizes(client):
    InstituteFactory(acronym=f"{PREFIX}NMI")
    chair = UserFactory(username=synth.CHAIR)
    chair.save()
    client.force_login(chair)
    small = _counts(client, 3)
    large = _counts(client, 30)
    assert small == large, (small, large)
