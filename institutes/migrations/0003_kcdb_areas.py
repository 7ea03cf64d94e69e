"""Load the nine KCDB metrology areas and their sub-fields: reference data
every installation needs, so it comes with the schema rather than the demo."""
from django.db import migrations

from institutes.kcdb import load_kcdb_areas


def load_areas(apps, schema_editor):
    load_kcdb_areas(apps.get_model("institutes", "MetrologyArea"), apps.get_model("institutes", "SubField"))


class Migration(migrations.Migration):
    dependencies = [("institutes", "0002_role_groups")]

    operations = [migrations.RunPython(load_areas, migrations.RunPython.noop)]
