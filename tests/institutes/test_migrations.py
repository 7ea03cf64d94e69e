"""Migrations that move data run on a database that holds some."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("institutes", "0006_search_trigram")]
AFTER = [("institutes", "0007_institute_city_translation")]


@pytest.mark.django_db(transaction=True)
def test_the_city_migration_runs_on_institutes_already_stored_and_keeps_their_cities():
    # On PostgreSQL its copy leaves the summary stamp's deferred trigger
    # events pending, with which the table's indexes cannot be changed.
    executor = MigrationExecutor(connection)
    try:
        _check_city_migration(executor)
    finally:
        # Going back to BEFORE unapplied every app that depends on it
        # (programme, reports...): put the whole schema back for the tests
        # that run after this one on the same database.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_city_migration(executor):
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    country = apps.get_model("institutes", "Country").objects.create(
        iso2="KG", name="Кыргызстан", name_ru="Кыргызстан", name_en="Kyrgyzstan", rmo="COOMET"
    )
    apps.get_model("institutes", "Institute").objects.create(
        country=country, acronym="Kyrgyzstandard", name="Центр", name_ru="Центр", name_en="Centre", city="Bishkek"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from institutes.models import Institute

    institute = Institute.objects.get(acronym="Kyrgyzstandard")
    assert (institute.city_en, institute.city_ru) == ("Bishkek", None)
    # Going back to 0006 unapplied every app's migration that depends on
    # institutes 0007 (the programme's): apply them again for the tests after.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
