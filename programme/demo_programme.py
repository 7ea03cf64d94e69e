"""The Programme's year in the demo: the Programme 2022-2026, its 2022
version published, each later year made by the annual update (some
activities done with their outcomes, some postponed with reasons), and the
current year's draft in consultation with a comment from Armenia and one
from Tajikistan.

Works whether or not matching's demo (programme.demo_matching) has run
first: if the 2022 version has no activities, those the source document
describes are created, linked to the demo's needs and offers. Safe to run
twice: every step looks at what is there before it acts.
"""
from datetime import date

from django.db import transaction
from django.utils import timezone

from core.history import acting_as
from institutes.models import Institute, SubField, User
from surveys.models import Need, Offer

from . import services
from .models import (
    Activity,
    ConsultationComment,
    Outcome,
    Programme,
    ProgrammeVersion,
    ResultKind,
    UpdateAction,
    quarter_code,
)

TITLE_RU = "Программа мероприятий КООМЕТ по оказанию содействия CEEMS"
TITLE_EN = "COOMET Programme of activities for assisting CEEMS"
FIRST_YEAR, LAST_YEAR = 2022, 2026

# (type, subfield, recipients, providers, title ru, title en, first (y, q), last (y, q))
ACTIVITIES_2022 = [
    ("comparison", "M-MASS", ["Kyrgyzstandard"], ["BelGIM"],
     "Сличение эталонов массы, 1 мг – 20 кг, класс E2", "Comparison of mass standards, 1 mg to 20 kg, class E2",
     (2022, 4), (2023, 4)),
    ("comparison", "M-PRESS", ["Kyrgyzstandard"], ["INM"],
     "Сличение манометров, 0–6 МПа", "Comparison of pressure gauges, 0 to 6 MPa", (2023, 1), (2024, 2)),
    ("comparison", "T-CON", ["Kyrgyzstandard"], ["BelGIM"],
     "Сличение платиновых термометров сопротивления, −40…+420 °C",
     "Comparison of platinum resistance thermometers, −40 to +420 °C", (2024, 1), (2025, 2)),
    ("comparison", "L-GB", ["UzNIM"], ["INM"],
     "Сличение плоскопараллельных концевых мер длины, 0,5–100 мм", "Comparison of gauge blocks, 0.5 to 100 mm",
     (2023, 1), (2024, 4)),
    ("comparison", "M-PRESS", ["UzNIM", "Tajikstandard"], ["VNIIM"],
     "Сличение грузопоршневых манометров, 0,1–60 МПа", "Comparison of pressure balances, 0.1 to 60 MPa",
     (2023, 2), (2024, 4)),
    ("calibration", "M-MASS", ["UzNIM"], ["VNIIM"],
     "Калибровка национального эталона килограмма", "Calibration of the national kilogram standard",
     (2022, 4), (2022, 4)),
    ("calibration", "TF-FREQ", ["UzNIM"], ["VNIIFTRI"],
     "Калибровка рубидиевого стандарта частоты, 5 и 10 МГц", "Calibration of a rubidium frequency standard, 5 and 10 MHz",
     (2023, 1), (2023, 4)),
    ("calibration", "M-MASS", ["NIM-AM"], ["VNIIM"],
     "Калибровка набора гирь класса E1, 1 мг – 1 кг", "Calibration of a set of class E1 weights, 1 mg to 1 kg",
     (2023, 1), (2023, 2)),
    ("calibration", "T-CON", ["NIM-AM"], ["VNIIM"],
     "Калибровка эталонных платиновых термометров сопротивления в реперных точках",
     "Calibration of standard platinum resistance thermometers at fixed points", (2023, 2), (2024, 2)),
    ("calibration", "M-PRESS", ["Tajikstandard"], ["VNIIM"],
     "Калибровка грузопоршневых манометров, 0,1–60 МПа", "Calibration of pressure balances, 0.1 to 60 MPa",
     (2023, 1), (2023, 4)),
    ("procedure", "QM-PH", ["NIM-AM"], ["VNIIM"],
     "Разработка типовой методики калибровки pH-метров", "Developing a standard calibration procedure for pH meters",
     (2023, 1), (2023, 4)),
    ("procedure", "M-VOL", ["Tajikstandard"], ["VNIIMS"],
     "Разработка типовой методики калибровки средств измерений малых объёмов",
     "Developing a standard calibration procedure for small-volume instruments", (2023, 1), (2023, 4)),
    ("internship", "M-PRESS", ["Tajikstandard"], ["BelGIM"],
     "Стажировка в области измерений давления, две недели", "Internship in pressure measurements, two weeks",
     (2022, 4), (2022, 4)),
    ("internship", "QM-PH", ["NIM-AM"], ["VNIIM"],
     "Стажировка по измерениям pH и удельной электрической проводимости",
     "Internship in pH and electrolytic conductivity measurements", (2023, 2), (2023, 3)),
    ("training", "M-MASS", ["Kyrgyzstandard", "Tajikstandard", "UzNIM", "NIM-AM"], ["VNIIM"],
     "Семинар по измерениям массы для специалистов CEEMS", "Seminar on mass measurements for CEEMS specialists",
     (2023, 3), (2023, 3)),
]

