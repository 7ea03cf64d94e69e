from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskgroupConfig(AppConfig):
    name = "taskgroup"
    verbose_name = _("Task group")
