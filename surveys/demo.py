"""The surveys of COOMET-34-PS/13 as demo data: the 2021 self-classification,
the 2022 needs and offers surveys, and one open campaign to try the
questionnaire with. Loaded by `manage.py demo`; safe to run again."""
from datetime import date, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from institutes.models import CeemsStatus, Institute, SubField, User

from .models import Campaign, CampaignKind, Invitation, Need, Offer, Questionnaire, Response

CONTRACT = {"conditions": "contract", "customs_paid_by": "recipient"}

# (institute acronym, [(activity type, subfield code, subject, uncertainty, priority, from, to)])
NEEDS_2022 = {
    "Kyrgyzstandard": [
        ("comparison", "M-MASS", "Comparison of mass standards, 1 mg – 20 kg, class E2", "", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "M-PRESS", "Comparison of pressure gauges, 0–6 MPa", "0.05 %", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "T-CON", "Comparison of platinum resistance thermometers, −40…+420 °C", "0.02 °C", "medium", "2024-01-01", "2025-12-31"),
    ],
    "UzNIM": [
        ("comparison", "L-GB", "Comparison of gauge blocks, 0.5–100 mm", "0.1 µm", "high", "2023-01-01", "2024-12-31"),
        ("comparison", "EM-DC", "Comparison of DC voltage standards, 1 V and 10 V", "1 µV/V", "medium", "2023-06-01", "2025-06-30"),
        ("calibration", "M-MASS", "Calibration of the national kilogram standard (stainless steel, 1 kg)", "0.1 mg", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "TF-FREQ", "Calibration of a rubidium frequency standard, 5 and 10 MHz", "1e-11", "medium", "2023-01-01", "2024-12-31"),
    ],
    "NIM-AM": [
        ("calibration", "M-MASS", "Calibration of a set of E1 weights, 1 mg – 1 kg", "", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "T-CON", "Calibration of standard platinum resistance thermometers at fixed points", "2 mK", "medium", "2023-01-01", "2024-12-31"),
        ("prereview", "", "Help in preparing for the external assessment (prereview) of the quality system", "", "high", "2023-01-01", "2024-06-30"),
        ("procedure", "QM-PH", "Development of a standard calibration procedure for pH meters", "0.01 pH", "high", "2023-01-01", "2023-12-31"),
    ],
    "Tajikstandard": [
        ("calibration", "M-PRESS", "Calibration of piston gauges, 0.1–60 MPa", "0.01 %", "high", "2023-01-01", "2023-12-31"),
        ("calibration", "EM-DC", "Calibration of standard resistors, 1 Ω – 10 kΩ", "2 µΩ/Ω", "medium", "2023-06-01", "2024-12-31"),
        ("procedure", "M-VOL", "Development of a standard calibration procedure for small volumes (pipettes, 1 µl – 10 ml)", "", "high", "2023-01-01", "2023-12-31"),
    ],
}

# (institute, [(type, subfield, subject, capacity, languages, location, from, to)])
OFFERS_2022 = {
    "BelGIM": [
        ("comparison", "M-MASS", "Piloting a comparison of mass standards, 1 mg – 20 kg", 6, "ru", "Minsk"),
        ("comparison", "T-CON", "Piloting a comparison of resistance thermometers", 5, "ru", "Minsk"),
        ("internship", "M-PRESS", "Internship in pressure measurements, two weeks", 3, "ru", "Minsk"),
        ("training", "EM-DC", "Seminar on DC electrical measurements and uncertainty", 15, "ru", "Minsk / online"),
    ],
    "INM": [
        ("comparison", "M-PRESS", "Piloting a comparison of pressure gauges, 0–6 MPa", 5, "ru_en", "Chișinău"),
        ("comparison", "L-GB", "Piloting a comparison of gauge blocks", 4, "ru_en", "Chișinău"),
    ],
    "KazStandart": [
        ("internship", "M-FLOW", "Internship on flow measurement standards", 2, "ru", "Astana"),
        ("training", "T-HUM", "Course on humidity measurements", 10, "ru", "Astana"),
    ],
    "NIM": [
        ("comparison", "PR-PHOT", "Comparison of luminous intensity standards", 6, "en", "Beijing"),
        ("calibration", "L-LAS", "Calibration of stabilised lasers", 4, "en", "Beijing"),
        ("training", "EM-RF", "Training on quantum electrical standards and RF metrology", 20, "en", "Beijing / online"),
    ],
    "SMU": [
        ("calibration", "EM-AC", "Calibration of AC-DC transfer standards", 3, "en", "Bratislava"),
        ("training", "", "Workshop on quality systems for NMIs (ISO/IEC 17025)", 12, "en", "Bratislava / online"),
    ],
    "VNIIM": [
        ("comparison", "M-PRESS", "Piloting a comparison of piston gauges, 0.1–60 MPa", 6, "ru", "Saint Petersburg"),
        ("comparison", "QM-PH", "Piloting a comparison of pH buffer solutions", 8, "ru_en", "Saint Petersburg"),
        ("calibration", "M-MASS", "Calibration of national kilogram standards", 4, "ru_en", "Saint Petersburg"),
        ("calibration", "T-CON", "Calibration of standard platinum resistance thermometers", 6, "ru", "Saint Petersburg"),
        ("internship", "QM-PH", "Internship in pH and electrolytic conductivity", 3, "ru", "Saint Petersburg"),
        ("training", "M-MASS", "Seminar on mass measurements for CEEMS specialists", 20, "ru", "Saint Petersburg"),
    ],
    "VNIIMS": [
        ("training", "M-VOL", "E-learning course on calibration procedures, including small volumes", 30, "ru", "online"),
        ("procedure", "M-VOL", "Help in developing calibration procedures for volume measures", 2, "ru", "Moscow"),
    ],
    "VNIIFTRI": [
        ("comparison", "RI-DOS", "Comparison of air kerma standards", 5, "ru", "Mendeleevo"),
        ("calibration", "AUV-V", "Calibration of vibration transducers", 4, "ru", "Mendeleevo"),
        ("calibration", "TF-FREQ", "Calibration of frequency standards against UTC(SU)", 6, "ru_en", "Mendeleevo"),
        ("internship", "TF-TSD", "Internship in time and frequency", 2, "ru", "Mendeleevo"),
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
            bulk_create_with_history([
                Need(
                    response=response, position=n, activity_type=kind,
                    area=subfields[code].area if code else None, subfield=subfields.get(code),
                    subject=subject, target_uncertainty=uncertainty, priority=priority,
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
