from django.urls import path

from .views import matching

app_name = "programme"

urlpatterns = [
    path("matching/", matching.matching_latest, name="matching_latest"),
    path("matching/<int:year>/", matching.matching_year, name="matching_year"),
    path("matching/<int:year>/run/", matching.matching_run, name="matching_run"),
    path("matching/runs/<int:pk>/status/", matching.matching_run_status, name="matching_run_status"),
    path("matching/proposals/<int:pk>/accept/", matching.proposal_accept, name="proposal_accept"),
    path("matching/proposals/<int:pk>/reject/", matching.proposal_reject, name="proposal_reject"),
]
