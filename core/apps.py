import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and none owns: errors, conflicts, background
    jobs, the email outbox, history and the change log, navigation and home
    cards, safe spreadsheet cells."""

    default = True  # this module also holds AxesConfig
    name = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from . import navigation

        # The admin site is the whole project's; Django lets superusers in.
        navigation.register_entry(
            "admin:index", label=_("Administration"), order=900, visible=lambda user: user.is_superuser
        )


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a name the admin shows in the user's language
    (the package names its app only "Axes")."""

    default = False
    verbose_name = _("Login attempts")
