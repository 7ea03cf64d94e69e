"""Who may do what with the Programme and its matching: the one place views,
templates and the admin ask (see institutes.permissions for how and why
`rules`).

Which rows a user may see is `ProgrammeVersion.objects.visible_to(user)`,
`Activity.objects.visible_to(user)`, `ConsultationComment.objects.visible_to(user)`
and `MatchingRun.objects.visible_to(user)`.

Permissions, by name:

=================================== ===========================================
programme.view_matching             Secretariat, task group, Committee: read proposals, gaps, unsolicited offers
programme.run_matching              Secretariat
programme.decide_proposal           Secretariat: accept, edit, reject a proposal
programme.view_drafts               Secretariat, task group: drafts and approved versions
programme.edit_version              Secretariat, and the version is a draft or in consultation
programme.follow_activity           Secretariat, version not merely approved: status and outcome
programme.manage_consultation       Secretariat: open, close, answer comments
programme.comment_activity          a respondent of an institute the activity names, version in consultation
programme.approve_version           the chair of the task group, version a draft
programme.publish_version           Secretariat, version approved
programme.prepare_update            Secretariat, version published
programme.view_history              Secretariat, task group
programme.export_version            whoever sees the version
programme.{view,add,change,delete}_* the admin: administrators; a published version's
                                    activities are not changed there either
=================================== ===========================================

The chair is the task group's current chair (taskgroup.Membership with the
role chair, within its dates); `is_chair` asks the task group's predicate.
"""
import rules

from institutes.permissions import is_admin, is_committee, is_respondent, is_secretariat, is_taskgroup

rules.add_perm("programme.view_matching", is_secretariat | is_taskgroup | is_committee)
rules.add_perm("programme.run_matching", is_secretariat)
rules.add_perm("programme.decide_proposal", is_secretariat)


@rules.predicate
def is_chair(user) -> bool:
    """The task group's current chair (a current taskgroup.Membership as
    chair); administrators hold every role."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # The task group builds on the Programme; asked here, not imported at load.
    from taskgroup.permissions import is_chair as is_taskgroup_chair

    return bool(is_taskgroup_chair(user))


@rules.predicate
def version_editable(user, version) -> bool:
    return version is not None and version.is_editable


@rules.predicate
def version_in_consultation(user, version) -> bool:
    return version is not None and version.status == "consultation"


@rules.predicate
def version_is_draft(user, version) -> bool:
    return version is not None and version.status == "draft"


@rules.predicate
def version_approved(user, version) -> bool:
    return version is not None and version.status == "approved"


@rules.predicate
def version_published(user, version) -> bool:
    return version is not None and version.status == "published"


def _version_of(obj):
    return getattr(obj, "version", obj)


@rules.predicate
def activity_followable(user, activity) -> bool:
    """Status and outcome are followed in drafts and published versions;
    an approved version waits for publication."""
    return activity is not None and _version_of(activity).status != "approved"


@rules.predicate
def activity_concerns_user(user, activity) -> bool:
    """The activity names the user's institute (recipient or provider); a
    page that asks for many activities prefetches both relations."""
    if activity is None or not user.institute_id:
        return False
    return any(i.pk == user.institute_id for i in activity.recipients.all()) or any(
        i.pk == user.institute_id for i in activity.providers.all()
    )


@rules.predicate
def activity_in_consultation(user, activity) -> bool:
    return activity is not None and activity.version.status == "consultation"


rules.add_perm("programme.view_drafts", is_secretariat | is_taskgroup)
rules.add_perm("programme.edit_version", is_secretariat & version_editable)
rules.add_perm("programme.edit_activity", is_secretariat & version_editable)
rules.add_perm("programme.follow_activity", is_secretariat & activity_followable)
rules.add_perm("programme.manage_consultation", is_secretariat)
rules.add_perm("programme.open_consultation", is_secretariat & version_is_draft)
rules.add_perm("programme.close_consultation", is_secretariat & version_in_consultation)
rules.add_perm("programme.comment_activity", is_respondent & activity_in_consultation & activity_concerns_user)
rules.add_perm("programme.approve_version", is_chair & version_is_draft)
rules.add_perm("programme.publish_version", is_secretariat & version_approved)
rules.add_perm("programme.revise_version", is_secretariat & version_published)
rules.add_perm("programme.prepare_update", is_secretariat & version_published)
rules.add_perm("programme.view_history", is_secretariat | is_taskgroup)
rules.add_perm("programme.export_version", is_secretariat | is_taskgroup | is_committee | is_respondent)

# --- The admin (Django's permission names) --------------------------------------


@rules.predicate
def admin_may_change(user, obj) -> bool:
    if obj is None:
        return True
    version = _version_of(obj)
    return not getattr(version, "is_frozen", False)


for _model in ("programme", "programmeversion", "activity", "outcome", "outcomedocument",
               "consultationcomment", "activityupdate"):
    for _action in ("add", "change", "view", "delete"):
        if not rules.perm_exists(f"programme.{_action}_{_model}"):
            rules.add_perm(f"programme.{_action}_{_model}", is_admin)
rules.set_perm("programme.change_activity", is_admin & admin_may_change)
rules.set_perm("programme.delete_activity", is_admin & admin_may_change)
