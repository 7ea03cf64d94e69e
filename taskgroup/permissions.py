"""Who may do what in the task group: the one place views, templates and the
admin ask (see institutes.permissions for how and why `rules`).

The portal role `taskgroup` comes from a current Membership (taskgroup.roles)
or, as before, the administrator's group of that name. Rights inside the
group follow the membership's role: the chair, deputy chair and secretary
prepare meetings ("organisers"); the chair and the secretary finalise
agendas, approve minutes, assign information-support requests and decide who
joins ("coordinators"); members and guests invited to a meeting comment on
its agenda; members (not observers) approve or ask for changes.

Which rows a user may see is `Meeting.objects.visible_to(user)`,
`ActionItem.objects.visible_to(user)`, `InfoRequest.objects.visible_to(user)`
and `Membership.objects.visible_to(user)`; `taskgroup.view_meeting` says the
same for one meeting already in hand.

=================================== ===========================================
taskgroup.view_overview             Secretariat, task group, Committee
taskgroup.view_composition          the same
taskgroup.manage_memberships        Secretariat, chair
taskgroup.ask_to_join               a respondent of a CEEMS institute who is not a member
taskgroup.decide_join               chair, Secretariat
taskgroup.add_meeting               organisers
taskgroup.view_meeting              Secretariat, current members, the meeting's invited
taskgroup.change_meeting            organisers (agenda items, documents, minutes, decisions, actions)
taskgroup.finalise_agenda           coordinators
taskgroup.view_reviews              organisers
taskgroup.comment_agenda            the meeting's invited, except observers
taskgroup.review_agenda             the meeting's invited who are members (not observers)
taskgroup.edit_comment              the comment's author
taskgroup.approve_minutes           coordinators
taskgroup.update_action             organisers, the action's owner
taskgroup.ask_info                  a respondent of a CEEMS institute
taskgroup.assign_info               coordinators
taskgroup.answer_info               the assigned member, coordinators
taskgroup.reply_info                the requester's institute's respondents
=================================== ===========================================
"""
import rules

from institutes.models import CeemsStatus
from institutes.permissions import is_admin, is_committee, is_respondent, is_secretariat, is_taskgroup

from . import roles


@rules.predicate
def is_member(user) -> bool:
    return roles.is_current_member(user)


@rules.predicate
def is_organiser(user) -> bool:
    return roles.is_organiser(user)


@rules.predicate
def is_coordinator(user) -> bool:
    return roles.is_coordinator(user)


@rules.predicate
def is_chair(user) -> bool:
    from .models import Membership

    return roles.holds(user, Membership.Role.CHAIR)


@rules.predicate
def is_voting_member(user) -> bool:
    return roles.is_voting_member(user)


@rules.predicate
def is_observer_only(user) -> bool:
    from .models import Membership

    return roles.membership_roles(user) == {Membership.Role.OBSERVER}


@rules.predicate
def is_invited(user, meeting) -> bool:
    """The user is on the meeting's list of invited (one query per meeting, cached)."""
    if meeting is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_taskgroup_invited", {})
    if meeting.pk not in cache:
        cache[meeting.pk] = meeting.invitees.filter(pk=user.pk).exists()
    return cache[meeting.pk]


@rules.predicate
def is_author(user, comment) -> bool:
    return comment is not None and comment.author_id == user.pk


@rules.predicate
def is_owner(user, action) -> bool:
    return action is not None and action.owner_id == user.pk


@rules.predicate
def is_assignee(user, request) -> bool:
    return request is not None and request.assigned_to_id == user.pk


@rules.predicate
def is_of_requesting_institute(user, request) -> bool:
    return request is not None and bool(user.institute_id) and user.institute_id == request.institute_id


def institute_is_ceems(institute_id) -> bool:
    """The institute's country counts itself as CEEMS in its latest status."""
    if not institute_id:
        return False
    latest = (
        CeemsStatus.objects.filter(country__institutes=institute_id).order_by("-year").values_list("is_ceems", flat=True).first()
    )
    return bool(latest)


@rules.predicate
def is_ceems_respondent(user) -> bool:
    if not is_respondent(user):
        return False
    cache = user.__dict__
    if "_taskgroup_ceems" not in cache:
        cache["_taskgroup_ceems"] = institute_is_ceems(user.institute_id)
    return cache["_taskgroup_ceems"]


is_reader = is_secretariat | is_taskgroup | is_committee

rules.add_perm("taskgroup.view_overview", is_reader)
rules.add_perm("taskgroup.view_composition", is_reader)
rules.add_perm("taskgroup.manage_memberships", is_secretariat | is_chair)
rules.add_perm("taskgroup.ask_to_join", is_ceems_respondent & ~is_member)
rules.add_perm("taskgroup.decide_join", is_secretariat | is_chair)
rules.add_perm("taskgroup.add_meeting", is_organiser)
rules.add_perm("taskgroup.view_meeting", is_secretariat | is_member | is_invited)
rules.add_perm("taskgroup.change_meeting", is_organiser)
rules.add_perm("taskgroup.finalise_agenda", is_coordinator)
rules.add_perm("taskgroup.view_reviews", is_organiser)
rules.add_perm("taskgroup.comment_agenda", is_invited & ~is_observer_only)
rules.add_perm("taskgroup.review_agenda", is_invited & is_voting_member)
rules.add_perm("taskgroup.edit_comment", is_author)
rules.add_perm("taskgroup.approve_minutes", is_coordinator)
rules.add_perm("taskgroup.update_action", is_organiser | is_owner)
rules.add_perm("taskgroup.view_actions", is_secretariat | is_member)
rules.add_perm("taskgroup.ask_info", is_ceems_respondent)
rules.add_perm("taskgroup.view_requests", is_secretariat | is_member | is_ceems_respondent)
rules.add_perm("taskgroup.assign_info", is_coordinator)
rules.add_perm("taskgroup.answer_info", is_assignee | is_coordinator)
rules.add_perm("taskgroup.reply_info", is_respondent & is_of_requesting_institute)
rules.add_perm("taskgroup.link_info_activity", is_coordinator)

# The admin (taskgroup.admin): administrators. Its rules have their own names
# (taskgroup.admin_change_meeting, ...), since the pages' rules share the
# admin's default names (taskgroup.view_meeting) and answer another question.
ADMIN_MODELS = (
    "membership", "joinrequest", "meeting", "document", "documentversion", "agendaitem", "agendacomment",
    "agendareview", "minutes", "decision", "actionitem", "calendarsettings", "inforequest", "infomessage",
    "infoattachment",
)
for model in ADMIN_MODELS:
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"taskgroup.admin_{action}_{model}", is_admin)
