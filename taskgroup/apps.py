from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskgroupConfig(AppConfig):
    name = "taskgroup"
    verbose_name = _("Task group")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from . import roles
        from core import navigation

        # A current membership gives the task-group role, read with the session.
        roles.register()

        navigation.register_menu(key="taskgroup", label=_("Task group"))
        navigation.register_entry(
            "taskgroup:overview", label=_("Meetings and members"), order=40, visible="taskgroup.view_overview",
            menu="taskgroup",
        )
        link = navigation.register_card_link
        link("taskgroup", "taskgroup:overview", label=_("Task group: meetings and members"), order=1)
        link("taskgroup", "taskgroup:action_list", label=_("Action items"), order=2)
        link("taskgroup", "taskgroup:request_list", label=_("Information-support requests"), order=3)
        link("taskgroup", "taskgroup:calendar_settings", label=_("Your calendar"), order=4)
        link("secretariat", "taskgroup:overview", label=_("Task group"), order=60)
        link("committee", "taskgroup:composition", label=_("Task-group composition"), order=30)
        link("respondent", "taskgroup:request_list", label=_("Ask the task group for information support"),
             order=40, visible="taskgroup.ask_info")
        link("respondent", "taskgroup:join", label=_("Join the task group"), order=41, visible="taskgroup.ask_to_join")
