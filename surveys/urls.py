from django.urls import include, path

from .views import campaigns, responses

app_name = "surveys"

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/history/", campaigns.campaign_history, name="campaign_history"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/open/", campaigns.campaign_open, name="campaign_open"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/reopen/", campaigns.campaign_reopen, name="campaign_reopen"),
    path("campaigns/<int:pk>/deadline/", campaigns.campaign_deadline, name="campaign_deadline"),
    path("campaigns/<int:pk>/remind/", campaigns.campaign_remind_all, name="campaign_remind_all"),
    path("campaigns/<int:pk>/remind/<int:institute_pk>/", campaigns.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/respond/", responses.response_start, name="response_start"),
    path("subfields/", responses.subfield_options, name="subfield_options"),
    path("responses/<int:pk>/", responses.response_detail, name="response_detail"),
    path("responses/<int:pk>/items/add/", responses.item_add, name="item_add"),
    path("responses/<int:pk>/items/<int:item_pk>/", responses.item_edit, name="item_edit"),
    path("responses/<int:pk>/items/<int:item_pk>/delete/", responses.item_delete, name="item_delete"),
    path("responses/<int:pk>/submit/", responses.response_submit, name="response_submit"),
    path("responses/<int:pk>/reopen/", responses.response_reopen, name="response_reopen"),
    path("responses/<int:pk>/copy-previous/", responses.response_copy_previous, name="response_copy_previous"),
    path("responses/<int:pk>/accept/", responses.response_accept, name="response_accept"),
    path("responses/<int:pk>/history/", responses.response_history, name="response_history"),
    path("responses/<int:pk>/export.<str:fmt>/", responses.response_export, name="response_export"),
    path("", include("surveys.urls_summary")),
    path("", include("surveys.urls_import")),
]
