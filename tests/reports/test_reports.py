"""The annual report: generation in both languages, the job's states, the
URL fetcher, sanitising, permissions, the command line, the matching
section from a real engine result, and a fixed number of queries."""
import os
import re
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.jobs import job_run, jobs_sweep
from core.models import Job
from reports import services
from reports.models import AnnualReport, ReportVersion
from reports.rendering import pdf_from_html, report_html, report_pdf, static_only_fetcher
from reports.sanitize import narrative_clean

pytestmark = pytest.mark.django_db


def pdf_objects(content: bytes) -> bytes:
    """The PDF's bytes with every deflated stream inflated (the catalogue and
    the structure tree sit in compressed object streams)."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return content + b"".join(inflated)


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Ask for PDFs as a client; the jobs run on commit (in-process here)."""

    def ask(client, year=2022, languages=("ru", "en")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/en/reports/{year}/generate/", {"languages": list(languages)})
        # With a real broker (CI) the task went to Redis, where no worker of
        # this test's transaction can see the rows: run it here, as the
        # worker would (a later delivery finds nothing to claim).
        for job_id in ReportVersion.objects.filter(job__status="pending", job__attempts=0).values_list("job_id", flat=True):
            job_run(job_id=job_id)
        return response

    return ask


# --- Generation, in both languages ------------------------------------------------

def test_the_chair_generates_both_languages_and_each_pdf_holds_the_sections_and_names(
    client_as, pdf_text, pdf_info, media_root, generate
):
    response = generate(client_as("chair"))
    assert response.status_code == 302
    versions = {v.language: v for v in ReportVersion.objects.filter(report__year=2022)}
    assert set(versions) == {"ru", "en"}
    for version in versions.values():
        assert version.state == "done" and version.job.status == Job.Status.DONE
        assert 4 <= version.pages <= 30
        assert Path(version.file.path).read_bytes()[:5] == b"%PDF-"

    english = pdf_text(versions["en"].file.read())
    for heading in ("Contents", "1. Basis", "Surveys of the year and who answered", "The CEEMS list and its changes",
                    "Needs and offers by direction of support", "Matches and gaps",
                    "The Programme of the year and its progress", "Composition of the task group",
                    "Summary, conclusions and proposals", "Annex: the Programme of activities"):
        assert heading in english, heading
    for name in ("COOMET-34-PS/13", "Armenia", "Kyrgyzstan", "Tajikistan", "Uzbekistan", "Belarus", "China",
                 "Slovakia", "Moldova", "on a contract basis", "Page 3 of"):
        assert name in english, name
    assert re.search(r"1\. Basis \.+ \d", english), "the table of contents has page numbers"

    versions["ru"].file.open("rb")
    russian = pdf_text(versions["ru"].file.read())
    # Data and narrative in Russian (the headings follow the compiled catalogue).
    for name in ("Армения", "Кыргызстан", "Таджикистан", "Узбекистан", "Беларусь", "Китай", "Словакия",
                 "на договорной основе", "COOMET-34-PS/13"):
        assert name in russian, name
    assert "Armenia" not in russian

    info = pdf_info(versions["en"].file.open("rb").read())
    assert info["Title"].startswith("On the activity of the COOMET Task Group for CEEMS support")
    assert info["Author"] == "COOMET Task Group for CEEMS support"
    assert info["Tagged"] == "yes"
    objects = pdf_objects(versions["ru"].file.open("rb").read())
    assert b"/Lang (ru)" in objects
    assert b"/S /H2" in objects, "headings are tagged"
    assert b"pdfuaid" in objects, "PDF/UA-1 identification in the XMP metadata"


def test_a_chinese_name_is_drawn_with_an_embedded_font_that_has_its_glyphs(pdf_text, pdf_fonts):
    name = "中国计量科学研究院"
    rendered = pdf_from_html(
        f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="reports/annual_report.css"></head>'
        f"<body><p>NIM {name} — Кыргызстандарт</p></body></html>"
    )
    assert name in pdf_text(rendered.content)
    fonts = pdf_fonts(rendered.content)
    assert "DroidSansFallback" in fonts.replace(" ", "") or "Droid" in fonts
    assert all(" yes yes " in line for line in fonts.splitlines()[2:]), "every font is embedded (subset)"


def test_a_new_generation_never_overwrites_an_earlier_file(client_as, generate):
    client = client_as("secretariat")
    generate(client, languages=["en"])
    first = ReportVersion.objects.get()
    first_bytes = first.file.open("rb").read()
    AnnualReport.objects.filter(year=2022).update(summary_en="<p>Changed after the first PDF.</p>")
    generate(client, languages=["en"])
    second = ReportVersion.objects.exclude(pk=first.pk).get()
    assert (first.number, second.number) == (1, 2)
    assert first.file.name != second.file.name
    first.refresh_from_db()
    assert first.file.open("rb").read() == first_bytes


def test_one_version_is_marked_as_submitted_and_marking_another_moves_the_mark(client_as, generate):
    client = client_as("chair")
    generate(client)
    one, two = ReportVersion.objects.order_by("number")
    client.post(f"/en/reports/2022/v{one.number}/submitted/")
    client.post(f"/en/reports/2022/v{two.number}/submitted/")
    assert list(ReportVersion.objects.filter(submitted=True)) == [two]
    page = client_as("committee").get("/en/reports/").content.decode()
    assert "submitted to the Committee" in page


# --- The job: states, outage, crash, twice ----------------------------------------

@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_succeeds_the_version_waits_and_the_sweep_renders_it(client_as, media_root):
    """Under CI a real Redis goes away and a real worker renders the PDF once
    it is back (tests/broker.py); elsewhere the outage is simulated."""
    import time

    from tests.broker import BrokerOutage

    outage = BrokerOutage()
    saved_media = os.environ.get("DJANGO_MEDIA_ROOT")
    os.environ["DJANGO_MEDIA_ROOT"] = str(media_root)  # for the worker process under CI
    try:
        outage.go_down()
        chair = client_as("chair")
        assert chair.post("/en/reports/2022/generate/", {"languages": ["en"]}).status_code == 302
        version = ReportVersion.objects.get()
        assert version.job.status == Job.Status.PENDING and not version.file
        page = chair.get("/en/reports/2022/versions/").content.decode()
        assert "Queued" in page and 'hx-trigger="every 2s"' in page
        outage.come_back()
        jobs_sweep()
        deadline = time.monotonic() + 180
        while not ReportVersion.objects.filter(pk=version.pk).exclude(file="").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        outage.close()
        if saved_media is None:
            os.environ.pop("DJANGO_MEDIA_ROOT", None)
        else:
            os.environ["DJANGO_MEDIA_ROOT"] = saved_media
    version.refresh_from_db()
    assert version.state == "done"
    page = client_as("chair").get("/en/reports/2022/versions/").content.decode()
    assert "Download PDF" in page and "every 2s" not in page, "polling stops once every version is done"


def test_the_page_shows_a_running_job_with_its_progress_and_a_failed_one_with_a_message(client_as, django_capture_on_commit_callbacks, generate):
    report = services.report_for_year(year=2022)
    with django_capture_on_commit_callbacks(execute=False):
        running, failed = services.report_generate(report=report, languages=["ru", "en"])
    Job.objects.filter(pk=running.job_id).update(status="running", progress_done=1, progress_total=3,
                                                 progress_message="Laying out the pages")
    Job.objects.filter(pk=failed.job_id).update(status="failed")
    page = client_as("committee").get("/en/reports/2022/versions/").content.decode()
    assert "Rendering" in page and "Laying out the pages" in page and "progress-33" in page
    assert "The PDF could not be made" in page
    assert "every 2s" in page


def test_a_render_that_fails_is_retried_and_after_the_last_attempt_the_version_is_failed(client_as, monkeypatch, generate):
    import reports.rendering

    def broken(html):
        raise RuntimeError("WeasyPrint broke")

    monkeypatch.setattr(reports.rendering, "pdf_from_html", broken)
    generate(client_as("chair"), languages=["en"])
    version = ReportVersion.objects.get()
    job = version.job
    assert job.status == Job.Status.PENDING and job.attempts == 1 and "WeasyPrint broke" in job.last_error
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts - 1)
    job_run(job_id=job.pk)
    version.refresh_from_db()
    assert version.state == "failed" and not version.file


