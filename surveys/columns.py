"""The columns of needs and offers: one definition for the summary table's
exports (surveys.summary_export), the spreadsheet import and its template
(surveys.importing, surveys.resources), and whatever else shows needs and
offers as columns.

Each column is defined once, in COLUMNS: its key (the field of the Need or
Offer, and a header the import accepts in any language), its header in the
exports and the template, its type, its closed list of values, its width.
The uses below only choose and order columns by key:

- EXPORT_COLUMNS: the summary table as XLSX/CSV, one row per need or offer,
  read from the rows of `surveys.summary.summary_items` by `row_key`;
- NEED_COLUMNS, OFFER_COLUMNS, SELF_CLASSIFICATION_COLUMNS: the import
  template of each campaign kind, in its order, and the headers an import
  file may have;
- TABLE_COLUMNS: the summary table on screen, whose columns take their
  headers from the columns they show (two of them join two columns: the
  period, and the priority or capacity).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ActivityType, CampaignKind, Conditions, Language, PaidBy, Priority

# Types of a column: how the export writes it and how the import reads it.
TEXT, NUMBER, DATE, CHOICE = "text", "number", "date", "choice"
INSTITUTE, COUNTRY, AREA, SUBFIELD, YES_NO = "institute", "country", "area", "subfield", "yes_no"

_DATE_NOTE = _("Date: YYYY-MM-DD or DD.MM.YYYY.")


@dataclass(frozen=True)
class Column:
    """One column. `key` is also accepted as a header, so a file works
    whatever the language it was written in; so are `aliases` (headers of
    earlier templates). `headers` gives, by campaign kind, a header that says
    more in that kind's template than the general `header` (the need's
    "Wanted from" for the export's "From")."""

    key: str
    header: Promise
    kind: str = TEXT
    choices: type[TextChoices] | None = None
    max_length: int | None = None
    note: Promise | str = ""
    example: Any = ""
    width: int = 14
    row_key: str = ""  # key of the summary row the export reads; "" = not exported
    headers: dict[str, Promise] = field(default_factory=dict)
    aliases: tuple[Promise | str, ...] = ()

    def label(self, kind: str | None = None) -> str:
        return str(self.headers.get(kind, self.header))


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.key: column for column in columns}


