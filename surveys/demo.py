"""The surveys of COOMET-34-PS/13 as demo data: the 2021 self-classification,
the 2022 needs and offers surveys, and one open campaign to try the
questionnaire with. Loaded by `manage.py demo`; safe to run again."""
from datetime import date, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from institutes.models import CeemsStatus, Institute, SubField, User

from .models import (
    Campaign,
    CampaignKind,
    Invitation,
    Language,
    Need,
    Offer,
    Questionnaire,
    Response,
    default_working_languages,
)

CONTRACT = {"conditions": "contract", "customs_paid_by": "recipient"}

# (institute acronym, [(activity type, subfield code, subject, uncertainty, priority, from, to)])
NEEDS_2022 = {
    "Kyrgyzstandard": [
        ("comparison", "M-MASS", "Сличение эталонов массы, 1 мг – 20 кг, класс E2", "", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "M-PRESS", "Сличение манометров, 0–6 МПа", "0.05 %", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "T-CON", "Сличение платиновых термометров сопротивления, −40…+420 °C", "0.02 °C", "medium", "2024-01-01", "2025-12-31"),
        ("internship", "M-PRESS", "Стажировка специалистов по измерениям давления", "", "medium", "2023-01-01", "2024-12-31"),
    ],
    "UzNIM": [
        ("comparison", "L-GB", "Сличение плоскопараллельных концевых мер длины, 0,5–100 мм", "0.1 µm", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "EM-DC", "Сличение эталонов постоянного напряжения, 1 В и 10 В", "1 µV/V", "medium", "2023-06-01", "2025-06-30"),
        ("calibration", "M-MASS", "Калибровка национального эталона килограмма (нержавеющая сталь, 1 кг)", "0.1 mg", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "TF-FREQ", "Калибровка рубидиевого стандарта частоты, 5 и 10 МГц", "1e-11", "medium", "2023-01-01", "2024-12-31"),
        ("internship", "TF-TSD", "Стажировка по эталонам времени и частоты", "", "medium", "2023-01-01", "2024-12-31"),
    ],
    "NIM-AM": [
        ("calibration", "M-MASS", "Калибровка набора гирь класса E1, 1 мг – 1 кг", "", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "T-CON", "Калибровка эталонных платиновых термометров сопротивления в реперных точках", "2 mK", "medium", "2023-01-01", "2024-12-31"),
        ("prereview", "", "Помощь в подготовке к внешней оценке (предварительной экспертизе) системы менеджмента качества", "", "high", "2023-01-01", "2024-06-30"),
        ("procedure", "QM-PH", "Разработка типовой методики калибровки pH-метров", "0.01 pH", "high", "2023-01-01", "2023-12-31"),
        ("training", "EM-DC", "Обучение оценке неопределённости измерений на постоянном токе", "", "low", "2023-01-01", "2024-12-31"),
    ],
    "Tajikstandard": [
        ("calibration", "M-PRESS", "Калибровка грузопоршневых манометров, 0,1–60 МПа", "0.01 %", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "EM-DC", "Калибровка мер электрического сопротивления, 1 Ом – 10 кОм", "2 µΩ/Ω", "medium", "2023-06-01", "2024-12-31"),
        ("procedure", "M-VOL", "Разработка типовой методики калибровки средств измерений малых объёмов (пипеток, 1 мкл – 10 мл)", "", "high", "2023-01-01", "2023-12-31"),
        ("training", "M-MASS", "Обучение специалистов калибровке гирь и весов", "", "medium", "2023-01-01", "2024-12-31"),
    ],
}

# The working languages of the CEEMS NMIs' needs: their country's default
# (Russian, surveys.models.default_working_languages), except where an
# institute also works in English.
NEED_LANGUAGES_2022 = {"NIM-AM": Language.RU_EN}

