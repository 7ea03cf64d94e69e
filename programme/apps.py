from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme of activities")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        navigation.register_entry(
            "programme:matching_latest", label=_("Matching"), order=30, visible="programme.view_matching"
        )
