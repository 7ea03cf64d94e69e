"""How many of a model a page shows, in words that agree with the number.

Django's admin writes a list's count as the number and the model's plural
name ("16 институты"), which is wrong in Russian for most numbers: a count
takes one of three forms there (1 институт, 2 института, 16 институтов).
Each app names its models' counts with `ngettext_lazy` next to its admin,
`register(Model, ngettext_lazy("%(count)s institute", "%(count)s
institutes", "count"))`, and `count_of(model, n)` says them; a model without
a registered count falls back to Django's wording.
"""
_LABELS: dict[str, object] = {}


def register(model, label) -> None:
    _LABELS[model._meta.label_lower] = label


def registered(model) -> bool:
    return model._meta.label_lower in _LABELS


def count_of(model, count: int) -> str:
    label = _LABELS.get(model._meta.label_lower)
    if label is not None:
        return label % {"count": count}
    name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
    return f"{count} {name}"