# (institute, [(type, subfield, subject, capacity, languages, location, from, to)])
OFFERS_2022 = {
    "BelGIM": [
        ("comparison", "M-MASS", "Пилотирование сличений эталонов массы, 1 мг – 20 кг", 6, "ru", "Минск"),
        ("comparison", "T-CON", "Пилотирование сличений термометров сопротивления", 5, "ru", "Минск"),
        ("internship", "M-PRESS", "Стажировка в области измерений давления, две недели", 3, "ru", "Минск"),
        ("training", "EM-DC", "Семинар по электрическим измерениям на постоянном токе и неопределённости", 15, "ru", "Минск / онлайн"),
    ],
    "INM": [
        ("comparison", "M-PRESS", "Пилотирование сличений манометров, 0–6 МПа", 5, "ru_en", "Кишинёв"),
        ("comparison", "L-GB", "Пилотирование сличений концевых мер длины", 4, "ru_en", "Кишинёв"),
    ],
    "KazStandart": [
        ("internship", "M-FLOW", "Стажировка по эталонам расхода", 2, "ru", "Астана"),
        ("training", "T-HUM", "Курс по измерениям влажности", 10, "ru", "Астана"),
    ],
    "NIM": [
        ("comparison", "PR-PHOT", "Сличение эталонов силы света", 6, "en", "Пекин"),
        ("calibration", "L-LAS", "Калибровка стабилизированных лазеров", 4, "en", "Пекин"),
        ("training", "EM-RF", "Обучение по квантовым электрическим эталонам и радиочастотной метрологии", 20, "en", "Пекин / онлайн"),
    ],
    "SMU": [
        ("calibration", "EM-AC", "Калибровка эталонов переменно-постоянного преобразования", 3, "en", "Братислава"),
        ("training", "", "Семинар по системам менеджмента качества НМИ (ISO/IEC 17025)", 12, "en", "Братислава / онлайн"),
    ],
    "VNIIM": [
        ("comparison", "M-PRESS", "Пилотирование сличений грузопоршневых манометров, 0,1–60 МПа", 6, "ru", "Санкт-Петербург"),
        ("comparison", "QM-PH", "Пилотирование сличений буферных растворов pH", 8, "ru_en", "Санкт-Петербург"),
        ("calibration", "M-MASS", "Калибровка национальных эталонов килограмма", 4, "ru_en", "Санкт-Петербург"),
        ("calibration", "T-CON", "Калибровка эталонных платиновых термометров сопротивления", 6, "ru", "Санкт-Петербург"),
        ("internship", "QM-PH", "Стажировка по измерениям pH и удельной электрической проводимости", 3, "ru", "Санкт-Петербург"),
        ("training", "M-MASS", "Семинар по измерениям массы для специалистов CEEMS", 20, "ru", "Санкт-Петербург"),
    ],
    "VNIIMS": [
        ("training", "M-VOL", "Дистанционный курс по методикам калибровки, в том числе малых объёмов", 30, "ru", "онлайн"),
        ("procedure", "M-VOL", "Помощь в разработке методик калибровки мер вместимости", 2, "ru", "Москва"),
    ],
    "VNIIFTRI": [
        ("comparison", "RI-DOS", "Сличение эталонов кермы в воздухе", 5, "ru", "Менделеево"),
        ("calibration", "AUV-V", "Калибровка вибропреобразователей", 4, "ru", "Менделеево"),
        ("calibration", "TF-FREQ", "Калибровка стандартов частоты относительно UTC(SU)", 6, "ru_en", "Менделеево"),
        ("internship", "TF-TSD", "Стажировка в области измерений времени и частоты", 2, "ru", "Менделеево"),
    ],
}


def _questionnaire(kind: str, title_ru: str, title_en: str, instructions_ru: str, instructions_en: str) -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        kind=kind,
        version=1,
        defaults={
            "title": title_ru,
            "title_ru": title_ru,
            "title_en": title_en,
            "instructions_ru": instructions_ru,
            "instructions_en": instructions_en,
        },
    )
    return questionnaire


def _campaign(kind, year, questionnaire, opens_on, closes_on, status, intro_ru, intro_en, institutes, by):
    campaign, created = Campaign.objects.get_or_create(
        kind=kind,
        year=year,
        defaults={
            "questionnaire": questionnaire,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "status": status,
            "introduction_ru": intro_ru,
            "introduction_en": intro_en,
            "created_by": by,
            "opened_at": timezone.make_aware(timezone.datetime.combine(opens_on, timezone.datetime.min.time())),
        },
    )
    if created:
        if status != Campaign.Status.DRAFT and questionnaire.frozen_at is None:
            questionnaire.frozen_at = campaign.opened_at
            questionnaire.save(update_fields=["frozen_at"])
        sent = campaign.opened_at
        Invitation.objects.bulk_create(
            [Invitation(campaign=campaign, institute=i, invitation_sent_at=sent) for i in institutes]
        )
    return campaign


def _submitted(campaign, institute, submitted_on: date, **fields):
    user = User.objects.filter(institute=institute, groups__name="respondent").order_by("pk").first()
    response, created = Response.objects.get_or_create(
        campaign=campaign,
        institute=institute,
        defaults={
            "status": Response.Status.SUBMITTED,
            "submitted_by": user,
            "submitted_at": timezone.make_aware(timezone.datetime.combine(submitted_on, timezone.datetime.min.time())),
            **fields,
        },
    )
    return response, created


