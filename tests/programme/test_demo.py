"""The demo's Programme, in terms that hold whichever part (matching's demo
or the Programme's) created the 2022 activities."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from programme.models import Activity, ConsultationComment, Outcome, Programme, ProgrammeVersion

pytestmark = pytest.mark.django_db


def test_demo_programme_year(demo):
    programme = Programme.objects.get(first_year=2022, last_year=2026)
    assert programme.title_en == "COOMET Programme of activities for assisting CEEMS"
    v2022 = ProgrammeVersion.objects.filter(programme=programme, year=2022, status="published").get()
    assert v2022.activities.exists() and v2022.approved_by and v2022.published_by
    v2023 = ProgrammeVersion.objects.get(programme=programme, year=2023, status="published")
    assert v2023.based_on == v2022 and v2023.updates.exists()
    assert v2023.activities.filter(status="done", outcome__isnull=False).exists()
    assert v2023.activities.filter(status="postponed").exclude(status_reason="").exists()
    assert Outcome.objects.exclude(result_identifier="").exists()
    current = ProgrammeVersion.objects.filter(programme=programme, status="consultation").get()
    commenters = set(ConsultationComment.objects.filter(activity__version=current).values_list("institute__country__iso2", flat=True))
    assert {"AM", "TJ"} <= commenters


def test_demo_runs_twice_without_duplicates(demo):
    counts = (ProgrammeVersion.objects.count(), Activity.objects.count(), ConsultationComment.objects.count(), Outcome.objects.count())
    call_command("demo", force=True, verbosity=0)
    assert counts == (ProgrammeVersion.objects.count(), Activity.objects.count(), ConsultationComment.objects.count(), Outcome.objects.count())


def test_armenia_sees_its_consultation_and_the_committee_the_published_timeline(client_as):
    current = ProgrammeVersion.objects.get(status="consultation")
    client = client_as("nmi-tj")  # nmi-am is also in the task group, which reads every draft
    page = client.get(current.get_absolute_url())
    assert page.status_code == 200
    shown = [a for section in page.context["sections"] for a in section[2]]
    assert shown and all(a.concerns_me for a in shown)
    client = client_as("committee")
    assert client.get(current.get_absolute_url()).status_code == 404
    published = ProgrammeVersion.objects.filter(status="published").order_by("-year").first()
    assert client.get(reverse("programme:version_timeline", args=[published.pk])).status_code == 200
    assert client.get(reverse("programme:home")).status_code == 302
