"""Memberships and the composition page; a CEEMS respondent asks to join."""
from datetime import timedelta

import pytest

from core.errors import PortalError
from core.models import OutboxMessage
from institutes.models import Role
from taskgroup import services
from taskgroup.models import JoinRequest, Membership, membership_today

pytestmark = pytest.mark.django_db


def test_the_composition_groups_current_members_by_country_with_the_history(client_as, user_named):
    chair = user_named("chair")
    services.membership_add(user=user_named("nmi-md"), institute=user_named("nmi-md").institute, role="observer",
                            starts_on=membership_today() - timedelta(days=400),
                            ends_on=membership_today() - timedelta(days=10), by=chair)
    page = client_as("committee").get("/en/taskgroup/members/").content.decode()
    for text in ("Kazakhstan", "Belarus", "China", "Armenia", "Chair", "Secretary", "Who served before", "INM"):
        assert text in page, text


def test_the_chair_adds_and_ends_a_membership(client_as, user_named):
    client = client_as("chair")
    kg = user_named("nmi-kg")
    response = client.post("/en/taskgroup/members/add/", {
        "user": kg.pk, "institute": kg.institute_id, "role": "member",
        "starts_on": (membership_today() - timedelta(days=10)).isoformat(),
    })
    assert response.status_code == 302
    membership = Membership.objects.get(user=kg)
    assert Role.TASKGROUP in type(kg).objects.get(pk=kg.pk).roles
    client.post(f"/en/taskgroup/members/{membership.pk}/end/", {"ends_on": (membership_today() - timedelta(days=1)).isoformat()})
    assert Role.TASKGROUP not in type(kg).objects.get(pk=kg.pk).roles


def test_a_second_current_membership_and_an_end_before_the_start_are_refused(user_named):
    from django.core.exceptions import ValidationError

    cn = user_named("nmi-cn")
    with pytest.raises(ValidationError):
        services.membership_add(user=cn, institute=cn.institute, role="member", starts_on=membership_today(), by=cn)
    with pytest.raises(ValidationError):
        services.membership_end(membership=Membership.objects.get(user=cn), ends_on=membership_today() - timedelta(days=5000), by=cn)


def test_a_ceems_respondent_asks_to_join_and_the_chair_accepts(client_as, user_named):
    kg = client_as("nmi-kg")
    assert kg.post("/en/taskgroup/join/", {"message": "We would like to take part."}).status_code == 302
    join = JoinRequest.objects.get()
    assert OutboxMessage.objects.filter(key=f"taskgroup-join:request={join.pk}", to=user_named("chair").email).exists()
    with pytest.raises(PortalError):
        services.join_request_create(user=user_named("nmi-kg"), by=None)
    chair = client_as("chair")
    assert "We would like to take part." in chair.get("/en/taskgroup/members/").content.decode()
    chair.post(f"/en/taskgroup/join/{join.pk}/decide/", {"decision": "accept", "role": "member"})
    join.refresh_from_db()
    assert join.status == JoinRequest.Status.ACCEPTED
    assert Membership.objects.current().filter(user=user_named("nmi-kg"), role="member").exists()


def test_a_respondent_of_a_non_ceems_institute_cannot_ask_to_join(client_as):
    assert client_as("nmi-ru-vniim").get("/en/taskgroup/join/").status_code == 403


def test_the_chair_declines(user_named):
    join = services.join_request_create(user=user_named("nmi-uz"), by=None)
    services.join_request_decide(request=join, accept=False, by=user_named("chair"))
    assert not Membership.objects.filter(user=user_named("nmi-uz")).exists()
    with pytest.raises(PortalError):
        services.join_request_decide(request=join, accept=True, by=user_named("chair"))
