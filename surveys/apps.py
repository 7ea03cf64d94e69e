from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        navigation.register_entry("surveys:campaign_list", label=_("Surveys"), order=10)
        navigation.register_entry(
            "surveys:summary_latest", label=_("Summary table"), order=20, visible="surveys.read_summary"
        )

        # Links on the role cards the institutes app registers.
        link = navigation.register_card_link
        link("respondent", "surveys:campaign_list", label=_("Your questionnaires"), order=10)
        link("secretariat", "surveys:campaign_list", label=_("Survey campaigns"), order=10)
        link("secretariat", "surveys:summary_latest", label=_("Summary table of needs and offers"), order=20)
        link("secretariat", "surveys:import_upload", label=_("Import answers"), order=30)
        link("taskgroup", "surveys:summary_latest", label=_("Summary table of needs and offers"), order=10)
        link("taskgroup", "surveys:campaign_list", label=_("Survey campaigns"), order=20)
        link("committee", "surveys:summary_latest", label=_("Summary table of needs and offers"), order=10)
