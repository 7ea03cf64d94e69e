"""What changes a Programme: its versions and activities. Matching's side
(running the engine, deciding proposals) is in `programme.matching_services`.

Every write here takes keyword-only arguments, validates before it writes
(a `ValidationError` bound to the field at fault: the views show it next to
that field), writes inside one transaction, and records history (the
request's user, or `core.history.acting_as` outside a request). Edits two
people can make at once claim the row's next revision
(`core.concurrency.revision_claim`), so the second of two saves conflicts
instead of overwriting the first. A broken domain rule (editing a published
version, approving one still in consultation) raises `PortalError` with one
of the message constants below.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.concurrency import revision_bump, revision_claim
from core.errors import PortalError
from core.history import acting_as

from .models import (
    Activity,
    ActivityUpdate,
    ConsultationComment,
    MatchDecision,
    Outcome,
    OutcomeDocument,
    Programme,
    ProgrammeVersion,
    UpdateAction,
    direction_of,
    quarter_code,
    quarter_label,
    quarter_parts,
)

# --- Messages (tests assert on these) -------------------------------------------
VERSION_FROZEN = gettext_lazy(
    "This version is published and frozen: it cannot be changed. Prepare a new version to revise it."
)
VERSION_NOT_EDITABLE = gettext_lazy(
    "This version is approved: its activities can no longer be changed. Publish it, then prepare a new version."
)
QUARTER_OUTSIDE = gettext_lazy(
    "The planned quarter must fall within the Programme's period, %(first)s to %(last)s."
)
QUARTERS_REVERSED = gettext_lazy("The last quarter is before the first one.")
PROVIDER_IS_RECIPIENT = gettext_lazy("%(institutes)s cannot be both a provider and a recipient of one activity.")
REASON_REQUIRED = gettext_lazy("Say why the activity is postponed or cancelled.")
TITLE_REQUIRED = gettext_lazy("Give the activity a title in at least one language.")
SUBFIELD_NOT_IN_AREA = gettext_lazy("This sub-field is not in the chosen area.")
OUTCOME_NOT_DONE = gettext_lazy("An outcome is recorded once the activity is done. Set its status to Done first.")
OUTCOME_DATES_REVERSED = gettext_lazy("The end date is before the start date.")
COMMENT_NOT_YOURS = gettext_lazy("You can comment only on the activities that concern your institute.")
CONSULTATION_NOT_OPEN = gettext_lazy("This version is not in consultation: comments are closed.")
COMMENT_TEXT_REQUIRED = gettext_lazy("Say what should change.")
ANSWER_REQUIRED = gettext_lazy("Write the answer.")
CONSULTATION_NEEDS_DRAFT = gettext_lazy("Only a draft version can be opened for consultation.")
CONSULTATION_EMPTY = gettext_lazy("The version has no activities to consult on.")
NOT_IN_CONSULTATION = gettext_lazy("This version is not in consultation.")
APPROVE_NEEDS_DRAFT = gettext_lazy("Only a draft version can be approved. Close the consultation first.")
PUBLISH_NEEDS_APPROVAL = gettext_lazy("Only an approved version can be published.")
UPDATE_NEEDS_PUBLISHED = gettext_lazy("Next year's version is prepared from a published version.")
UPDATE_OUTSIDE_PERIOD = gettext_lazy("%(year)s is outside the Programme's period: there is no next year to prepare.")
UPDATE_DECISION_MISSING = gettext_lazy("Decide what happens to this activity.")
UPDATE_REASON_REQUIRED = gettext_lazy("Say why.")
UPDATE_STALE = gettext_lazy("Next year's version has already been prepared from another version.")
REVISE_NEEDS_PUBLISHED = gettext_lazy("Only a published version is revised as a new version.")
DELETE_HAS_OUTCOME = gettext_lazy("An activity with a recorded outcome cannot be removed.")

# The fields of an activity a form may set, besides its relations.
ACTIVITY_FIELDS = (
    "direction", "activity_type", "title_ru", "title_en", "description_ru", "description_en", "area",
    "subfield", "first_quarter", "last_quarter", "status", "status_reason", "funding", "responsible", "notes",
)
ACTIVITY_RELATIONS = ("recipients", "providers", "needs", "offers")
OUTCOME_FIELDS = (
    "held_from", "held_to", "participants", "participants_count", "result_kind", "result_identifier", "summary",
)


def programme_for_year(year: int) -> Programme | None:
    """The Programme whose period covers `year` (the latest-starting one if
    several do), or None."""
    return Programme.objects.filter(first_year__lte=year, last_year__gte=year).order_by("-first_year", "-pk").first()


@transaction.atomic
def version_draft_for_year(*, year: int, by=None) -> ProgrammeVersion:
    """The draft (or in-consultation) version of `year` that new activities
    go into: the latest not yet approved version of the year, created as a
    new draft if the year has none or only approved or published ones.
    Raises PortalError when no Programme covers the year."""
    programme = programme_for_year(year)
    if programme is None:
        raise PortalError(_("No Programme covers %(year)s. Create one first.") % {"year": year})
    versions = ProgrammeVersion.objects.select_for_update().filter(programme=programme, year=year).order_by("-number")
    latest = versions.first()
    open_states = (ProgrammeVersion.Status.DRAFT, ProgrammeVersion.Status.CONSULTATION)
    if latest is not None and latest.status in open_states:
        return latest
    return ProgrammeVersion.objects.create(
        programme=programme,
        year=year,
        number=(latest.number + 1) if latest else 1,
        based_on=latest,
        created_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
    )


# --- Activities ------------------------------------------------------------------

def _check_editable(version: ProgrammeVersion) -> None:
    if version.is_frozen:
        raise PortalError(VERSION_FROZEN, code="frozen")
    if not version.is_editable:
        raise PortalError(VERSION_NOT_EDITABLE, code="not_editable")


def _validate_activity(activity: Activity, *, recipients: Iterable, providers: Iterable) -> None:
    """Every rule of an activity, each message bound to its field."""
    errors: dict[str, list] = {}
    programme = activity.version.programme
    for name in ("first_quarter", "last_quarter"):
        code = getattr(activity, name)
        if code is not None and not (programme.first_quarter <= code <= programme.last_quarter):
            errors.setdefault(name, []).append(
                QUARTER_OUTSIDE % {"first": quarter_label(programme.first_quarter), "last": quarter_label(programme.last_quarter)}
            )
    if activity.first_quarter and activity.last_quarter and activity.last_quarter < activity.first_quarter:
        errors.setdefault("last_quarter", []).append(QUARTERS_REVERSED)
    both = {i.pk for i in recipients} & {i.pk for i in providers}
    if both:
        names = ", ".join(sorted(str(i.acronym) for i in providers if i.pk in both))
        errors.setdefault("providers", []).append(PROVIDER_IS_RECIPIENT % {"institutes": names})
    if activity.status in Activity.NEEDS_REASON and not (activity.status_reason or "").strip():
        errors.setdefault("status_reason", []).append(REASON_REQUIRED)
    if not (activity.title_ru or "").strip() and not (activity.title_en or "").strip():
        errors.setdefault("title_ru", []).append(TITLE_REQUIRED)
    if activity.subfield_id and activity.area_id and activity.subfield.area_id != activity.area_id:
        errors.setdefault("subfield", []).append(SUBFIELD_NOT_IN_AREA)
    if errors:
        raise ValidationError(errors)
    # The model's own rules (lengths, choices).
    activity.full_clean(exclude=["version", "lineage", "carried_from"])


def _set_fields(activity: Activity, fields: Mapping) -> None:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Not activity fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(activity, name, "" if value is None and name not in ("area", "subfield", "first_quarter", "last_quarter") else value)
    if activity.subfield_id and not activity.area_id:
        activity.area_id = activity.subfield.area_id
    if not activity.direction and activity.activity_type:
        activity.direction = direction_of(activity.activity_type)
    if activity.status not in Activity.NEEDS_REASON and "status_reason" not in fields:
        activity.status_reason = ""


@transaction.atomic
def activity_create(
    *,
    version: ProgrammeVersion,
    by=None,
    recipients: Iterable = (),
    providers: Iterable = (),
    needs: Iterable = (),
    offers: Iterable = (),
    lineage=None,
    carried_from: Activity | None = None,
    reason: str = "",
    **fields,
) -> Activity:
    """Add an activity to a draft (or in-consultation) version: the one
    service every path that creates activities goes through (the form, the
    annual update, matching's accept). `fields` are among ACTIVITY_FIELDS;
    the direction follows the activity type when not given. Raises
    ValidationError (per field) for bad quarters, a provider that is also a
    recipient, a missing reason or title; PortalError for a frozen version."""
    version = ProgrammeVersion.objects.select_for_update().select_related("programme").get(pk=version.pk)
    _check_editable(version)
    recipients, providers = list(recipients), list(providers)
    activity = Activity(version=version)
    if lineage is not None:
        activity.lineage = lineage
    activity.carried_from = carried_from
    _set_fields(activity, fields)
    _validate_activity(activity, recipients=recipients, providers=providers)
    last = version.activities.filter(direction=activity.direction).aggregate(last=Max("position"))["last"]
    activity.position = (last or 0) + 1
    if reason:
        activity._change_reason = reason
    with acting_as(by) if by is not None else _same_user():
        activity.save()
        activity.recipients.set(recipients)
        activity.providers.set(providers)
        activity.needs.set(list(needs))
        activity.offers.set(list(offers))
    return activity


class _same_user:
    """No change of the recorded user (inside a request, its user)."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    revision: int | None,
    by=None,
    recipients: Iterable | None = None,
    providers: Iterable | None = None,
    needs: Iterable | None = None,
    offers: Iterable | None = None,
    **fields,
) -> Activity:
    """Change an activity of a draft or in-consultation version. `revision`
    is the one the form was loaded with: if somebody saved since, nothing is
    written and ConflictError says so. Relations left None are kept."""
    activity = Activity.objects.select_related("version__programme", "subfield").get(pk=activity.pk)
    _check_editable(activity.version)
    _set_fields(activity, fields)
    new_recipients = list(recipients) if recipients is not None else list(activity.recipients.all())
    new_providers = list(providers) if providers is not None else list(activity.providers.all())
    _validate_activity(activity, recipients=new_recipients, providers=new_providers)
    revision_claim(activity, revision=revision)
    with acting_as(by) if by is not None else _same_user():
        activity.save()
        if recipients is not None and set(r.pk for r in new_recipients) != set(activity.recipients.values_list("pk", flat=True)):
            activity.recipients.set(new_recipients)
        if providers is not None and set(p.pk for p in new_providers) != set(activity.providers.values_list("pk", flat=True)):
            activity.providers.set(new_providers)
        if needs is not None:
            activity.needs.set(list(needs))
        if offers is not None:
            activity.offers.set(list(offers))
    return activity


