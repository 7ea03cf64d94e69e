from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Annual reports")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        navigation.register_entry("reports:report_list", label=_("Annual reports"), order=60,
                                  visible="reports.view_report", menu="taskgroup")
        link = navigation.register_card_link
        link("secretariat", "reports:report_list", label=_("Annual report to the Committee"), order=60)
        link("taskgroup", "reports:report_list", label=_("Annual report to the Committee"), order=60)
        link("committee", "reports:report_list", label=_("Annual reports of the task group"), order=5)
