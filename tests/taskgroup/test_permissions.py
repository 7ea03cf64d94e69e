"""Who sees and does what: a non-member sees no meeting and gets 404 for its
id, documents and calendar; only the secretary or chair finalises."""
import pytest

from taskgroup.models import Meeting

pytestmark = pytest.mark.django_db


def test_a_non_member_sees_no_meeting_and_gets_404_for_its_pages(client, outsider, held):
    client.force_login(outsider)
    assert held.title_en not in client.get("/en/taskgroup/meetings/").content.decode()
    for url in (f"/en/taskgroup/meetings/{held.pk}/", f"/en/taskgroup/meetings/{held.pk}/calendar.ics",
                f"/en/taskgroup/meetings/{held.pk}/history/", f"/en/taskgroup/meetings/{held.pk}/files/1/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/en/taskgroup/meetings/{held.pk}/comments/", {"text": "hi"}).status_code == 404


def test_an_invited_guest_without_membership_sees_that_meeting_only(client, outsider, held, planned):
    held.invitees.add(outsider)
    client.force_login(outsider)
    assert client.get(held.get_absolute_url()).status_code == 200
    assert client.get(planned.get_absolute_url()).status_code == 404
    assert list(Meeting.objects.visible_to(outsider)) == [held]


@pytest.mark.parametrize("username, allowed", [("nmi-by", True), ("chair", True), ("nmi-cn", False), ("nmi-am", False)])
def test_only_the_secretary_or_chair_finalises(user_named, planned, username, allowed):
    assert user_named(username).has_perm("taskgroup.finalise_agenda", planned) is allowed


@pytest.mark.parametrize("username", ["secretariat", "chair", "committee", "nmi-cn"])
def test_the_composition_is_visible_to_the_group_the_committee_and_the_secretariat(client_as, username):
    assert client_as(username).get("/en/taskgroup/members/").status_code == 200


def test_a_respondent_outside_the_group_does_not_see_the_composition(client, outsider):
    client.force_login(outsider)
    assert client.get("/en/taskgroup/members/").status_code == 403


def test_a_member_cannot_add_meetings_or_members(client_as):
    client = client_as("nmi-cn")
    assert client.get("/en/taskgroup/meetings/new/").status_code == 403
    assert client.get("/en/taskgroup/members/add/").status_code == 403


def test_an_activity_page_shows_the_task_groups_action_items_tied_to_it(client_as, demo):
    from programme.models import Activity
    from taskgroup.models import ActionItem

    action = ActionItem.objects.filter(activity__isnull=False).select_related("activity").first()
    assert action is not None, "the demo ties an action item to a Programme activity"
    page = client_as("chair").get(f"/en/programme/activities/{action.activity_id}/").content.decode()
    assert 'data-testid="activity-action-items"' in page and action.title in page
    other = Activity.objects.exclude(pk=action.activity_id).filter(version=action.activity.version).first()
    respondent = client_as("nmi-kg").get(f"/en/programme/activities/{other.pk}/")
    assert 'data-testid="activity-action-items"' not in respondent.content.decode()
