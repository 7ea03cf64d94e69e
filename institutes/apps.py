from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutesConfig(AppConfig):
    name = "institutes"
    verbose_name = _("Institutes and reference data")

    def ready(self):
        from . import permissions  # noqa: F401  registers the app's rules
