"""The annual update (carry-over, rescoping, dropping with reasons,
accepted matches, idempotence), the comparison of two versions, the XLSX
export, and the fixed number of queries of the Programme's pages."""
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.errors import PortalError
from programme import selectors, services
from programme.models import Activity, ActivityUpdate, ProgrammeVersion, UpdateAction, quarter_code

from .conftest import add_activity, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(draft, people):
    done = add_activity(draft, people, title_ru="Сделано", title_en="Done one")
    carried = add_activity(draft, people, title_ru="Переносится", title_en="Carried one")
    postponed = add_activity(draft, people, title_ru="Отложено", title_en="Postponed one")
    dropped = add_activity(draft, people, title_ru="Отменено", title_en="Dropped one")
    version = publish(draft, people)
    for activity, status, reason in ((done, "done", ""), (postponed, "postponed", "Customs"), (dropped, "cancelled", "No funds")):
        activity.refresh_from_db()
        services.activity_set_status(activity=activity, revision=activity.revision, status=status, status_reason=reason,
                                     by=people["secretariat"])
    return version, {"done": done, "carried": carried, "postponed": postponed, "dropped": dropped}


def _decisions(acts):
    return {
        acts["carried"].pk: services.UpdateDecision(action=UpdateAction.CARRIED, reason="Not finished"),
        acts["postponed"].pk: services.UpdateDecision(action=UpdateAction.RESCOPED, reason="Customs delay",
                                                      first_quarter=quarter_code(2023, 2), last_quarter=quarter_code(2023, 3)),
        acts["dropped"].pk: services.UpdateDecision(action=UpdateAction.DROPPED, reason="No funds"),
    }


def test_update_carries_rescopes_and_drops_with_reasons(published, people):
    version, acts = published
    result = services.ProgrammeUpdate(previous=version, decisions=_decisions(acts), by=people["secretariat"]).run()
    new = result.version
    assert (new.year, new.based_on, new.status) == (2023, version, "draft")
    assert (result.carried, result.rescoped, result.dropped) == (1, 1, 1)
    titles = set(new.activities.values_list("title_en", flat=True))
    assert titles == {"Carried one", "Postponed one"}
    rescoped = new.activities.get(title_en="Postponed one")
    assert rescoped.lineage == acts["postponed"].lineage and rescoped.carried_from_id == acts["postponed"].pk
    assert (rescoped.first_quarter, rescoped.last_quarter, rescoped.status) == (20232, 20233, "planned")
    assert set(ActivityUpdate.objects.values_list("action", "reason")) == {
        ("carried", "Not finished"), ("rescoped", "Customs delay"), ("dropped", "No funds")}


def test_running_the_update_twice_changes_nothing(published, people):
    version, acts = published
    first = services.ProgrammeUpdate(previous=version, decisions=_decisions(acts), by=people["secretariat"]).run()
    second = services.ProgrammeUpdate(previous=version, decisions=_decisions(acts), by=people["secretariat"]).run()
    assert second.version == first.version
    assert (second.carried, second.rescoped, second.dropped, second.already_decided) == (0, 0, 0, 3)
    assert first.version.activities.count() == 2 and ActivityUpdate.objects.count() == 3
    assert ProgrammeVersion.objects.filter(year=2023).count() == 1


def test_every_activity_not_done_needs_a_decision_and_a_reason(published, people):
    version, acts = published
    decisions = _decisions(acts)
    del decisions[acts["carried"].pk]
    decisions[acts["dropped"].pk] = services.UpdateDecision(action=UpdateAction.DROPPED, reason="  ")
    with pytest.raises(ValidationError) as error:
        services.ProgrammeUpdate(previous=version, decisions=decisions, by=people["secretariat"]).run()
    assert error.value.message_dict[f"activity-{acts['carried'].pk}"] == [str(services.UPDATE_DECISION_MISSING)]
    assert error.value.message_dict[f"activity-{acts['dropped'].pk}"] == [str(services.UPDATE_REASON_REQUIRED)]
    assert not ProgrammeVersion.objects.filter(year=2023).exists()


def test_update_needs_a_published_version(draft, people):
    with pytest.raises(PortalError):
        services.ProgrammeUpdate(previous=draft, decisions={}, by=people["secretariat"]).run()


def test_update_adds_the_years_accepted_matches(published, people):
    from programme.models import MatchDecision
    from surveys.models import Campaign, Need, Offer, Questionnaire, Response

    version, acts = published
    other_draft = services.version_draft_for_year(year=2023, by=people["secretariat"])
    matched = add_activity(other_draft, people, title_en="From matching", title_ru="Из подбора",
                           first_quarter=quarter_code(2023, 1), last_quarter=quarter_code(2023, 1))
    # A second, separate draft: the update must gather the match from it.
    other_draft.status = "published"
    other_draft.save()
    q = Questionnaire.objects.create(kind="needs", version=1, title="Q")
    campaign = Campaign.objects.create(kind="needs", year=2023, questionnaire=q, opens_on=date(2023, 1, 1), closes_on=date(2023, 2, 1))
    need = Need.objects.create(response=Response.objects.create(campaign=campaign, institute=people["recipient"]), activity_type="calibration")
    q2 = Questionnaire.objects.create(kind="offers", version=1, title="Q2")
    campaign2 = Campaign.objects.create(kind="offers", year=2023, questionnaire=q2, opens_on=date(2023, 1, 1), closes_on=date(2023, 2, 1))
    offer = Offer.objects.create(response=Response.objects.create(campaign=campaign2, institute=people["provider"]), activity_type="calibration")
    MatchDecision.objects.create(year=2023, need=need, offer=offer, verdict="accepted", activity=matched)
    result = services.ProgrammeUpdate(previous=version, decisions=_decisions(acts), by=people["secretariat"]).run()
    assert result.added_from_matching == 1
    assert result.version.activities.filter(lineage=matched.lineage).exists()