# New activities of the current year's draft (not from earlier versions).
NEW_CURRENT = [
    ("international", "", ["NIM-AM", "Tajikstandard"], [],
     "Участие специалистов CEEMS в работе технических комитетов КООМЕТ",
     "CEEMS specialists in the work of the COOMET technical committees"),
    ("information", "", ["Kyrgyzstandard", "UzNIM"], ["KazStandart"],
     "Информационная поддержка по запросам членов Комитета от стран CEEMS",
     "Information support on request from the CEEMS Committee members"),
]


def _q(pair):
    return quarter_code(*pair)


def _need(acronym, kind, code):
    return Need.objects.filter(
        response__institute__acronym=acronym, response__campaign__year=2022, activity_type=kind, subfield__code=code
    ).first()


def _offer(acronym, kind, code):
    return Offer.objects.filter(
        response__institute__acronym=acronym, response__campaign__year=2022, activity_type=kind, subfield__code=code
    ).first()


def _ensure_programme() -> Programme:
    programme = Programme.objects.filter(first_year=FIRST_YEAR, last_year=LAST_YEAR).first()
    if programme is None:
        programme = Programme.objects.create(
            title=TITLE_RU, title_ru=TITLE_RU, title_en=TITLE_EN, first_year=FIRST_YEAR, last_year=LAST_YEAR
        )
    elif not programme.title_en:
        programme.title_ru, programme.title_en = programme.title_ru or TITLE_RU, TITLE_EN
        programme.save()
    return programme


def _version(programme, year):
    return ProgrammeVersion.objects.filter(programme=programme, year=year).order_by("-number").first()


def _create_2022_activities(version, institutes, secretariat):
    for kind, code, recipients, providers, title_ru, title_en, first, last in ACTIVITIES_2022:
        subfield = SubField.objects.filter(code=code).select_related("area").first()
        needs = [n for n in (_need(a, kind, code) for a in recipients) if n]
        offers = [o for o in (_offer(a, kind, code) for a in providers) if o]
        services.activity_create(
            version=version, by=secretariat, activity_type=kind, title_ru=title_ru, title_en=title_en,
            area=subfield.area if subfield else None, subfield=subfield,
            recipients=[institutes[a] for a in recipients if a in institutes],
            providers=[institutes[a] for a in providers if a in institutes],
            needs=needs, offers=offers, first_quarter=_q(first), last_quarter=_q(last),
            funding="contract", responsible="", notes="",
        )


def _publish(version, *, chair, secretariat) -> ProgrammeVersion:
    if version.status == ProgrammeVersion.Status.CONSULTATION:
        version = services.consultation_close(version=version, revision=version.revision, by=secretariat)
    if version.status == ProgrammeVersion.Status.DRAFT:
        version = services.version_approve(version=version, revision=version.revision, by=chair)
    if version.status == ProgrammeVersion.Status.APPROVED:
        version = services.version_publish(version=version, revision=version.revision, by=secretariat)
    return version


