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


def test_reminders_go_once_to_institutes_that_have_not_submitted(open_needs, kg_response):
    from core.models import OutboxMessage

    today = timezone.localdate()
    open_needs.closes_on = today + timedelta(days=3)
    open_needs.reminder_days = 5
    open_needs.save()
    # Armenia has already submitted: it gets no reminder.
    am = Invitation.objects.get(campaign=open_needs, institute__acronym="NIM-AM")
    Response.objects.create(campaign=open_needs, institute=am.institute, status=Response.Status.SUBMITTED)
    sent = tasks.send_due_reminders()
    # The emails are in the outbox (sent after commit; tests against a real
    # SMTP server below follow them to the mail server).
    reminders = OutboxMessage.objects.filter(key__startswith=f"reminder-auto:campaign={open_needs.pk}:")
    assert sorted(reminders.values_list("to", flat=True)) == ["nmi-kg@example.org", "nmi-tj@example.org", "nmi-uz@example.org"]
    assert "Reminder" in reminders.get(to="nmi-kg@example.org").subject or "Напоминание" in reminders.get(to="nmi-kg@example.org").subject
    assert sent == 3
    # Beat firing again, or twice at once, writes nothing more.
    assert tasks.send_due_reminders() == 0
    assert tasks.invitation_remind(invitation_id=Invitation.objects.get(campaign=open_needs, institute__acronym="UzNIM").pk) == 0
    assert reminders.count() == 3


def test_no_reminder_before_the_reminder_window(open_needs):
    open_needs.closes_on = timezone.localdate() + timedelta(days=30)
    open_needs.reminder_days = 7
    open_needs.save()
    assert tasks.send_due_reminders() == 0
    assert not Invitation.objects.filter(campaign=open_needs, reminder_sent_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_secretariat_reminds_one_institute_by_hand(client_as, open_needs, sent_mail):
    tj = Invitation.objects.get(campaign=open_needs, institute__acronym="Tajikstandard")
    mail.outbox.clear()
    response = client_as("secretariat").post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.institute_id}/", follow=True)
    sent_mail(1)
    assert "A reminder is on its way to Tajikstandard (1 recipient)." in response.content.decode()
    assert [message.to[0] for message in mail.outbox] == ["nmi-tj@example.org"]
    assert "Reminder" in mail.outbox[0].subject or "Напоминание" in mail.outbox[0].subject


def test_secretariat_reopens_a_submitted_response_with_a_reason(client_as, open_needs):
    am = Invitation.objects.get(campaign=open_needs, institute__acronym="NIM-AM").institute
    response = Response.objects.create(campaign=open_needs, institute=am, status=Response.Status.SUBMITTED)
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


# --- Emails against a real SMTP server (findings of issue 8) -----------------

from tests.mailserver import smtp_server  # noqa: E402,F401  (a fixture)


def _second_respondent(institute, username):
    from institutes.models import Role
    from institutes.services import user_set_roles
    from tests.factories import UserFactory

    user = UserFactory(username=username, institute=institute, preferred_language="en")
    return user_set_roles(user=user, roles={Role.RESPONDENT})


