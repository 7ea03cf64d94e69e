"""The questionnaire lets no bad data in and nothing it stores out as a crash:
new items, copying last year's answers, sub-fields by area, capacity and
text limits, control characters, required marks, the redirect after a
refused submit, and the emails of a submission."""
import io
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from institutes.models import MetrologyArea, SubField
from surveys import services
from surveys.models import ITEM_COMMENT_MAX_LENGTH, MIN_CAPACITY, Campaign, Need, Offer, Response
from tests.factories import current_revision
from tests.mailserver import smtp_server  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _url(response, tail=""):
    return f"/en/surveys/responses/{response.pk}/{tail}"


def _complete_need(response, **overrides):
    subfield = SubField.objects.get(code="M-MASS")
    values = {
        "activity_type": "comparison", "area": subfield.area, "subfield": subfield,
        "subject": "Comparison of weights, 1 mg – 1 kg", "period_from": date(2027, 1, 1),
        "period_to": date(2027, 12, 31), "priority": "high",
    }
    values.update(overrides)
    return services.item_add(response=response, revision=current_revision(response), by=None, **values)


# 1. "Add a need" then "Cancel" ------------------------------------------------

def test_add_then_cancel_stores_nothing_and_an_empty_new_item_is_not_saved(client_as, kg_response):
    client = client_as("nmi-kg")
    form = client.get(_url(kg_response, "items/add/"), HTTP_HX_REQUEST="true")
    assert 'name="new-subject"' in form.content.decode()
    assert client.get(_url(kg_response, "items/add/?cancel=1"), HTTP_HX_REQUEST="true").status_code == 200
    assert not Need.objects.filter(response=kg_response).exists()
    # Saving the new form with nothing in it stores nothing either.
    empty = client.post(_url(kg_response, "items/add/"), {"revision": current_revision(kg_response)})
    assert empty.status_code == 400
    assert "Fill in at least one field before saving, or cancel." in empty.content.decode()
    assert not Need.objects.filter(response=kg_response).exists()
    # Without JavaScript, "Add a need" is a link to the page with the new form.
    page = client.get(_url(kg_response), {"new": "1"}).content.decode()
    assert 'name="new-subject"' in page and 'data-testid="cancel-new-item"' in page


def test_a_saved_new_item_updates_the_count_in_place(client_as, kg_response):
    result = client_as("nmi-kg").post(
        _url(kg_response, "items/add/"),
        {"revision": current_revision(kg_response), "new-subject": "Manometers"},
        HTTP_HX_REQUEST="true",
    )
    html = result.content.decode()
    assert result["HX-Retarget"] == "#items" and result["HX-Reswap"] == "beforeend"
    assert '<span class="badge text-bg-light border" id="item-count" hx-swap-oob="true">1</span>' in html
    assert "Manometers" in html
    assert Need.objects.get(response=kg_response).subject == "Manometers"


def test_an_empty_item_stored_earlier_gets_one_message_at_submit(client_as, kg_response):
    _complete_need(kg_response)
    empty = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    page = client_as("nmi-kg").post(_url(kg_response, "submit/"), follow=True).content.decode()
    assert "This item is empty: fill it in or remove it." in page
    assert f'id="id_item-{empty.pk}-subject_errors"' not in page
    assert page.count("This field is required to submit.") == 0


# 2. "Start from last year's answers" --------------------------------------------

@pytest.fixture
def uz_response(demo, user_named):
    campaign = Campaign.objects.get(kind="needs", year=timezone.localdate().year)
    user = user_named("nmi-uz")
    return services.response_start(campaign=campaign, institute=user.institute, by=user)


def test_copying_twice_copies_once_and_says_so(client_as, uz_response):
    client = client_as("nmi-uz")
    first = client.post(_url(uz_response, "copy-previous/"), {"revision": current_revision(uz_response)}, follow=True)
    assert "5 items copied from the previous response." in first.content.decode()
    # The button is gone once the list has items; a second post copies nothing.
    assert 'data-testid="copy-previous"' not in first.content.decode()
    second = client.post(_url(uz_response, "copy-previous/"), {"revision": current_revision(uz_response)}, follow=True)
    assert "this one already has some, so nothing was copied" in second.content.decode()
    assert Need.objects.filter(response=uz_response).count() == 5


def test_copied_periods_move_to_the_new_campaigns_year(uz_response, user_named):
    previous = {
        need.subject: (need.period_from, need.period_to)
        for need in Need.objects.filter(response__campaign__year=2022, response__institute=uz_response.institute)
    }
    services.response_copy_previous(response=uz_response, revision=current_revision(uz_response), by=user_named("nmi-uz"))
    years = uz_response.campaign.year - 2022
    for need in Need.objects.filter(response=uz_response):
        start, end = previous[need.subject]
        assert need.period_from == (start.replace(year=start.year + years) if start else None)
        assert need.period_to == (end.replace(year=end.year + years) if end else None)
        assert need.period_to is None or need.period_to.year >= uz_response.campaign.year