@transaction.atomic
def activity_set_status(*, activity: Activity, revision: int | None, status: str, status_reason: str = "", by=None) -> Activity:
    """Move an activity to `status` (postponed and cancelled need a reason).
    A status is followed through the year, so it may change in a published
    version too: the only change a frozen version takes, recorded like any
    other."""
    activity = Activity.objects.select_related("version__programme").get(pk=activity.pk)
    if activity.version.status == ProgrammeVersion.Status.APPROVED:
        raise PortalError(VERSION_NOT_EDITABLE, code="not_editable")
    activity.status = status
    activity.status_reason = status_reason if status in Activity.NEEDS_REASON else (status_reason or "")
    if status in Activity.NEEDS_REASON and not (status_reason or "").strip():
        raise ValidationError({"status_reason": [REASON_REQUIRED]})
    activity.full_clean(exclude=["version", "lineage", "carried_from"])
    revision_claim(activity, revision=revision)
    with acting_as(by) if by is not None else _same_user():
        activity.save(update_fields=["status", "status_reason", "updated_at"])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, revision: int | None, by=None) -> ProgrammeVersion:
    """Remove an activity from a draft version (its history stays)."""
    activity = Activity.objects.select_related("version").get(pk=activity.pk)
    _check_editable(activity.version)
    if Outcome.objects.filter(activity=activity).exists():
        raise PortalError(DELETE_HAS_OUTCOME)
    revision_claim(activity, revision=revision)
    version = activity.version
    with acting_as(by) if by is not None else _same_user():
        activity.delete()
    return version