COLUMNS: dict[str, Column] = _columns(
    Column("item_kind", _("Need or offer"), width=12, row_key="kind_label"),
    Column("country_name", _("Country"), width=16, row_key="country_name"),
    Column("country", _("ISO code"), COUNTRY, max_length=2, width=8, row_key="country_iso2",
           note=_("Only needed when two institutes share an acronym."),
           example="UZ", headers=dict.fromkeys(CampaignKind.values, _("Country (ISO code)"))),
    Column("institute", _("Institute"), INSTITUTE, max_length=32, width=16, row_key="institute_acronym",
           note=_("Acronym of the institute, as in the portal."), example="UzNIM"),
    Column("activity_type", _("Activity type"), CHOICE, ActivityType, width=24, row_key="activity_label",
           example=ActivityType.CALIBRATION),
    Column("area", _("Area code"), AREA, width=8, row_key="area_code",
           note=_("KCDB code, e.g. M, EM, T."), example="M"),
    Column("area_name", _("Metrology area"), width=28, row_key="area_name"),
    Column("subfield_name", _("Sub-field"), width=28, row_key="subfield_name"),
    Column("subfield", _("Sub-field code"), SUBFIELD,
           note=_("Code of a sub-field of the area, e.g. M-MASS."), example="M-MASS"),
    Column("subject", _("What exactly"), max_length=300, width=60, row_key="what",
           note=_("Quantity, and the instrument or standard."), example="Calibration of a set of E2 weights"),
    Column("measurement_range", _("Range"), max_length=100, width=20, row_key="range_", example="1 mg – 1 kg"),
    Column("period_from", _("From"), DATE, width=12, row_key="period_from_", note=_DATE_NOTE, example=date(2027, 1, 1),
           headers={CampaignKind.NEEDS: _("Wanted from"), CampaignKind.OFFERS: _("Available from")}),
    Column("period_to", _("To"), DATE, width=12, row_key="period_to_", note=_DATE_NOTE, example=date(2027, 12, 31),
           headers={CampaignKind.NEEDS: _("Wanted until"), CampaignKind.OFFERS: _("Available until")}),
    Column("priority", _("Priority"), CHOICE, Priority, width=10, row_key="priority_label", example=Priority.HIGH),
    Column("target_uncertainty", _("Target uncertainty"), max_length=100, width=14, row_key="uncertainty",
           example="0.1 mg"),
    Column("capacity", _("Capacity per year"), NUMBER, width=10, row_key="capacity_",
           note=_("How many calibrations, internship places or participants a year."), example=4),
    Column("languages", _("Language(s)"), CHOICE, Language, width=14, row_key="languages_label", example=Language.RU_EN,
           headers={CampaignKind.NEEDS: _("Working language(s)")}),
    Column("conditions", _("Conditions"), CHOICE, Conditions, width=16, row_key="conditions_label",
           example=Conditions.CONTRACT),
    Column("customs_paid_by", _("Customs and logistics paid by"), CHOICE, PaidBy, width=22, row_key="customs_label",
           example=PaidBy.RECIPIENT),
    Column("location", _("Location"), max_length=200, width=20, row_key="location_", example="Tashkent"),
    Column("comment", _("Comment"), width=40, row_key="comment_"),
    Column("response_status", _("Response status"), width=12, row_key="status_label"),
    # Self-classification.
    Column("considers_ceems", _("Counts itself as CEEMS"), YES_NO, note=_("yes or no"), example=True),
    Column("ceems_reason", _("Why"), example="The national measurement system is still being built."),
)


def pick(*keys: str) -> tuple[Column, ...]:
    return tuple(COLUMNS[key] for key in keys)


EXPORT_COLUMNS = pick(
    "item_kind", "country_name", "country", "institute", "activity_type", "area", "area_name", "subfield_name",
    "subject", "measurement_range", "period_from", "period_to", "priority", "target_uncertainty", "capacity",
    "languages", "conditions", "customs_paid_by", "location", "comment", "response_status",
)
_ITEM_START = ("institute", "country", "activity_type", "area", "subfield", "subject", "measurement_range")
NEED_COLUMNS = pick(*_ITEM_START, "target_uncertainty", "period_from", "period_to", "priority", "languages", "comment")
OFFER_COLUMNS = pick(
    *_ITEM_START, "capacity", "period_from", "period_to", "languages", "conditions", "customs_paid_by", "location",
    "comment",
)
SELF_CLASSIFICATION_COLUMNS = pick("institute", "country", "considers_ceems", "ceems_reason")
IMPORT_COLUMNS = {
    CampaignKind.NEEDS: NEED_COLUMNS,
    CampaignKind.OFFERS: OFFER_COLUMNS,
    CampaignKind.SELF_CLASSIFICATION: SELF_CLASSIFICATION_COLUMNS,
}


@dataclass(frozen=True)
class TableColumn:
    """A column of the summary table on screen: `key` names it in the
    template (`data-col`), `sort` is the key of surveys.summary.SORTS it
    sorts by ("" where it does not sort)."""

    key: str
    header: Promise
    sort: str = ""


TABLE_COLUMNS = (
    TableColumn("kind", COLUMNS["item_kind"].header, sort="kind"),
    TableColumn("country", COLUMNS["country_name"].header, sort="country"),
    TableColumn("institute", COLUMNS["institute"].header, sort="institute"),
    TableColumn("activity_type", COLUMNS["activity_type"].header, sort="activity_type"),
    TableColumn("area", COLUMNS["area_name"].header, sort="area"),
    TableColumn("subject", COLUMNS["subject"].header),
    TableColumn("period", _("Period"), sort="period"),
    TableColumn("priority", _("Priority or capacity")),
    TableColumn("status", COLUMNS["response_status"].header),
)
