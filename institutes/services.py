"""Writes to users and reference data."""
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Role, User

RESPONDENT_NEEDS_INSTITUTE = _("An NMI respondent must belong to an institute.")
UNKNOWN_LANGUAGE = _("This language is not available.")
PASSWORD_NEEDED_FOR_EMAIL = _("Enter your current password to change your email address.")
PASSWORD_WRONG_FOR_EMAIL = _("This is not your current password: the email address was not changed.")


@transaction.atomic
def user_set_roles(*, user: User, roles: set[str]) -> User:
    """Give `user` exactly `roles`. The administrator role is superuser status;
    the others are groups. Refuses a respondent without an institute."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s"), params={"role": ", ".join(sorted(unknown))})
    if Role.RESPONDENT in roles and user.institute_id is None:
        raise ValidationError({"institute": RESPONDENT_NEEDS_INSTITUTE})
    is_admin = Role.ADMIN in roles
    if user.is_superuser != is_admin or user.is_staff != is_admin:
        user.is_superuser = user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles if role != Role.ADMIN]
    user.groups.set(groups)
    user.__dict__.pop("roles", None)
    user.__dict__.pop("group_names", None)
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language the user chose, for the next login and emails."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": UNKNOWN_LANGUAGE})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    preferred_language: str,
    current_password: str = "",
) -> User:
    """Save the fields a user may change about themselves. A new email
    address needs the user's current password: the address receives password
    reset links, so whoever holds an open session must not be able to send
    them elsewhere. Nothing is saved when the password is missing or wrong."""
    saved_email = User.objects.filter(pk=user.pk).values_list("email", flat=True).get()
    if email.strip().lower() != saved_email.strip().lower():
        if not current_password:
            raise ValidationError({"current_password": PASSWORD_NEEDED_FOR_EMAIL})
        if not user.check_password(current_password):
            raise ValidationError({"current_password": PASSWORD_WRONG_FOR_EMAIL})
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "email", "preferred_language"])
    return user