def _wait_until(predicate, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def _sweep_after_backoff():
    """The mail server has recovered and the backoff has passed (tests set
    OUTBOX_RETRY_BASE to 0): the minute's sweep runs."""
    from core.tasks import sweep

    return sweep.apply().get()


@pytest.mark.django_db(transaction=True)
def test_a_respondent_refused_with_451_gets_exactly_one_invitation_and_colleagues_are_unaffected(
    client_as, user_named, smtp_server, celery_worker_thread, settings
):
    from core.models import OutboxMessage

    settings.OUTBOX_RETRY_BASE = 0
    kg, tj = user_named("nmi-kg").institute, user_named("nmi-tj").institute
    second = _second_respondent(kg, "nmi-kg-2")
    smtp_server.refuse_first(second.email)
    campaign = services.campaign_save(
        kind="offers", year=2027, opens_on=date.today(), closes_on=date.today() + timedelta(days=20), reminder_days=5,
        introduction_ru="", introduction_en="", institutes=[kg, tj], by=user_named("secretariat"),
    )
    assert client_as("secretariat").post(f"/en/surveys/campaigns/{campaign.pk}/open/").status_code == 302
    refused = lambda: OutboxMessage.objects.filter(to=second.email, status="pending", attempts=1).exists()  # noqa: E731
    assert _wait_until(refused)
    assert smtp_server.wait_for(2) == {"nmi-kg@example.org": 1, "nmi-tj@example.org": 1}
    assert "451" in OutboxMessage.objects.get(to=second.email).last_error
    _sweep_after_backoff()
    assert smtp_server.wait_for(3) == {"nmi-kg@example.org": 1, "nmi-tj@example.org": 1, second.email: 1}
    assert _wait_until(lambda: not OutboxMessage.objects.exclude(status="sent").exists())
    assert Invitation.objects.filter(campaign=campaign, invitation_sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_retried_manual_reminder_sends_each_respondent_exactly_one_copy(
    client_as, open_needs, user_named, smtp_server, celery_worker_thread, settings
):
    from core.models import OutboxMessage
    from core.tasks import outbox_send

    settings.OUTBOX_RETRY_BASE = 0
    tj = user_named("nmi-tj").institute
    second = _second_respondent(tj, "nmi-tj-2")
    smtp_server.refuse_first(second.email)
    response = client_as("secretariat").post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.pk}/", follow=True)
    assert "(2 recipients)" in response.content.decode()
    assert _wait_until(lambda: OutboxMessage.objects.filter(to=second.email, attempts=1, status="pending").exists())
    # Celery delivers every send task again (a retry, a redelivery after a lost ack).
    for row in OutboxMessage.objects.filter(key__startswith="reminder-manual:"):
        outbox_send.apply(args=(row.pk,))
        outbox_send.apply(args=(row.pk,))
    _sweep_after_backoff()
    assert smtp_server.wait_for(2) == {"nmi-tj@example.org": 1, second.email: 1}
    # One click is one set of rows: a second click is a second reminder.
    client_as("secretariat").post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.pk}/")
    assert smtp_server.wait_for(4) == {"nmi-tj@example.org": 2, second.email: 2}


@pytest.mark.django_db(transaction=True)
def test_hourly_reminders_do_not_stop_at_a_refused_recipient(open_needs, smtp_server, celery_worker_thread, settings):
    from core.models import OutboxMessage
    from institutes.selectors import respondents_to_email

    settings.OUTBOX_RETRY_BASE = 0
    open_needs.closes_on = timezone.localdate() + timedelta(days=3)
    open_needs.reminder_days = 5
    open_needs.save()
    invitations = list(Invitation.objects.filter(campaign=open_needs).order_by("pk"))
    addresses = {user.email for i in invitations for user in respondents_to_email(institute=i.institute)}
    # The first institute the run meets has its respondent refused with a 451.
    first = respondents_to_email(institute=invitations[0].institute).order_by("pk").first()
    smtp_server.refuse_first(first.email)
    assert tasks.send_due_reminders() == len(addresses)
    assert Invitation.objects.filter(campaign=open_needs, reminder_sent_at__isnull=True).count() == 0
    assert _wait_until(lambda: OutboxMessage.objects.filter(to=first.email, attempts=1, status="pending").exists())
    _sweep_after_backoff()
    assert smtp_server.wait_for(len(addresses)) == {address: 1 for address in addresses}


