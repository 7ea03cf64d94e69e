"""Trigram indexes for the institute directory's search.

The search matches a part of the acronym, either name or the city
(`icontains`, which Django writes on PostgreSQL as
`UPPER(column::text) LIKE UPPER(%s)`). Without an index every search reads
every institute; a GIN trigram index on each of those expressions lets
PostgreSQL read only the matching rows (pg_trgm, a trusted extension the
database's owner may create). SQLite has neither: there the migration does
nothing and the search scans, as before.
"""
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("acronym", "name_ru", "name_en", "city")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS institutes_institute_{column}_trgm ON institutes_institute"
            f" USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS institutes_institute_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("institutes", "0005_session"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
