from django.urls import path

from .views import activities, matching, versions

app_name = "programme"

urlpatterns = [
    path("matching/", matching.matching_latest, name="matching_latest"),
    path("matching/<int:year>/", matching.matching_year, name="matching_year"),
    path("matching/<int:year>/run/", matching.matching_run, name="matching_run"),
    path("matching/runs/<int:pk>/status/", matching.matching_run_status, name="matching_run_status"),
    path("matching/proposals/<int:pk>/accept/", matching.proposal_accept, name="proposal_accept"),
    path("matching/proposals/<int:pk>/reject/", matching.proposal_reject, name="proposal_reject"),
]

urlpatterns += [
    path("", versions.programme_home, name="home"),
    path("versions/", versions.version_list, name="version_list"),
    path("versions/compare/", versions.version_compare, name="version_compare"),
    path("versions/<int:pk>/", versions.version_detail, name="version_detail"),
    path("versions/<int:pk>/timeline/", versions.version_timeline, name="version_timeline"),
    path("versions/<int:pk>/progress/", versions.version_progress, name="version_progress"),
    path("versions/<int:pk>/export.xlsx", versions.version_export, name="version_export"),
    path("versions/<int:pk>/history/", versions.version_history, name="version_history"),
    path("versions/<int:pk>/comments/", versions.version_comments, name="version_comments"),
    path("versions/<int:pk>/consultation/open/", versions.version_open_consultation, name="version_open_consultation"),
    path("versions/<int:pk>/consultation/close/", versions.version_close_consultation, name="version_close_consultation"),
    path("versions/<int:pk>/approve/", versions.version_approve, name="version_approve"),
    path("versions/<int:pk>/publish/", versions.version_publish, name="version_publish"),
    path("versions/<int:pk>/revise/", versions.version_revise, name="version_revise"),
    path("versions/<int:pk>/next-year/", versions.version_update, name="version_update"),
    path("versions/<int:pk>/activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/row/", activities.activity_row, name="activity_row"),
    path("activities/<int:pk>/status/", activities.activity_status, name="activity_status"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/history/", activities.activity_history, name="activity_history"),
    path("activities/<int:pk>/outcome/", activities.activity_outcome, name="activity_outcome"),
    path("activities/<int:pk>/comments/", activities.comment_add, name="comment_add"),
    path("comments/<int:pk>/answer/", activities.comment_answer, name="comment_answer"),
]
