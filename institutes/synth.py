"""Synthetic reference data for the benchmark suite: countries of all six
RMOs, their CEEMS self-classification by year, institutes and their
respondents, and one synthetic user per staff role.

At scale N there are 10·N institutes (the largest list this app has),
spread over one country per eight institutes: at least six countries (one per
RMO), at most every two-letter code the demo does not use. Names are made
of syllables, in Russian and English, so pages render text of a realistic
length. Generation is registered in bench.synth.GENERATORS.
"""
from __future__ import annotations

import math
import random
import string

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from bench.synth import PREFIX

from . import demo
from .models import RMO, CeemsStatus, Country, CustomsUnion, Institute, Role, User
from .services import user_set_roles

INSTITUTES_PER_SCALE = 10
INSTITUTES_PER_COUNTRY = 8
CEEMS_YEARS = range(2021, 2026)
BATCH = 1000

# The synthetic users the benchmarks log in as, one per staff role.
SECRETARIAT = f"{PREFIX}secretariat"
STAFF = [
    (SECRETARIAT, {Role.SECRETARIAT}),
    (f"{PREFIX}chair", {Role.TASKGROUP}),
    (f"{PREFIX}committee", {Role.COMMITTEE}),
    (f"{PREFIX}admin", {Role.ADMIN}),
]

# Syllables with their Cyrillic spelling, so a name reads the same in both languages.
SYLLABLES = [
    ("ka", "ка"), ("ri", "ри"), ("ta", "та"), ("lo", "ло"), ("ven", "вен"), ("dor", "дор"),
    ("mi", "ми"), ("sa", "са"), ("no", "но"), ("bel", "бел"), ("tu", "ту"), ("ran", "ран"),
    ("gi", "ги"), ("zu", "зу"), ("pe", "пе"), ("mar", "мар"), ("les", "лес"), ("ol", "ол"),
]
COUNTRY_ENDINGS = [("ia", "ия"), ("stan", "стан"), ("land", "ланд"), ("ra", "ра"), ("ovia", "овия")]
CITY_ENDINGS = [("grad", "град"), ("polis", "полис"), ("sk", "ск"), ("vo", "во"), ("", "")]
FIELDS = [
    ("Thermal", "теплофизических"), ("Electrical", "электрических"), ("Optical", "оптико-физических"),
    ("Radio-Technical", "радиотехнических"), ("Flow", "расходометрических"), ("Mechanical", "механических"),
    ("Chemical", "физико-химических"), ("Acoustic", "акустических"), ("Time and Frequency", "частотно-временных"),
]
FIRST_NAMES = ["Anna", "Aigerim", "Dmitry", "Elena", "Farrukh", "Gulnara", "Igor", "Karina", "Lev",
               "Marat", "Nadia", "Oleg", "Rustam", "Sofia", "Timur", "Victoria", "Yulia", "Zarina"]
LAST_NAMES = ["Abdullaev", "Baranova", "Chen", "Davletov", "Ermekova", "Fedorov", "Grigoryan", "Horvath",
              "Ivanova", "Jumaev", "Kovalenko", "Li", "Mamedov", "Novak", "Orlova", "Petrov", "Rahimov",
              "Sidorova", "Tursunov", "Usmanova", "Volkov", "Wang", "Yusupov", "Zhukova"]

# The first six countries take one RMO each, so every RMO is there at any scale.
RMO_WEIGHTS = {RMO.AFRIMETS: 3, RMO.APMP: 4, RMO.COOMET: 3, RMO.EURAMET: 6, RMO.GULFMET: 1, RMO.SIM: 4}
RESPONDENTS_WEIGHTS = {0: 1, 1: 4, 2: 3, 3: 2}


def _word(rng: random.Random, endings) -> tuple[str, str]:
    parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))] + [rng.choice(endings)]
    en = "".join(p[0] for p in parts)
    ru = "".join(p[1] for p in parts)
    return en.capitalize(), ru.capitalize()


def _free_codes(rng: random.Random) -> list[str]:
    """Two-letter codes in a seed-determined order: never a demo country's,
    and never one the database already has (a real country stays real)."""
    demo_codes = {iso2 for iso2, *_ in demo.COUNTRIES}
    codes = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase if a + b not in demo_codes]
    rng.shuffle(codes)
    taken = set(Country.objects.values_list("iso2", flat=True))
    return [code for code in codes if code not in taken]


def generate(rng: random.Random, scale: int) -> dict[str, int]:
    """Create 10·`scale` synthetic institutes with their countries, CEEMS
    statuses and respondents, plus the staff users of STAFF. Every random
    choice comes from `rng`. Returns the rows created, by kind."""
    n_institutes = INSTITUTES_PER_SCALE * scale
    if n_institutes == 0:
        return {}
    codes = _free_codes(rng)
    n_countries = min(len(codes), max(len(RMO.values), math.ceil(n_institutes / INSTITUTES_PER_COUNTRY)))
    countries = _countries(rng, codes[:n_countries])
    statuses = _statuses(rng, countries)
    institutes = _institutes(rng, countries, n_institutes)
    respondents = _respondents(rng, institutes)
    for username, roles in STAFF:
        user = User(username=username, first_name="Synthetic", last_name=username[len(PREFIX):].capitalize(),
                    email=f"{username}@example.org", institute=institutes[0])
        user.set_unusable_password()
        user.save()
        user_set_roles(user=user, roles=roles)
    return {
        "countries": len(countries),
        "ceems_statuses": len(statuses),
        "institutes": len(institutes),
        "users": len(respondents) + len(STAFF),
    }


