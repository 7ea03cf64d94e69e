"""The summary table of a year's needs and offers, the needs-versus-offers
matrix, and the table's export. Read-only pages for the Secretariat, the
task group and the Committee; with htmx the table answers a filter, a sort
or a page change with its partial, and every link and form works without it."""
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from institutes.permissions import permission_required

from ..columns import TABLE_COLUMNS
from ..filters import OfferScope, SummaryFilter
from ..forms_summary import clean_sort
from ..models import Response
from ..summary import (
    DEFAULT_SORT,
    reader_scope,
    row_labeller,
    summary_count,
    summary_items,
    summary_latest_year,
    summary_matrix as build_matrix,
    summary_version,
    summary_years,
)
from ..summary_export import CONTENT_TYPES, export_filename, summary_csv, summary_xlsx

# The table's sortable columns, in the order they are shown: (sort key, header).


def _query(params, **changes) -> str:
    """The query string of `params` (a QueryDict) with `changes` applied; a
    change to None drops the parameter. Empty values are left out."""
    merged = {key: params.getlist(key) for key in params}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = [value]
    return urlencode([(key, value) for key, values in merged.items() for value in values if value], doseq=False)


def _table_headers(params, sort: str) -> list[dict]:
    """The table's headers (surveys.columns.TABLE_COLUMNS), each sortable
    one with the query that sorts by it, the other way round if it already
    does."""
    headers = []
    for column in TABLE_COLUMNS:
        header = {"key": column.key, "label": column.header, "direction": "", "query": ""}
        if column.sort:
            if sort == column.sort:
                header["direction"], next_sort = "ascending", f"-{column.sort}"
            elif sort == f"-{column.sort}":
                header["direction"], next_sort = "descending", column.sort
            else:
                next_sort = column.sort
            header["query"] = _query(params, sort=next_sort, page=None)
        headers.append(header)
    return headers


def _years_context(year: int) -> dict:
    years = summary_years()
    return {"year": year, "years": years, "year_known": year in years}


@permission_required("surveys.read_summary")
@require_GET
def summary_latest(request):
    """The summary of the latest year that has something to show."""
    return redirect("surveys:summary", year=summary_latest_year(user=request.user, today=timezone.localdate()))


# How long a rendered table is kept. Its key holds the data's version, so a
# change shows at once; the limit only frees the memory of unused pages.
SUMMARY_CACHE_SECONDS = 600


def _summary_cache_key(request, *, year: int, version: int, partial: bool, page: str = "table") -> str:
    """One key per version of the data, year, language, what the reader may
    read, query string, and whole page or rows (htmx asks for the rows, and
    for the page with its out-of-band parts when it restores history)."""
    query = urlencode(sorted((key, value) for key in request.GET for value in request.GET.getlist(key)))
    raw = "|".join(
        [
            page, str(version), str(year), translation.get_language() or "", reader_scope(request.user),
            str(partial), str(bool(request.htmx)), query,
        ]
    )
    return f"surveys:summary:{hashlib.sha256(raw.encode()).hexdigest()}"


def _summary_parts(request, year: int, *, partial: bool) -> dict:
    """The table's context and its rendered parts: the rows (with the
    out-of-band parts htmx swaps) and, for the whole page, the filters."""
    filterset = SummaryFilter(request.GET, year=year, request=request)
    filters = filterset.cleaned_filters()
    sort = clean_sort(request.GET.get("sort")) or DEFAULT_SORT
    items = summary_items(year=year, filters=filters, user=request.user, sort=sort)
    paginator = Paginator(items, settings.PORTAL_PAGE_SIZE)
    # The exact count without building the union's columns (one narrow query).
    paginator.count = summary_count(year=year, filters=filters, user=request.user)
    page = paginator.get_page(request.GET.get("page"))
    label = row_labeller()
    page.object_list = [label(row) for row in page.object_list]
    export_query = _query(request.GET, page=None)
    context = {
        **_years_context(year),
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page,
        "sort": sort if request.GET.get("sort") else "",
        "headers": _table_headers(request.GET, sort),
        "labels": {column.key: column.header for column in TABLE_COLUMNS},
        "query": _query(request.GET, page=None),
        "export_xlsx": f"{reverse('surveys:summary_export', args=[year, 'xlsx'])}?{export_query}".rstrip("?"),
        "export_csv": f"{reverse('surveys:summary_export', args=[year, 'csv'])}?{export_query}".rstrip("?"),
        "matrix_url": (
            reverse("surveys:summary_matrix", args=[year])
            + (f"?{urlencode({'status': filters['status']})}" if filters.get("status") else "")
        ),
        "is_filtered": bool(filters),
    }
    context["results_html"] = render_to_string("surveys/_summary_results.html", context, request)
    if not partial:
        context["filters_html"] = render_to_string("surveys/_summary_filters.html", context, request)
    return context


