from django import forms
from django.contrib.auth.forms import PasswordResetForm

from core.outbox import notify

from .models import User


class ProfileForm(forms.ModelForm):
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
        notify(
            to=[context["user"]],
            key=f"password-reset:{context['token']}",
            template="institutes/emails/password_reset",
            context=context,
        )
