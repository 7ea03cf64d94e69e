"""What every page in the portal's layout shows: the header's menu and the
user's roles, from what the apps registered in core.navigation."""
from . import navigation


def navigation_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": navigation.menu_for(request), "user_roles": navigation.role_labels_for(user)}
