"""Login throttling (django-axes): who the client is behind the TLS proxy,
and a limit per address across usernames next to the one per username.

Axes compares one number of failures with one limit. The portal counts two
things: failures of one username from one address (AXES_FAILURE_LIMIT, small:
a person mistyping) and failures of any username from one address
(AXES_ADDRESS_FAILURE_LIMIT, larger: an institute behind one NAT address has
several people who mistype, a password sprayer tries hundreds of names). The
handler reports whichever of the two is nearer its limit, scaled to
AXES_FAILURE_LIMIT, so axes locks when either is reached.
"""
from ipaddress import ip_address

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum

ADDRESS_ONLY = "ip_address"


def client_address(request) -> str | None:
    """The client's address as the nearest of `PORTAL_PROXY_COUNT` trusted
    proxies saw it. Each proxy appends the address it received the request
    from to X-Forwarded-For, so the entry `PORTAL_PROXY_COUNT` places from the
    right was written by our own first proxy; what a client writes into the
    header itself stays to the left of it and is never read. Without proxies
    (the embedded mode) it is REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PORTAL_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # A request that did not pass through all our proxies (a health
        # check from inside the stack): its own connection is the client.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote


class PortalAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with the address-only count held against its
    own, larger limit, and a successful login forgiving only its own
    username's failures (not everything its address did: a sprayer with one
    valid account must not reset its own counter by logging in)."""

    def _failures_by_parameter(self, request, credentials):
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        for parameter, attempts in zip(parameters, attempts_list):
            yield parameter, attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = max(settings.AXES_ADDRESS_FAILURE_LIMIT, 1)
        worst = 0
        for parameter, failures in self._failures_by_parameter(request, credentials):
            if parameter == ADDRESS_ONLY:
                # Scaled onto the username limit: reaching the address limit
                # reaches `limit`, and not a failure earlier.
                failures = failures * limit // address_limit
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, self.filter_user_attempts(request, credentials)):
            if parameter != ADDRESS_ONLY:
                count += attempts.delete()[0]
        return count
