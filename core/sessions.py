"""The session store: Django's database sessions, read with one plain SQL
statement.

Every page of a logged-in user loads its session. Django's store builds that
one query through the ORM on each request, which costs several times the
query itself (docs/performance.md, "Every page's shared cost"). This store
reads the same row with the same condition (the key, not expired) as plain
SQL; everything else, writing, expiry, rotation on login and deletion on
logout, is Django's own `db` store.
"""
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            self._session_key = None
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        meta = model._meta
        sql = (
            f"SELECT {quote(meta.get_field('session_data').column)} FROM {quote(meta.db_table)}"
            f" WHERE {quote(meta.get_field('session_key').column)} = %s"
            f" AND {quote(meta.get_field('expire_date').column)} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
