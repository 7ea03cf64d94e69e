"""Bilingual texts of the task group: meeting and agenda-item titles."""
from modeltranslation.translator import TranslationOptions, register

from .models import AgendaItem, Meeting


@register(Meeting)
class MeetingTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("ru", "en")


@register(AgendaItem)
class AgendaItemTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("ru", "en")


# The history of a bilingual row keeps both languages.
register(Meeting.history.model)(type("HistoricalMeetingTranslationOptions", (TranslationOptions,), {"fields": ("title",)}))
register(AgendaItem.history.model)(type("HistoricalAgendaItemTranslationOptions", (TranslationOptions,), {"fields": ("title",)}))
