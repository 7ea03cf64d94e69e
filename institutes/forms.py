import hashlib

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from core.outbox import notify

from .models import User


class ProfileForm(CleanTextMixin, forms.ModelForm):
    # Asked only when the email address changes (institutes.services.user_update_profile).
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only to change your email address, where password reset links are sent."),
    )

    # The password right under the address it protects.
    field_order = ("first_name", "last_name", "email", "current_password", "preferred_language")

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "preferred_language")


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email written to the outbox in the
    recipient's own language and sent after the request. The page answers
    the same for a known and an unknown address, also when the broker or the
    mail server is down: writing the row is all the request does."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # The reset templates are Django's names under registration/;
        # institutes/emails/password_reset* include them.
        # The key names the token by its hash: the outbox keeps no usable link.
        digest = hashlib.sha256(context["token"].encode()).hexdigest()[:32]
        notify(
            to=[context["user"]],
            key=f"password-reset:{digest}",
            template="institutes/emails/password_reset",
            context=context,
            confidential=True,
        )