_KEPT = ("year", "years", "year_known", "matrix_url", "results_html", "filters_html")


@permission_required("surveys.read_summary")
@require_GET
@vary_on_headers("HX-Request")
def summary(request, year: int):
    """The table. Its rendered parts are kept per version of the data
    (surveys.summary.summary_version): the next reader of the same page of
    the same data gets them without a query but the version's."""
    partial = bool(request.htmx and not request.htmx.history_restore_request)
    version = summary_version()
    key = _summary_cache_key(request, year=year, version=version, partial=partial) if version is not None else None
    context = cache.get(key) if key else None
    if context is None:
        context = _summary_parts(request, year, partial=partial)
        if key:
            cache.set(key, {name: context[name] for name in _KEPT if name in context}, SUMMARY_CACHE_SECONDS)
    if partial:
        return HttpResponse(context["results_html"])
    return render(request, "surveys/summary.html", context)


@permission_required("surveys.read_summary")
@require_GET
def summary_matrix(request, year: int):
    """The matrix, kept per version of the data like the table."""
    status = request.GET.get("status", "")
    if status not in Response.Status.values:
        status = ""
    version = summary_version()
    key = _summary_cache_key(request, year=year, version=version, partial=False, page="matrix") if version is not None else None
    context = cache.get(key) if key else None
    if context is None:
        context = _matrix_parts(request, year, status)
        if key:
            cache.set(key, {name: context[name] for name in ("year", "table_url", "content_html")}, SUMMARY_CACHE_SECONDS)
    return render(request, "surveys/summary_matrix.html", context)


def _matrix_parts(request, year: int, status: str) -> dict:
    filters = {"status": status} if status else {}
    matrix = build_matrix(year=year, user=request.user, filters=filters)
    table_url = reverse("surveys:summary", args=[year])

    def link(**params) -> str:
        # The table shows the offers the matrix counted (of earlier surveys too).
        return f"{table_url}?{urlencode({**params, **filters, 'offers': OfferScope.VALID})}"

    labels = dict(matrix.columns)
    for row in matrix.rows:
        row.url = link(area=row.code)
        for cell in row.cells:
            cell.url = link(area=cell.area_code, activity_type=cell.activity_type)
            cell.label = labels[cell.activity_type]  # the phone's list names each cell
    columns = [
        {"value": value, "label": label, "url": link(activity_type=value), "total": total}
        for (value, label), total in zip(matrix.columns, matrix.column_totals)
    ]
    context = {
        **_years_context(year),
        "matrix": matrix,
        "columns": columns,
        "status": status,
        "statuses": Response.Status.choices,
        "table_url": f"{table_url}?{urlencode(filters)}" if filters else table_url,
    }
    context["content_html"] = render_to_string("surveys/_matrix_content.html", context, request)
    return context


@permission_required("surveys.read_summary")
@require_GET
def summary_export(request, year: int, fmt: str):
    """Exactly the rows of the table with the same query string, every row
    at once, in the language of the URL."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    filters = SummaryFilter(request.GET, year=year, request=request).cleaned_filters()
    sort = clean_sort(request.GET.get("sort")) or DEFAULT_SORT
    items = summary_items(year=year, filters=filters, user=request.user, sort=sort)
    title = str(_("Summary %(year)s") % {"year": year})
    return export_download(items=items, fmt=fmt, filename=export_filename(year=year, fmt=fmt), title=title)


def export_download(*, items, fmt: str, filename: str, title: str):
    """The rows of `items` as an XLSX or CSV download (the same columns and
    escaping for the summary and for one response)."""
    if fmt == "xlsx":
        response = HttpResponse(summary_xlsx(items=items, title=title), content_type=CONTENT_TYPES[fmt])
    else:
        response = StreamingHttpResponse(
            _in_language(translation.get_language(), summary_csv(items=items)), content_type=CONTENT_TYPES[fmt]
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _in_language(language: str, lines):
    """Run a generator inside `language`: a streaming response is sent after
    the view has returned, when the request's language may be gone."""
    with translation.override(language):
        yield from lines