def test_a_period_that_ended_before_the_campaigns_year_is_refused_at_submit(client_as, kg_response):
    year = kg_response.campaign.year
    item = _complete_need(kg_response, period_from=date(year - 4, 1, 1), period_to=date(year - 4, 12, 31))
    page = client_as("nmi-kg").post(_url(kg_response, "submit/"), follow=True).content.decode()
    assert f"This period ended before {year}: set the period this campaign asks about." in page
    assert f'id="id_item-{item.pk}-period_to_errors"' in page
    kg_response.refresh_from_db()
    assert kg_response.status == Response.Status.DRAFT


# 3. Sub-fields by area ---------------------------------------------------------

def _options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return set(re.findall(r'<option value="(\d+)"', select))


def test_the_sub_field_list_offers_only_the_chosen_areas(client_as, kg_response):
    mass = SubField.objects.get(code="M-MASS")
    item = _complete_need(kg_response)
    client = client_as("nmi-kg")
    html = client.get(_url(kg_response), {"edit": item.pk}).content.decode()
    expected = {str(pk) for pk in SubField.objects.filter(area=mass.area).values_list("pk", flat=True)}
    assert _options(html, f"item-{item.pk}-subfield") == expected
    assert SubField.objects.count() > len(expected)
    # The area changes: htmx asks for the other area's list.
    thermometry = MetrologyArea.objects.get(code="T")
    swapped = client.get(
        reverse("surveys:subfield_options"), {"prefix": f"item-{item.pk}", f"item-{item.pk}-area": thermometry.pk}
    ).content.decode()
    assert _options(swapped, f"item-{item.pk}-subfield") == {
        str(pk) for pk in SubField.objects.filter(area=thermometry).values_list("pk", flat=True)
    }
    assert client.get(reverse("surveys:subfield_options"), {"prefix": "<script>"}).status_code == 404


# 4. Capacity: one rule ---------------------------------------------------------

def test_capacity_zero_is_refused_by_the_model_rule_the_import_shares(demo):
    from django.core.exceptions import ValidationError

    from surveys.models import validate_capacity

    offer = Offer.objects.first()
    offer.capacity = 0
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert "Enter a capacity from 1 to" in str(error.value.message_dict["capacity"])
    assert MIN_CAPACITY == 1
    validate_capacity(MIN_CAPACITY)  # the smallest allowed passes


# 5. Length limits ----------------------------------------------------------------

def test_a_comment_longer_than_its_limit_is_refused_next_to_the_field(client_as, kg_response):
    item = _complete_need(kg_response, comment="Kept")
    client = client_as("nmi-kg")
    form = client.get(_url(kg_response), {"edit": item.pk}).content.decode()
    assert f'maxlength="{ITEM_COMMENT_MAX_LENGTH}"' in form
    assert "At most 2,000 characters." in form
    result = client.post(
        _url(kg_response, f"items/{item.pk}/"),
        {"revision": current_revision(kg_response), f"item-{item.pk}-comment": "x" * 200_000},
    )
    assert result.status_code == 400
    html = result.content.decode()
    assert f'id="id_item-{item.pk}-comment_errors"' in html
    assert "Ensure this value has at most 2000 characters (it has 200000)." in html
    assert Need.objects.get(pk=item.pk).comment == "Kept"
    # The general comment has its limit too, checked by the server.
    general = client.post(
        _url(kg_response), {"revision": current_revision(kg_response), "response-comment": "y" * 200_000}
    )
    assert general.status_code == 200 and "at most 4000 characters" in general.content.decode()
    assert Response.objects.get(pk=kg_response.pk).comment == ""


def test_the_service_refuses_an_over_long_comment_whatever_calls_it(kg_response):
    from django.core.exceptions import ValidationError

    item = _complete_need(kg_response)
    with pytest.raises(ValidationError):
        services.item_save(item=item, revision=current_revision(kg_response), by=None, comment="z" * 200_000)


# 6. Control characters -------------------------------------------------------------

def test_control_characters_typed_into_the_questionnaire_are_removed(client_as, kg_response):
    item = _complete_need(kg_response)
    client_as("nmi-kg").post(
        _url(kg_response, f"items/{item.pk}/"),
        {
            "revision": current_revision(kg_response),
            f"item-{item.pk}-subject": "Mass\x01 comparison\x0b1 kg",
            f"item-{item.pk}-comment": "line\x0cnext\x00",
        },
    )
    item.refresh_from_db()
    assert item.subject == "Mass comparison\n1 kg"
    assert item.comment == "line\nnext"


def test_control_characters_in_the_campaign_form_and_the_profile_are_removed(client_as, user_named):
    client = client_as("secretariat")
    institute = user_named("nmi-kg").institute
    client.post(
        "/en/surveys/campaigns/new/",
        {
            "kind": "needs", "year": 2031, "opens_on": "2031-01-10", "closes_on": "2031-03-01",
            "reminder_days": 7, "introduction_ru": "Введение\x01", "introduction_en": "Intro\x0b",
            "institutes": [institute.pk],
        },
    )
    campaign = Campaign.objects.get(year=2031)
    assert campaign.introduction_ru == "Введение" and campaign.introduction_en == "Intro"
    kg = client_as("nmi-kg")
    kg.post(
        "/en/accounts/profile/",
        {"first_name": "Ai\x01gul", "last_name": "B\x0b", "email": "nmi-kg@example.org", "preferred_language": "en"},
    )
    user = user_named("nmi-kg")
    assert user.first_name == "Aigul"