# --- Outcomes ------------------------------------------------------------------

@dataclass
class DocumentRow:
    kind: str
    title: str
    reference: str = ""


@transaction.atomic
def outcome_save(
    *, activity: Activity, revision: int | None, by=None, documents: Iterable[DocumentRow] | None = None, **fields
) -> Outcome:
    """Record (or correct) what came of a done activity. `revision` is the
    outcome's (None for a first record, when there is none yet); the
    documents listed replace those recorded. Allowed in a published version:
    outcomes are what following the Programme through the year records."""
    activity = Activity.objects.select_related("version").get(pk=activity.pk)
    if activity.status != Activity.Status.DONE:
        raise PortalError(OUTCOME_NOT_DONE, code="not_done")
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"Not outcome fields: {sorted(unknown)}")
    outcome = Outcome.objects.select_for_update().filter(activity=activity).first()
    if outcome is None:
        outcome = Outcome(activity=activity)
        existing = False
    else:
        existing = True
    for name, value in fields.items():
        setattr(outcome, name, "" if value is None and name not in ("held_from", "held_to", "participants_count") else value)
    if outcome.held_from and outcome.held_to and outcome.held_to < outcome.held_from:
        raise ValidationError({"held_to": [OUTCOME_DATES_REVERSED]})
    outcome.recorded_by = by if by is not None and getattr(by, "is_authenticated", False) else outcome.recorded_by
    outcome.full_clean(exclude=["activity"])
    if existing:
        revision_claim(outcome, revision=revision)
    with acting_as(by) if by is not None else _same_user():
        outcome.save()
        if documents is not None:
            rows = [d for d in documents if d.title.strip()]
            for row in rows:
                OutcomeDocument(outcome=outcome, kind=row.kind, title=row.title, reference=row.reference).full_clean(exclude=["outcome"])
            outcome.documents.all().delete()
            for position, row in enumerate(rows, start=1):
                OutcomeDocument.objects.create(
                    outcome=outcome, kind=row.kind, title=row.title.strip(), reference=row.reference.strip(), position=position
                )
    return outcome


