from django import template

from core.counting import count_of

register = template.Library()


@register.simple_tag
def result_count(changelist) -> str:
    """The admin list's count with its model's name in the right form."""
    return count_of(changelist.model, changelist.result_count)
