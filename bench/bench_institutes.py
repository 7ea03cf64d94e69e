"""The institutes app's pages, measured by the generic page benchmarks."""
from django.db.models import Max

from bench.registry import ADMIN, DETAIL, Page, register_page
from bench.synth import PREFIX
from institutes.models import CeemsStatus, Country, Institute, SubField, User
from institutes.synth import SECRETARIAT

ADMINISTRATOR = f"{PREFIX}admin"


def _latest_ceems_countries() -> int:
    year = CeemsStatus.objects.aggregate(year=Max("year"))["year"]
    return CeemsStatus.objects.filter(year=year, is_ceems=True).count()


def _institute_with_members() -> str:
    # One with people, so the page runs every query it can (the members and
    # their groups); the same rule picks one at both sizes.
    institute = (
        Institute.objects.filter(acronym__startswith=PREFIX, members__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"/en/institutes/{institute}/"


def _institutes() -> int:
    return Institute.objects.count()


def _metrology_institutes() -> int:
    return Institute.objects.filter(name_en__icontains="metrology").count()


register_page(Page("home", "/en/", user=SECRETARIAT, rows=_latest_ceems_countries))
register_page(Page("institute_list", "/en/institutes/", user=SECRETARIAT, rows=_institutes, paginated=True, heavy=True))
# A search that matches the national institutes, one per country (never
# none, so the page runs the same queries at every size): filtering,
# counting and paging a part of the list.
register_page(Page("institute_search", "/en/institutes/?q=metrology", user=SECRETARIAT, rows=_metrology_institutes, paginated=True))
register_page(Page("institute_detail", _institute_with_members, user=SECRETARIAT, kind=DETAIL))
register_page(Page("country_list", "/en/institutes/countries/", user=SECRETARIAT, rows=Country.objects.count, paginated=True))
register_page(Page("area_list", "/en/institutes/areas/", user=SECRETARIAT, rows=SubField.objects.count))
register_page(Page("contacts", "/en/institutes/contacts/", user=SECRETARIAT, rows=_institutes, paginated=True, heavy=True))

# The administrator's changelists of the same data (queries per page only).
register_page(Page("admin_institutes", "/en/admin/institutes/institute/", user=ADMINISTRATOR, kind=ADMIN, rows=_institutes))
register_page(Page("admin_countries", "/en/admin/institutes/country/", user=ADMINISTRATOR, kind=ADMIN, rows=Country.objects.count))
register_page(Page("admin_ceems_statuses", "/en/admin/institutes/ceemsstatus/", user=ADMINISTRATOR, kind=ADMIN, rows=CeemsStatus.objects.count))
register_page(Page("admin_users", "/en/admin/institutes/user/", user=ADMINISTRATOR, kind=ADMIN, rows=User.objects.count))