# --- Consultation -----------------------------------------------------------------

def institutes_named(version: ProgrammeVersion):
    """The institutes a version names, as recipient or provider."""
    from institutes.models import Institute

    return Institute.objects.filter(
        pk__in=Activity.recipients.through.objects.filter(activity__version=version).values("institute_id")
    ) | Institute.objects.filter(
        pk__in=Activity.providers.through.objects.filter(activity__version=version).values("institute_id")
    )


@transaction.atomic
def consultation_open(*, version: ProgrammeVersion, revision: int | None, by, notify_institutes: bool = True) -> ProgrammeVersion:
    """Open a draft version for consultation: the institutes it names see
    the activities that concern them and comment on each. Their respondents
    get an email each, in their own language, written to the outbox in this
    transaction (one per opening and person: opening again after a close
    notifies again, retrying one opening does not). The demo data opens
    its consultation with `notify_institutes=False`: it emails nobody."""
    from core.outbox import notify
    from institutes.selectors import respondents_to_email

    version = ProgrammeVersion.objects.select_for_update().select_related("programme").get(pk=version.pk)
    if version.status != ProgrammeVersion.Status.DRAFT:
        raise PortalError(CONSULTATION_NEEDS_DRAFT)
    if not version.activities.exists():
        raise PortalError(CONSULTATION_EMPTY)
    revision_claim(version, revision=revision)
    version.status = ProgrammeVersion.Status.CONSULTATION
    version.consultation_opened_at = timezone.now()
    version.consultation_closed_at = None
    with acting_as(by):
        version.save()
    if not notify_institutes:
        return version
    link = format_lazy("{}{}", settings.SITE_URL.rstrip("/"), reverse("programme:version_detail", args=[version.pk]))
    for institute in institutes_named(version).distinct().order_by("pk"):
        notify(
            to=respondents_to_email(institute=institute).order_by("pk"),
            key=f"programme-consultation:version={version.pk}:revision={version.revision}",
            template="programme/emails/consultation",
            context={"version": version, "institute": institute, "link": link},
            by=by,
        )
    return version


