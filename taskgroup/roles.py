"""The task-group role from current memberships, and each member's role in
the group (chair, deputy chair, secretary, member, observer).

Whether a user is a current member is read with the page's session, user and
roles in one SQL statement: `register()` adds an EXISTS over the user's
current memberships as one more column of that statement
(institutes.selectors.register_role_source). A current membership gives the
portal role `taskgroup`, so every permission built on
`institutes.permissions.is_taskgroup` follows memberships without change.

Which roles in the group a person holds (`membership_roles`) is one query,
asked only by the task group's pages and services, cached on the user object
for the request.
"""
from django.db.models import Model

from institutes.models import Role

SOURCE = "taskgroup.membership"


def _current_membership_condition(connection, alias: str) -> str:
    from .models import Membership

    quote = connection.ops.quote_name
    meta = Membership._meta
    user_meta = Membership._meta.get_field("user").related_model._meta
    starts = quote(meta.get_field("starts_on").column)
    ends = quote(meta.get_field("ends_on").column)
    # CURRENT_DATE is the UTC date: Django runs PostgreSQL sessions in UTC, and
    # SQLite's CURRENT_DATE is UTC. models.membership_today() is the same day.
    return (
        f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} tgm"
        f" WHERE tgm.{quote(meta.get_field('user').column)} = {alias}.{quote(user_meta.pk.column)}"
        f" AND tgm.{starts} <= CURRENT_DATE AND (tgm.{ends} IS NULL OR tgm.{ends} >= CURRENT_DATE))"
    )


def register() -> None:
    from institutes.selectors import register_role_source

    register_role_source(SOURCE, role=Role.TASKGROUP, condition=_current_membership_condition)


def is_current_member(user) -> bool:
    """The user holds a membership valid today (any role, observers included)."""
    return bool(user.is_authenticated and user.is_active and SOURCE in user.role_sources)


def membership_roles(user) -> frozenset[str]:
    """The roles (Membership.Role values) of the user's current memberships:
    one query, cached on the user object."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_taskgroup_roles", None)
    if cached is None:
        if not is_current_member(user):
            cached = frozenset()
        else:
            from .models import Membership

            cached = frozenset(Membership.objects.current().filter(user=user.pk).values_list("role", flat=True))
        user._taskgroup_roles = cached
    return cached


def holds(user, *roles: str) -> bool:
    return bool(membership_roles(user) & set(roles))


def is_coordinator(user) -> bool:
    """The chair or the secretary: they finalise agendas, assign requests,
    decide who joins."""
    from .models import Membership

    return holds(user, Membership.Role.CHAIR, Membership.Role.SECRETARY)


def is_organiser(user) -> bool:
    """Who prepares meetings: the chair, the deputy chair and the secretary."""
    from .models import Membership

    return holds(user, Membership.Role.CHAIR, Membership.Role.DEPUTY_CHAIR, Membership.Role.SECRETARY)


def is_voting_member(user) -> bool:
    """A current member who is not only an observer: comments and reviews."""
    from .models import Membership

    return bool(membership_roles(user) - {Membership.Role.OBSERVER})


def forget(user: Model) -> None:
    """Drop what this module cached on `user` (after their memberships changed)."""
    for name in ("_taskgroup_roles", "group_names", "roles"):
        user.__dict__.pop(name, None)
