"""Bilingual reference data: each name has a Russian and an English column."""
from modeltranslation.translator import TranslationOptions, register

from .models import Country, Institute, MetrologyArea, SubField


@register(Country)
class CountryTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru", "en")


@register(Institute)
class InstituteTranslationOptions(TranslationOptions):
    fields = ("name", "city")
    required_languages = {"ru": ("name",), "en": ("name",)}


@register(MetrologyArea)
class MetrologyAreaTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru", "en")


@register(SubField)
class SubFieldTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru", "en")


# The history of a bilingual row keeps both languages: its historical model
# gets the same translated columns.
for _model, _options in (
    (Country, CountryTranslationOptions),
    (Institute, InstituteTranslationOptions),
    (MetrologyArea, MetrologyAreaTranslationOptions),
    (SubField, SubFieldTranslationOptions),
):
    register(_model.history.model)(type(f"Historical{_options.__name__}", (TranslationOptions,), {"fields": _options.fields}))
