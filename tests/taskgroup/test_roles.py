"""Only current memberships give the task-group role, read with the session
in one statement; their rights follow the membership's role."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutes.models import Role, User
from taskgroup import roles
from taskgroup.models import Membership, membership_today
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_demo_members_hold_the_role_through_their_membership_not_a_group(user_named):
    chair = user_named("chair")
    assert not chair.groups.filter(name=Role.TASKGROUP).exists()
    assert Role.TASKGROUP in chair.roles
    assert roles.membership_roles(chair) == {Membership.Role.CHAIR}
    assert roles.membership_roles(user_named("nmi-by")) == {Membership.Role.SECRETARY}


@pytest.mark.parametrize(
    "starts, ends, member",
    [(-10, None, True), (-10, 0, True), (-10, -1, False), (1, None, False)],
)
def test_only_a_membership_valid_today_gives_the_role(demo, starts, ends, member):
    user = UserFactory(institute=User.objects.get(username="nmi-cn").institute)
    today = membership_today()
    Membership.objects.create(
        user=user, institute=user.institute, role=Membership.Role.MEMBER, starts_on=today + timedelta(days=starts),
        ends_on=None if ends is None else today + timedelta(days=ends),
    )
    assert (Role.TASKGROUP in _fresh(user).roles) is member
    assert roles.is_current_member(_fresh(user)) is member


def test_the_membership_role_comes_in_the_pages_one_session_statement(client, user_named):
    member = user_named("nmi-cn")
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/accounts/profile/")
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not any("taskgroup_membership" in sql for sql in sqls[1:]), sqls
    # And the role is there: the task group's card links are on the home page.
    assert "/en/taskgroup/" in client.get("/en/").content.decode()


def test_an_ended_membership_loses_the_role_and_the_meetings_at_the_next_page(client, user_named, held):
    member = user_named("nmi-cn")
    held.invitees.remove(member)
    client.force_login(member)
    assert client.get(held.get_absolute_url()).status_code == 200
    Membership.objects.filter(user=member).update(ends_on=membership_today() - timedelta(days=1))
    assert client.get(held.get_absolute_url()).status_code == 404
    assert client.get("/en/taskgroup/").status_code == 403


def test_the_administrators_group_grant_still_gives_the_role(demo):
    from institutes.services import user_set_roles

    user = UserFactory()
    user_set_roles(user=user, roles={Role.TASKGROUP})
    assert Role.TASKGROUP in _fresh(user).roles
    assert not roles.is_current_member(_fresh(user))
