"""URLs of the spreadsheet import of responses collected on paper or by email."""
from django.urls import path

from .views import imports

urlpatterns = [
    path("import/", imports.import_upload, name="import_upload"),
    path("import/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("import/<str:token>/confirm/", imports.import_confirm, name="import_confirm"),
]
