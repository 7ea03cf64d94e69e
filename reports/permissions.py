"""Who may do what with the annual report: the one place views, templates
and the admin ask (see institutes.permissions for how and why `rules`).

Which rows a user may see is `AnnualReport.objects.visible_to(user)` and
`ReportVersion.objects.visible_to(user)`.

Permissions, by name:

=================================== ===========================================
reports.view_report                 Secretariat, task group, Committee: the list by year, versions, the preview
reports.download_report             the same: download a generated PDF
reports.prepare_report              Secretariat, the task group's chair and secretary: edit the narrative parts
                                    and the basis, ask for a PDF, mark a version as submitted
reports.{view,add,change,delete}_*  the admin: administrators may view; versions are never edited there
=================================== ===========================================

Who prepares: the Secretariat and the task group's coordinators, that is
its current chair and its current secretary (`taskgroup.permissions.is_coordinator`,
read from dated memberships). The secretary is included because the task
group already gives the chair and the secretary together its other formal
outputs (final agendas, approved minutes, assigned requests); the deputy
chair, members and observers read and download like the Committee. A holder
of the task-group role through the administrator's group alone, with no
membership, does not prepare (as in the task group, that grant carries no
rights inside the group). A respondent may neither see nor download a
report; the Committee reads and downloads but does not generate.
"""
import rules

from institutes.permissions import is_admin, is_committee, is_secretariat, is_taskgroup
from taskgroup.permissions import is_coordinator as is_taskgroup_coordinator

is_report_reader = is_secretariat | is_taskgroup | is_committee
# The Secretariat, the task group's current chair and secretary: see the module docstring.
is_report_preparer = is_secretariat | is_taskgroup_coordinator

rules.add_perm("reports.view_report", is_report_reader)
rules.add_perm("reports.download_report", is_report_reader)
rules.add_perm("reports.prepare_report", is_report_preparer)

rules.add_perm("reports.view_annualreport", is_admin)
rules.add_perm("reports.change_annualreport", is_admin)
rules.add_perm("reports.view_reportversion", is_admin)
