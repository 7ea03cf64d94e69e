"""The authentication backend: Django's ModelBackend, with the user of every
request, and the names of their groups (their roles), read by one plain SQL
statement: the session's own (institutes.sessions), or, when the session did
not bring the user along, one of its own.

Django loads the logged-in user on every request through the ORM, and the
portal then asks for the user's roles; building those two queries through
the ORM costs several times running them (docs/performance.md, "Every page's
shared cost"). `get_user` here reads the same row by primary key, joined
with the user's groups, builds the same `User` instance, hands it the group
names so that `User.roles` needs no query of its own, and refuses an
inactive user as ModelBackend does. Passwords, permissions and everything
else are ModelBackend's.
"""
from django.contrib.auth.backends import ModelBackend

from .selectors import user_with_group_names
from .sessions import take_loaded_user


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = take_loaded_user(user_id)
        if user is ...:
            user = user_with_group_names(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
