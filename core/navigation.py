"""The header's menu and the home page's cards, which each app adds to from
its `AppConfig.ready()`.

    from core import navigation

    navigation.register_menu(key="reference", label=_("Reference data"))
    navigation.register_entry("institutes:area_list", label=_("Metrology areas"),
                              menu="reference", order=120)
    navigation.register_entry("surveys:summary_latest", label=_("Summary table"), order=20,
                              visible=lambda user: user.has_role(Role.SECRETARIAT, Role.COMMITTEE))
    navigation.register_card("respondent", template="institutes/_home_respondent.html", order=10,
                             visible=is_respondent, context=respondent_card_context)
    navigation.register_card_link("secretariat", "surveys:import_upload",
                                  label=_("Import answers"), order=30)

Who sees a thing (`visible`) is None (every logged-in user), a callable
taking the user and returning a bool, or a permission name checked with
`user.has_perm` ("surveys.view_response"). Hiding an entry is never the
permission: the view checks on the server.

The menu is what every page pays for, so the URLs and labels are resolved
once per URLconf, script prefix and language, and the menu's HTML once per
language, set of visible entries and current entry, and kept; a request
only asks each entry whether its user may see it (the roles are cached on
the user) and which one is the current page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.template.loader import render_to_string
from django.utils.translation import get_language

MENU_TEMPLATE = "core/_menu.html"

Visibility = Callable[[Any], bool] | str | None


def is_visible(visible: Visibility, user) -> bool:
    """Whether `user` may see a thing registered with `visible`."""
    if visible is None:
        return True
    if isinstance(visible, str):
        return user.has_perm(visible)
    return bool(visible(user))


@dataclass(frozen=True)
class Menu:
    """A drop-down of the header; its entries say `menu=<key>`. It sits where
    its first entry would."""

    key: str
    label: Any


@dataclass(frozen=True)
class Entry:
    """A link of the header, on its own or in a drop-down."""

    url_name: str
    label: Any
    order: int = 100
    menu: str | None = None
    visible: Visibility = None


@dataclass(frozen=True)
class CardLink:
    """A link on a home card. `url` (a callable taking the request) is for
    links no URL name gives, such as the user's own institute."""

    card: str
    url_name: str | None
    label: Any
    order: int = 100
    visible: Visibility = None
    url: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Card:
    """A card of the home page: a template partial rendered with `card` in
    its context, a dict of what `context(request)` returned plus `links`,
    the card's visible links. `context` returning None leaves the card out
    (e.g. nothing to show yet)."""

    name: str
    template: str
    order: int = 100
    visible: Visibility = None
    context: Callable[[Any], dict | None] | None = None


@dataclass
class Registry:
    """Everything the apps registered. `role_labels(user)`, set by the app
    that owns the roles, names them in the user menu."""

    role_labels: Callable[[Any], list] | None = None
    menus: dict[str, Menu] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)
    links: list[CardLink] = field(default_factory=list)
    _resolved: dict[tuple, Any] = field(default_factory=dict, repr=False)  # what is kept per language etc.

    def clear_cache(self) -> None:
        self._resolved.clear()


registry = Registry()


def register_menu(*, key: str, label) -> Menu:
    menu = Menu(key=key, label=label)
    registry.menus[key] = menu
    registry.clear_cache()
    return menu


def register_entry(url_name: str, *, label, order: int = 100, menu: str | None = None,
                   visible: Visibility = None) -> Entry:
    """Add a link to the header; registering the same URL name again replaces it."""
    entry = Entry(url_name=url_name, label=label, order=order, menu=menu, visible=visible)
    registry.entries[:] = [e for e in registry.entries if e.url_name != url_name] + [entry]
    registry.entries.sort(key=lambda e: e.order)
    registry.clear_cache()
    return entry


def register_card(name: str, *, template: str, order: int = 100, visible: Visibility = None,
                  context: Callable[[Any], dict | None] | None = None) -> Card:
    card = Card(name=name, template=template, order=order, visible=visible, context=context)
    registry.cards[name] = card
    return card


def register_card_link(card: str, url_name: str | None = None, *, label, order: int = 100,
                       visible: Visibility = None, url: Callable[[Any], str] | None = None) -> CardLink:
    """Add a link to the card `card` (registered by any app, now or later)."""
    if (url_name is None) == (url is None):
        raise ValueError("A card link needs exactly one of url_name and url.")
    link = CardLink(card=card, url_name=url_name, label=label, order=order, visible=visible, url=url)
    # Registering the same link again (a second ready()) replaces it.
    registry.links[:] = [
        item for item in registry.links
        if (item.card, item.url_name or item.label) != (card, url_name or label)
    ] + [link]
    registry.links.sort(key=lambda item: item.order)
    return link