def load_demo(*, today: date | None = None) -> str:
    today = today or timezone.localdate()
    secretariat = User.objects.filter(username="secretariat").first()
    institutes = {i.acronym: i for i in Institute.objects.select_related("country")}
    subfields = {s.code: s for s in SubField.objects.select_related("area")}

    self_q = _questionnaire(
        CampaignKind.SELF_CLASSIFICATION,
        "Самоклассификация CEEMS",
        "CEEMS self-classification",
        "Укажите, относит ли ваша страна себя к странам с развивающейся метрологической системой, и почему.",
        "Say whether your country counts itself as a country with an emerging metrology system, and why.",
    )
    needs_q = _questionnaire(
        CampaignKind.NEEDS,
        "Анкета о потребностях НМИ стран CEEMS",
        "Questionnaire on the needs of CEEMS NMIs",
        "Перечислите, в каких мероприятиях нуждается ваш институт: сличения, калибровки, обучение, стажировки, помощь в подготовке к внешней оценке и разработке методик.",
        "List the activities your institute needs: comparisons, calibrations, training, internships, help with the external assessment and with calibration procedures.",
    )
    offers_q = _questionnaire(
        CampaignKind.OFFERS,
        "Анкета о возможностях оказания поддержки",
        "Questionnaire on the support members can offer",
        "Перечислите, какую поддержку ваш институт может оказать НМИ стран CEEMS, в каком объёме и на каких условиях.",
        "List the support your institute can give CEEMS NMIs, how much of it a year and on what terms.",
    )

    main_nmis = ["NIM-AM", "BelGIM", "NIM", "Kyrgyzstandard", "KazStandart", "INM", "VNIIM", "SMU", "Tajikstandard", "UzNIM"]
    self_2021 = _campaign(
        CampaignKind.SELF_CLASSIFICATION, 2021, self_q, date(2021, 3, 1), date(2021, 4, 30), Campaign.Status.CLOSED,
        "Опрос Секретариата КООМЕТ: какие члены КООМЕТ относят себя к странам CEEMS.",
        "Survey of the COOMET Secretariat: which COOMET members count themselves as CEEMS.",
        [institutes[a] for a in main_nmis], secretariat,
    )
    for acronym in ["NIM-AM", "Kyrgyzstandard", "Tajikstandard", "UzNIM"]:
        response, created = _submitted(
            self_2021, institutes[acronym], date(2021, 4, 15),
            considers_ceems=True,
            ceems_reason="Национальная система измерений находится в стадии развития; нужна помощь в обеспечении прослеживаемости.",
            accepted_by=secretariat,
        )
        if created:
            response.accepted_at = response.submitted_at
            response.save(update_fields=["accepted_at"])
            CeemsStatus.objects.update_or_create(
                country=response.institute.country, year=2021, defaults={"is_ceems": True}
            )

    ceems = ["NIM-AM", "Kyrgyzstandard", "Tajikstandard", "UzNIM"]
    needs_2022 = _campaign(
        CampaignKind.NEEDS, 2022, needs_q, date(2022, 2, 1), date(2022, 4, 15), Campaign.Status.CLOSED,
        "Анкетирование потребностей НМИ стран CEEMS для формирования Программы мероприятий 2022–2026.",
        "Survey of the needs of CEEMS NMIs, to draft the Programme of activities 2022–2026.",
        [institutes[a] for a in ceems], secretariat,
    )
    for acronym, needs in NEEDS_2022.items():
        response, created = _submitted(needs_2022, institutes[acronym], date(2022, 4, 1))
        if created:
            languages = NEED_LANGUAGES_2022.get(acronym) or default_working_languages(institutes[acronym].country.iso2)
            bulk_create_with_history([
                Need(
                    response=response, position=n, activity_type=kind,
                    area=subfields[code].area if code else None, subfield=subfields.get(code),
                    subject=subject, target_uncertainty=uncertainty, priority=priority, languages=languages,
                    period_from=date.fromisoformat(start), period_to=date.fromisoformat(end),
                )
                for n, (kind, code, subject, uncertainty, priority, start, end) in enumerate(needs, start=1)
            ], Need)

    donors = ["BelGIM", "KazStandart", "NIM", "INM", "SMU", "VNIIM", "VNIIMS", "VNIIFTRI", "UNIIM"]
    offers_2022 = _campaign(
        CampaignKind.OFFERS, 2022, offers_q, date(2022, 2, 1), date(2022, 4, 15), Campaign.Status.CLOSED,
        "Анкетирование членов КООМЕТ о поддержке, которую они могут оказать странам CEEMS.",
        "Survey of COOMET members on the support they can give CEEMS.",
        [institutes[a] for a in donors], secretariat,
    )
    for acronym, offers in OFFERS_2022.items():
        response, created = _submitted(offers_2022, institutes[acronym], date(2022, 4, 10))
        if created:
            bulk_create_with_history([
                Offer(
                    response=response, position=n, activity_type=kind,
                    area=subfields[code].area if code else None,
                    subfield=subfields.get(code), subject=subject, capacity=capacity, languages=languages,
                    location=location, period_from=date(2023, 1, 1), period_to=date(2026, 12, 31), **CONTRACT,
                )
                for n, (kind, code, subject, capacity, languages, location) in enumerate(offers, start=1)
            ], Offer)

    # One campaign open now, so that respondents can try the questionnaire.
    _campaign(
        CampaignKind.NEEDS, today.year, needs_q, today - timedelta(days=7), today + timedelta(days=30),
        Campaign.Status.OPEN,
        "Ежегодная актуализация: уточните потребности вашего института на следующий год.",
        "Annual update: tell us what your institute needs for next year.",
        [institutes[a] for a in ceems], secretariat,
    )
    return (
        f"{Campaign.objects.count()} campaigns, {Response.objects.count()} responses, "
        f"{Need.objects.count()} needs, {Offer.objects.count()} offers"
    )
