"""What every page in the portal's layout shows: the header's menu and the
user's roles, from what the apps registered in core.navigation."""
from django.utils.functional import SimpleLazyObject

from . import navigation


def navigation_menu(request):
    """`nav_menu`, the menu's HTML the base layout shows; `nav_items`, the
    same as data (computed only if a template asks); `user_roles`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_menu": navigation.menu_html(request),
        "nav_items": SimpleLazyObject(lambda: navigation.menu_for(request)),
        "user_roles": navigation.role_labels_for(user),
    }
