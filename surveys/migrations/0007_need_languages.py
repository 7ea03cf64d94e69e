"""A need's working language(s), with the offer's choices.

On SQLite, adding a column with a default rebuilds the table (copy, drop,
rename), and dropping the table drops the triggers that move the summary's
version stamp (0006_summary_stamp): they are made again after the rebuild,
and before it for the way back, whose RemoveField rebuilds it too.
PostgreSQL adds the column in place and keeps its triggers.
"""
from django.db import migrations, models

TABLE = "surveys_need"


def sqlite_stamp_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for operation in ("INSERT", "UPDATE", "DELETE"):
        name = f"{TABLE}_summary_{operation.lower()}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {operation} ON {TABLE}"
            " BEGIN UPDATE surveys_summarystamp SET version = version + 1 WHERE id = 1; END"
        )


LANGUAGES = models.CharField(
    blank=True,
    choices=[("ru", "Russian"), ("en", "English"), ("ru_en", "Russian and English")],
    help_text="The language(s) your specialists can work in with the provider, in the activity itself and in its documents. Offers in a shared language are preferred.",
    max_length=8,
    verbose_name="working language(s)",
)


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0006_summary_stamp"),
    ]

    operations = [
        # On the way back, after RemoveField has rebuilt the table.
        migrations.RunPython(migrations.RunPython.noop, sqlite_stamp_triggers),
        migrations.AddField(model_name="historicalneed", name="languages", field=LANGUAGES),
        migrations.AddField(model_name="need", name="languages", field=LANGUAGES),
        migrations.RunPython(sqlite_stamp_triggers, migrations.RunPython.noop),
    ]