def test_the_update_page(client, published, people):
    version, acts = published
    client.force_login(people["secretariat"])
    url = reverse("programme:version_update", args=[version.pk])
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    data = {}
    for key, decision in _decisions(acts).items():
        data[f"a{key}-action"] = decision.action
        data[f"a{key}-reason"] = decision.reason
        data[f"a{key}-first_quarter"] = decision.first_quarter or ""
        data[f"a{key}-last_quarter"] = decision.last_quarter or ""
    missing = dict(data, **{f"a{acts['carried'].pk}-reason": ""})
    refused = client.post(url, missing)
    assert refused.status_code == 200 and not ProgrammeVersion.objects.filter(year=2023).exists()
    assert client.post(url, data).status_code == 302
    assert ProgrammeVersion.objects.filter(year=2023).exists()
    client.force_login(people["member"])
    assert client.get(url).status_code == 403


def test_comparison_field_by_field_with_reasons(client, published, people):
    version, acts = published
    new = services.ProgrammeUpdate(previous=version, decisions=_decisions(acts), by=people["secretariat"]).run().version
    added = add_activity(new, people, title_en="Brand new", title_ru="Новое")
    comparison = selectors.version_compare(a=version, b=new, user=people["secretariat"])
    assert [a.title_en for a in comparison.added] == ["Brand new"]
    assert {a.title_en for a in comparison.removed} == {"Done one", "Dropped one"}
    dropped = next(a for a in comparison.removed if a.title_en == "Dropped one")
    assert [u.reason for u in dropped.update_reasons] == ["No funds"]
    changed = {c.after.title_en: c for c in comparison.changed}
    fields = {d.name for d in changed["Postponed one"].diffs}
    assert {"first_quarter", "last_quarter", "status", "status_reason"} <= fields
    assert changed["Postponed one"].after.update_reasons[0].reason == "Customs delay"
    client.force_login(people["member"])
    page = client.get(reverse("programme:version_compare"), {"a": version.pk, "b": new.pk})
    assert page.status_code == 200 and b"Customs delay" in page.content and b"Brand new" in page.content
    assert added.pk


def test_export_escapes_formulas_and_keeps_numbers_and_dates(client, activity, people):
    services.activity_update(activity=activity, revision=activity.revision, by=people["secretariat"],
                             title_en="=HYPERLINK(\"http://x\")", notes="+1+2")
    activity.refresh_from_db()
    services.activity_set_status(activity=activity, revision=activity.revision, status="done", by=people["secretariat"])
    services.outcome_save(activity=activity, revision=None, by=people["secretariat"], held_from=date(2022, 10, 3),
                          held_to=date(2022, 10, 7), participants_count=4, result_kind="comparison",
                          result_identifier="COOMET.M.M-K1")
    client.force_login(people["secretariat"])
    response = client.get(reverse("programme:version_export", args=[activity.version_id]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, row = rows[1], rows[2]
    values = dict(zip(header, row))
    assert values["Title"] == "'=HYPERLINK(\"http://x\")"
    assert values["Notes"] == "'+1+2"
    assert values["Held from"].date() == date(2022, 10, 3)
    assert values["Number of participants"] == 4
    assert values["Result identifier"] == "COOMET.M.M-K1"
    ru = client.get("/ru" + reverse("programme:version_export", args=[activity.version_id])[3:])
    header_ru = list(load_workbook(BytesIO(ru.content)).active.iter_rows(values_only=True))[1]
    assert header_ru != header


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_make_the_same_number_of_queries_at_two_sizes(client, draft, people):
    from django.conf import settings

    for n in range(3):
        add_activity(draft, people, title_en=f"A{n}", title_ru=f"А{n}")
    other = services.version_draft_for_year(year=2023)
    for n in range(3):
        add_activity(other, people, title_en=f"A{n}", title_ru=f"А{n}", first_quarter=quarter_code(2023, 1), last_quarter=None)
    client.force_login(people["secretariat"])
    urls = lambda: [  # noqa: E731
        reverse("programme:version_detail", args=[draft.pk]),
        reverse("programme:version_detail", args=[draft.pk]) + "?country=XX&status=planned&quarter=20224",
        reverse("programme:version_timeline", args=[draft.pk]),
        reverse("programme:version_progress", args=[draft.pk]),
        reverse("programme:version_compare") + f"?a={draft.pk}&b={other.pk}",
    ]
    small = [_queries(client, url) for url in urls()]
    for n in range(settings.PORTAL_PAGE_SIZE + 10):
        add_activity(draft, people, title_en=f"B{n}", title_ru=f"Б{n}", recipients=[people["recipient"], people["other"]])
        add_activity(other, people, title_en=f"B{n}", title_ru=f"Б{n}", first_quarter=quarter_code(2023, 1), last_quarter=None)
    large = [_queries(client, url) for url in urls()]
    assert small == large
