from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _respondent_card(request) -> dict:
    return {"institute": request.user.institute}


def _ceems_card(request) -> dict | None:
    """The CEEMS countries of the latest year that has any; no card before."""
    from . import selectors

    year = next(iter(selectors.ceems_years()), None)
    if year is None:
        return None
    return {"year": year, "countries": selectors.ceems_countries(year=year)}


def _role_card(title, text=""):
    def context(request) -> dict:
        return {"title": title, "text": text}

    return context


class InstitutesConfig(AppConfig):
    name = "institutes"
    verbose_name = _("Institutes and reference data")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
        from core import navigation

        from .models import Role

        def holds(*roles):
            # has_role: administrators hold every role.
            return lambda user: user.has_role(*roles)

        def is_member_of(role):
            # Only those who hold the role themselves (not administrators as such).
            return lambda user: role in user.roles

        navigation.set_role_labels(lambda user: [Role(role).label for role in Role.values if role in user.roles])

        navigation.register_menu(key="reference", label=_("Reference data"))
        navigation.register_entry("institutes:institute_list", label=_("Institutes"), menu="reference", order=100)
        navigation.register_entry("institutes:country_list", label=_("Countries and CEEMS"), menu="reference", order=110)
        navigation.register_entry("institutes:area_list", label=_("Metrology areas"), menu="reference", order=120)
        navigation.register_entry(
            "institutes:contacts", label=_("Contacts"), menu="reference", order=130, visible="institutes.view_contacts"
        )

        # One card per role on the home page; the apps add their links to them.
        navigation.register_card(
            "respondent", template="institutes/_home_respondent.html", order=10,
            visible=lambda user: user.has_role(Role.RESPONDENT) and user.institute_id is not None,
            context=_respondent_card,
        )
        navigation.register_card(
            "secretariat", template="core/_role_card.html", order=20, visible=holds(Role.SECRETARIAT),
            context=_role_card(
                _("Secretariat"),
                _("Survey campaigns, the summary table of needs and offers, member institutes and their respondents."),
            ),
        )
        navigation.register_card(
            "taskgroup", template="core/_role_card.html", order=30, visible=is_member_of(Role.TASKGROUP),
            context=_role_card(_("Task-group member"), _("The task group works 2022–2026 and meets at least twice a year.")),
        )
        navigation.register_card(
            "committee", template="core/_role_card.html", order=40, visible=is_member_of(Role.COMMITTEE),
            context=_role_card(
                _("Committee member"), _("The task group reports to the annual meeting of the COOMET Committee.")
            ),
        )
        navigation.register_card(
            "admin", template="core/_role_card.html", order=50, visible=is_member_of(Role.ADMIN),
            context=_role_card(
                _("Administrator"),
                _("Users and their roles, institutes and reference data, with spreadsheet import and export."),
            ),
        )
        navigation.register_card("ceems", template="institutes/_home_ceems.html", order=60, context=_ceems_card)

        link = navigation.register_card_link
        link("respondent", url=lambda request: request.user.institute.get_absolute_url(),
             label=_("Your institute and colleagues"), order=20)
        link("respondent", "profile", label=_("Your profile and language"), order=30)
        link("secretariat", "institutes:contacts", label=_("Respondents by institute"), order=40)
        link("secretariat", "institutes:institute_list", label=_("Institutes directory"), order=50)
        link("secretariat", "institutes:country_list", label=_("Countries and CEEMS status"), order=60)
        link("taskgroup", "institutes:country_list", label=_("CEEMS countries"), order=30)
        link("taskgroup", "institutes:institute_list", label=_("Member institutes"), order=40)
        link("taskgroup", "institutes:area_list", label=_("Metrology areas (KCDB)"), order=50)
        link("committee", "institutes:country_list", label=_("CEEMS countries"), order=20)
        link("committee", "institutes:institute_list", label=_("Member institutes"), order=30)
        link("admin", "admin:institutes_user_changelist", label=_("Users"), order=10)
        link("admin", "admin:institutes_institute_changelist", label=_("Institutes"), order=20)
        link("admin", "admin:institutes_country_changelist", label=_("Countries"), order=30)
        link("admin", "admin:institutes_metrologyarea_changelist", label=_("Metrology areas"), order=40)