def _set_status(activity, status, reason, by):
    activity.refresh_from_db()
    if activity.status == status:
        return activity
    return services.activity_set_status(activity=activity, revision=activity.revision, status=status,
                                        status_reason=reason, by=by)


def _done_with_outcome(activity, by, *, held, participants, count, kind, identifier, documents):
    _set_status(activity, Activity.Status.DONE, "", by)
    if not Outcome.objects.filter(activity=activity).exists():
        services.outcome_save(
            activity=activity, revision=None, by=by, held_from=held[0], held_to=held[1], participants=participants,
            participants_count=count, result_kind=kind, result_identifier=identifier, summary="",
            documents=[services.DocumentRow(kind=k, title=t, reference=r) for k, t, r in documents],
        )


def _pick(version, activity_type, *, exclude=(), status=Activity.Status.PLANNED):
    return (
        version.activities.filter(activity_type=activity_type, status=status)
        .exclude(pk__in=[a.pk for a in exclude if a])
        .order_by("first_quarter", "position", "pk")
        .first()
    )


def _follow_2022(version, secretariat):
    """What happened in 2022: the activities planned for its last quarter."""
    if version.activities.filter(status__in=[Activity.Status.DONE, Activity.Status.POSTPONED]).exists():
        return
    calibration = _pick(version, "calibration")
    internship = _pick(version, "internship")
    if calibration:
        _done_with_outcome(
            calibration, secretariat, held=(date(2022, 11, 7), date(2022, 12, 9)),
            participants="", count=None, kind=ResultKind.CERTIFICATE, identifier="VNIIM 2022/М-1187",
            documents=[("certificate", "Свидетельство о калибровке", "VNIIM 2022/М-1187")],
        )
    if internship:
        _done_with_outcome(
            internship, secretariat, held=(date(2022, 11, 14), date(2022, 11, 25)),
            participants="Таджикстандарт: два специалиста", count=2, kind=ResultKind.TRAINED, identifier="",
            documents=[("report", "Отчёт о стажировке", "")],
        )
    comparison = _pick(version, "comparison")
    if comparison and comparison.first_quarter and comparison.first_quarter <= quarter_code(2022, 4):
        _set_status(comparison, Activity.Status.POSTPONED,
                    "Эталон-переносчик задержан на таможне; рассылка перенесена на 2023 год.", secretariat)


def _follow_year(version, secretariat, year):
    """What happened in a later year: one comparison and one calibration done
    with outcomes, one activity postponed with its reason."""
    if version.activities.filter(status__in=[Activity.Status.DONE, Activity.Status.POSTPONED]).exists():
        return
    comparison = _pick(version, "comparison")
    calibration = _pick(version, "calibration")
    procedure = _pick(version, "procedure")
    if comparison:
        _done_with_outcome(
            comparison, secretariat, held=(date(year, 3, 1), date(year, 9, 30)),
            participants="BelGIM, Kyrgyzstandard", count=2, kind=ResultKind.COMPARISON,
            identifier=f"COOMET.M.M-S{year - 2015}",
            documents=[("comparison_report", "Final report of the comparison", f"COOMET.M.M-S{year - 2015}")],
        )
    if calibration:
        _done_with_outcome(
            calibration, secretariat, held=(date(year, 4, 10), date(year, 5, 20)), participants="", count=None,
            kind=ResultKind.CERTIFICATE, identifier=f"C-{year}-014", documents=[("certificate", "Calibration certificate", f"C-{year}-014")],
        )
    if procedure:
        _set_status(procedure, Activity.Status.POSTPONED,
                    "Рабочий проект методики не согласован с получателем; перенесено на следующий год.", secretariat)


