from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:year>/", views.report_detail, name="report_detail"),
    path("<int:year>/edit/", views.report_edit, name="report_edit"),
    path("<int:year>/preview/", views.report_preview, name="report_preview"),
    path("<int:year>/generate/", views.report_generate, name="report_generate"),
    path("<int:year>/versions/", views.report_versions, name="report_versions"),
    path("<int:year>/v<int:number>/download/", views.version_download, name="version_download"),
    path("<int:year>/v<int:number>/submitted/", views.version_submitted, name="version_submitted"),
]
