"""The session store: Django's database sessions, whose read also brings the
logged-in user and their roles, in one plain SQL statement.

Every page of a logged-in user reads its session and then its user. Through
the ORM that was three queries; written out as plain SQL it was two, each a
round trip to the database (docs/performance.md, "Every page's shared
cost"). This store reads the session row joined with the user's row (the
`user` column of `institutes.Session`, written whenever the session is
saved) and hands the user to the authentication backend, which uses it only
for the id the session's data names and otherwise reads the user itself.

On PostgreSQL the statement is prepared once per connection and then
executed by name: planning it cost three times running it. The setting
SESSION_READ_PREPARED (environment DATABASE_PREPARED_SESSION_READ=0) turns
that off behind a connection pooler.

Writing, expiry, key rotation on login and deletion on logout are Django's
own `db` store. Django's checks on the user stay as they are: the backend
refuses an inactive user, and django.contrib.auth compares the session's
password hash.
"""
import functools
import weakref
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.signals import request_finished
from django.db import connections, router
from django.utils import timezone

# The user the current request's session read brought along, as
# (user id, User or None). Set by every read, taken by the backend once,
# and cleared when the request ends.
_loaded_user: ContextVar[tuple | None] = ContextVar("loaded_user", default=None)


def take_loaded_user(user_id):
    """The user the session read of this request loaded, if it is `user_id`
    (a `User`, or None if the session named a user who no longer exists);
    `...` (Ellipsis) if the read brought no user with that id. Once only."""
    loaded = _loaded_user.get()
    _loaded_user.set(None)
    if loaded is None or str(loaded[0]) != str(user_id):
        return ...
    return loaded[1]


def _forget_loaded_user(**kwargs) -> None:
    _loaded_user.set(None)


# The PostgreSQL connections (psycopg2's own objects, which a reconnection
# replaces) on which the session read is prepared.
PREPARED_NAME = "portal_session_read"
_prepared: "weakref.WeakSet" = weakref.WeakSet()

request_finished.connect(_forget_loaded_user, dispatch_uid="institutes.sessions.forget_loaded_user")


@functools.cache
def _session_select(db_alias: str) -> tuple[str, list]:
    """The session read's statement for the database `db_alias`, with
    `{key}` and `{now}` where its two values go, and the parameters of its
    select list: built once per process, not on every page."""
    from .models import Session, User
    from .selectors import user_columns

    connection = connections[db_alias]
    quote = connection.ops.quote_name
    meta, user_meta = Session._meta, User._meta
    columns, params = user_columns(connection, "u")
    user_column = quote(meta.get_field("user").column)
    select = (
        f"SELECT s.{quote(meta.get_field('session_data').column)}, s.{user_column}, {columns}"
        f" FROM {quote(meta.db_table)} s"
        f" LEFT OUTER JOIN {quote(user_meta.db_table)} u ON u.{quote(user_meta.pk.column)} = s.{user_column}"
        f" WHERE s.{quote(meta.get_field('session_key').column)} = {{key}}"
        f" AND s.{quote(meta.get_field('expire_date').column)} > {{now}}"
    )
    return select, params


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        from .models import User

        try:
            session.user_id = User._meta.pk.to_python(data.get(SESSION_KEY))
        except Exception:
            session.user_id = None
        return session

    def _get_session_from_db(self):
        _loaded_user.set(None)
        if not self.session_key:
            self._session_key = None
            return None
        from .models import User
        from .selectors import user_from_row

        model = self.model
        db_alias = router.db_for_read(model)
        connection = connections[db_alias]
        user_meta = User._meta
        select, params = _session_select(db_alias)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and settings.SESSION_READ_PREPARED:
                # Planning this statement costs PostgreSQL three times running
                # it: prepare it once per connection and execute it by name.
                raw = connection.connection
                if raw not in _prepared:
                    cursor.execute(f"PREPARE {PREPARED_NAME} AS " + select.format(key="$1", now="$2"), params)
                    _prepared.add(raw)
                cursor.execute(f"EXECUTE {PREPARED_NAME}(%s, %s)", [self.session_key, now])
            else:
                cursor.execute(select.format(key="%s", now="%s"), [*params, self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, user_id, user_row = row[0], row[1], row[2:]
        if user_id is not None:
            # The joined row is empty (its primary key NULL) if the user is gone.
            pk_index = user_meta.concrete_fields.index(user_meta.pk)
            user = user_from_row(user_row, db_alias, connection) if user_row[pk_index] is not None else None
            _loaded_user.set((user_id, user))
        return model(session_key=self.session_key, session_data=session_data, user_id=user_id)