def set_role_labels(function: Callable[[Any], list]) -> None:
    registry.role_labels = function


def role_labels_for(user) -> list[str]:
    """The names of the roles `user` holds, in the active language, for the
    user menu; kept per language and set of roles."""
    if registry.role_labels is None:
        return []
    key = ("roles", get_language(), getattr(user, "roles", None))
    labels = registry._resolved.get(key) if key[2] is not None else None
    if labels is None:
        labels = [str(label) for label in registry.role_labels(user)]
        if key[2] is not None:
            registry._resolved[key] = labels
    return labels


@receiver(setting_changed)
def _forget_resolved(**kwargs) -> None:
    registry.clear_cache()


def _resolved_entries() -> tuple[tuple[Entry, str, str], ...]:
    """(entry, url, label as text) of every entry, in the active language and
    URLconf, resolved once and kept."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    resolved = registry._resolved.get(key)
    if resolved is None:
        resolved = tuple((entry, reverse(entry.url_name), str(entry.label)) for entry in registry.entries)
        registry._resolved[key] = resolved
    return resolved


def _menu_labels() -> dict[str, str]:
    key = ("menus", get_language())
    labels = registry._resolved.get(key)
    if labels is None:
        labels = {menu.key: str(menu.label) for menu in registry.menus.values()}
        registry._resolved[key] = labels
    return labels


def _visible_entries(request) -> tuple[tuple[tuple[Entry, str, str], ...], str | None]:
    """The entries the request's user may see, and the URL of the current
    one: the longest entry URL the path starts with."""
    user = request.user
    visible = tuple(item for item in _resolved_entries() if is_visible(item[0].visible, user))
    path = request.path
    current = max((url for _entry, url, _label in visible if path.startswith(url)), key=len, default=None)
    return visible, current


def _items(visible, current) -> list[dict]:
    labels = _menu_labels()
    items: list[dict] = []
    menus: dict[str, dict] = {}
    for entry, url, label in visible:
        link = {"url": url, "label": label, "active": url == current}
        if entry.menu is None:
            items.append(link)
            continue
        menu = menus.get(entry.menu)
        if menu is None:
            menu = menus[entry.menu] = {"key": entry.menu, "label": labels.get(entry.menu, entry.menu),
                                        "active": False, "children": []}
            items.append(menu)
        menu["children"].append(link)
        menu["active"] = menu["active"] or link["active"]
    # A drop-down of one visible entry is a plain link to it, under the
    # drop-down's name: nothing to choose from.
    return [
        {"url": item["children"][0]["url"], "label": item["label"], "active": item["active"]}
        if len(item.get("children", ())) == 1 else item
        for item in items
    ]


def menu_for(request) -> list[dict]:
    """The header's items for the request's user: links ({"url", "label",
    "active"}) and drop-downs ({"key", "label", "active", "children"}), in
    order; a drop-down sits where its first entry would."""
    return _items(*_visible_entries(request))


def menu_html(request) -> str:
    """The header's menu as HTML (core/_menu.html), rendered once for each
    language, set of visible entries and current entry, and kept: the
    menu is the same for everyone who sees the same entries."""
    visible, current = _visible_entries(request)
    key = ("html", get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(),
           tuple(url for _entry, url, _label in visible), current)
    html = registry._resolved.get(key)
    if html is None:
        html = render_to_string(MENU_TEMPLATE, {"nav_items": _items(visible, current)})
        registry._resolved[key] = html
    return html


def cards_for(request) -> list[dict]:
    """The home page's cards for the request's user, in order: each a dict
    with `template`, `name`, `links` and what the card's context returned."""
    user = request.user
    shown = []
    for card in sorted(registry.cards.values(), key=lambda c: c.order):
        if not is_visible(card.visible, user):
            continue
        extra = card.context(request) if card.context else {}
        if extra is None:
            continue
        links = [
            {"url": link.url(request) if link.url else reverse(link.url_name), "label": link.label}
            for link in registry.links
            if link.card == card.name and is_visible(link.visible, user)
        ]
        shown.append({**extra, "name": card.name, "template": card.template, "links": links})
    return shown
