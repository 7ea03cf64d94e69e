"""Who may do what with the Programme and its matching: the one place views,
templates and the admin ask (see institutes.permissions for how and why
`rules`).

Which rows a user may see is `ProgrammeVersion.objects.visible_to(user)`,
`Activity.objects.visible_to(user)` and `MatchingRun.objects.visible_to(user)`.

Permissions, by name:

=================================== ===========================================
programme.view_matching             Secretariat, task group, Committee: read proposals, gaps, unsolicited offers
programme.run_matching              Secretariat
programme.decide_proposal           Secretariat: accept, edit, reject a proposal
=================================== ===========================================
"""
import rules

from institutes.permissions import is_admin, is_committee, is_secretariat, is_taskgroup

rules.add_perm("programme.view_matching", is_secretariat | is_taskgroup | is_committee)
rules.add_perm("programme.run_matching", is_secretariat)
rules.add_perm("programme.decide_proposal", is_secretariat)