@transaction.atomic
def consultation_close(*, version: ProgrammeVersion, revision: int | None, by) -> ProgrammeVersion:
    """Close the consultation: the version is a draft again, to be edited
    after the comments and approved. Comments stay with their answers."""
    version = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProgrammeVersion.Status.CONSULTATION:
        raise PortalError(NOT_IN_CONSULTATION)
    revision_claim(version, revision=revision)
    version.status = ProgrammeVersion.Status.DRAFT
    version.consultation_closed_at = timezone.now()
    with acting_as(by):
        version.save()
    return version


def _concerns(activity: Activity, institute_id: int | None) -> bool:
    if not institute_id:
        return False
    return (
        activity.recipients.filter(pk=institute_id).exists() or activity.providers.filter(pk=institute_id).exists()
    )


@transaction.atomic
def comment_add(*, activity: Activity, stance: str, text: str, by) -> ConsultationComment:
    """A respondent's comment on an activity of a version in consultation
    that concerns their institute (recipient or provider). Asking for a
    change needs a text."""
    activity = Activity.objects.select_related("version").get(pk=activity.pk)
    if activity.version.status != ProgrammeVersion.Status.CONSULTATION:
        raise PortalError(CONSULTATION_NOT_OPEN, code="closed")
    if not _concerns(activity, getattr(by, "institute_id", None)):
        raise ValidationError({"text": [COMMENT_NOT_YOURS]})
    if stance == ConsultationComment.Stance.CHANGE and not (text or "").strip():
        raise ValidationError({"text": [COMMENT_TEXT_REQUIRED]})
    comment = ConsultationComment(activity=activity, institute_id=by.institute_id, author=by, stance=stance, text=text.strip())
    comment.full_clean()
    with acting_as(by):
        comment.save()
    return comment


@transaction.atomic
def comment_answer(*, comment: ConsultationComment, revision: int | None, answer: str, by) -> ConsultationComment:
    """The Secretariat's answer to a comment (may be corrected later; two
    answering at once conflict)."""
    if not (answer or "").strip():
        raise ValidationError({"answer": [ANSWER_REQUIRED]})
    comment = ConsultationComment.objects.get(pk=comment.pk)
    comment.answer = answer.strip()
    comment.answered_by = by
    comment.answered_at = timezone.now()
    comment.full_clean()
    revision_claim(comment, revision=revision)
    with acting_as(by):
        comment.save()
    return comment


# --- Approval and publication ------------------------------------------------------

@transaction.atomic
def version_approve(*, version: ProgrammeVersion, revision: int | None, by) -> ProgrammeVersion:
    """The chair approves a draft version (consultation closed): its
    activities can no longer be edited; the Secretariat publishes it."""
    version = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProgrammeVersion.Status.DRAFT:
        raise PortalError(APPROVE_NEEDS_DRAFT)
    revision_claim(version, revision=revision)
    version.status = ProgrammeVersion.Status.APPROVED
    version.approved_by = by
    version.approved_at = timezone.now()
    with acting_as(by):
        version.save()
    return version


@transaction.atomic
def version_publish(*, version: ProgrammeVersion, revision: int | None, by) -> ProgrammeVersion:
    """The Secretariat publishes an approved version: it is frozen, and the
    task group, the Committee and the respondents read it."""
    version = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProgrammeVersion.Status.APPROVED:
        raise PortalError(PUBLISH_NEEDS_APPROVAL)
    revision_claim(version, revision=revision)
    version.status = ProgrammeVersion.Status.PUBLISHED
    version.published_by = by
    version.published_at = timezone.now()
    with acting_as(by):
        version.save()
    return version


def _copy_activity(source: Activity, *, version: ProgrammeVersion, by, reason: str, **changes) -> Activity:
    """`source` as an activity of `version`: same lineage, carried from it,
    its texts, relations and quarters (or `changes`)."""
    fields = {name: getattr(source, name) for name in ACTIVITY_FIELDS}
    fields.update(changes)
    return activity_create(
        version=version,
        by=by,
        recipients=source.recipients.all(),
        providers=source.providers.all(),
        needs=source.needs.all(),
        offers=source.offers.all(),
        lineage=source.lineage,
        carried_from=source,
        reason=reason,
        **fields,
    )


