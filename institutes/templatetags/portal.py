"""Template helpers shared by every app's pages."""
from django import forms, template

register = template.Library()


@register.filter
def bootstrap_widget(bound_field):
    """Render a bound field's widget with Bootstrap classes and, when it has
    errors, aria-invalid and a link to the error text."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": css}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_errors"
    elif bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def minutes(delta) -> int:
    """Whole minutes of a timedelta, rounded up (a lock-out of 14:30 reads 15)."""
    seconds = int(delta.total_seconds()) if delta else 0
    return -(-seconds // 60)
