from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import navigation
from core.paging import TwoWayPaginator
from core.views import form_errors

from . import selectors
from .forms import ProfileForm
from .models import Country, Institute, Role
from .permissions import permission_required
from .services import user_set_language, user_update_profile


def _page(request, queryset):
    # The back half of a long list is read from its end (core.paging).
    return TwoWayPaginator(queryset, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))


def _set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# The session key under which the language switch remembers a choice made
# before logging in (on the login page).
LANGUAGE_CHOSEN_SESSION_KEY = "language_chosen"


class PortalLoginView(auth_views.LoginView):
    """Django's login, then on to the same page in the user's language: the
    one they chose with the switch on the login page, which also becomes
    their preferred language, or else the one saved in their profile."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        # Logging in keeps the session's data (a new key, the same contents).
        chosen = self.request.session.get(LANGUAGE_CHOSEN_SESSION_KEY)
        super().form_valid(form)
        user = self.request.user
        if chosen in dict(settings.LANGUAGES):
            user_set_language(user=user, language=chosen)
        self.request.session.pop(LANGUAGE_CHOSEN_SESSION_KEY, None)
        language = user.preferred_language
        return _set_language_cookie(redirect(translate_url(self.get_success_url(), language)), language)


@require_POST
def set_language(request):
    """The header's language switch: Django's set_language, and the choice is
    remembered in the profile of a logged-in user, or, before logging in, in
    the session until the login that follows."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        else:
            request.session[LANGUAGE_CHOSEN_SESSION_KEY] = language
    return response


@login_required
def home(request):
    """The cards every app registered in core.navigation, for this user."""
    return render(request, "institutes/home.html", {"cards": navigation.cards_for(request)})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            user_update_profile(
                user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                preferred_language=data["preferred_language"],
                current_password=data["current_password"],
            )
            messages.success(request, _("Your profile has been saved."))
            language = data["preferred_language"]
            return _set_language_cookie(redirect(translate_url(request.path, language)), language)
    return render(request, "institutes/profile.html", {"form": form})


@login_required
def institute_list(request):
    search = request.GET.get("q", "").strip()
    country = request.GET.get("country", "").strip()
    queryset = selectors.institutes_for_directory(search=search, country=country)
    page = _page(request, queryset)
    page.object_list = selectors.with_member_counts(page.object_list)
    return render(
        request,
        "institutes/institute_list.html",
        {
            "page_obj": page,
            "search": search,
            "country": country,
            "country_options": selectors.country_options(selected=country),
            "query": urlencode({key: value for key, value in (("q", search), ("country", country)) if value}),
        },
    )


@login_required
def institute_detail(request, pk: int):
    institute = get_object_or_404(Institute.objects.select_related("country"), pk=pk)
    can_see_members = request.user.has_perm("institutes.view_members", institute)
    return render(
        request,
        "institutes/institute_detail.html",
        {
            "institute": institute,
            "statuses": institute.country.ceems_statuses.order_by("-year"),
            "members": selectors.institute_members(institute=institute) if can_see_members else None,
        },
    )


@login_required
def country_list(request):
    page = _page(request, selectors.countries_with_status())
    page.object_list = selectors.with_institute_counts(page.object_list)
    return render(request, "institutes/country_list.html", {"page_obj": page, "years": selectors.ceems_years()})


@login_required
def area_list(request):
    return render(request, "institutes/area_list.html", {"areas": selectors.areas_with_subfields()})


@permission_required("institutes.view_contacts")
def contacts(request):
    return render(
        request,
        "institutes/contacts.html",
        {"page_obj": _page(request, selectors.respondents_by_institute())},
    )
