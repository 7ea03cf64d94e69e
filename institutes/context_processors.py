"""The header's navigation: for each role the user holds, the pages it uses."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

READERS = (Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE)
REFERENCE = _("Reference data")

# (roles, url name, label, menu): an entry shows for a user holding any of its
# roles (None: everyone); entries with a menu are grouped in one drop-down, so
# the header fits on one line in Russian too.
NAVIGATION = [
    (None, "surveys:campaign_list", _("Surveys"), None),
    (READERS, "surveys:summary_latest", _("Summary table"), None),
    (None, "institutes:institute_list", _("Institutes"), REFERENCE),
    (None, "institutes:country_list", _("Countries and CEEMS"), REFERENCE),
    (None, "institutes:area_list", _("Metrology areas"), REFERENCE),
    ((Role.SECRETARIAT,), "institutes:contacts", _("Contacts"), REFERENCE),
    ((Role.ADMIN,), "admin:index", _("Administration"), None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = [
        {"url": reverse(name), "label": label, "menu": menu}
        for roles, name, label, menu in NAVIGATION
        if roles is None or user.has_role(*roles)
    ]
    # The longest matching prefix wins, so /institutes/areas/ does not also light /institutes/.
    matches = [entry for entry in entries if request.path.startswith(entry["url"])]
    current = max(matches, key=lambda entry: len(entry["url"])) if matches else None
    items: list[dict] = []
    for entry in entries:
        entry["active"] = entry is current
        if entry["menu"] is None:
            items.append(entry)
            continue
        menu = next((item for item in items if item.get("label") == entry["menu"] and "children" in item), None)
        if menu is None:
            menu = {"label": entry["menu"], "children": [], "active": False}
            items.append(menu)
        menu["children"].append(entry)
        menu["active"] = menu["active"] or entry["active"]
    return {
        "nav_items": items,
        "user_roles": [Role(role).label for role in Role.values if role in user.roles],
    }