@transaction.atomic
def version_revise(*, version: ProgrammeVersion, by) -> ProgrammeVersion:
    """A revision of a published version within its year: a new draft
    version of the same year (next number) holding a copy of every
    activity (same lineage). Calling it again while that draft exists
    returns it."""
    version = ProgrammeVersion.objects.select_for_update().select_related("programme").get(pk=version.pk)
    if version.status != ProgrammeVersion.Status.PUBLISHED:
        raise PortalError(REVISE_NEEDS_PUBLISHED)
    existing = ProgrammeVersion.objects.filter(
        programme=version.programme, year=version.year, number__gt=version.number
    ).order_by("-number").first()
    if existing is not None and existing.is_editable:
        return existing
    latest = ProgrammeVersion.objects.filter(programme=version.programme, year=version.year).aggregate(n=Max("number"))["n"]
    draft = ProgrammeVersion.objects.create(
        programme=version.programme, year=version.year, number=latest + 1, based_on=version, created_by=by
    )
    for activity in version.activities.select_related("area", "subfield").order_by("direction", "position", "pk"):
        _copy_activity(activity, version=draft, by=by, reason=_("Revision of a published version"),
                       status=activity.status, status_reason=activity.status_reason)
    return draft


# --- The annual update -------------------------------------------------------------

@dataclass
class UpdateDecision:
    """What to do with one activity of the previous version at the update."""

    action: str  # an UpdateAction value
    reason: str
    first_quarter: int | None = None
    last_quarter: int | None = None
    title_ru: str | None = None
    title_en: str | None = None


@dataclass
class UpdateResult:
    version: ProgrammeVersion
    carried: int = 0
    rescoped: int = 0
    dropped: int = 0
    added_from_matching: int = 0
    already_decided: int = 0
    errors: dict = field(default_factory=dict)


def pending_for_update(previous: ProgrammeVersion):
    """The activities of `previous` the annual update decides on: every one
    not done."""
    return previous.activities.exclude(status=Activity.Status.DONE).order_by("direction", "position", "pk")


