"""The task group's pages in the suite: the meetings list, the latest
meeting's page and the action-item list, over taskgroup.synth's 10·N
meetings and 10·N action items (100 and 20,000 at the suite's sizes), seen
by the synthetic chair."""
from __future__ import annotations

from bench.registry import DETAIL, Page, register_page
from taskgroup.models import ActionItem, Meeting
from taskgroup.synth import CHAIR


def _meetings() -> int:
    return Meeting.objects.count()


def _latest_meeting() -> str:
    return f"/en/taskgroup/meetings/{Meeting.objects.order_by('-starts_at', '-pk').values_list('pk', flat=True).first()}/"


def _actions() -> int:
    return ActionItem.objects.count()


register_page(Page("taskgroup_meetings", "/en/taskgroup/meetings/", user=CHAIR, rows=_meetings, paginated=True))
register_page(Page("taskgroup_meeting", _latest_meeting, user=CHAIR, kind=DETAIL, rows=_meetings))
register_page(Page("taskgroup_actions", "/en/taskgroup/actions/?show=all", user=CHAIR, rows=_actions, paginated=True))