def test_a_worker_killed_mid_render_leaves_no_file_and_the_sweep_gives_the_job_another_attempt(
    client_as, monkeypatch, media_root, django_capture_on_commit_callbacks, generate):
    """In-process stand-in for a killed worker: the render stops with a
    BaseException (as SIGKILL stops it: nothing after runs), half-way
    through writing the file. The real kill runs on the real stack
    (test_stack_reports.py)."""
    import reports.services

    real_fsync = reports.services.os.fsync

    def killed(fd):
        raise SystemExit("worker killed")

    monkeypatch.setattr(reports.services.os, "fsync", killed)
    report = services.report_for_year(year=2022)
    with django_capture_on_commit_callbacks(execute=False):
        (version,) = services.report_generate(report=report, languages=["en"])
    with pytest.raises(SystemExit):
        job_run(job_id=version.job_id)
    version.refresh_from_db()
    assert version.job.status == Job.Status.RUNNING and not version.file
    folder = media_root / "reports" / "2022"
    assert not list(folder.glob("*.pdf")), "nothing under a name anybody downloads"
    assert client_as("committee").get(f"/en/reports/2022/v{version.number}/download/").status_code == 404

    monkeypatch.setattr(reports.services.os, "fsync", real_fsync)
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(seconds=version.job.time_limit + 120)
    assert jobs_sweep(now=later)["timed_out"] == 1
    # In-process tasks ran it already; with a real broker, do what its worker does.
    job_run(job_id=version.job_id)
    version.refresh_from_db()
    assert version.state == "done"
    assert [p.name for p in folder.iterdir()] == [version.file_name()]


