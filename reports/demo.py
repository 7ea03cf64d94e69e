"""The annual report's part of `manage.py demo`: the report of 2022 with the
source document's number, basis and conclusions (COOMET-34-PS/13), in
Russian as written and in English; and an empty report of the year the task
group's demo meeting and requests fall in.

The task group's demo dates count from today (a meeting 45 days ago, an
action item overdue, the next meeting ahead), so they are not in 2022: the
2022 report shows what the portal holds for 2022 (the members who joined in
2022, no meeting held and no request; the source document itself only plans
the online meeting), and the report of that later year shows the meeting,
its decisions, the open action items and the requests. No PDF is generated
here: asking for one is the first thing to try on the report's page."""
from django.utils import timezone

from .models import AnnualReport

BASIS_RU = "<p>RESOLUTION 33W-10, Решение PC-34 и Действие PC-34.</p><p>Resolution 33W-11: тема 870/KZ/23 «Разработка и реализация Программы мероприятий КООМЕТ по оказанию помощи CEEMS».</p>"
BASIS_EN = "<p>RESOLUTION 33W-10, Decision PC-34 and Action PC-34.</p><p>Resolution 33W-11: project 870/KZ/23 “Development and implementation of the COOMET Programme of activities for assisting CEEMS”.</p>"

SUMMARY_RU = (
    "<p>По итогам опроса стран-участниц КООМЕТ, проведённого Секретариатом КООМЕТ в 2021 году, 4 страны отнесли "
    "себя к CEEMS: Армения, Кыргызстан, Таджикистан и Узбекистан. В 2022 году проведены опрос потребностей НМИ CEEMS "
    "и опрос стран-членов КООМЕТ о возможной поддержке; в нём приняли участие 6 стран (Беларусь, Казахстан, Китай, "
    "Молдова, Словакия, Россия).</p>"
    "<p>Организацией сличений наиболее заинтересованы НМИ Кыргызской Республики и Республики Узбекистан; помощь в их "
    "организации активно предлагают НМИ Беларуси, Молдовы и Российской Федерации. В калибровках заинтересованы НМИ "
    "Армении, Таджикистана и Узбекистана. НМИ Китая и Российской Федерации предложили дополнительные сличения и "
    "калибровки, не входящие в запросы НМИ CEEMS.</p>"
)
SUMMARY_EN = (
    "<p>In the survey of COOMET members held by the COOMET Secretariat in 2021, 4 countries counted themselves as "
    "CEEMS: Armenia, Kyrgyzstan, Tajikistan and Uzbekistan. In 2022 the needs of CEEMS NMIs were surveyed, and the "
    "members were asked what support they could give; 6 countries answered (Belarus, Kazakhstan, China, Moldova, "
    "Slovakia, Russia).</p>"
    "<p>Comparisons are most wanted by the NMIs of Kyrgyzstan and Uzbekistan; the NMIs of Belarus, Moldova and the "
    "Russian Federation actively offer to organise them. Calibrations are wanted by Armenia, Tajikistan and "
    "Uzbekistan. China and the Russian Federation offered further comparisons and calibrations that no CEEMS NMI "
    "asked for.</p>"
)
CONCLUSIONS_RU = (
    "<p>По многим потребностям НМИ CEEMS страны готовы оказать техническую помощь и провести стажировки, но на "
    "договорной основе и с учётом таможенных расходов и логистики со стороны НМИ CEEMS.</p>"
)
CONCLUSIONS_EN = (
    "<p>For many of the CEEMS NMIs' needs, countries are ready to give technical assistance and internships, but "
    "on a contract basis, with customs costs and logistics paid by the CEEMS NMI.</p>"
)
PROPOSALS_RU = (
    "<ul><li>Переименовать блок «обучающие мероприятия» в «стажировки»: почти все предложения касаются стажировок.</li>"
    "<li>Призвать НМИ CEEMS и все заинтересованные стороны вовлечься в работу ЦГ-CEEMS.</li>"
    "<li>Провести онлайн-встречу с представителями НМИ по проекту Программы мероприятий на 2022–2026 гг.</li></ul>"
)
PROPOSALS_EN = (
    "<ul><li>Rename the “training events” block “internships”: nearly every offer is an internship.</li>"
    "<li>Call on CEEMS NMIs and every interested party to join the work of TG-CEEMS.</li>"
    "<li>Hold an online meeting with NMI representatives on the draft Programme of activities 2022–2026.</li></ul>"
)


def load_demo() -> str:
    AnnualReport.objects.update_or_create(year=2022, defaults={
        "document_number": "COOMET-34-PS/13",
        "basis_ru": BASIS_RU, "basis_en": BASIS_EN,
        "summary_ru": SUMMARY_RU, "summary_en": SUMMARY_EN,
        "conclusions_ru": CONCLUSIONS_RU, "conclusions_en": CONCLUSIONS_EN,
        "proposals_ru": PROPOSALS_RU, "proposals_en": PROPOSALS_EN,
    })
    years = taskgroup_years() - {2022}
    for year in sorted(years):
        AnnualReport.objects.get_or_create(year=year)
    shown = ", ".join(str(y) for y in sorted(years))
    return "the annual report 2022 (narrative parts; no PDF yet)" + (f", and {shown} (the task group's demo)" if shown else "")


def taskgroup_years() -> set[int]:
    """The years of the task group's demo meetings held and its requests."""
    from taskgroup.models import InfoRequest, Meeting

    years = {timezone.localtime(at).year for at in Meeting.objects.filter(
        cancelled=False, starts_at__lte=timezone.now()).values_list("starts_at", flat=True)}
    years |= {timezone.localtime(at).year for at in InfoRequest.objects.values_list("created_at", flat=True)}
    return years
