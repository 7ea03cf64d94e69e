"""The header's navigation: for each role the user holds, the pages it uses."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# (role or tuple of roles, url name, label): an entry shows for a user holding
# any of its roles (None: everyone); a page appears once even if several roles use it.
NAVIGATION = [
    (None, "surveys:campaign_list", _("Surveys")),
    ((Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE), "surveys:summary_latest", _("Summary table")),
    (None, "institutes:institute_list", _("Institutes")),
    (None, "institutes:country_list", _("Countries and CEEMS")),
    (None, "institutes:area_list", _("Metrology areas")),
    (Role.SECRETARIAT, "institutes:contacts", _("Contacts")),
    (Role.ADMIN, "admin:index", _("Administration")),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "active": request.path.startswith(reverse(name))}
        for role, name, label in NAVIGATION
        if role is None or user.has_role(*(role if isinstance(role, tuple) else (role,)))
    ]
    # The longest matching prefix wins, so /institutes/areas/ does not also light /institutes/.
    matches = [item for item in items if item["active"]]
    for item in items:
        item["active"] = bool(matches) and item is max(matches, key=lambda i: len(i["url"]))
    return {
        "nav_items": items,
        "user_roles": [Role(role).label for role in Role.values if role in user.roles],
    }
