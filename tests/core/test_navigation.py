"""The menu and home cards each app registers in core.navigation."""
import pytest

from core import navigation
from institutes.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """The registry as the apps left it, restored after the test."""
    saved = (dict(navigation.registry.menus), list(navigation.registry.entries),
             dict(navigation.registry.cards), list(navigation.registry.links))
    yield navigation.registry
    (navigation.registry.menus, navigation.registry.entries,
     navigation.registry.cards, navigation.registry.links) = saved
    navigation.registry.clear_cache()


def _home(client):
    return client.get("/en/").content.decode()


def test_an_app_registers_an_entry_and_a_card_shown_to_its_role_only(registry, client_as):
    navigation.register_menu(key="tests", label="Test things")
    navigation.register_entry("profile", label="Test entry", menu="tests", order=50,
                              visible=lambda user: user.has_role(Role.COMMITTEE))
    navigation.register_entry("password_change", label="Test second entry", menu="tests", order=51,
                              visible=lambda user: user.has_role(Role.COMMITTEE))
    navigation.register_card("tests", template="core/_role_card.html", order=1,
                             visible="institutes.change_institute",  # a permission name
                             context=lambda request: {"title": "Test card", "text": "Shown to administrators."})
    navigation.register_card_link("tests", "institutes:area_list", label="Test link")

    committee = _home(client_as("committee"))
    assert "Test entry" in committee and 'data-testid="nav-tests"' in committee
    assert "Test card" not in committee

    admin = _home(client_as("admin"))  # holds every role and every permission
    assert "Test entry" in admin and "Test card" in admin and "Test link" in admin
    assert admin.index('data-testid="home-tests"') < admin.index('data-testid="home-secretariat"')

    respondent = _home(client_as("nmi-kg"))
    assert "Test entry" not in respondent and "Test card" not in respondent


def test_a_card_whose_context_is_none_is_left_out(registry, client_as):
    navigation.register_card("empty", template="core/_role_card.html", context=lambda request: None)
    assert 'data-testid="home-empty"' not in _home(client_as("secretariat"))


@pytest.mark.parametrize(
    "username,cards",
    [
        # surveys_open: the open campaigns and their response rates; surveys_todo: an institute's questionnaires.
        ("admin", {"surveys_open", "secretariat", "admin", "ceems"}),
        ("secretariat", {"surveys_open", "secretariat", "ceems"}),
        ("chair", {"surveys_open", "taskgroup", "ceems"}),
        ("committee", {"surveys_open", "committee", "ceems"}),
        ("nmi-kg", {"surveys_todo", "respondent", "ceems"}),
        ("nmi-am", {"surveys_todo", "surveys_open", "respondent", "taskgroup", "ceems"}),
    ],
)
def test_each_role_sees_its_cards(client_as, username, cards):
    response = client_as(username).get("/en/")
    assert {card["name"] for card in response.context["cards"]} == cards
    for name in cards:
        assert f'data-testid="home-{name}"' in response.content.decode()


def test_the_respondent_card_links_to_the_questionnaires_and_own_institute(client_as, user_named):
    html = _home(client_as("nmi-kg"))
    institute = user_named("nmi-kg").institute
    assert f'href="{institute.get_absolute_url()}"' in html
    assert 'href="/en/surveys/"' in html and "Your questionnaires" in html


@pytest.mark.parametrize(
    "username,shown,hidden",
    [
        ("secretariat", ["/en/surveys/summary/", "/en/institutes/contacts/"], ["/en/admin/"]),
        ("committee", ["/en/surveys/summary/", "/en/institutes/"], ["/en/institutes/contacts/", "/en/admin/"]),
        ("nmi-kg", ["/en/surveys/", "/en/institutes/areas/"], ["/en/surveys/summary/", "/en/admin/"]),
        ("admin", ["/en/admin/", "/en/institutes/contacts/", "/en/surveys/summary/"], []),
    ],
)
def test_the_menu_shows_each_role_its_pages(client_as, username, shown, hidden):
    items = client_as(username).get("/en/institutes/areas/").context["nav_items"]
    urls = [item["url"] for item in items if "url" in item] + [
        child["url"] for item in items for child in item.get("children", [])
    ]
    for url in shown:
        assert url in urls
    for url in hidden:
        assert url not in urls


def test_the_longest_matching_entry_is_the_current_page_in_each_language(client_as):
    client = client_as("secretariat")
    for language in ("en", "ru"):
        items = client.get(f"/{language}/institutes/areas/").context["nav_items"]
        [reference] = [item for item in items if item.get("key") == "reference"]
        active = [child["url"] for child in reference["children"] if child["active"]]
        assert active == [f"/{language}/institutes/areas/"]
        assert reference["active"]
        assert not any(item["active"] for item in items if "url" in item)

    # Labels are resolved per language, not once for the first one asked.
    assert "Справочники" in client.get("/ru/institutes/areas/").content.decode()
    assert "Reference data" in client.get("/en/institutes/areas/").content.decode()


def test_a_drop_down_of_one_visible_entry_is_a_plain_link_under_its_name(registry, client_as):
    navigation.register_menu(key="tests", label="Test things")
    navigation.register_entry("profile", label="Test entry", menu="tests", order=50)
    navigation.register_entry("password_change", label="Test second entry", menu="tests", order=51,
                              visible=lambda user: user.has_role(Role.SECRETARIAT))
    committee = _home(client_as("committee"))
    assert 'data-testid="nav-tests"' not in committee and "Test second entry" not in committee
    assert '<a class="nav-link" href="/en/accounts/profile/">Test things</a>' in committee
    secretariat = _home(client_as("secretariat"))
    assert 'data-testid="nav-tests"' in secretariat and "Test second entry" in secretariat
