"""The summary's version stamp and the triggers that move it.

PostgreSQL: a deferred constraint trigger on every row change of the tables
the summary shows, run at commit; a transaction-local setting makes it
update the stamp once per transaction. Taking the stamp's row lock only at
commit, after every other lock the transaction holds, keeps writers from
waiting on each other while they work and from deadlocking over it; the
stamp commits with the data, so a reader never sees new data under an old
version for longer than its own request. TRUNCATE has a statement trigger.
SQLite (one writer at a time): a row trigger per table and operation.
"""
from django.db import migrations, models

TABLES = (
    "surveys_need",
    "surveys_offer",
    "surveys_response",
    "surveys_campaign",
    "institutes_institute",
    "institutes_country",
    "institutes_metrologyarea",
    "institutes_subfield",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION surveys_summary_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('surveys.summary_touched', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('surveys.summary_touched', txid_current()::text, true);
        UPDATE surveys_summarystamp SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
"""


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("surveys", "SummaryStamp").objects.using(connection.alias).get_or_create(pk=1)
    if connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_summary_touch AFTER INSERT OR UPDATE OR DELETE ON {table}"
                " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION surveys_summary_touch()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_summary_truncate AFTER TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION surveys_summary_touch()"
            )
    elif connection.vendor == "sqlite":
        for table in TABLES:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_summary_{operation.lower()} AFTER {operation} ON {table}"
                    " BEGIN UPDATE surveys_summarystamp SET version = version + 1 WHERE id = 1; END"
                )


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_summary_touch ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_summary_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS surveys_summary_touch()")
    elif connection.vendor == "sqlite":
        for table in TABLES:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_summary_{operation}")


class Migration(migrations.Migration):

    dependencies = [
        ("institutes", "0006_search_trigram"),
        ("surveys", "0005_response_deadline"),
    ]

    operations = [
        migrations.CreateModel(
            name="SummaryStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "summary version", "verbose_name_plural": "summary versions"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
