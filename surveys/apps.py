from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _todo_card(request) -> dict:
    """The respondent's to-do: the open questionnaires of their institute."""
    from . import selectors

    return {"responses": selectors.campaigns_to_answer(institute_id=request.user.institute_id)}


def _open_campaigns_card(request) -> dict:
    """The open campaigns with their response rates, for those who follow them."""
    from . import selectors

    campaigns, total = selectors.open_campaigns_with_rates()
    return {"campaigns": campaigns, "total": total}


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        # The header: one drop-down per stage of the year (surveys, Programme,
        # task group), so that it fits a 1,366 px screen in Russian.
        navigation.register_menu(key="surveys", label=_("Surveys"))
        navigation.register_entry("surveys:campaign_list", label=_("Survey campaigns"), order=10, menu="surveys")
        navigation.register_entry(
            "surveys:summary_latest", label=_("Summary table"), order=20, visible="surveys.read_summary", menu="surveys"
        )

        # Home cards of the surveys themselves, before the role cards.
        from institutes.models import Role

        navigation.register_card(
            "surveys_todo", template="surveys/_home_todo.html", order=5,
            visible=lambda user: user.has_role(Role.RESPONDENT) and user.institute_id is not None,
            context=_todo_card,
        )
        navigation.register_card(
            "surveys_open", template="surveys/_home_open_campaigns.html", order=6,
            visible="surveys.view_campaign_progress", context=_open_campaigns_card,
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
