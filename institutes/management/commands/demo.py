from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from institutes import demo
from institutes.kcdb import load_kcdb_areas
from institutes.models import CeemsStatus, Country, Institute, MetrologyArea, Role, SubField, User
from institutes.services import user_set_roles

DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Load the source document's facts as demo data; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create demo accounts (password 'demo') even though DEBUG is off.",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("DEBUG is off: refusing to create accounts with the password 'demo'. Use --force to do it anyway.")
            )
        # Also in a migration; loaded here again because tests that flush the
        # database lose migration data.
        load_kcdb_areas(MetrologyArea, SubField)
        countries = {}
        for iso2, name_en, name_ru, rmo, coomet, union in demo.COUNTRIES:
            countries[iso2], _created = Country.objects.update_or_create(
                iso2=iso2,
                defaults={"name_en": name_en, "name_ru": name_ru, "rmo": rmo, "coomet_member": coomet, "customs_union": union},
            )
        institutes = {}
        for iso2, acronym, name_en, name_ru, kind, city, username in demo.INSTITUTES:
            institutes[acronym], _created = Institute.objects.update_or_create(
                country=countries[iso2],
                acronym=acronym,
                defaults={"name_en": name_en, "name_ru": name_ru, "kind": kind, "city_en": city, "city_ru": demo.CITIES_RU[city]},
            )
        for iso2 in demo.CEEMS_2021:
            CeemsStatus.objects.update_or_create(
                country=countries[iso2],
                year=2021,
                defaults={"is_ceems": True, "note": "Self-classification survey of the COOMET Secretariat, 2021"},
            )

        created = 0
        for username, first, last, roles, acronym in demo.STAFF_USERS:
            created += self._user(username, first, last, set(roles), institutes.get(acronym))
        for iso2, acronym, name_en, name_ru, kind, city, username in demo.INSTITUTES:
            roles = {Role.RESPONDENT}
            if username in demo.TASKGROUP_INSTITUTE_USERS:
                roles.add(Role.TASKGROUP)
            created += self._user(username, "Respondent", acronym, roles, institutes[acronym])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(countries)} countries, {len(institutes)} institutes, "
                f"{created} new users (password '{DEMO_PASSWORD}')."
            )
        )
        # Each later app adds its part of the demo in `<app>/demo.py: load_demo()`.
        for app in apps.get_app_configs():
            if app.name == "institutes" or not app.path.startswith(str(settings.BASE_DIR)):
                continue
            try:
                module = import_module(f"{app.name}.demo")
            except ModuleNotFoundError:
                continue
            if hasattr(module, "load_demo"):
                loaded = module.load_demo()
                with translation.override("en"):  # the command speaks English throughout
                    self.stdout.write(self.style.SUCCESS(f"{app.verbose_name}: {loaded}"))

    def _user(self, username, first_name, last_name, roles, institute) -> int:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                "institute": institute,
                "is_active": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user_set_roles(user=user, roles=roles)
        return int(created)
