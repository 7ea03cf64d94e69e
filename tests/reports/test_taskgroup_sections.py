"""The annual report's task-group sections (7 meetings, decisions and open
action items; 8 information-support requests; 9 composition), the matching
section's reasons through the Programme's renderer, and who may prepare a
report now that the task group's chair and secretary are dated memberships.

The task group's demo dates count from today (its meeting 45 days ago), so
the year those facts are in is read from the demo rows, not written here."""
import re
from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from institutes.models import Institute, Role, User
from reports.models import ReportVersion
from reports.rendering import report_html, report_pdf
from taskgroup.demo import FIRST_TITLE_EN
from taskgroup.models import ActionItem, Decision, InfoRequest, Meeting, Membership

pytestmark = pytest.mark.django_db


def section(html: str, key: str) -> str:
    return html.split(f'id="section-{key}"', 1)[1].split("</section>", 1)[0]


def flat(text: str) -> str:
    """pdftotext's layout text with runs of blanks and line breaks made one space."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def meeting_year(demo) -> int:
    return timezone.localtime(Meeting.objects.get(title_en=FIRST_TITLE_EN).starts_at).year


# --- The demo's facts, in the PDF, in both languages --------------------------------

def test_the_pdf_of_the_demo_meetings_year_shows_the_meeting_decisions_open_action_item_requests_and_members(
    meeting_year, pdf_text
):
    request_years = {timezone.localtime(r.created_at).year for r in InfoRequest.objects.all()}
    english = flat(pdf_text(report_pdf(year=meeting_year, language="en").content))
    for fact in (
        "7. Meetings held, decisions and open action items",
        "Online meeting on the draft Programme of activities 2022–2026", "Online",
        "Take the draft Programme of activities 2022–2026 as the basis",
        'Rename the training block of the Programme to "Internships"',
        "action items done: 1 of 2",
        # The open action item (a table: its cells wrap, so short words): title, owner with institute,
        # status, overdue.
        "Prepare a draft calibration", "(BelGIM)", "In progress,", "overdue",
        "9. Composition of the task group", "Kazakhstan", "KazStandart", "Chair", "Belarus", "Secretary",
        "China", "NIM", "Armenia", "NIM-AM", "since",
    ):
        assert fact in english, fact
    # The done action item is not listed among the open ones.
    assert "Send the draft Programme 2022–2026 to the CEEMS NMIs" not in english
    # The planned second meeting is not "held".
    assert "Second meeting of the task group" not in english
    if meeting_year in request_years:
        for fact in ("8. Information-support requests", "2 information-support requests were received",
                     "Answered: 1; waiting for an answer: 1.", "Median time from the request to its first answer: 9.0 days",
                     "Tajikistan", "Tajikstandard", "Calibration procedure",
                     "Preparing for the external assessment", "not answered"):
            assert fact in english, fact

    russian = flat(pdf_text(report_pdf(year=meeting_year, language="ru").content))
    for fact in (
        "Онлайн-совещание по проекту Программы мероприятий на 2022–2026 годы", "Казахстан", "KazStandart",
        "Беларусь", "Китай", "Армения",
    ):
        assert fact in russian, fact
    assert "Online meeting on the draft Programme" not in russian
    if meeting_year in request_years:
        assert "Таджикистан" in russian


def test_the_2022_report_shows_what_the_portal_holds_for_2022_the_members_who_joined_and_no_meeting(demo, pdf_text):
    english = flat(pdf_text(report_pdf(year=2022, language="en").content))
    assert "No meeting of the task group held in 2022 is recorded in the portal." in english
    assert "No information-support request received in 2022 is recorded in the portal." in english
    assert "On 31 December 2022 the task group has 4 members." in english
    for joined in ("(KazStandart, Kazakhstan) joined as chair", "(BelGIM, Belarus) joined as secretary",
                   "(NIM, China) joined as member", "(NIM-AM, Armenia) joined as member"):
        assert joined in english, joined
    assert "Not recorded in the portal for this year." not in english
    russian = flat(pdf_text(report_pdf(year=2022, language="ru").content))
    for fact in ("Казахстан", "Беларусь", "Китай", "Армения", "KazStandart"):
        assert fact in russian, fact


# --- Each section's rules, on the HTML --------------------------------------------

def test_the_requests_section_counts_by_topic_and_country_and_gives_the_median_days_to_a_first_answer(demo):
    tj = Institute.objects.get(acronym="Tajikstandard")
    am = Institute.objects.get(acronym="NIM-AM")
    asker = User.objects.get(username="nmi-tj")
    asked = datetime(2019, 3, 1, 9, tzinfo=dt_timezone.utc)
    for institute, days, status in ((tj, 2, "answered"), (tj, 4, "closed"), (am, 30, "assigned"), (am, None, "new")):
        request = InfoRequest.objects.create(
            institute=institute, requester=asker, subject=f"Question {days}", topic=InfoRequest.Topic.COMPARISON,
            status=status, first_answered_at=asked + timedelta(days=days) if days is not None else None,
        )
        InfoRequest.objects.filter(pk=request.pk).update(created_at=asked)
    text = flat(re.sub(r"<[^>]+>", " ", section(report_html(year=2019, language="en"), "information")))
    assert "4 information-support requests were received in 2019." in text
    # Answered: the three with a first answer; waiting: new or assigned (the one answered then replied to included).
    assert "Answered: 3; waiting for an answer: 2." in text
    assert "Median time from the request to its first answer: 4.0 days." in text  # median of 2, 4, 30; the mean is 12
    assert "Comparisons 4" in text
    assert "Armenia 2 1 2" in text and "Tajikistan 2 2 0" in text


def test_the_composition_lists_who_joined_left_and_changed_role_in_the_year(demo):
    user = User.objects.get(username="nmi-kg")
    kg = Institute.objects.get(acronym="Kyrgyzstandard")
    Membership.objects.create(user=user, institute=kg, role=Membership.Role.OBSERVER, starts_on=date(2019, 1, 1),
                              ends_on=date(2019, 5, 31))
    Membership.objects.create(user=user, institute=kg, role=Membership.Role.MEMBER, starts_on=date(2019, 6, 1),
                              ends_on=date(2019, 9, 30))
    text = flat(re.sub(r"<[^>]+>", " ", section(report_html(year=2019, language="en"), "composition")))
    assert "joined as observer" in text
    assert "changed role: observer → member" in text
    assert "(Kyrgyzstandard, Kyrgyzstan) left (was member)" in text
    assert "No member of the task group on 31 December 2019 is recorded in the portal." in text


def test_the_matching_section_words_reasons_with_the_programmes_renderer_naming_the_offers(demo):
    from programme.matching import Facts, Need, Offer, match
    from programme.models import MatchingRun

    from surveys.models import Offer as StoredOffer

    kg = Institute.objects.get(acronym="Kyrgyzstandard")
    by = Institute.objects.get(acronym="BelGIM")
    # A stored offer's id: the renderer names it "acronym: subject" (programme.matching_selectors.names_for).
    stored = StoredOffer.objects.select_related("response__institute").exclude(subject="").order_by("pk").first()
    period = {"period_from": date(2019, 1, 1), "period_to": date(2019, 3, 31)}
    late = {"period_from": date(2019, 9, 1), "period_to": date(2019, 12, 31)}
    needs = [Need(id=1, institute=kg.pk, country="KG", activity_type="comparison", area="M", subject="Mass", **period)]
    offers = [Offer(id=stored.pk, institute=by.pk, country="BY", activity_type="comparison", area="M", subject="Mass",
                    capacity=3, **late)]
    result = match(needs, offers, Facts())
    MatchingRun.objects.create(year=2019, status=MatchingRun.Status.DONE, result=result.to_dict())
    text = section(report_html(year=2019, language="en"), "matching")
    assert "but none covers the wanted period" in text
    assert escape(f"{stored.response.institute.acronym}: {stored.subject}") in text


# --- Who prepares a report -----------------------------------------------------------

@pytest.mark.parametrize("username", ["secretariat", "chair", "nmi-by"])
def test_the_secretariat_the_chair_and_the_secretary_may_prepare_a_report(user_named, username):
    assert user_named(username).has_perm("reports.prepare_report")


def test_a_member_of_the_task_group_reads_and_downloads_but_cannot_generate_or_edit(client_as, user_named):
    assert Membership.objects.current().get(user__username="nmi-cn").role == Membership.Role.MEMBER
    member = user_named("nmi-cn")
    assert member.has_perm("reports.view_report") and not member.has_perm("reports.prepare_report")
    client = client_as("nmi-cn")
    assert client.get("/en/reports/2022/").status_code == 200
    assert client.post("/en/reports/2022/generate/", {"languages": ["en"]}).status_code == 403
    assert client.post("/en/reports/2022/edit/", {"summary_en": "x"}).status_code == 403
    assert not ReportVersion.objects.exists()


def test_the_task_group_role_from_the_administrators_group_alone_does_not_prepare(user_named):
    person = User.objects.create(username="tg-by-group")
    person.groups.add(Group.objects.get_or_create(name=Role.TASKGROUP)[0])
    person = User.objects.get(pk=person.pk)
    assert person.has_perm("reports.view_report")
    assert not person.has_perm("reports.prepare_report")


def test_a_chair_whose_term_ended_no_longer_prepares(user_named):
    Membership.objects.filter(user__username="chair").update(ends_on=timezone.now().date() - timedelta(days=1))
    chair = User.objects.get(username="chair")
    assert not chair.has_perm("reports.prepare_report")
