"""Spreadsheet import/export of reference data, keyed by natural keys so that
re-importing the same file changes nothing."""
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import CeemsStatus, Country, Institute, MetrologyArea, SubField


class CountryResource(resources.ModelResource):
    class Meta:
        model = Country
        import_id_fields = ("iso2",)
        fields = ("iso2", "name_ru", "name_en", "rmo", "coomet_member", "customs_union")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class CeemsStatusResource(resources.ModelResource):
    country = fields.Field(
        attribute="country", column_name="country", widget=ForeignKeyWidget(Country, "iso2")
    )

    class Meta:
        model = CeemsStatus
        import_id_fields = ("country", "year")
        fields = ("country", "year", "is_ceems", "note")
        skip_unchanged = True
        clean_model_instances = True


class InstituteResource(resources.ModelResource):
    country = fields.Field(
        attribute="country", column_name="country", widget=ForeignKeyWidget(Country, "iso2")
    )

    class Meta:
        model = Institute
        import_id_fields = ("country", "acronym")
        fields = ("country", "acronym", "name_ru", "name_en", "kind", "city_ru", "city_en", "website")
        skip_unchanged = True
        clean_model_instances = True


class MetrologyAreaResource(resources.ModelResource):
    class Meta:
        model = MetrologyArea
        import_id_fields = ("code",)
        fields = ("code", "name_ru", "name_en", "position")
        skip_unchanged = True
        clean_model_instances = True


class SubFieldResource(resources.ModelResource):
    area = fields.Field(
        attribute="area", column_name="area", widget=ForeignKeyWidget(MetrologyArea, "code")
    )

    class Meta:
        model = SubField
        import_id_fields = ("code",)
        fields = ("code", "area", "name_ru", "name_en", "position")
        skip_unchanged = True
        clean_model_instances = True
