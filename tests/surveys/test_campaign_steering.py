"""A campaign the Secretariat can steer: close with confirmation and reopen,
extend the deadline, reopen a response with a personal deadline, remind all
who have not submitted, and what the campaign list shows to the uninvited."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from surveys import services, tasks
from surveys.models import Campaign, CampaignKind, Invitation, Response

pytestmark = pytest.mark.django_db


def _url(campaign, action=""):
    return f"/en/surveys/campaigns/{campaign.pk}/{action}"


def _submitted(campaign, acronym):
    institute = Invitation.objects.get(campaign=campaign, institute__acronym=acronym).institute
    return Response.objects.create(
        campaign=campaign, institute=institute, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )


# --- Closing asks for confirmation, can be undone, and refuses a draft ------

def test_the_close_button_leads_to_a_confirmation_and_closes_nothing_by_itself(client_as, open_needs):
    client = client_as("secretariat")
    page = client.get(_url(open_needs)).content.decode()
    # No form on the campaign page posts to /close/: the button is a link to a question.
    assert not re.search(r'<form[^>]*action="[^"]*/close/"', page)
    confirm = client.get(_url(open_needs, "close/"))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Close the campaign?" in html and "You can reopen the campaign later." in html
    assert "Invited institutes that have not submitted: 4 of 4." in html
    # A post without the confirmation (an old form, a stray request) only shows the question again.
    assert client.post(_url(open_needs, "close/")).status_code == 200
    open_needs.refresh_from_db()
    assert open_needs.status == Campaign.Status.OPEN
    closed = client.post(_url(open_needs, "close/"), {"confirm": "yes"}, follow=True)
    assert "The campaign is closed. You can reopen it from its page." in closed.content.decode()
    open_needs.refresh_from_db()
    assert open_needs.status == Campaign.Status.CLOSED


def test_a_draft_campaign_cannot_be_closed(client_as, open_needs, user_named):
    draft = Campaign.objects.create(
        kind=CampaignKind.OFFERS, year=2031, questionnaire=open_needs.questionnaire,
        opens_on=timezone.localdate(), closes_on=timezone.localdate() + timedelta(days=30),
    )
    result = client_as("secretariat").post(_url(draft, "close/"), {"confirm": "yes"}, follow=True)
    assert "A draft campaign has never been opened, so it cannot be closed" in result.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
    with pytest.raises(services.PortalError):
        services.campaign_close(campaign=draft, by=user_named("secretariat"))


def test_a_closed_campaign_is_reopened_until_a_new_deadline_and_respondents_are_told(client_as, open_needs, user_named):
    today = timezone.localdate()
    Campaign.objects.filter(pk=open_needs.pk).update(status=Campaign.Status.CLOSED, closes_on=today - timedelta(days=2))
    client = client_as("secretariat")
    assert 'href="/en/surveys/campaigns/%d/reopen/"' % open_needs.pk in client.get(_url(open_needs)).content.decode()
    # A deadline in the past is refused next to the field; nothing changes.
    refused = client.post(_url(open_needs, "reopen/"), {"closes_on": (today - timedelta(days=1)).isoformat()})
    assert refused.status_code == 200
    assert "Choose a deadline of today or later" in refused.content.decode()
    open_needs.refresh_from_db()
    assert open_needs.status == Campaign.Status.CLOSED
    new = today + timedelta(days=10)
    result = client.post(_url(open_needs, "reopen/"), {"closes_on": new.isoformat()}, follow=True)
    assert "The campaign is open again." in result.content.decode()
    open_needs.refresh_from_db()
    assert (open_needs.status, open_needs.closes_on) == (Campaign.Status.OPEN, new)
    told = OutboxMessage.objects.filter(key__startswith=f"deadline:campaign={open_needs.pk}:")
    assert sorted(told.values_list("to", flat=True)) == [
        "nmi-am@example.org", "nmi-kg@example.org", "nmi-tj@example.org", "nmi-uz@example.org"
    ]
    # The Kyrgyz respondent can answer again.
    kg = user_named("nmi-kg")
    assert services.response_start(campaign=open_needs, institute=kg.institute, by=kg).is_editable


def test_reopening_an_open_campaign_is_refused(client_as, open_needs):
    result = client_as("secretariat").post(_url(open_needs, "reopen/"), {"closes_on": "2099-01-01"}, follow=True)
    assert "Only a closed campaign can be reopened." in result.content.decode()


# --- Extending the deadline of an open campaign -----------------------------

def test_the_deadline_of_an_open_campaign_is_extended_and_each_respondent_told_once(client_as, open_needs):
    _submitted(open_needs, "NIM-AM")
    client = client_as("secretariat")
    assert f'href="/en/surveys/campaigns/{open_needs.pk}/deadline/"' in client.get(_url(open_needs)).content.decode()
    new = open_needs.closes_on + timedelta(days=14)
    result = client.post(_url(open_needs, "deadline/"), {"closes_on": new.isoformat()}, follow=True)
    assert "The deadline has been moved. The new deadline is on its way to 3 respondents." in result.content.decode()
    open_needs.refresh_from_db()
    assert open_needs.closes_on == new
    told = OutboxMessage.objects.filter(key__startswith=f"deadline:campaign={open_needs.pk}:")
    # Armenia has submitted: it is not bothered.
    assert sorted(told.values_list("to", flat=True)) == ["nmi-kg@example.org", "nmi-tj@example.org", "nmi-uz@example.org"]
    message = told.get(to="nmi-kg@example.org")
    assert "New deadline" in message.subject or "Новый срок" in message.subject
    # The same form sent again (a double click, a reload) is no change: nobody is mailed twice.
    again = client.post(_url(open_needs, "deadline/"), {"closes_on": new.isoformat()}, follow=True)
    assert "The deadline is unchanged." in again.content.decode()
    assert told.count() == 3
    # A second extension is a second email to each.
    client.post(_url(open_needs, "deadline/"), {"closes_on": (new + timedelta(days=7)).isoformat()})
    assert told.count() == 6
    assert told.filter(to="nmi-kg@example.org").count() == 2


def test_an_earlier_or_past_deadline_is_refused_next_to_the_field(client_as, open_needs):
    client = client_as("secretariat")
    earlier = client.post(_url(open_needs, "deadline/"), {"closes_on": (open_needs.closes_on - timedelta(days=1)).isoformat()})
    assert earlier.status_code == 200
    html = earlier.content.decode()
    assert 'id="id_closes_on_errors"' in html and "The new deadline must be later than the current one" in html
    open_needs.refresh_from_db()
    assert not OutboxMessage.objects.filter(key__startswith="deadline:").exists()


def test_extending_the_deadline_reschedules_the_automatic_reminder_once(open_needs, user_named):
    today = timezone.localdate()
    Campaign.objects.filter(pk=open_needs.pk).update(closes_on=today + timedelta(days=3), reminder_days=5)
    open_needs.refresh_from_db()
    assert tasks.send_due_reminders() == 4  # one respondent per invited institute
    reminders = OutboxMessage.objects.filter(key__startswith=f"reminder-auto:campaign={open_needs.pk}:")
    assert reminders.count() == 4
    # Extended by a month: the reminder goes again before the new deadline, once.
    services.campaign_set_deadline(campaign=open_needs, closes_on=today + timedelta(days=33), by=user_named("secretariat"))
    assert tasks.send_due_reminders() == 0  # not yet: the new reminder day is weeks away
    Campaign.objects.filter(pk=open_needs.pk).update(reminder_days=40)  # i.e. the new reminder day has come
    assert tasks.send_due_reminders() == 4
    assert tasks.send_due_reminders() == 0
    assert reminders.count() == 8
    assert reminders.filter(to="nmi-kg@example.org").count() == 2


def test_a_short_extension_inside_the_reminder_window_sends_no_second_reminder(open_needs, user_named):
    today = timezone.localdate()
    Campaign.objects.filter(pk=open_needs.pk).update(closes_on=today + timedelta(days=3), reminder_days=5)
    open_needs.refresh_from_db()
    tasks.send_due_reminders()
    # Two more days: the deadline email is the reminder; no other follows.
    services.campaign_set_deadline(campaign=open_needs, closes_on=today + timedelta(days=5), by=user_named("secretariat"))
    assert tasks.send_due_reminders() == 0


def test_a_respondent_cannot_extend_the_deadline(client_as, open_needs):
    assert client_as("nmi-kg").post(_url(open_needs, "deadline/"), {"closes_on": "2099-01-01"}).status_code == 403


# --- Reopening a response gives its institute a way to submit ---------------

def test_reopen_is_not_offered_on_a_closed_campaign_and_is_refused_there(client_as, needs_2022):
    response = Response.objects.get(campaign=needs_2022, institute__acronym="UzNIM")
    client = client_as("secretariat")
    assert f"/responses/{response.pk}/reopen/" not in client.get(_url(needs_2022)).content.decode()
    result = client.post(f"/en/surveys/responses/{response.pk}/reopen/", {"reason": "Add the range."}, follow=True)
    assert "This campaign is closed: reopen the campaign first" in result.content.decode()
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED


def _make_submittable(response):
    """Give the response one complete need, as a respondent would."""
    from surveys.models import Need

    Need.objects.create(
        response=response, activity_type="training", subject="Mass calibration course",
        period_from=timezone.localdate(), period_to=timezone.localdate() + timedelta(days=100), priority="high",
    )


def test_after_the_deadline_reopening_needs_and_gives_a_personal_deadline(client_as, open_needs, user_named):
    today = timezone.localdate()
    kg = user_named("nmi-kg")
    response = _submitted(open_needs, "Kyrgyzstandard")
    _make_submittable(response)
    Campaign.objects.filter(pk=open_needs.pk).update(closes_on=today - timedelta(days=1), opens_on=today - timedelta(days=30))
    client = client_as("secretariat")
    page = client.get(_url(open_needs)).content.decode()
    assert 'name="deadline"' in page and "The campaign's deadline has passed" in page
    # Without a personal deadline the institute could never submit: refused, with the reason.
    refused = client.post(f"/en/surveys/responses/{response.pk}/reopen/", {"reason": "Add the range."}, follow=True)
    assert "give the institute a day, today or later, by which to submit" in refused.content.decode()
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    until = today + timedelta(days=7)
    done = client.post(
        f"/en/surveys/responses/{response.pk}/reopen/", {"reason": "Add the range.", "deadline": until.isoformat()}, follow=True
    )
    assert "The response of Kyrgyzstandard is reopened; it can be submitted until" in done.content.decode()
    response.refresh_from_db()
    assert (response.status, response.deadline, response.submit_by) == (Response.Status.REOPENED, until, until)
    # The respondent sees the personal deadline and can submit.
    respondent = client_as("nmi-kg")
    assert until.strftime("%Y") in respondent.get(f"/en/surveys/responses/{response.pk}/").content.decode()
    services.response_submit(response=response, by=kg)
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED


def test_a_personal_deadline_passes_like_the_campaigns(open_needs, user_named):
    today = timezone.localdate()
    response = _submitted(open_needs, "Kyrgyzstandard")
    _make_submittable(response)
    Campaign.objects.filter(pk=open_needs.pk).update(closes_on=today - timedelta(days=5), opens_on=today - timedelta(days=30))
    services.response_reopen(response=response, reason="x", deadline=today, by=user_named("secretariat"))
    with pytest.raises(services.PortalError) as error:
        services.response_submit(response=response, by=user_named("nmi-kg"), today=today + timedelta(days=1))
    assert error.value.message == services.DEADLINE_PASSED


# --- Remind all who have not submitted ---------------------------------------

def test_remind_all_sends_each_respondent_who_has_not_submitted_exactly_one_email(client_as, open_needs):
    _submitted(open_needs, "NIM-AM")
    client = client_as("secretariat")
    page = client.get(_url(open_needs)).content.decode()
    click = re.search(r'action="[^"]*/remind/"[^>]*>.*?name="click" value="([0-9a-f-]+)"', page, re.S).group(1)
    first = client.post(_url(open_needs, "remind/"), {"click": click}, follow=True)
    assert "Reminders are on their way to 3 respondents of 3 institutes." in first.content.decode()
    # The same press again (a double click, a re-sent form) writes nothing.
    second = client.post(_url(open_needs, "remind/"), {"click": click}, follow=True)
    assert "No reminder was sent" in second.content.decode()
    rows = OutboxMessage.objects.filter(key__startswith=f"reminder-all:campaign={open_needs.pk}:")
    assert sorted(rows.values_list("to", flat=True)) == ["nmi-kg@example.org", "nmi-tj@example.org", "nmi-uz@example.org"]
    assert Invitation.objects.filter(campaign=open_needs, last_manual_reminder_at__isnull=False).count() == 3
    # A new press is a new reminder: one more each.
    client.post(_url(open_needs, "remind/"), {"click": ""})
    assert rows.count() == 6


def test_remind_all_is_the_secretariats(client_as, open_needs):
    assert client_as("nmi-kg").post(_url(open_needs, "remind/")).status_code == 403
    assert client_as("committee").post(_url(open_needs, "remind/")).status_code == 403


# --- The campaign list and the uninvited ---------------------------------------

def test_the_campaign_list_says_nothing_about_campaigns_the_users_institute_was_not_invited_to(client_as, open_needs):
    def rows(username):
        html = client_as(username).get("/en/surveys/").content.decode()
        return {
            re.search(r'<a href="[^"]+">([^<]+)</a>', row).group(1): row
            for row in re.findall(r"<tr>\s*<td><a .*?</tr>", html, re.S)
        }

    # The Secretariat's account belongs to BelGIM, which no needs campaign invited: nothing there.
    secretariat = rows("secretariat")
    assert "not started" not in secretariat[f"CEEMS needs {open_needs.year}"]
    assert "not started" not in secretariat["CEEMS needs 2022"]
    # BelGIM was invited to the 2021 self-classification and did not answer: that one says so.
    assert "not started" in secretariat["CEEMS self-classification 2021"]
    # An invited institute that has not answered yet reads "not started".
    assert "not started" in rows("nmi-kg")[f"CEEMS needs {open_needs.year}"]


# --- The summary says what it shows -----------------------------------------

@pytest.mark.parametrize("path", ["/en/surveys/summary/2022/", "/en/surveys/summary/2022/matrix/"])
def test_the_summary_says_whose_answers_it_shows(client_as, demo, path):
    committee = client_as("committee").get(path).content.decode()
    assert "Shown: submitted responses only. A response reopened for changes is left out" in committee
    secretariat = client_as("secretariat").get(path).content.decode()
    assert "Shown: every response, submitted, reopened for changes or still a draft" in secretariat


def test_the_institute_is_told_by_email_that_its_response_was_reopened_and_until_when(open_needs, user_named):
    today = timezone.localdate()
    response = _submitted(open_needs, "Kyrgyzstandard")
    Campaign.objects.filter(pk=open_needs.pk).update(closes_on=today - timedelta(days=1), opens_on=today - timedelta(days=30))
    until = today + timedelta(days=7)
    services.response_reopen(response=response, reason="Add the pressure range.", deadline=until, by=user_named("secretariat"))
    rows = OutboxMessage.objects.filter(key__startswith=f"reopened:response={response.pk}:")
    assert list(rows.values_list("to", flat=True)) == ["nmi-kg@example.org"]
    message = rows.get()
    assert "Add the pressure range." in message.body
    assert str(until.year) in message.body and f"/surveys/responses/{response.pk}/" in message.body
    # Submitted and reopened again: a second email, one per reopening.
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    services.response_reopen(response=response, reason="And the mass range.", deadline=until, by=user_named("secretariat"))
    assert rows.count() == 2
