"""The demo's matching: the Programme 2022-2026, matching of the 2022
surveys, and the Secretariat's acceptance of the proposals the source
document describes (comparisons for Kyrgyzstan and Uzbekistan, calibrations
for Armenia, Tajikistan and Uzbekistan, Tajikistan's small-volume
procedure). The internships and training events, and Slovakia's
calibration, are left open for the Secretariat to decide in the browser.
Safe to run again: a year already matched is left as it is."""
from core.history import acting_as
from institutes.models import Institute, User

from .matching_services import Acceptance, matching_run_start, proposal_accept
from .models import MatchingRun, Programme

# What the source document describes: accepted in the demo.
ACCEPTED_TYPES = ("comparison", "calibration", "procedure")
LEFT_OPEN_PROVIDERS = ("SMU",)


def demo_programme() -> Programme:
    """The Programme 2022-2026 (one definition: the Programme demo's)."""
    from .demo_programme import _ensure_programme

    return _ensure_programme()


def load_demo() -> str:
    demo_programme()
    if MatchingRun.objects.filter(year=2022, status=MatchingRun.Status.DONE).exists():
        return "matching of 2022 already run"
    secretariat = User.objects.filter(username="secretariat").first()
    with acting_as(secretariat):
        run = matching_run_start(year=2022, by=secretariat)
        left_open = set(Institute.objects.filter(acronym__in=LEFT_OPEN_PROVIDERS).values_list("pk", flat=True))
        accepted = 0
        for proposal in run.proposals.select_related("run").order_by("position"):
            if proposal.activity_type not in ACCEPTED_TYPES or proposal.data.get("provider") in left_open:
                continue
            proposal_accept(
                proposal=proposal, by=secretariat, revision=proposal.revision,
                acceptance=Acceptance(need_ids=tuple(a["need"] for a in proposal.data["needs"])),
            )
            accepted += 1
    # The demo command speaks English throughout.
    return f"matching of 2022: {run.proposals_count} proposals, {accepted} accepted into the draft Programme"
