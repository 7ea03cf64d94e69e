"""A version's steps: consultation (notified institutes, comments on their
own activities only, answers), approval by the chair, publication by the
Secretariat, revision as a new version; who sees what."""
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import PortalError
from core.models import OutboxMessage
from programme import services
from programme.models import Activity, ConsultationComment, ProgrammeVersion

from .conftest import add_activity, publish

pytestmark = pytest.mark.django_db


def _open(version, people):
    version.refresh_from_db()
    return services.consultation_open(version=version, revision=version.revision, by=people["secretariat"])


def test_opening_consultation_notifies_the_named_institutes_in_their_language(activity, people):
    people["respondent"].preferred_language = "en"
    people["respondent"].save()
    people["provider_respondent"].preferred_language = "ru"
    people["provider_respondent"].save()
    version = _open(activity.version, people)
    assert version.status == "consultation"
    rows = {m.to: m for m in OutboxMessage.objects.filter(key__startswith="programme-consultation")}
    assert set(rows) == {people["respondent"].email, people["provider_respondent"].email}
    assert "consultation" in rows[people["respondent"].email].subject
    assert "консультац" in rows[people["provider_respondent"].email].subject.lower() or rows[people["provider_respondent"].email].language == "ru"
    assert people["outsider"].email not in rows


