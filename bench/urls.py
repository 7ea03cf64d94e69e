"""The portal's URLs plus two views of the suite's own, which live here and
never in the portal's URLconf: a trivial view, the framework's ceiling in the
throughput benchmark, and an empty page in the portal's layout, the control
that the latency benchmark times next to every page."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from ceems_portal.urls import urlpatterns as portal_urlpatterns

TRIVIAL_PATH = "/bench/trivial/"
LAYOUT_PATH = "/bench/layout/"


def trivial(request):
    """The least a view can do: through every middleware, no template, no query."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def layout(request):
    """What every page pays whatever its data: session, user and roles, the
    navigation, the base template; and nothing that grows with the data."""
    return render(request, "base.html")


urlpatterns = [
    path(TRIVIAL_PATH.strip("/") + "/", trivial, name="bench_trivial"),
    path(LAYOUT_PATH.strip("/") + "/", layout, name="bench_layout"),
    *portal_urlpatterns,
]
