"""The survey models in the admin, going through the same rules and services
as the pages: who may do what is asked of surveys.permissions, a campaign
opens and closes only through its services, an item edited here bumps its
response's revision (an open questionnaire then gets a conflict, not a
silent overwrite) and is validated as the item service validates it, and
history is read-only (no revert behind the services' backs)."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from core import counting
from core.concurrency import revision_bump, revision_claim
from core.errors import ConflictError, PortalError

from . import importing, services
from .models import Campaign, Invitation, Need, Offer, Questionnaire, Response
from .resources import NeedResource, OfferResource


class RulesAdminMixin:
    """Every has_*_permission asks the rule of the same name
    (surveys.change_campaign, ...) with the object, and history is shown,
    never reverted."""

    def _rule(self, request, action: str, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}", obj)

    def has_view_permission(self, request, obj=None):
        return self._rule(request, "view", obj) or self._rule(request, "change", obj)

    def has_add_permission(self, request, *args):
        return self._rule(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._rule(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._rule(request, "delete", obj)

    def revert_disabled(self, request, obj=None):
        return True


class HistoryAdmin(RulesAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Questionnaire)
class QuestionnaireAdmin(RulesAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("title", "kind", "version", "frozen_at")
    list_filter = ("kind",)
    readonly_fields = ("frozen_at",)

    def save_model(self, request, obj, form, change):
        """A frozen questionnaire is never changed: the edit becomes a new
        version (surveys.services.questionnaire_edit)."""
        if change and obj.is_frozen:
            original = Questionnaire.objects.get(pk=obj.pk)
            texts = {field: form.cleaned_data[field] for field in form.changed_data if field.startswith(("title", "instructions"))}
            new = services.questionnaire_edit(questionnaire=original, **texts)
            obj.pk, obj.version = new.pk, new.version
            self.message_user(request, _gettext("The questionnaire was in use, so the change is saved as version %(version)s.") % {"version": new.version})
            return
        super().save_model(request, obj, form, change)


class InvitationInline(RulesAdminMixin, admin.TabularInline):
    """Invited institutes change only while the campaign is a draft, as on
    the Secretariat's campaign form: after opening, an institute added here
    would never get its invitation."""

    model = Invitation
    extra = 0
    autocomplete_fields = ("institute",)
    readonly_fields = ("invitation_sent_at", "reminder_sent_at", "last_manual_reminder_at")

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == Campaign.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(RulesAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    """The status changes only through the actions, which call the services
    the Secretariat's buttons call (invitations sent on opening)."""

    list_display = ("__str__", "kind", "year", "status", "opens_on", "closes_on")
    list_filter = ("kind", "status", "year")
    readonly_fields = ("status", "opened_at", "created_by", "created_at")
    inlines = [InvitationInline]
    # Once open, what a campaign asks and of whom is fixed (campaign_save
    # refuses the same); its texts and deadline can still be corrected.
    FIXED_ONCE_OPEN = ("kind", "year", "questionnaire", "opens_on")

    def get_readonly_fields(self, request, obj=None):
        fixed = self.FIXED_ONCE_OPEN if obj is not None and obj.status != Campaign.Status.DRAFT else ()
        return (*self.readonly_fields, *fixed)
    actions = ["open_campaigns", "close_campaigns"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _run(self, request, queryset, service) -> int:
        done = 0
        for campaign in queryset:
            try:
                service(campaign=campaign, by=request.user)
                done += 1
            except (PortalError, ValidationError) as error:
                text = error.message if isinstance(error, PortalError) else "; ".join(error.messages)
                self.message_user(request, f"{campaign}: {text}", messages.ERROR)
        return done

    @admin.action(description=_("Open the selected campaigns and send the invitations"), permissions=["change"])
    def open_campaigns(self, request, queryset):
        if done := self._run(request, queryset, services.campaign_open):
            text = ngettext(
                "%(count)s campaign opened; the invitations are being sent.",
                "%(count)s campaigns opened; the invitations are being sent.",
                done,
            )
            self.message_user(request, text % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Close the selected campaigns"), permissions=["change"])
    def close_campaigns(self, request, queryset):
        if done := self._run(request, queryset, services.campaign_close):
            text = ngettext("%(count)s campaign closed.", "%(count)s campaigns closed.", done)
            self.message_user(request, text % {"count": done}, messages.SUCCESS)


# --- Responses and their items ---------------------------------------------------

class ResponseAdminForm(forms.ModelForm):
    """Carries the revision the page was loaded with: a save after somebody
    else's (a respondent's, another administrator's) is refused."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Response
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("revision") is not None:
            current = Response.objects.filter(pk=self.instance.pk).values_list("revision", flat=True).first()
            if current != cleaned["revision"]:
                raise ValidationError(services.CONFLICT)
        return cleaned


class ItemAdminForm(forms.ModelForm):
    """A need or offer: validated as surveys.services.item_save validates it."""

    def _post_clean(self):
        super()._post_clean()
        try:
            services.item_values_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class StandaloneItemAdminForm(ItemAdminForm):
    """An item on its own page carries its response's revision."""

    response_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["response_revision"].initial = self.instance.response.revision

    def clean(self):
        cleaned = super().clean()
        response = cleaned.get("response")
        if self.instance.pk and response is not None:
            current = Response.objects.filter(pk=response.pk).values_list("revision", flat=True).first()
            # A change posted without the revision it was loaded at is
            # refused like a stale one (core.concurrency).
            if cleaned.get("response_revision") != current:
                raise ValidationError(services.CONFLICT)
        return cleaned


def bump_revision(response_id: int, *, expected: int | None = None) -> None:
    """Move a response to its next revision for an admin edit: from the
    revision the page was loaded with when there is one (a save after
    somebody else's is a ConflictError, and the admin's change view, which
    runs in one transaction, undoes the whole save), unconditionally
    otherwise (core.concurrency)."""
    response = Response.objects.get(pk=response_id)
    touch = {"updated_at": timezone.now()}
    if expected is None:
        revision_bump(response, touch=touch)
    else:
        revision_claim(response, revision=expected, message=services.CONFLICT, touch=touch)


class ConflictMessageMixin:
    """A conflict found while saving (somebody saved between the form's check
    and the save) is a message on the same page, not an error page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ConflictError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class NeedInline(RulesAdminMixin, admin.StackedInline):
    model = Need
    form = ItemAdminForm
    extra = 0


class OfferInline(RulesAdminMixin, admin.StackedInline):
    model = Offer
    form = ItemAdminForm
    extra = 0


@admin.register(Response)
class ResponseAdmin(ConflictMessageMixin, HistoryAdmin):
    form = ResponseAdminForm
    list_display = ("institute", "campaign", "status", "submitted_at", "submitted_by")
    list_filter = ("status", "campaign__kind", "campaign__year")
    list_select_related = ("institute", "campaign", "submitted_by")
    search_fields = ("institute__acronym", "institute__name_ru", "institute__name_en")
    # The status changes through the respondents' submit and the Secretariat's reopen.
    readonly_fields = ("status", "submitted_at", "submitted_by", "accepted_at", "accepted_by")
    inlines = [NeedInline, OfferInline]

    def save_model(self, request, obj, form, change):
        if change:
            # Every admin save of a response or of its items (the inlines)
            # makes it a new revision, so a questionnaire open elsewhere gets
            # a conflict instead of overwriting this edit.
            bump_revision(obj.pk, expected=form.cleaned_data["revision"])
            obj.revision = form.cleaned_data["revision"] + 1
        super().save_model(request, obj, form, change)


class ItemAdmin(ConflictMessageMixin, HistoryAdmin):
    form = StandaloneItemAdminForm
    list_filter = ("activity_type", "area")
    list_select_related = ("area", "response__institute", "response__campaign")
    search_fields = ("subject",)

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("response_revision") if change else None
        bump_revision(obj.response_id, expected=expected)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        bump_revision(obj.response_id)
        super().delete_model(request, obj)


class CampaignImportForm(ImportForm):
    """The admin's import form, with the campaign the rows go into."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        kind = resources[0].kind if resources else None
        self.fields["campaign"].queryset = (
            Campaign.objects.exclude(status=Campaign.Status.DRAFT).filter(kind=kind).order_by("-year")
        )


class CampaignConfirmImportForm(ConfirmImportForm):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.exclude(status=Campaign.Status.DRAFT),
                                      widget=forms.HiddenInput)


class ItemImportMixin(ImportMixin):
    """The admin's import of needs or offers: the same resource as the
    Secretariat's import page (surveys.resources), so the same checks,
    natural key, paper responses and all-or-nothing confirmation; files
    read with the page's guards (surveys.importing.PortalCSV, PortalXLSX)."""

    import_form_class = CampaignImportForm
    confirm_form_class = CampaignConfirmImportForm
    import_formats = [importing.PortalXLSX, importing.PortalCSV]
    skip_import_confirm = False

    def has_import_permission(self, request):
        return request.user.has_perm("surveys.import_responses")

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        if form is None or not hasattr(form, "cleaned_data") or "campaign" not in form.cleaned_data:
            return {}  # the form's page: the resource only lists its columns
        return {"campaign": form.cleaned_data["campaign"], "by": request.user,
                "filename": form.cleaned_data.get("original_file_name") or getattr(
                    form.cleaned_data.get("import_file"), "name", "")}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["campaign"] = import_form.cleaned_data["campaign"].pk
        return initial

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, importing.ImportFileError):
            for problem in e.problems:
                form.add_error("import_file", problem.text)
            return
        super().add_data_read_fail_error_to_form(form, e)


@admin.register(Need)
class NeedAdmin(ItemImportMixin, ItemAdmin):
    resource_classes = [NeedResource]
    list_display = ("subject", "activity_type", "area", "priority", "languages", "response")
    list_filter = ("activity_type", "area", "priority", "languages")


@admin.register(Offer)
class OfferAdmin(ItemImportMixin, ItemAdmin):
    resource_classes = [OfferResource]
    list_display = ("subject", "activity_type", "area", "capacity", "conditions", "response")
    list_filter = ("activity_type", "area", "conditions")


# Counts in the admin's lists (core/counting.py).
counting.register(Questionnaire, ngettext_lazy("%(count)s questionnaire", "%(count)s questionnaires", "count"))
counting.register(Campaign, ngettext_lazy("%(count)s campaign", "%(count)s campaigns", "count"))
counting.register(Response, ngettext_lazy("%(count)s response", "%(count)s responses", "count"))
counting.register(Need, ngettext_lazy("%(count)s need", "%(count)s needs", "count"))
counting.register(Offer, ngettext_lazy("%(count)s offer", "%(count)s offers", "count"))
