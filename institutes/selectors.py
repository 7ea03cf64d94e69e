"""Reads of reference data, each joined for the page that shows it."""
from html import escape

from django.contrib.auth.models import Group
from django.db import connections, router
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import CeemsStatus, Country, Institute, MetrologyArea, Role, SubField, User


def institutes_for_directory(*, search: str = "", country: str = "") -> QuerySet[Institute]:
    """Institutes for the directory, joined with their country. Member counts
    come from `with_member_counts` for the shown page only, so that the
    database never aggregates the whole table to show 25 rows."""
    qs = Institute.objects.select_related("country")
    if country:
        qs = qs.filter(country__iso2=country.upper())
    if search:
        qs = qs.filter(
            Q(acronym__icontains=search)
            | Q(name_ru__icontains=search)
            | Q(name_en__icontains=search)
            | Q(city_ru__icontains=search)
            | Q(city_en__icontains=search)
        )
    return qs.order_by("country__iso2", "acronym")


def country_options(*, selected: str = "") -> str:
    """The <option>s of the directory's country filter, every country by
    its code, in the active language: one query of two columns, written out
    in Python (for every RMO's hundreds of countries, a template loop cost
    more than the page's list)."""
    english = (get_language() or "ru").split("-")[0] == "en"
    rows = Country.objects.order_by("iso2").values_list("iso2", "name_ru", "name_en")
    selected = selected.upper()
    # The standard library's escape: Django's format_html costs 20 µs an option.
    options = (
        f'<option value="{escape(iso2)}"{" selected" if iso2 == selected else ""}>'
        f"{escape((en or ru) if english else (ru or en))}</option>"
        for iso2, ru, en in rows
    )
    return mark_safe("".join(options))  # noqa: S308 - every value escaped above


# Roles another app gives from its own rows (the task group's current
# memberships): name -> (role, builder). `builder(connection, alias)` returns
# an SQL condition, without parameters, true when the user whose row has the
# alias `alias` holds the role that way. Registered in an AppConfig.ready(),
# before the first request builds the session read.
ROLE_SOURCES: dict[str, tuple[str, object]] = {}


def register_role_source(name: str, *, role: str, condition) -> None:
    """Let the rows of another app give `role`: `condition(connection, alias)`
    is an SQL condition (no parameters) read as one more column of the
    session read, so the role costs no query of its own on a page. The user
    then has `name` in `user.role_sources`."""
    ROLE_SOURCES[name] = (role, condition)


def _source_columns(connection, alias: str) -> str:
    return "".join(
        f", CASE WHEN {condition(connection, alias)} THEN 1 ELSE 0 END" for _role, condition in ROLE_SOURCES.values()
    )


def group_names(*, user_id: int) -> set[str]:
    """The names of the groups the user belongs to: what `User.roles` is
    made of, on every page. Written as plain SQL because building the same
    query through the ORM's related manager costs ten times as much (about
    0.13 ms against 0.015 ms per page, see docs/performance.md)."""
    through = User.groups.through._meta
    connection = connections[router.db_for_read(Group)]
    quote = connection.ops.quote_name
    sql = (
        f"SELECT g.{quote(Group._meta.get_field('name').column)} FROM {quote(Group._meta.db_table)} g"
        f" INNER JOIN {quote(through.db_table)} ug"
        f" ON ug.{quote(through.get_field('group').column)} = g.{quote(Group._meta.pk.column)}"
        f" WHERE ug.{quote(through.get_field('user').column)} = %s"
    )
    params = [user_id]
    user_table = quote(User._meta.db_table)
    for name, (_role, condition) in ROLE_SOURCES.items():
        sql += (
            f" UNION ALL SELECT %s FROM {user_table} u"
            f" WHERE u.{quote(User._meta.pk.column)} = %s AND {condition(connection, 'u')}"
        )
        params += [f"source:{name}", user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def user_columns(connection, alias: str) -> tuple[str, list]:
    """The select list of a user's row under the table alias `alias`: every
    concrete column, then, in a scalar subquery, the names of the user's
    groups that are roles, joined by commas (a role's name has none). With
    its parameters; `user_from_row` reads what it selects. Shared by
    `user_with_group_names` and the session store, which reads the session
    and its user in one statement (institutes.sessions)."""
    meta = User._meta
    quote = connection.ops.quote_name
    through = User.groups.through._meta
    group_name = f"g.{quote(Group._meta.get_field('name').column)}"
    joined = f"string_agg({group_name}, ',')" if connection.vendor == "postgresql" else f"group_concat({group_name}, ',')"
    roles = [role for role in Role.values if role != Role.ADMIN]
    columns = ", ".join(f"{alias}.{quote(f.column)}" for f in meta.concrete_fields)
    return (
        f"{columns},"
        f" (SELECT {joined} FROM {quote(through.db_table)} ug"
        f" INNER JOIN {quote(Group._meta.db_table)} g"
        f" ON g.{quote(Group._meta.pk.column)} = ug.{quote(through.get_field('group').column)}"
        f" WHERE ug.{quote(through.get_field('user').column)} = {alias}.{quote(meta.pk.column)}"
        f" AND {group_name} IN ({', '.join(['%s'] * len(roles))}))"
        f"{_source_columns(connection, alias)}",
        roles,
    )


def user_from_row(row, db: str, connection) -> User:
    """The `User` (with `group_names`) from the values `user_columns` selected."""
    meta = User._meta
    fields = meta.concrete_fields
    values = []
    for field, value in zip(fields, row):
        column = field.get_col(meta.db_table)
        for converter in [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]:
            value = converter(value, column, connection)
        values.append(value)
    user = User.from_db(db, [f.attname for f in fields], values)
    names = {name for name in (row[len(fields)] or "").split(",") if name}
    for (name, _source), value in zip(ROLE_SOURCES.items(), row[len(fields) + 1:]):
        if value:
            names.add(f"source:{name}")
    user.group_names = frozenset(names)
    return user


def user_with_group_names(*, user_id) -> User | None:
    """The user `user_id` with the names of their role groups, in one plain
    SQL statement (`user_columns`): the user of a request whose session did
    not bring it along (institutes.backends.PortalModelBackend). None if
    there is no such user."""
    meta = User._meta
    try:
        pk = meta.pk.to_python(user_id)
    except Exception:
        return None
    db = router.db_for_read(User)
    connection = connections[db]
    quote = connection.ops.quote_name
    columns, params = user_columns(connection, "u")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(meta.db_table)} u WHERE u.{quote(meta.pk.column)} = %s",
            [*params, meta.pk.get_db_prep_value(pk, connection)],
        )
        row = cursor.fetchone()
    return None if row is None else user_from_row(row, db, connection)


