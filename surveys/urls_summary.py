"""URLs of the summary table, the needs-versus-offers matrix and exports."""
from django.urls import path

from .views import summary

urlpatterns = [
    path("summary/", summary.summary_latest, name="summary_latest"),
    path("summary/<int:year>/", summary.summary, name="summary"),
    path("summary/<int:year>/matrix/", summary.summary_matrix, name="summary_matrix"),
    path("summary/<int:year>/export.<str:fmt>/", summary.summary_export, name="summary_export"),
]
