from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_read_programme(user) -> bool:
    from institutes.models import Role

    return user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE, Role.RESPONDENT)


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme of activities")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        navigation.register_menu(key="programme", label=_("Programme"))
        navigation.register_entry(
            "programme:home", label=_("Programme of activities"), order=30, visible=_can_read_programme, menu="programme"
        )
        navigation.register_entry(
            "programme:matching_latest", label=_("Matching"), order=35, visible="programme.view_matching",
            menu="programme",
        )
        link = navigation.register_card_link
        link("secretariat", "programme:version_list", label=_("Programme of activities"), order=40)
        link("taskgroup", "programme:home", label=_("Programme of activities"), order=30)
        link("committee", "programme:home", label=_("Programme of activities"), order=20)
        link("respondent", "programme:home", label=_("Programme of activities"), order=30)