class ProgrammeUpdate:
    """Prepare next year's version from a published one ("annual update").

        result = ProgrammeUpdate(previous=v2022, decisions={activity_id: UpdateDecision(...)}, by=user).run()

    Every activity of `previous` that is not done needs a decision: carried
    over (copied as it is, same lineage), rescoped (copied with new quarters
    or title) or dropped; each with the Secretariat's reason, kept as an
    ActivityUpdate row shown by the version comparison. Done activities stay
    in `previous` with their outcomes. The accepted matches of the new
    year's surveys (MatchDecision rows of that year whose activity sits in
    another version) are added too. The new version is the year's open
    draft (`version_draft_for_year`, so activities matching has already put
    there stay), based on `previous`.

    Running it twice is safe: the draft is found again, an activity already
    decided in it (an ActivityUpdate row) is not decided again, and an
    activity whose lineage is already in the draft is not copied again, so
    a second run with the same decisions changes nothing and a second run
    after new matches adds only those. It refuses (PortalError) when
    `previous` is not published, when the next year is outside the
    Programme's period, or when the year's draft was prepared from another
    version; a missing decision or reason is a ValidationError keyed
    `activity-<id>` and nothing is written.
    """

    def __init__(self, *, previous: ProgrammeVersion, decisions: Mapping[int, UpdateDecision] | None = None, by=None):
        self.previous = previous
        self.decisions = dict(decisions or {})
        self.by = by
        self.year = previous.year + 1

    def run(self) -> UpdateResult:
        with transaction.atomic():
            return self._run()

    def _check(self, pending: list[Activity], decided: set[int]) -> None:
        errors = {}
        for activity in pending:
            if activity.pk in decided:
                continue
            decision = self.decisions.get(activity.pk)
            if decision is None or decision.action not in UpdateAction.values:
                errors[f"activity-{activity.pk}"] = [UPDATE_DECISION_MISSING]
            elif not (decision.reason or "").strip():
                errors[f"activity-{activity.pk}"] = [UPDATE_REASON_REQUIRED]
        if errors:
            raise ValidationError(errors)

    def _run(self) -> UpdateResult:
        previous = ProgrammeVersion.objects.select_related("programme").get(pk=self.previous.pk)
        if previous.status != ProgrammeVersion.Status.PUBLISHED:
            raise PortalError(UPDATE_NEEDS_PUBLISHED)
        if not previous.programme.covers(self.year):
            raise PortalError(UPDATE_OUTSIDE_PERIOD % {"year": self.year})
        target = (
            ProgrammeVersion.objects.select_for_update()
            .filter(programme=previous.programme, year=self.year)
            .order_by("-number")
            .first()
        )
        if target is None or not target.is_editable:
            target = ProgrammeVersion.objects.create(
                programme=previous.programme,
                year=self.year,
                number=(target.number + 1) if target else 1,
                based_on=previous,
                created_by=self.by if getattr(self.by, "is_authenticated", False) else None,
            )
        elif target.based_on_id is None:
            target.based_on = previous
            target.save(update_fields=["based_on"])
        elif target.based_on_id != previous.pk:
            raise PortalError(UPDATE_STALE)
        result = UpdateResult(version=target)
        pending = list(pending_for_update(previous).select_related("area", "subfield"))
        decided = set(ActivityUpdate.objects.filter(version=target).values_list("previous_id", flat=True))
        self._check(pending, decided)
        present = {lineage: pk for lineage, pk in target.activities.values_list("lineage", "pk")}
        for activity in pending:
            if activity.pk in decided:
                result.already_decided += 1
                continue
            decision = self.decisions[activity.pk]
            reason = decision.reason.strip()
            copy = None
            if decision.action != UpdateAction.DROPPED:
                if activity.lineage in present:
                    copy = Activity.objects.get(pk=present[activity.lineage])
                else:
                    changes = {"status": Activity.Status.IN_PROGRESS if activity.status == Activity.Status.IN_PROGRESS else Activity.Status.PLANNED, "status_reason": ""}
                    if decision.action == UpdateAction.RESCOPED:
                        for name in ("first_quarter", "last_quarter", "title_ru", "title_en"):
                            value = getattr(decision, name)
                            if value:
                                changes[name] = value
                    try:
                        copy = _copy_activity(activity, version=target, by=self.by, reason=reason, **changes)
                    except ValidationError as error:
                        raise ValidationError({f"activity-{activity.pk}": error.messages}) from error
                    present[activity.lineage] = copy.pk
            ActivityUpdate.objects.create(
                version=target, previous=activity, activity=copy, action=decision.action, reason=reason,
                decided_by=self.by if getattr(self.by, "is_authenticated", False) else None,
            )
            setattr(result, decision.action, getattr(result, decision.action) + 1)
        result.added_from_matching = self._add_matches(target, present)
        return result

    def _add_matches(self, target: ProgrammeVersion, present: dict) -> int:
        """Copy into `target` the activities of the year's accepted matches
        that live in another version (matching put them in an earlier draft
        of the year, say); those already in `target` stay as they are."""
        added = 0
        accepted = (
            MatchDecision.objects.filter(year=self.year, verdict=MatchDecision.Verdict.ACCEPTED, activity__isnull=False)
            .exclude(activity__version=target)
            .select_related("activity__area", "activity__subfield")
            .order_by("pk")
        )
        for decision in accepted:
            source = decision.activity
            if source.lineage in present:
                continue
            copy = _copy_activity(source, version=target, by=self.by, reason=_("Accepted match of %(year)s") % {"year": self.year},
                                  status=source.status, status_reason=source.status_reason)
            copy.carried_from = None
            copy.save(update_fields=["carried_from"])
            present[source.lineage] = copy.pk
            added += 1
        return added


def quarter_choices(programme: Programme) -> list[tuple[int, str]]:
    """Every quarter of the Programme's period, for a select."""
    return [
        (quarter_code(year, q), quarter_label(quarter_code(year, q)))
        for year in range(programme.first_year, programme.last_year + 1)
        for q in range(1, 5)
    ]


__all__ = [
    "activity_create", "activity_update", "activity_set_status", "activity_delete", "outcome_save",
    "consultation_open", "consultation_close", "comment_add", "comment_answer", "version_approve",
    "version_publish", "version_revise", "ProgrammeUpdate", "UpdateDecision", "programme_for_year",
    "version_draft_for_year", "quarter_choices", "quarter_parts", "revision_bump",
]
