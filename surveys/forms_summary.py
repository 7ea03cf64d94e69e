"""The sort parameter of the summary table. Its filters are a django-filter
FilterSet: surveys.filters.SummaryFilter."""
from .summary import SORTS


def clean_sort(value: str | None) -> str:
    """A sort key of the table ("country", "-period", ...); anything else
    gives the default."""
    if value and value.lstrip("-") in SORTS and value.count("-") <= 1:
        return value
    return ""
