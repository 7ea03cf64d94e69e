"""Information support: a CEEMS respondent asks, the chair or secretary
assigns, a member answers, the requester is notified and replies or closes."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import PortalError
from core.models import OutboxMessage
from taskgroup import services
from taskgroup.models import InfoAttachment, InfoRequest
from taskgroup.selectors import info_request_summary
from taskgroup.uploads import FORBIDDEN_TYPE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_whole_flow(client_as, user_named, demo):
    asker = client_as("nmi-uz")
    response = asker.post("/en/taskgroup/requests/new/", {
        "subject": "Comparison of mass standards", "topic": "comparison", "language": "ru", "text": "How to join?",
        "attachments": SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF"),
    })
    assert response.status_code == 302
    info = InfoRequest.objects.get(subject="Comparison of mass standards")
    assert info.status == InfoRequest.Status.NEW and InfoAttachment.objects.filter(message__request=info).count() == 1
    assert OutboxMessage.objects.filter(key=f"taskgroup-request:{info.pk}:new", to=user_named("chair").email).exists()

    secretary = client_as("nmi-by")
    secretary.post(f"/en/taskgroup/requests/{info.pk}/assign/", {"assignee": user_named("nmi-cn").pk})
    info.refresh_from_db()
    assert info.assigned_to == user_named("nmi-cn") and info.status == InfoRequest.Status.ASSIGNED

    member = client_as("nmi-cn")
    member.post(f"/en/taskgroup/requests/{info.pk}/messages/", {"text": "NIM pilots one in spring."})
    info.refresh_from_db()
    assert info.status == InfoRequest.Status.ANSWERED and info.first_answered_at is not None
    assert OutboxMessage.objects.filter(key__startswith=f"taskgroup-request:{info.pk}:answer", to=user_named("nmi-uz").email).exists()

    asker = client_as("nmi-uz")
    asker.post(f"/en/taskgroup/requests/{info.pk}/messages/", {"text": "Thank you, which dates?", "as": "reply"})
    info.refresh_from_db()
    assert info.status == InfoRequest.Status.ASSIGNED
    asker.post(f"/en/taskgroup/requests/{info.pk}/close/")
    info.refresh_from_db()
    assert info.status == InfoRequest.Status.CLOSED and info.closed_at is not None
    with pytest.raises(PortalError):
        services.info_request_answer(request=info, text="late", by=user_named("nmi-cn"))
    assert info_request_summary(year=info.created_at.year)["count"] >= 1


def test_another_institutes_request_is_404_and_a_non_ceems_respondent_cannot_ask(client_as, demo):
    armenian = InfoRequest.objects.get(institute__acronym="NIM-AM")
    assert client_as("nmi-tj").get(f"/en/taskgroup/requests/{armenian.pk}/").status_code == 404
    assert client_as("nmi-ru-vniim").get("/en/taskgroup/requests/new/").status_code == 403
    # A member who is not assigned sees no request they were not given.
    assert client_as("nmi-cn").get(f"/en/taskgroup/requests/{armenian.pk}/").status_code == 404


def test_an_executable_attachment_is_refused_and_nothing_is_saved(client_as, demo):
    response = client_as("nmi-uz").post("/en/taskgroup/requests/new/", {
        "subject": "S", "topic": "other", "language": "en", "text": "T",
        "attachments": SimpleUploadedFile("manual.pdf", b"MZ\x90\x00" + b"\x00" * 64),
    })
    assert response.status_code == 200 and str(FORBIDDEN_TYPE) in response.content.decode()
    assert not InfoRequest.objects.filter(subject="S").exists()


def test_only_a_current_member_can_be_assigned(user_named, demo):
    from django.core.exceptions import ValidationError

    info = InfoRequest.objects.get(institute__acronym="NIM-AM")
    with pytest.raises(ValidationError):
        services.info_request_assign(request=info, assignee=user_named("nmi-kg"), by=user_named("chair"))
