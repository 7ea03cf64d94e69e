"""Documents of a meeting: type by content, size limit, sanitised names,
versions, served only to those who may see the meeting."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taskgroup.models import DocumentVersion
from taskgroup.uploads import FORBIDDEN_TYPE, sanitise_filename, sniff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, meeting, name, data, title=""):
    return client.post(f"/en/taskgroup/meetings/{meeting.pk}/documents/",
                       {"title": title, "file": SimpleUploadedFile(name, data)}, follow=True)


def test_the_secretary_uploads_a_pdf_and_a_new_version(client_as, planned):
    client = client_as("nmi-by")
    _upload(client, planned, "../../Draft programme<v1>.pdf", PDF, title="Draft Programme")
    version = DocumentVersion.objects.get()
    assert version.filename == "Draft programme_v1_.pdf" and version.content_type == "application/pdf"
    assert version.document.meeting == planned and version.number == 1
    client.post(f"/en/taskgroup/meetings/{planned.pk}/documents/{version.document.pk}/versions/",
                {"file": SimpleUploadedFile("v2.docx", _docx())})
    latest = version.document.versions.order_by("-number").first()
    assert latest.number == 2 and latest.filename == "v2.docx"
    assert latest.content_type.endswith("wordprocessingml.document")


def test_a_renamed_executable_is_refused_by_its_content(client_as, planned):
    response = _upload(client_as("nmi-by"), planned, "report.pdf", EXE)
    assert str(FORBIDDEN_TYPE) in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_file_above_the_size_limit_is_refused(client_as, planned, settings):
    settings.TASKGROUP_UPLOAD_MAX_BYTES = 100
    response = _upload(client_as("nmi-by"), planned, "big.pdf", PDF + b"x" * 200)
    assert "larger than" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_pdf_under_another_name_is_kept_as_a_pdf():
    assert sniff(PDF, "scan.exe").extension == "pdf"
    assert sanitise_filename("scan.exe", "pdf") == "scan.pdf"
    assert sniff(b"PK\x03\x04garbage") is None
    assert sniff(b"<html><script>") is None


def test_documents_are_served_only_to_those_who_may_see_the_meeting(client_as, planned, client, outsider):
    _upload(client_as("nmi-by"), planned, "a.pdf", PDF)
    version = DocumentVersion.objects.get()
    url = f"/en/taskgroup/meetings/{planned.pk}/files/{version.pk}/"
    member = client_as("nmi-cn").get(url)
    assert member.status_code == 200 and b"".join(member.streaming_content) == PDF
    assert member["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
