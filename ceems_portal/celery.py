"""The portal's Celery app: configuration comes from Django settings (CELERY_*)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceems_portal.settings")

app = Celery("ceems_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
