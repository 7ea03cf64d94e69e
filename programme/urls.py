from django.urls import path  # noqa: F401

app_name = "programme"

# Matching (views/matching.py) and the Programme (views/programme.py ...).
urlpatterns = []
