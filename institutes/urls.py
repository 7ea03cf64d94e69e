from django.urls import path

from . import views

app_name = "institutes"

urlpatterns = [
    path("", views.institute_list, name="institute_list"),
    path("<int:pk>/", views.institute_detail, name="institute_detail"),
    path("countries/", views.country_list, name="country_list"),
    path("areas/", views.area_list, name="area_list"),
    path("contacts/", views.contacts, name="contacts"),
]