def test_the_same_job_run_twice_gives_one_file(client_as, media_root, django_capture_on_commit_callbacks, generate):
    from reports.tasks import render_report

    report = services.report_for_year(year=2022)
    with django_capture_on_commit_callbacks(execute=False):
        (version,) = services.report_generate(report=report, languages=["ru"])
    job = Job.objects.get(pk=version.job_id)
    first = render_report(job=job, version_id=version.pk)
    # A second delivery of a job already done: the claim refuses it.
    assert job_run(job_id=job.pk) is not None
    assert job_run(job_id=job.pk) is None
    # And the function itself, called again, keeps the one file.
    second = render_report(job=job, version_id=version.pk)
    assert first["file"] == second["file"]
    assert len(list((media_root / "reports" / "2022").iterdir())) == 1


def test_a_render_past_its_time_limit_is_stopped():
    from reports.rendering import RenderTimeout, time_limit

    with pytest.raises(RenderTimeout):
        with time_limit(1):
            import time

            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                pass


# --- The renderer fetches nothing but the portal's static files -----------------

def test_the_url_fetcher_serves_the_static_stylesheet_and_refuses_everything_else(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE")
    html = (
        '<html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="reports/annual_report.css">'
        f'<link rel="stylesheet" href="file://{secret}">'
        '<link rel="stylesheet" href="http://example.com/evil.css">'
        '<link rel="stylesheet" href="../../../etc/passwd">'
        "</head><body><h1>Title</h1>"
        '<img src="file:///etc/passwd">'
        f'<img src="file://{secret}">'
        '<img src="https://example.com/tracker.png">'
        f'<a rel="attachment" href="file://{secret}">attachment</a>'
        '<object data="file:///etc/hostname"></object>'
        "</body></html>"
    )
    fetcher = static_only_fetcher()
    from weasyprint import HTML

    from reports.rendering import STATIC_BASE

    content = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()
    refused = " ".join(fetcher.refused)
    for url in (f"file://{secret}", "http://example.com/evil.css", "file:///etc/passwd",
                "https://example.com/tracker.png", "file:///etc/hostname"):
        assert url in refused, url
    assert "etc/passwd" in refused  # the relative climb too
    assert "annual_report.css" not in refused
    everything = pdf_objects(content)
    assert b"SECRET-LINE" not in everything and b"root:x:0:0" not in everything
    assert b"/EmbeddedFile" not in everything


def test_user_text_is_sanitised_before_it_reaches_the_template():
    dirty = (
        '<p onclick="x()">Hello <strong>bold</strong> <img src="file:///etc/passwd"></p>'
        '<link rel="stylesheet" href="file:///etc/passwd"><style>body{background:url(file:///etc/passwd)}</style>'
        '<script>alert(1)</script><a rel="attachment" href="file:///etc/passwd">file</a><ul><li>one</li></ul>'
    )
    clean = narrative_clean(dirty)
    assert clean == "<p>Hello <strong>bold</strong> </p>file<ul><li>one</li></ul>"
    assert narrative_clean("First line\nsecond\n\n- one\n- two") == "<p>First line<br>second</p><ul><li>one</li><li>two</li></ul>"


def test_a_narrative_with_hostile_markup_gives_a_pdf_without_it(client_as, pdf_text, generate):
    client = client_as("chair")
    report = AnnualReport.objects.get(year=2022)
    response = client.post("/en/reports/2022/edit/", {
        "revision": report.revision, "document_number": "COOMET-34-PS/13",
        "summary_en": '<p>Visible text</p><img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.com/x.css">',
        "summary_ru": "Текст", "basis_en": "", "basis_ru": "", "conclusions_en": "", "conclusions_ru": "",
        "proposals_en": "", "proposals_ru": "",
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary_en == "<p>Visible text</p>"
    generate(client, languages=["en"])
    content = ReportVersion.objects.get().file.open("rb").read()
    assert "Visible text" in pdf_text(content)
    assert b"root:x:0:0" not in pdf_objects(content)


# --- Input ----------------------------------------------------------------------

def test_a_narrative_too_long_is_refused_next_to_its_field_and_nothing_is_lost(client_as):
    client = client_as("chair")
    report = AnnualReport.objects.get(year=2022)
    huge = "x" * 200_000
    response = client.post("/en/reports/2022/edit/", {
        "revision": report.revision, "document_number": "N\x01o", "summary_en": huge, "summary_ru": "ok\x0b",
    })
    assert response.status_code == 200
    assert "Ensure this value has at most 20000 characters" in response.content.decode()
    assert huge in response.content.decode()  # what was typed is shown again
    report.refresh_from_db()
    assert report.summary_en.startswith("<p>In the survey")


def test_a_stale_form_conflicts_instead_of_overwriting(client_as):
    client = client_as("chair")
    report = AnnualReport.objects.get(year=2022)
    data = {"revision": report.revision, "document_number": "A", "summary_en": "First"}
    assert client.post("/en/reports/2022/edit/", data).status_code == 302
    page = client.post("/en/reports/2022/edit/", {**data, "summary_en": "Second"}, follow=True).content.decode()
    assert "Somebody else saved this report" in page
    report.refresh_from_db()
    assert report.summary_en == "<p>First</p>"


def test_asking_for_no_language_says_so_and_creates_nothing(client_as):
    response = client_as("chair").post("/en/reports/2022/generate/", {})
    assert response.status_code == 400
    assert "Choose Russian, English or both." in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_a_year_out_of_range_is_not_found(client_as):
    assert client_as("chair").get("/en/reports/99999/").status_code == 404


# --- Permissions ------------------------------------------------------------------

def test_a_respondent_can_neither_see_ask_for_nor_download_a_report(client_as, generate):
    generate(client_as("chair"), languages=["en"])
    version = ReportVersion.objects.get()
    client = client_as("nmi-kg")
    assert client.get("/en/reports/").status_code == 403
    assert client.get("/en/reports/2022/").status_code == 403
    assert client.get(f"/en/reports/2022/v{version.number}/download/").status_code == 403
    assert generate(client).status_code == 403
    assert ReportVersion.objects.count() == 1


def test_a_committee_member_downloads_but_cannot_generate_edit_or_mark(client_as, generate):
    generate(client_as("chair"), languages=["en"])
    version = ReportVersion.objects.get()
    client = client_as("committee")
    listing = client.get("/en/reports/").content.decode()
    assert version.get_download_url() in listing
    download = client.get(version.get_download_url())
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    assert "attachment;" in download["Content-Disposition"]
    assert generate(client).status_code == 403
    assert client.post("/en/reports/2022/edit/", {"summary_en": "x"}).status_code == 403
    assert client.post(f"/en/reports/2022/v{version.number}/submitted/").status_code == 403
    detail = client.get("/en/reports/2022/").content.decode()
    assert "Generate PDF" not in detail and "report-form" not in detail
    assert ReportVersion.objects.count() == 1


def test_an_unknown_version_is_not_found(client_as):
    assert client_as("committee").get("/en/reports/2022/v7/download/").status_code == 404
    assert client_as("committee").get("/en/reports/2031/").status_code == 404


# --- The command line -------------------------------------------------------------

def test_the_command_renders_the_report_to_a_file(demo, tmp_path, pdf_text):
    output = tmp_path / "report.pdf"
    call_command("annual_report", "--year", "2022", "--lang", "ru", "--output", str(output))
    content = output.read_bytes()
    assert content[:5] == b"%PDF-"
    assert "Армения" in pdf_text(content)
    assert not list(tmp_path.glob(".*partial"))


# --- The matching section, from the engine's own result ---------------------------

def test_the_matching_section_lists_proposals_gaps_and_unsolicited_offers_from_a_run(demo):
    from institutes.models import Institute
    from programme.matching import Facts, Need, Offer, match
    from programme.models import MatchingRun

    kg = Institute.objects.get(acronym="Kyrgyzstandard") if Institute.objects.filter(acronym="Kyrgyzstandard").exists() \
        else Institute.objects.filter(country__iso2="KG").first()
    uz = Institute.objects.filter(country__iso2="UZ").first()
    by = Institute.objects.filter(country__iso2="BY").first()
    cn = Institute.objects.filter(country__iso2="CN").first()
    period = {"period_from": date(2022, 1, 1), "period_to": date(2022, 12, 31)}
    needs = [
        Need(id=1, institute=kg.pk, country="KG", activity_type="comparison", area="M", subject="Mass 1 kg", **period),
        Need(id=2, institute=uz.pk, country="UZ", activity_type="calibration", area="RI", subject="Dosimeter", **period),
    ]
    offers = [
        Offer(id=10, institute=by.pk, country="BY", activity_type="comparison", area="M", subject="Mass comparison",
              capacity=3, **period),
        Offer(id=11, institute=cn.pk, country="CN", activity_type="calibration", area="TF", subject="Frequency",
              capacity=2, **period),
    ]
    result = match(needs, offers, Facts())
    # Finished now: the latest run of the year (the demo has its own run of 2022).
    MatchingRun.objects.create(year=2022, status=MatchingRun.Status.DONE, result=result.to_dict(),
                               finished_at=timezone.now())
    html = report_html(year=2022, language="en")
    section = html.split('id="section-matching"', 1)[1].split("</section>", 1)[0]
    assert "Mass comparison" in section and by.acronym in section and kg.acronym in section
    assert "Dosimeter" in section and "No offer of this activity type in" in section
    assert "Frequency" in section and "No need of this activity type in" in section


# --- Queries: a fixed number whatever the size -------------------------------------

def test_the_report_reads_the_same_number_of_queries_for_20_and_200_activities_and_the_task_groups_rows(demo):
    from reports.synth import programme_year

    from .factories import taskgroup_year

    counts = []
    # Past years: the task group's meetings count only once held. With them, at
    # each size, as many meetings (two decisions and two open action items
    # each), information-support requests and memberships (sections 7 to 9).
    for year, size, taskgroup_size in ((2011, 20, 5), (2012, 200, 50)):
        programme_year(year=year, activities=size)
        taskgroup_year(year, taskgroup_size)
        for language in ("en", "ru"):
            with CaptureQueriesContext(connection) as queries:
                html = report_html(year=year, language=language)
            assert html.count('<td class="num">') >= size
            assert html.count("Decision 2") == taskgroup_size
            assert html.split('id="section-information"', 1)[1].count("Request ") == taskgroup_size
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_the_list_page_makes_the_same_number_of_queries_for_1_and_5_reports(client_as, django_capture_on_commit_callbacks, generate):
    client = client_as("committee")
    counts = []
    for years in ((2022,), (2022, 2023, 2024, 2025, 2026)):
        for year in years:
            report = services.report_for_year(year=year)
            with django_capture_on_commit_callbacks(execute=False):
                services.report_generate(report=report, languages=["ru", "en"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/reports/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_preview_shows_the_report_as_a_web_page_in_the_language_asked(client_as):
    page = client_as("committee").get("/en/reports/2022/preview/?lang=ru").content.decode()
    assert "Армения" in page and "<svg" in page and "COOMET-34-PS/13" in page
    english = client_as("committee").get("/en/reports/2022/preview/?lang=en").content.decode()
    assert "Armenia" in english and "on a contract basis" in english


def test_the_form_shows_stored_narrative_as_the_plain_text_that_gives_it_back():
    from reports.forms import ReportForm
    from reports.models import AnnualReport
    from reports.sanitize import narrative_as_text, narrative_clean

    typed = "Первый абзац\nвторая строка\n\nИтоги & выводы\n\n- сличения\n- калибровки"
    stored = narrative_clean(typed)
    assert narrative_as_text(stored) == typed and narrative_clean(narrative_as_text(stored)) == stored
    form = ReportForm(instance=AnnualReport(year=2099, summary_ru=stored))
    assert "<p>" not in str(form["summary_ru"]) and "- сличения" in str(form["summary_ru"])
    # Richer HTML (typed as HTML) is shown as it is.
    assert narrative_as_text("<p>a <strong>b</strong></p>") == "<p>a <strong>b</strong></p>"


def test_the_programme_section_shows_the_outcomes_of_done_activities(demo):
    from programme.models import Outcome
    from reports.document import ReportData

    version = ReportData(year=2022, language="en").programme_version
    outcome = Outcome.objects.filter(activity__version=version, activity__status="done").exclude(result_identifier="").first()
    assert outcome is not None, "the demo records outcomes of the 2022 activities done"
    html = report_html(year=2022, language="en")
    section = html.split('id="section-programme"', 1)[1].split("</section>", 1)[0]
    assert outcome.result_identifier in section and "held " in section