def _countries(rng: random.Random, codes: list[str]) -> list[Country]:
    rmos = list(RMO_WEIGHTS)
    weights = list(RMO_WEIGHTS.values())
    rows = []
    for index, code in enumerate(codes):
        rmo = rmos[index] if index < len(rmos) else rng.choices(rmos, weights)[0]
        en, ru = _word(rng, COUNTRY_ENDINGS)
        union = CustomsUnion.NONE
        if rmo == RMO.COOMET and rng.random() < 0.4:
            union = CustomsUnion.EAEU
        elif rmo == RMO.EURAMET and rng.random() < 0.6:
            union = CustomsUnion.EU
        rows.append(Country(
            iso2=code, name_en=f"{PREFIX}{en}", name_ru=f"{PREFIX}{ru}", rmo=rmo,
            coomet_member=rmo == RMO.COOMET or rng.random() < 0.15, customs_union=union,
        ))
    return Country.objects.bulk_create(rows, batch_size=BATCH)


def _statuses(rng: random.Random, countries: list[Country]) -> list[CeemsStatus]:
    # Most countries answer the yearly survey; a country's answer rarely changes.
    rows = []
    for country in countries:
        ceems = rng.random() < (0.35 if country.rmo == RMO.COOMET else 0.15)
        for year in CEEMS_YEARS:
            if rng.random() < 0.8:
                if rng.random() < 0.1:
                    ceems = not ceems
                rows.append(CeemsStatus(country=country, year=year, is_ceems=ceems, note="Synthetic self-classification"))
    return CeemsStatus.objects.bulk_create(rows, batch_size=BATCH)


def _institutes(rng: random.Random, countries: list[Country], n: int) -> list[Institute]:
    # One NMI per country first, then designated institutes, more in some
    # countries than in others.
    weights = [rng.paretovariate(1.5) for _ in countries]
    owners = countries + rng.choices(countries, weights, k=n - len(countries))
    rows = []
    for index, country in enumerate(owners):
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(2, 4)))
        city_en, city_ru = _word(rng, CITY_ENDINGS)
        if index < len(countries):
            kind = Institute.Kind.NMI
            name_en = f"National Institute of Metrology of {country.name_en[len(PREFIX):]}"
            name_ru = f"Национальный институт метрологии, {country.name_ru[len(PREFIX):]}"
        else:
            kind = Institute.Kind.DI if rng.random() < 0.8 else Institute.Kind.NMI
            field_en, field_ru = rng.choice(FIELDS)
            name_en = f"{city_en} Institute for {field_en} Measurements"
            name_ru = f"{city_ru}ский институт {field_ru} измерений"
        acronym = f"{PREFIX}{letters}{index}"
        rows.append(Institute(
            country=country, acronym=acronym, name_en=name_en, name_ru=name_ru, kind=kind, city_en=city_en, city_ru=city_ru,
            website=f"https://{acronym.lower()}.example.org" if rng.random() < 0.7 else "",
        ))
    return Institute.objects.bulk_create(rows, batch_size=BATCH)


def _respondents(rng: random.Random, institutes: list[Institute]) -> list[User]:
    # Bulk rows rather than user_set_roles() per user: tens of thousands of
    # users at the large size would cost minutes. The result is the same as
    # the service's for a respondent: the respondent group, no staff flags.
    counts = list(RESPONDENTS_WEIGHTS)
    weights = list(RESPONDENTS_WEIGHTS.values())
    rows = []
    for institute in institutes:
        for _ in range(rng.choices(counts, weights)[0]):
            username = f"{PREFIX}u{len(rows):06d}"
            rows.append(User(
                username=username, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                email=f"{username}@example.org", institute=institute, is_active=rng.random() < 0.95,
                preferred_language=rng.choice(["ru", "en"]),
                # Unusable: benchmarks log in with a session, never a password.
                password=make_password(None),
            ))
    users = User.objects.bulk_create(rows, batch_size=BATCH)
    group = Group.objects.get_or_create(name=Role.RESPONDENT)[0]
    through = User.groups.through
    through.objects.bulk_create([through(user_id=user.pk, group_id=group.pk) for user in users], batch_size=BATCH)
    return users


def existing() -> dict[str, int]:
    """Synthetic rows of this app now in the database, by kind."""
    return {
        "countries": Country.objects.filter(name_en__startswith=PREFIX).count(),
        "institutes": Institute.objects.filter(acronym__startswith=PREFIX).count(),
        "users": User.objects.filter(username__startswith=PREFIX).count(),
    }


def flush() -> dict[str, int]:
    """Delete this app's synthetic rows; a real user still affiliated with a
    synthetic institute stops it (ProtectedError) rather than lose the link."""
    users = User.objects.filter(username__startswith=PREFIX)
    # The group links first, in one statement: deleting users one batch of
    # collected rows at a time would fetch every link.
    User.groups.through.objects.filter(user__in=users).delete()
    deleted = {
        "users": users.delete()[1].get(User._meta.label, 0),
        "institutes": Institute.objects.filter(acronym__startswith=PREFIX).delete()[1].get(Institute._meta.label, 0),
    }
    countries = Country.objects.filter(name_en__startswith=PREFIX)
    deleted["ceems_statuses"] = CeemsStatus.objects.filter(country__in=countries).delete()[0]
    deleted["countries"] = countries.delete()[1].get(Country._meta.label, 0)
    return deleted
