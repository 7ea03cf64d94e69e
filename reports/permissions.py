"""Who may do what with the annual report: the one place views, templates
and the admin ask (see institutes.permissions for how and why `rules`).

Which rows a user may see is `AnnualReport.objects.visible_to(user)` and
`ReportVersion.objects.visible_to(user)`.

Permissions, by name:

=================================== ===========================================
reports.view_report                 Secretariat, task group, Committee: the list by year, versions, the preview
reports.download_report             the same: download a generated PDF
reports.prepare_report              Secretariat and the task group's chair: edit the narrative parts
                                    and the basis, ask for a PDF, mark a version as submitted
reports.{view,add,change,delete}_*  the admin: administrators may view; versions are never edited there
=================================== ===========================================

The chair: until the task group's dated memberships exist (taskgroup app,
Membership with the role "chair"), every holder of the task-group role
counts as the chair here. `is_report_preparer` is the one predicate to
narrow then (or it with a Membership predicate, `is_taskgroup_chair`).
A respondent may neither see nor download a report; the Committee reads and
downloads but does not generate.
"""
import rules

from institutes.permissions import is_admin, is_committee, is_secretariat, is_taskgroup

is_report_reader = is_secretariat | is_taskgroup | is_committee
# The task group's chair: see the module docstring.
is_report_preparer = is_secretariat | is_taskgroup

rules.add_perm("reports.view_report", is_report_reader)
rules.add_perm("reports.download_report", is_report_reader)
rules.add_perm("reports.prepare_report", is_report_preparer)

rules.add_perm("reports.view_annualreport", is_admin)
rules.add_perm("reports.change_annualreport", is_admin)
rules.add_perm("reports.view_reportversion", is_admin)
