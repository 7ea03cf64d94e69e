"""Who may do what in the surveys: the one place views, templates and the
admin ask (see institutes.permissions for how and why `rules`).

Which rows a user may see is `Campaign.objects.visible_to(user)` and
`Response.objects.visible_to(user)`; the `view_*` rules below say the same
for one object already in hand (a link in a template, the admin), and a test
holds the two in step (tests/core/test_permissions.py).

Permissions, by name:

=================================== ===========================================
surveys.view_campaign               readers; a respondent of an invited institute once it is not a draft
surveys.view_campaign_progress      readers (the response-rate table)
surveys.manage_campaign             Secretariat: create, edit, open, close, remind
surveys.view_campaign_history       Secretariat
surveys.respond_to_campaign         respondent of an invited institute (the service says whether it is open)
surveys.import_responses            Secretariat
surveys.read_summary                readers (summary table, matrix, exports)
surveys.read_unsubmitted_answers    Secretariat: the summary also holds drafts and reopened responses
surveys.view_response               as Response.objects.visible_to
surveys.view_response_history       whoever may view the response
surveys.export_response             whoever may view the response
surveys.answer_response             a respondent of the response's institute (else 404)
surveys.edit_response               answer_response and the response is editable now
surveys.reopen_response             Secretariat
surveys.accept_self_classification  Secretariat
surveys.{view,add,change,delete}_*  the admin: administrators; a campaign is deleted
                                    only as a draft, a response only unsubmitted, a
                                    questionnaire only before a campaign froze it
=================================== ===========================================
"""
import rules

from institutes.permissions import (
    is_admin,
    is_committee,
    is_reader,
    is_respondent,
    is_respondent_of,
    is_secretariat,
    is_taskgroup,
)

from .models import Campaign, Response


# --- Object predicates -------------------------------------------------------

@rules.predicate
def is_submitted(user, response) -> bool:
    return response is not None and response.status == Response.Status.SUBMITTED


@rules.predicate
def is_editable(user, response) -> bool:
    """The response's state lets its institute change it (not submitted, the
    campaign open). The services check the same and say why not."""
    return response is not None and response.is_editable


@rules.predicate
def is_not_draft(user, campaign) -> bool:
    return campaign is not None and campaign.status != Campaign.Status.DRAFT


@rules.predicate
def institute_is_invited(user, campaign) -> bool:
    if campaign is None or not user.institute_id:
        return False
    return campaign.invitations.filter(institute_id=user.institute_id).exists()


# The admin asks these with and without an object: without one ("may delete
# some?") the answer is yes, and each object is then asked on its own.
@rules.predicate
def campaign_deletable(user, campaign) -> bool:
    return campaign is None or campaign.status == Campaign.Status.DRAFT


@rules.predicate
def response_deletable(user, response) -> bool:
    return response is None or response.status != Response.Status.SUBMITTED


@rules.predicate
def questionnaire_deletable(user, questionnaire) -> bool:
    return questionnaire is None or not questionnaire.is_frozen


# --- Campaigns ---------------------------------------------------------------

invited_respondent = is_respondent & is_not_draft & institute_is_invited

rules.add_perm("surveys.view_campaign", is_reader | invited_respondent)
rules.add_perm("surveys.view_campaign_progress", is_reader)
rules.add_perm("surveys.manage_campaign", is_secretariat)
rules.add_perm("surveys.view_campaign_history", is_secretariat)
rules.add_perm("surveys.respond_to_campaign", is_respondent & institute_is_invited)
rules.add_perm("surveys.import_responses", is_secretariat)
rules.add_perm("surveys.read_summary", is_reader)
# What surveys.summary shows beyond submitted responses (Response.visible_to
# gives the task group and the Committee submitted ones only).
rules.add_perm("surveys.read_unsubmitted_answers", is_secretariat)

# --- Responses ---------------------------------------------------------------

view_response = is_secretariat | is_respondent_of | ((is_taskgroup | is_committee) & is_submitted)

rules.add_perm("surveys.view_response", view_response)
# Whoever may read the answers may read who changed them and when.
rules.add_perm("surveys.view_response_history", view_response)
rules.add_perm("surveys.export_response", view_response)
rules.add_perm("surveys.answer_response", is_respondent_of)
rules.add_perm("surveys.edit_response", is_respondent_of & is_editable)
rules.add_perm("surveys.reopen_response", is_secretariat)
rules.add_perm("surveys.accept_self_classification", is_secretariat)

# --- The admin (Django's permission names) ------------------------------------

# view_campaign and view_response are defined above; administrators hold
# every role, so those answer yes for them too.
for _model in ("campaign", "invitation", "questionnaire", "response", "need", "offer"):
    for _action in ("add", "change", "view", "delete"):
        if not rules.perm_exists(f"surveys.{_action}_{_model}"):
            rules.add_perm(f"surveys.{_action}_{_model}", is_admin)
rules.set_perm("surveys.delete_campaign", is_admin & campaign_deletable)
rules.set_perm("surveys.delete_response", is_admin & response_deletable)
rules.set_perm("surveys.delete_questionnaire", is_admin & questionnaire_deletable)
