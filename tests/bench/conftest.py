import pytest

from institutes.kcdb import load_kcdb_areas
from institutes.models import MetrologyArea, SubField


@pytest.fixture(autouse=True)
def _kcdb_areas(request):
    """The KCDB areas and sub-fields the migration loads, which the surveys
    generator spreads its items over. A transactional test elsewhere in the
    suite flushes the test database, migration data included, and
    --reuse-db keeps it that way for the next run: load them again if so."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    if not SubField.objects.exists():
        load_kcdb_areas(MetrologyArea, SubField)