def _decisions(previous, next_year):
    """Carry over every activity not done; a postponed one is rescoped to
    the next year's quarters; a cancelled one is dropped."""
    decisions = {}
    for activity in services.pending_for_update(previous):
        if activity.status == Activity.Status.POSTPONED:
            first = max(activity.first_quarter or 0, quarter_code(next_year, 2))
            last = max(activity.last_quarter or 0, first)
            decisions[activity.pk] = services.UpdateDecision(
                action=UpdateAction.RESCOPED, reason=activity.status_reason or "Перенесено.",
                first_quarter=min(first, quarter_code(LAST_YEAR, 4)), last_quarter=min(last, quarter_code(LAST_YEAR, 4)),
            )
        elif activity.status == Activity.Status.CANCELLED:
            decisions[activity.pk] = services.UpdateDecision(action=UpdateAction.DROPPED, reason=activity.status_reason)
        else:
            decisions[activity.pk] = services.UpdateDecision(
                action=UpdateAction.CARRIED, reason="Не завершено; продолжается по плану."
            )
    return decisions


def _ensure_concerning(version, institutes, secretariat):
    """The current draft names Armenia and Tajikistan (for their comments),
    and has the new activities of its year."""
    existing = set(version.activities.values_list("title_ru", flat=True))
    for direction, _code, recipients, providers, title_ru, title_en in NEW_CURRENT:
        if title_ru in existing:
            continue
        kind = {"international": "international", "information": "information"}[direction]
        services.activity_create(
            version=version, by=secretariat, activity_type=kind, title_ru=title_ru, title_en=title_en,
            recipients=[institutes[a] for a in recipients if a in institutes],
            providers=[institutes[a] for a in providers if a in institutes],
            first_quarter=quarter_code(version.year, 2), last_quarter=quarter_code(version.year, 4),
            responsible="Секретариат КООМЕТ",
        )


def _comment(version, username, stance, text):
    user = User.objects.filter(username=username).first()
    if user is None or user.institute_id is None:
        return
    if ConsultationComment.objects.filter(activity__version=version, institute_id=user.institute_id).exists():
        return
    concerning = version.activities.filter(recipients=user.institute_id)
    activity = (
        concerning.filter(activity_type__in=["calibration", "comparison"]).order_by("direction", "position", "pk").first()
        or concerning.order_by("direction", "position", "pk").first()
    )
    if activity is not None:
        services.comment_add(activity=activity, stance=stance, text=text, by=user)


@transaction.atomic
def load_demo(*, today: date | None = None) -> str:
    today = today or timezone.localdate()
    current = min(max(today.year, FIRST_YEAR + 1), LAST_YEAR)
    secretariat = User.objects.filter(username="secretariat").first()
    chair = User.objects.filter(username="chair").first()
    institutes = {i.acronym: i for i in Institute.objects.all()}

    with acting_as(secretariat):
        programme = _ensure_programme()
        v2022 = _version(programme, FIRST_YEAR) or services.version_draft_for_year(year=FIRST_YEAR, by=secretariat)
        if v2022.is_editable and not v2022.activities.exists():
            _create_2022_activities(v2022, institutes, secretariat)
        previous = _publish(v2022, chair=chair, secretariat=secretariat)
        _follow_2022(previous, secretariat)
        for year in range(FIRST_YEAR + 1, current + 1):
            version = _version(programme, year)
            if version is None or version.is_editable:
                result = services.ProgrammeUpdate(previous=previous, decisions=_decisions(previous, year), by=secretariat).run()
                version = result.version
            if year < current:
                version = _publish(version, chair=chair, secretariat=secretariat)
                _follow_year(version, secretariat, year)
                previous = version
                continue
            # The current year: a draft in consultation with two comments.
            if version.is_editable:
                _ensure_concerning(version, institutes, secretariat)
            if version.status == ProgrammeVersion.Status.DRAFT and version.consultation_opened_at is None:
                version = services.consultation_open(
                    version=version, revision=version.revision, by=secretariat, notify_institutes=False
                )
            if version.status == ProgrammeVersion.Status.CONSULTATION:
                _comment(version, "nmi-am", ConsultationComment.Stance.CHANGE,
                         "Просим перенести калибровку на III квартал: эталон будет на межповерочном ремонте.")
                _comment(version, "nmi-tj", ConsultationComment.Stance.AGREE,
                         "Согласны; ответственный со стороны Таджикстандарта — отдел давления.")
    return f"Programme {FIRST_YEAR}-{LAST_YEAR}: {programme.versions.count()} versions, {Activity.objects.filter(version__programme=programme).count()} activities"