def test_respondent_sees_and_comments_only_on_their_institutes_activities(client, activity, people):
    foreign = add_activity(activity.version, people, title_ru="Чужое", title_en="Foreign",
                           recipients=[people["other"]], providers=[people["provider"]])
    _open(activity.version, people)
    client.force_login(people["respondent"])
    page = client.get(reverse("programme:version_detail", args=[activity.version_id]))
    assert page.status_code == 200
    assert b"Calibration of weights" in page.content and b"Foreign" not in page.content
    assert client.get(reverse("programme:activity_detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("programme:comment_add", args=[foreign.pk]), {"stance": "agree"}).status_code == 404
    response = client.post(reverse("programme:comment_add", args=[activity.pk]), {"stance": "change", "text": "Q3 please"})
    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    assert comment.institute == people["recipient"] and comment.author == people["respondent"]


def test_comment_on_another_institutes_activity_is_refused_by_the_service(activity, people):
    foreign = add_activity(activity.version, people, title_ru="Чужое", recipients=[people["other"]], providers=[])
    _open(activity.version, people)
    with pytest.raises(ValidationError) as error:
        services.comment_add(activity=foreign, stance="agree", text="", by=people["respondent"])
    assert error.value.message_dict["text"] == [str(services.COMMENT_NOT_YOURS)]
    assert not ConsultationComment.objects.exists()


def test_asking_for_a_change_needs_a_text_shown_next_to_the_field(client, activity, people):
    _open(activity.version, people)
    client.force_login(people["respondent"])
    page = client.post(reverse("programme:comment_add", args=[activity.pk]), {"stance": "change", "text": ""})
    assert page.status_code == 200
    assert page.context["comment_form"].errors["text"] == [str(services.COMMENT_TEXT_REQUIRED)]


def test_no_comment_outside_consultation(activity, people):
    with pytest.raises(PortalError):
        services.comment_add(activity=activity, stance="agree", text="", by=people["respondent"])


def test_secretariat_answers_and_closes(client, activity, people):
    _open(activity.version, people)
    comment = services.comment_add(activity=activity, stance="change", text="Q3", by=people["respondent"])
    client.force_login(people["secretariat"])
    overview = client.get(reverse("programme:version_comments", args=[activity.version_id]))
    assert b"Q3" in overview.content
    response = client.post(reverse("programme:comment_answer", args=[comment.pk]),
                           {f"c{comment.pk}-answer": "Moved to Q3.", f"c{comment.pk}-revision": comment.revision})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.answer == "Moved to Q3." and comment.answered_by == people["secretariat"]
    client.force_login(people["respondent"])
    assert client.post(reverse("programme:comment_answer", args=[comment.pk]),
                       {f"c{comment.pk}-answer": "hijack", f"c{comment.pk}-revision": comment.revision + 1}).status_code == 403
    client.force_login(people["secretariat"])
    client.post(reverse("programme:version_close_consultation", args=[activity.version_id]),
                {"revision": ProgrammeVersion.objects.get().revision})
    version = ProgrammeVersion.objects.get()
    assert version.status == "draft" and version.consultation_closed_at is not None


def test_approve_is_the_chairs_and_publish_the_secretariats(client, activity, people):
    version = activity.version
    url_approve = reverse("programme:version_approve", args=[version.pk])
    url_publish = reverse("programme:version_publish", args=[version.pk])
    for role in ("secretariat", "member", "committee", "respondent"):
        client.force_login(people[role])
        assert client.post(url_approve, {"revision": version.revision}).status_code in (403, 404), role
    client.force_login(people["chair"])
    assert client.post(url_approve, {"revision": version.revision}).status_code == 302
    version.refresh_from_db()
    assert version.status == "approved" and version.approved_by == people["chair"]
    assert client.post(url_publish, {"revision": version.revision}).status_code == 403
    client.force_login(people["secretariat"])
    assert client.post(url_publish, {"revision": version.revision}).status_code == 302
    version.refresh_from_db()
    assert version.status == "published" and version.published_by == people["secretariat"]
    page = client.get(version.get_absolute_url())
    assert str(people["chair"]).encode() in page.content and str(people["secretariat"]).encode() in page.content


def test_approving_during_consultation_is_refused(activity, people):
    version = _open(activity.version, people)
    with pytest.raises(PortalError) as error:
        services.version_approve(version=version, revision=version.revision, by=people["chair"])
    assert error.value.message == services.APPROVE_NEEDS_DRAFT


def test_who_sees_which_version(client, activity, people):
    version = activity.version
    for role, code in (("secretariat", 200), ("member", 200), ("committee", 404), ("respondent", 404)):
        client.force_login(people[role])
        assert client.get(version.get_absolute_url()).status_code == code, role
    publish(version, people)
    for role in ("committee", "respondent", "outsider", "member"):
        client.force_login(people[role])
        assert client.get(version.get_absolute_url()).status_code == 200, role
        assert client.get(reverse("programme:version_timeline", args=[version.pk])).status_code == 200


def test_revision_of_a_published_version_is_a_new_version(activity, people):
    version = publish(activity.version, people)
    draft = services.version_revise(version=version, by=people["secretariat"])
    assert draft.number == 2 and draft.year == version.year and draft.status == "draft"
    copy = draft.activities.get()
    assert copy.lineage == activity.lineage and copy.pk != activity.pk
    assert services.version_revise(version=version, by=people["secretariat"]) == draft


def test_version_change_log_lists_the_steps(client, activity, people):
    publish(activity.version, people)
    client.force_login(people["secretariat"])
    page = client.get(reverse("programme:version_history", args=[activity.version_id]))
    assert page.status_code == 200
    assert "Published".encode() in page.content
    client.force_login(people["committee"])
    assert client.get(reverse("programme:version_history", args=[activity.version_id])).status_code == 404


def test_outcome_of_a_done_activity(client, activity, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_outcome", args=[activity.pk])
    response = client.post(url, {"held_from": "2022-10-03"}, follow=True)
    assert str(services.OUTCOME_NOT_DONE) in response.content.decode()
    services.activity_set_status(activity=activity, revision=activity.revision, status="done", by=people["secretariat"])
    bad = client.post(url, {"held_from": "2022-10-05", "held_to": "2022-10-01", "doc-TOTAL_FORMS": "0", "doc-INITIAL_FORMS": "0"})
    assert bad.status_code == 200 and bad.context["form"].errors["held_to"]
    ok = client.post(url, {
        "held_from": "2022-10-03", "held_to": "2022-10-07", "participants_count": "3", "result_kind": "comparison",
        "result_identifier": "COOMET.M.M-K1", "doc-TOTAL_FORMS": "1", "doc-INITIAL_FORMS": "0",
        "doc-0-kind": "comparison_report", "doc-0-title": "Final report", "doc-0-reference": "https://example.org/r.pdf",
    })
    assert ok.status_code == 302
    page = client.get(activity.get_absolute_url())
    assert b"COOMET.M.M-K1" in page.content and b"Final report" in page.content
