"""`{% memo [value ...] %}...{% endmemo %}`: a part of the layout rendered once
per language and script prefix (and per each value given) and kept with the
compiled template.

For the parts of the base layout that every page repeats and that depend
on nothing but the language: static file URLs, fixed links, translated
labels. Whatever varies by user or request (the CSRF token, the user's name,
the path) must stay outside, or be one of the values. No {% block %} inside:
a child template could not override it.

What is kept lives on the template's node, so a template reloaded in
development starts afresh; a changed setting (tests) clears it all.
"""
import weakref

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Per node; past it the node forgets what it kept, so a value with many
# forms cannot make it grow for ever.
MAX_ENTRIES = 100
_nodes: "weakref.WeakSet[MemoNode]" = weakref.WeakSet()


class MemoNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.rendered: dict[tuple, str] = {}
        _nodes.add(self)

    def render(self, context):
        # The script prefix too: the kept HTML holds URLs ({% url %}, {% static %}).
        key = (get_language(), get_script_prefix(), *(value.resolve(context) for value in self.values))
        html = self.rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.rendered) >= MAX_ENTRIES:
                self.rendered.clear()
            self.rendered[key] = html
        return mark_safe(html)


@register.tag
def memo(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, values)


@receiver(setting_changed)
def clear(**kwargs) -> None:
    for node in list(_nodes):
        node.rendered.clear()
