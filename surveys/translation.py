"""Bilingual survey texts: written once in Russian and once in English."""
from modeltranslation.translator import TranslationOptions, register

from .models import Campaign, Questionnaire


@register(Questionnaire)
class QuestionnaireTranslationOptions(TranslationOptions):
    fields = ("title", "instructions")


@register(Campaign)
class CampaignTranslationOptions(TranslationOptions):
    fields = ("introduction",)


# The history of a bilingual row keeps both languages.
register(Questionnaire.history.model)(type("HistoricalQuestionnaireTranslationOptions", (TranslationOptions,), {"fields": QuestionnaireTranslationOptions.fields}))
register(Campaign.history.model)(type("HistoricalCampaignTranslationOptions", (TranslationOptions,), {"fields": CampaignTranslationOptions.fields}))
