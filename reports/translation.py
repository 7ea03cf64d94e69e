"""The report's narrative parts are written once in Russian and once in English."""
from modeltranslation.translator import TranslationOptions, register

from .models import AnnualReport


@register(AnnualReport)
class AnnualReportTranslationOptions(TranslationOptions):
    fields = ("basis", "summary", "conclusions", "proposals")


# The history of a bilingual row keeps both languages.
register(AnnualReport.history.model)(type(
    "HistoricalAnnualReportTranslationOptions", (TranslationOptions,), {"fields": AnnualReportTranslationOptions.fields}
))