def test_an_answer_stored_with_a_control_character_still_exports(client_as, kg_response):
    # Stored before input was cleaned (or by a path that does not clean).
    Need.objects.create(response=kg_response, subject="Mass\x0bcomparison", comment="a\x01b", activity_type="comparison")
    download = client_as("nmi-kg").get(_url(kg_response, "export.xlsx/"))
    assert download.status_code == 200
    cells = {cell for row in openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True) for cell in row}
    assert "Masscomparison" in cells and "ab" in cells
    summary = client_as("secretariat").get(f"/en/surveys/summary/{kg_response.campaign.year}/export.xlsx/")
    assert summary.status_code == 200
    openpyxl.load_workbook(io.BytesIO(summary.content))


# 7. Required fields are marked --------------------------------------------------------

def test_fields_needed_to_submit_are_marked(client_as, kg_response):
    html = client_as("nmi-kg").get(_url(kg_response), {"new": "1"}).content.decode()
    star = '<span class="text-danger" aria-hidden="true">*</span>'
    for field in services.REQUIRED_NEED_FIELDS:
        label = re.search(rf'<label class="form-label" for="id_new-{field}">(.*?)</label>', html, re.S).group(1)
        assert star in label, field
        assert re.search(rf'<[^>]*id="id_new-{field}"[^>]*aria-required="true"|aria-required="true"[^>]*id="id_new-{field}"', html)
    comment_label = re.search(r'<label class="form-label" for="id_new-comment">(.*?)</label>', html, re.S).group(1)
    assert star not in comment_label
    assert "Needed to submit the response" in html


# 8. Redirect after a refused submit ------------------------------------------------------

def test_a_refused_submit_redirects_and_a_reload_posts_nothing(client_as, kg_response):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None, subject="Pressure")
    result = client.post(_url(kg_response, "submit/"))
    assert result.status_code == 302 and result["Location"] == f"{kg_response.get_absolute_url()}?check=1"
    page = client.get(result["Location"]).content.decode()
    assert f'id="id_item-{item.pk}-priority_errors"' in page
    assert "The response cannot be submitted yet" in page
    # The reload shows the problems again without the one-off message.
    again = client.get(result["Location"]).content.decode()
    assert f'id="id_item-{item.pk}-priority_errors"' in again


# 9. Emails when a response is submitted -----------------------------------------------------

def _submit(client, response):
    _complete_need(response)
    return client.post(_url(response, "submit/"))


def test_submitting_tells_the_respondents_and_the_secretariat_once(client_as, kg_response, user_named):
    from institutes.models import User

    User.objects.filter(username="secretariat").update(preferred_language="ru")
    User.objects.filter(username="nmi-kg").update(preferred_language="en")
    assert _submit(client_as("nmi-kg"), kg_response).status_code == 302
    rows = list(OutboxMessage.objects.filter(key__startswith=f"response-submitted:response={kg_response.pk}:"))
    by_address = {row.to: row for row in rows}
    assert len(by_address) == len(rows)  # one each
    kg, secretariat = by_address["nmi-kg@example.org"], by_address["secretariat@example.org"]
    assert kg.language == "en" and "has been submitted" in kg.subject
    # Rendered inside the recipient's language (the campaign's name shows it).
    assert secretariat.language == "ru" and "Потребности CEEMS" in secretariat.subject
    assert [a.filename for a in kg.attachments.all()] == [
        f"ceems-needs-{kg_response.campaign.year}-Kyrgyzstandard.xlsx"
    ]
    assert not secretariat.attachments.exists()
    # The admin names the file sent with the email.
    admin_page = client_as("admin").get(f"/en/admin/core/outboxmessage/{kg.pk}/change/").content.decode()
    assert kg.attachments.get().filename in admin_page
    # The same submission notified again writes nothing more.
    response = Response.objects.get(pk=kg_response.pk)
    assert services.response_submitted_notify(response=response, by=user_named("nmi-kg")) == 0


def test_the_answers_arrive_attached_as_a_workbook_that_opens(client_as, kg_response, smtp_server):
    _submit(client_as("nmi-kg"), kg_response)
    row = OutboxMessage.objects.get(key__startswith=f"response-submitted:response={kg_response.pk}:", to="nmi-kg@example.org")
    assert outbox.outbox_send(message_id=row.pk) == "sent"
    smtp_server.wait_for(1)
    (address, message), = smtp_server.received
    assert address == "nmi-kg@example.org"
    parts = [part for part in message.walk() if part.get_filename()]
    assert [part.get_filename() for part in parts] == [row.attachments.get().filename]
    workbook = openpyxl.load_workbook(io.BytesIO(parts[0].get_payload(decode=True)))
    cells = {cell for r in workbook.active.iter_rows(values_only=True) for cell in r}
    assert "Comparison of weights, 1 mg – 1 kg" in cells
