from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from institutes import views as institute_views
from institutes.forms import PortalPasswordResetForm
from taskgroup import views as taskgroup_views

admin.site.site_header = _("CEEMS Programme Portal — administration")
admin.site.site_title = _("CEEMS Portal")
admin.site.index_title = _("Users, institutes and reference data")


def healthz(request):
    """Liveness probe for the load balancer and docker-compose."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("language/", institute_views.set_language, name="set_language"),
    path("healthz/", healthz, name="healthz"),
    # The task group's calendar feed: a secret token, no language prefix, no login (calendar programs).
    path("calendar/<str:token>.ics", taskgroup_views.calendar_feed, name="taskgroup_feed"),
]

urlpatterns += i18n_patterns(
    path("", institute_views.home, name="home"),
    path("accounts/login/", institute_views.PortalLoginView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/profile/", institute_views.profile, name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("institutes/", include("institutes.urls")),
    path("surveys/", include("surveys.urls")),
    path("programme/", include("programme.urls")),
    path("taskgroup/", include("taskgroup.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
)