def test_hourly_reminders_leave_an_institute_unreminded_when_its_mail_was_not_written(
    open_needs, monkeypatch, django_capture_on_commit_callbacks
):
    from core.models import OutboxMessage

    open_needs.closes_on = timezone.localdate() + timedelta(days=3)
    open_needs.reminder_days = 5
    open_needs.save()
    broken = Invitation.objects.filter(campaign=open_needs).order_by("pk").first()
    real_notify = tasks.notify

    def notify(**kwargs):
        if kwargs["context"]["institute"].pk == broken.institute_id:
            raise RuntimeError("template broke")
        return real_notify(**kwargs)

    monkeypatch.setattr(tasks, "notify", notify)
    with django_capture_on_commit_callbacks():
        tasks.send_due_reminders()
    reminded = Invitation.objects.filter(campaign=open_needs, reminder_sent_at__isnull=False)
    assert broken not in reminded and reminded.count() == 3
    assert not OutboxMessage.objects.filter(key=tasks.reminder_key(broken)).exists()
    # The next hourly run reminds it.
    monkeypatch.setattr(tasks, "notify", real_notify)
    with django_capture_on_commit_callbacks():
        assert tasks.send_due_reminders() >= 1
    broken.refresh_from_db()
    assert broken.reminder_sent_at is not None
    assert OutboxMessage.objects.filter(key=tasks.reminder_key(broken)).exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_requests_succeed_and_the_mail_goes_out_once_it_is_back(
    client_as, client, open_needs, user_named, smtp_server
):
    from core.models import Job, OutboxMessage
    from tests.broker import BrokerOutage

    kg, tj = user_named("nmi-kg").institute, user_named("nmi-tj").institute
    campaign = services.campaign_save(
        kind="offers", year=2027, opens_on=date.today(), closes_on=date.today() + timedelta(days=20), reminder_days=5,
        introduction_ru="", introduction_en="", institutes=[kg, tj], by=user_named("secretariat"),
    )
    outage = BrokerOutage()
    try:
        outage.go_down()
        secretariat = client_as("secretariat")
        assert secretariat.post(f"/en/surveys/campaigns/{campaign.pk}/open/").status_code == 302
        assert secretariat.post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.pk}/").status_code == 302
        secretariat.logout()
        reset = client.post("/en/accounts/password_reset/", {"email": "nmi-uz@example.org"})
        assert (reset.status_code, reset["Location"]) == (302, "/en/accounts/password_reset/done/")
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.OPEN
        assert Job.objects.get(name=tasks.INVITE_JOB).status == Job.Status.PENDING
        assert OutboxMessage.objects.filter(status="pending").count() == 2  # the reminder and the reset
        assert smtp_server.counts() == {}

        outage.come_back(smtp_port=smtp_server.port)
        from core.jobs import jobs_sweep
        from core.outbox import outbox_sweep

        jobs_sweep()
        outbox_sweep()
        assert smtp_server.wait_for(4, timeout=60) == {
            "nmi-kg@example.org": 1, "nmi-tj@example.org": 2, "nmi-uz@example.org": 1,
        }
    finally:
        outage.close()


def test_a_double_click_on_remind_writes_one_reminder_per_respondent(client_as, open_needs, user_named):
    from core.models import OutboxMessage

    tj = user_named("nmi-tj").institute
    client = client_as("secretariat")
    page = client.get(f"/en/surveys/campaigns/{open_needs.pk}/").content.decode()
    import re

    click = re.search(rf'/remind/{tj.pk}/"[^>]*>.*?name="click" value="([0-9a-f-]+)"', page, re.S).group(1)
    first = client.post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.pk}/", {"click": click}, follow=True)
    second = client.post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{tj.pk}/", {"click": click}, follow=True)
    assert "A reminder is on its way to" in first.content.decode()
    assert "This reminder has already been sent." in second.content.decode()
    assert OutboxMessage.objects.filter(key__startswith="reminder-manual:").count() == 1


def test_reminding_an_institute_that_has_submitted_says_so(client_as, open_needs, user_named):
    from surveys.models import Response

    kg = user_named("nmi-kg")
    response = services.response_start(campaign=open_needs, institute=kg.institute, by=kg)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    result = client_as("secretariat").post(f"/en/surveys/campaigns/{open_needs.pk}/remind/{kg.institute_id}/", follow=True)
    assert "This institute has already submitted its response: no reminder was sent." in result.content.decode()
