"""The Secretariat's campaigns: create, open (invitations), progress, reminders, reopen."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from surveys import services, tasks
from surveys.models import Campaign, Invitation, Questionnaire, Response

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "kind": "needs",
        "year": "2027",
        "opens_on": "2027-01-10",
        "closes_on": "2027-03-31",
        "reminder_days": "7",
        "introduction_ru": "Просим заполнить анкету.",
        "introduction_en": "Please fill in the questionnaire.",
    }
    data.update(overrides)
    return data


def test_secretariat_creates_a_campaign_with_invited_institutes(client_as, user_named):
    kg = user_named("nmi-kg").institute
    tj = user_named("nmi-tj").institute
    response = client_as("secretariat").post("/en/surveys/campaigns/new/", {**_form(), "institutes": [kg.pk, tj.pk]})
    campaign = Campaign.objects.get(year=2027, kind="needs")
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.status == Campaign.Status.DRAFT
    assert set(campaign.institutes.all()) == {kg, tj}
    assert campaign.introduction_en == "Please fill in the questionnaire."


def test_campaign_form_errors_are_next_to_their_fields(client_as):
    response = client_as("secretariat").post(
        "/en/surveys/campaigns/new/", _form(closes_on="2027-01-01", year="next year")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_closes_on_errors"' in html and "The deadline is before the opening date." in html
    assert 'id="id_year_errors"' in html
    assert 'id="id_institutes_errors"' in html
    assert not Campaign.objects.filter(year=2027).exists()


@pytest.mark.parametrize("username", ["nmi-kg", "chair", "committee"])
def test_only_the_secretariat_creates_and_opens_campaigns(client_as, username, open_needs):
    client = client_as(username)
    assert client.get("/en/surveys/campaigns/new/").status_code == 403
    assert client.post(f"/en/surveys/campaigns/{open_needs.pk}/close/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_opening_freezes_the_questionnaire_and_invites_in_each_language(client_as, user_named, sent_mail):
    secretariat = user_named("secretariat")
    kg_user = user_named("nmi-kg")
    kg_user.preferred_language = "en"
    kg_user.save()
    campaign = services.campaign_save(
        kind="offers", year=2027, opens_on=date.today(), closes_on=date.today() + timedelta(days=20), reminder_days=5,
        introduction_ru="", introduction_en="", institutes=[kg_user.institute, user_named("nmi-tj").institute],
        by=secretariat,
    )
    mail.outbox.clear()
    response = client_as("secretariat").post(f"/en/surveys/campaigns/{campaign.pk}/open/")
    assert response.status_code == 302
    sent_mail(2)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.questionnaire.is_frozen
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"nmi-kg@example.org", "nmi-tj@example.org"}
    assert "please answer the questionnaire" in by_address["nmi-kg@example.org"].subject
    assert "/en/surveys/campaigns/" in by_address["nmi-kg@example.org"].body
    assert "/ru/surveys/campaigns/" in by_address["nmi-tj@example.org"].body
    # Writing the invitations again, or running the job again, sends nothing more.
    assert tasks.campaign_invitations_write(campaign_id=campaign.pk) == 0
    from core.jobs import job_run
    from core.models import Job

    assert job_run(job_id=Job.objects.get(name=tasks.INVITE_JOB).pk) is None
    assert len(sent_mail(3, timeout=1)) == 2


def test_editing_a_frozen_questionnaire_makes_a_new_version(open_needs):
    frozen = open_needs.questionnaire
    assert frozen.is_frozen
    old_title = frozen.title_en
    new = services.questionnaire_edit(questionnaire=frozen, title_en="Needs, revised")
    frozen.refresh_from_db()
    assert new.pk != frozen.pk and new.version == frozen.version + 1
    assert frozen.title_en == old_title
    open_needs.refresh_from_db()
    assert open_needs.questionnaire_id == frozen.pk
    assert services.questionnaire_current(kind="needs") == new
    assert Questionnaire.objects.filter(kind="needs").count() == 2


def test_campaign_page_shows_response_rate_and_status_of_each_institute(client_as, kg_response, user_named):
    html = client_as("secretariat").get(kg_response.campaign.get_absolute_url()).content.decode()
    assert "0 of 4 invited institutes have submitted." in html
    assert "progress-0" in html
    assert "Kyrgyzstandard" in html and "Draft" in html and "not started" in html


def test_reminders_go_once_to_institutes_that_have_not_submitted(open_needs, kg_response, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    open_needs.closes_on = today + timedelta(days=3)
    open_needs.reminder_days = 5
    open_needs.save()
    # Armenia has already submitted: it gets no reminder.
    am = Invitation.objects.get(campaign=open_needs, institute__acronym="NIM-AM")
    Response.objects.create(campaign=open_needs, institute=am.institute, status=Response.Status.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.send_due_reminders()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["nmi-kg@example.org", "nmi-tj@example.org", "nmi-uz@example.org"]
    assert sent == 3
    # Beat firing again, or twice at once, sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders() == 0
        assert tasks.invitation_remind(invitation_id=Invitation.objects.get(campaign=open_needs, institute__acronym="UzNIM").pk) == 0
    assert len(mail.outbox) == 3


def test_no_reminder_before_the_reminder_window(open_needs):
    open_needs.closes_on = timezone.localdate() + timedelta(days=30)
    open_needs.reminder_days = 7
    open_needs.save()
    mail.outbox.clear()
    assert tasks.send_due_reminders() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_secretariat_reminds_one_institute_by_hand(client_as, open_needs, sent_mail):
    tj = Invitation.objects.get(campaign=open_needs, institute__acronym="Tajikstandard")
    mail.outbox.clear()
    response = client_as("secretariat").post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.institute_id}/", follow=True)
    sent_mail(1)
    assert "A reminder is on its way to Tajikstandard (1 recipient)." in response.content.decode()
    assert [message.to[0] for message in mail.outbox] == ["nmi-tj@example.org"]
    assert "Reminder" in mail.outbox[0].subject or "Напоминание" in mail.outbox[0].subject


def test_secretariat_reopens_a_submitted_response_with_a_reason(client_as, needs_2022):
    response = Response.objects.get(campaign=needs_2022, institute__acronym="UzNIM")
    client = client_as("secretariat")
    assert client.post(f"/en/surveys/responses/{response.pk}/reopen/", {"reason": ""}).status_code == 302
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    client.post(f"/en/surveys/responses/{response.pk}/reopen/", {"reason": "Please add the pressure range."})
    response.refresh_from_db()
    assert response.status == Response.Status.REOPENED
    assert response.reopen_reason == "Please add the pressure range."


def test_respondent_cannot_reopen(client_as, needs_2022):
    response = Response.objects.get(campaign=needs_2022, institute__acronym="UzNIM")
    assert client_as("nmi-uz").post(f"/en/surveys/responses/{response.pk}/reopen/", {"reason": "x"}).status_code == 403


def test_respondent_sees_only_campaigns_of_own_institute(client_as, demo):
    html = client_as("nmi-md").get("/en/surveys/").content.decode()
    assert "Donor offers 2022" in html
    assert "CEEMS needs 2022" not in html


def test_campaign_list_queries_do_not_grow(client_as, demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("secretariat")
    with CaptureQueriesContext(connection) as small:
        client.get("/en/surveys/")
    secretariat = Campaign.objects.first().created_by
    institutes = list(Invitation.objects.values_list("institute", flat=True).distinct())
    from institutes.models import Institute

    for year in range(2000, 2020):
        services.campaign_save(
            kind="needs", year=year, opens_on=date(year, 1, 1), closes_on=date(year, 2, 1), reminder_days=3,
            introduction_ru="", introduction_en="", institutes=list(Institute.objects.filter(pk__in=institutes)),
            by=secretariat,
        )
    with CaptureQueriesContext(connection) as large:
        client.get("/en/surveys/")
    assert len(large) == len(small)


def test_admin_edit_of_a_frozen_questionnaire_saves_a_new_version(client_as, open_needs):
    frozen = open_needs.questionnaire
    response = client_as("admin").post(
        f"/en/admin/surveys/questionnaire/{frozen.pk}/change/",
        {
            "kind": frozen.kind,
            "version": frozen.version,
            "title_ru": frozen.title_ru,
            "title_en": "A better title",
            "instructions_ru": frozen.instructions_ru,
            "instructions_en": frozen.instructions_en,
        },
    )
    assert response.status_code == 302
    frozen.refresh_from_db()
    assert frozen.title_en != "A better title"
    assert Questionnaire.objects.get(kind="needs", version=frozen.version + 1).title_en == "A better title"


@pytest.mark.parametrize("username", ["chair", "committee"])
def test_task_group_and_committee_follow_the_campaign_read_only(client_as, kg_response, username):
    html = client_as(username).get(kg_response.campaign.get_absolute_url()).content.decode()
    assert "Kyrgyzstandard" in html and "not started" in html
    assert "/remind/" not in html and "/reopen/" not in html and "/open/" not in html
    # The draft is not theirs to open: no link to it.
    assert kg_response.get_absolute_url() not in html


def test_campaign_page_pages_its_invited_institutes_with_constant_queries(client_as, open_needs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.views.campaigns import PROGRESS_PAGE_SIZE
    from tests.factories import InstituteFactory

    client = client_as("secretariat")
    with CaptureQueriesContext(connection) as few:
        client.get(open_needs.get_absolute_url())
    Invitation.objects.bulk_create(
        [Invitation(campaign=open_needs, institute=InstituteFactory()) for _ in range(PROGRESS_PAGE_SIZE + 5)]
    )
    with CaptureQueriesContext(connection) as many:
        first = client.get(open_needs.get_absolute_url()).content.decode()
    assert len(many) == len(few)
    assert f"0 of {PROGRESS_PAGE_SIZE + 9} invited institutes have submitted." in first
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get(open_needs.get_absolute_url() + "?page=2").content.decode()
