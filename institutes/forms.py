from functools import partial

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils import translation

from .models import User
from .tasks import deliver_email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "preferred_language")


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email rendered in the recipient's own
    language and sent by a Celery task once the request has committed."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(user.preferred_language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(
            partial(deliver_email.delay, to=[to_email], subject=subject, body=body), robust=True
        )
