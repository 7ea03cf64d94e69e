"""Bilingual Programme texts: written once in Russian and once in English."""
from modeltranslation.translator import TranslationOptions, register

from .models import Activity, Programme


@register(Programme)
class ProgrammeTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(Activity)
class ActivityTranslationOptions(TranslationOptions):
    fields = ("title", "description")


# The history of a bilingual row keeps both languages.
register(Programme.history.model)(type("HistoricalProgrammeTranslationOptions", (TranslationOptions,), {"fields": ProgrammeTranslationOptions.fields}))
register(Activity.history.model)(type("HistoricalActivityTranslationOptions", (TranslationOptions,), {"fields": ActivityTranslationOptions.fields}))
