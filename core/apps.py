from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and none owns: errors, conflicts, background
    jobs, the email outbox, history and the change log, navigation and home
    cards, safe spreadsheet cells."""

    name = "core"
    verbose_name = _("Portal core")
