"""Who may do what, for the whole portal: the role predicates, and the
permissions of the institutes app.

Permissions are `rules` predicates (django-rules): small Python functions
of (user, object) combined with `&`, `|` and `~`, registered under a name
such as "surveys.view_response". They are asked one way everywhere:

- views: `request.user.has_perm("surveys.view_response", response)`, or the
  `permission_required(...)` decorator below for a permission without object;
- templates: `{% load rules %}{% has_perm "surveys.view_response" user response as can_view %}`;
- the admin: `ModelAdmin.has_*_permission` (see `RulesAdminMixin` in each
  app's admin.py) asks `user.has_perm("<app>.<action>_<model>", obj)`.

`User.has_perm` answers a permission defined here from the rule alone,
superusers included, so an administrator sees the same pages as the roles
they hold and the admin refuses what the rule refuses. Rules hold no
database table; which *rows* a user may see stays a queryset,
`Model.objects.visible_to(user)`, the only way views fetch objects, so a
foreign id is 404 and a rule answers only for an object already fetched.

The task group's roles with their dates (chair, secretary, member,
observer, from/to: taskgroup.Membership) plug in as one more predicate of
the same shape, e.g.::

    @rules.predicate
    def is_taskgroup_member(user, obj=None) -> bool:
        return _memberships(user).active_on(today()).exists()   # cached per user

    @rules.predicate
    def is_taskgroup_chair(user, meeting) -> bool:
        return _memberships(user).active_on(meeting.date).filter(role=Membership.Role.CHAIR).exists()

and `is_taskgroup` below becomes `has_role(TASKGROUP) | is_taskgroup_member`:
every permission built on `is_reader` follows without being rewritten. A
predicate that reads a table caches its answer on the user object (as
`User.roles` does), so a page asking it for every row makes one query.
"""
from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role


def _holds(user, *roles: str) -> bool:
    has_role = getattr(user, "has_role", None)
    return bool(has_role and user.is_authenticated and has_role(*roles))


def _institute_id(obj) -> int | None:
    """The institute an object belongs to (an Institute is its own)."""
    from .models import Institute

    if obj is None:
        return None
    if isinstance(obj, Institute):
        return obj.pk
    return getattr(obj, "institute_id", None)


# --- Roles (administrators hold every role) ----------------------------------

@rules.predicate
def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_secretariat(user) -> bool:
    return _holds(user, Role.SECRETARIAT)


@rules.predicate
def is_respondent(user) -> bool:
    return _holds(user, Role.RESPONDENT) and user.institute_id is not None


@rules.predicate
def is_taskgroup(user) -> bool:
    return _holds(user, Role.TASKGROUP)


@rules.predicate
def is_committee(user) -> bool:
    return _holds(user, Role.COMMITTEE)


# Who reads the surveys' results: the summary table, every submitted response.
is_reader = is_secretariat | is_taskgroup | is_committee


# --- Institutes ---------------------------------------------------------------

@rules.predicate
def is_affiliated_with(user, obj) -> bool:
    """The user works at the institute `obj` is (or belongs to)."""
    return bool(user.is_authenticated and user.institute_id and user.institute_id == _institute_id(obj))


# A respondent of the institute the object belongs to (an institute, a response).
is_respondent_of = is_respondent & is_affiliated_with


rules.add_perm("institutes.view_contacts", is_secretariat)
rules.add_perm("institutes.view_members", is_secretariat | is_affiliated_with)


def permission_required(perm: str):
    """Let the view run only for a logged-in user holding `perm` (a
    permission without object); anyone else gets 403, and an anonymous
    visitor goes to the login page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