def with_member_counts(institutes) -> list[Institute]:
    """Set `member_count` (active users) on each of `institutes`, in one query."""
    institutes = list(institutes)
    # order_by(): a default ordering on the model would join the GROUP BY.
    counts = dict(
        User.objects.filter(institute__in=institutes, is_active=True)
        .order_by()
        .values_list("institute")
        .annotate(n=Count("pk"))
        .values_list("institute", "n")
    )
    for institute in institutes:
        institute.member_count = counts.get(institute.pk, 0)
    return institutes


def institute_members(*, institute: Institute) -> QuerySet[User]:
    return institute.members.filter(is_active=True).prefetch_related("groups").order_by("last_name", "username")


def countries_with_status() -> QuerySet[Country]:
    """Countries with their CEEMS statuses; institute counts come from
    `with_institute_counts` for the shown page only."""
    return Country.objects.order_by("iso2").prefetch_related(
        Prefetch("ceems_statuses", queryset=CeemsStatus.objects.order_by("year"))
    )


def with_institute_counts(countries) -> list[Country]:
    """Set `institute_count` on each of `countries`, in one query."""
    countries = list(countries)
    # order_by(): Institute's default ordering (country__iso2, acronym) would
    # otherwise join the GROUP BY and count each institute as a group of one.
    counts = dict(
        Institute.objects.filter(country__in=countries)
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk"))
        .values_list("country", "n")
    )
    for country in countries:
        country.institute_count = counts.get(country.pk, 0)
    return countries


def ceems_years() -> list[int]:
    return list(CeemsStatus.objects.order_by("-year").values_list("year", flat=True).distinct())


def ceems_countries(*, year: int) -> QuerySet[Country]:
    return Country.objects.filter(ceems_statuses__year=year, ceems_statuses__is_ceems=True).order_by("iso2")


def areas_with_subfields() -> QuerySet[MetrologyArea]:
    return MetrologyArea.objects.prefetch_related(
        Prefetch("subfields", queryset=SubField.objects.order_by("position", "code"))
    )


def respondents_to_email(*, institute: Institute) -> QuerySet[User]:
    """The active respondents of `institute` who have an email address: who
    survey invitations and reminders go to."""
    return institute.members.filter(is_active=True, groups__name=Role.RESPONDENT).exclude(email="")


def respondents_by_institute() -> QuerySet[Institute]:
    """Institutes with their active respondents, for the Secretariat's contacts."""
    respondents = User.objects.filter(is_active=True, groups__name=Role.RESPONDENT).order_by(
        "last_name", "username"
    )
    return Institute.objects.select_related("country").prefetch_related(
        Prefetch("members", queryset=respondents, to_attr="respondents")
    ).order_by("country__iso2", "acronym")
