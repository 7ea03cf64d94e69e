"""How views turn the project's errors into what the user sees.

One decorator on the view and, where the view has a form, one `with`:

    @require_POST
    @login_required
    @handles_portal_errors(redirect_to=response_url)
    def item_edit(request, pk, item_pk):
        ...
        if form.is_valid():
            with form_errors(form):
                services.item_save(item=item, **form.cleaned_data, ...)
                return redirect(...)
        return render(...)            # the form, with the service's errors

- a `ValidationError` raised inside `form_errors(form)` lands on the form:
  next to its field when the form has that field, above the form otherwise;
  the view goes on and shows the form again;
- any other `PortalError` (a broken domain rule) becomes an error message
  and a redirect to the URL `redirect_to` names (the page the action
  belongs to), or back to the page the request came from;
- a `ValidationError` outside `form_errors` is treated like a PortalError
  (its messages, then the redirect);
- a `ConflictError` (somebody saved since the page was loaded) is the same
  message and redirect; for htmx every one of these is a full-page reload
  (`HX-Redirect`), because the partial on screen no longer shows what is
  saved.
"""
from contextlib import contextmanager
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import PortalError


@contextmanager
def form_errors(form):
    """Put a ValidationError raised by a service onto `form` instead of
    letting it propagate; code after the `with` sees `form.is_valid()` False."""
    try:
        yield form
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)


def _back(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.path if request.method == "GET" else resolve_url("home")


def error_response(request, error: Exception, *, to) -> HttpResponse:
    """The message of `error` and a way back to `to` (a URL, a model with
    get_absolute_url, or None: the page the request came from)."""
    if isinstance(error, ValidationError):
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.error(request, error.message)
    url = resolve_url(to) if to is not None else _back(request)
    if getattr(request, "htmx", False):
        reload = HttpResponse(status=200)
        reload["HX-Redirect"] = url
        return reload
    return redirect(url)


def handles_portal_errors(view=None, *, redirect_to=None):
    """Decorate a view so a PortalError (ConflictError included) or an
    uncaught ValidationError from a service becomes a message and a
    redirect. `redirect_to(request, **view_kwargs)` names where to (a URL
    or a model); without it, back to where the request came from."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except (PortalError, ValidationError) as error:
                to = redirect_to(request, *args, **kwargs) if redirect_to else None
                return error_response(request, error, to=to)

        return wrapper

    return decorator(view) if view is not None else decorator
