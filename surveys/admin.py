from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from django.utils.translation import gettext as _

from .services import questionnaire_edit
from .models import Campaign, Invitation, Need, Offer, Questionnaire, Response


@admin.register(Questionnaire)
class QuestionnaireAdmin(TranslationAdmin):
    list_display = ("title", "kind", "version", "frozen_at")
    list_filter = ("kind",)
    readonly_fields = ("frozen_at",)

    def save_model(self, request, obj, form, change):
        """A frozen questionnaire is never changed: the edit becomes a new
        version (surveys.services.questionnaire_edit)."""
        if change and obj.is_frozen:
            original = Questionnaire.objects.get(pk=obj.pk)
            texts = {field: form.cleaned_data[field] for field in form.changed_data if field.startswith(("title", "instructions"))}
            new = questionnaire_edit(questionnaire=original, **texts)
            obj.pk, obj.version = new.pk, new.version
            self.message_user(request, _("The questionnaire was in use, so the change is saved as version %(version)s.") % {"version": new.version})
            return
        super().save_model(request, obj, form, change)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ("institute",)
    readonly_fields = ("invitation_sent_at", "reminder_sent_at", "last_manual_reminder_at")


@admin.register(Campaign)
class CampaignAdmin(TranslationAdmin):
    list_display = ("__str__", "kind", "year", "status", "opens_on", "closes_on")
    list_filter = ("kind", "status", "year")
    inlines = [InvitationInline]


class NeedInline(admin.StackedInline):
    model = Need
    extra = 0


class OfferInline(admin.StackedInline):
    model = Offer
    extra = 0


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ("institute", "campaign", "status", "submitted_at", "submitted_by")
    list_filter = ("status", "campaign__kind", "campaign__year")
    list_select_related = ("institute", "campaign", "submitted_by")
    search_fields = ("institute__acronym", "institute__name_ru", "institute__name_en")
    inlines = [NeedInline, OfferInline]


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "activity_type", "area", "priority", "response")
    list_filter = ("activity_type", "area", "priority")
    list_select_related = ("area", "response__institute", "response__campaign")
    search_fields = ("subject",)


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "activity_type", "area", "capacity", "conditions", "response")
    list_filter = ("activity_type", "area", "conditions")
    list_select_related = ("area", "response__institute", "response__campaign")
    search_fields = ("subject",)
