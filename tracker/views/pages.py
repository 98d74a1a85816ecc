"""Reader pages: the home page, the comparison table, a place's page, side by side, the map,
the methodology and the updates log. Each is one view; htmx asks for its swap target, rendered
from the same template's partial."""

import datetime as dt
from dataclasses import replace

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from arrivals.selectors import arrival_chart, arrival_figures_title
from config.http import HtmxHttpRequest, wants_fragment
from policies.models import Jurisdiction
from tracker import maps, selectors
from tracker.changelog import change_lines, entry_title
from tracker.comparison import (
    DEFAULT_SORT,
    SORT_COLUMNS,
    ComparisonFilters,
    comparison_ids,
    comparison_rows,
)
from tracker.forms import AsOfForm, CompareForm, ComparisonFilterForm, MapForm, UpdatesForm
from tracker.glossary import glossary
from tracker.views.shared import (
    DOWNLOAD_FORMATS,
    bad_request,
    map_drawing,
    place_or_404,
    query_form,
    reader_page,
    rendered_part,
    request_data_version,
)

PAGE_SIZE = 50
# The front page lists the largest latest figures first, fewer a page than the full table:
# below its map, headlines and chart, 50 rows are 50 cards on a phone (16,000 px).
HOME_SORT = "-arrivals"
HOME_PAGE_SIZE = 20


def comparison_table_context(
    request: HtmxHttpRequest,
    filters: ComparisonFilters,
    *,
    table_url: str,
    default_sort: str,
    per_page: int = PAGE_SIZE,
) -> dict:
    """What the comparison table (the htmx swap target) and its filter form show: one page of
    rows, its count, sortable headers, page links, downloads and embed code. Its links are
    built from the filters, never from the reader's address, so each table has one canonical
    address."""
    page = Paginator(comparison_ids(filters=filters), per_page).get_page(request.GET.get("page"))
    page.object_list = comparison_rows(ids=list(page.object_list), day=filters.day)
    return {
        "page": page,
        "filters": filters,
        "table_url": table_url,
        "default_sort": default_sort,
        **_comparison_links(filters, page, table_url=table_url, default_sort=default_sort),
    }


def _comparison_links(
    filters: ComparisonFilters, page: Page, *, table_url: str, default_sort: str
) -> dict:
    def link(**changes) -> str:
        return table_url + filters.query(default_sort=default_sort, **changes)

    sort_links = []
    for key, label in SORT_COLUMNS:
        order = {key: "ascending", f"-{key}": "descending"}.get(filters.sort, "")
        sort_links.append(
            {
                "key": key,
                "label": label,
                "aria_sort": order,
                "url": link(sort=f"-{key}" if order == "ascending" else key),
            }
        )
        if key == "sanctuary":  # the state's law, beside the place's own: not sortable
            sort_links.append({"key": "state-law", "label": gettext("State law"), "url": ""})
    # Downloads and embeds have the plain table's default order, not the home page's.
    query = filters.query()
    return {
        "sort_links": sort_links,
        "previous_url": link(page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page=page.next_page_number()) if page.has_next() else "",
        "download_query": query,
        "embed_path": reverse("embed:jurisdiction-table") + query,
    }


TABLE_PARTIAL = "tracker/jurisdiction_list.html#jurisdiction-table"


@require_safe
@reader_page(ComparisonFilterForm)
def home(request: HtmxHttpRequest) -> HttpResponse:
    form = query_form(request, ComparisonFilterForm)
    if not form.is_valid():
        return bad_request(request, form)
    filters = form.to_filters(default_sort=HOME_SORT)
    table_url = reverse("tracker:home")
    context = comparison_table_context(
        request, filters, table_url=table_url, default_sort=HOME_SORT, per_page=HOME_PAGE_SIZE
    )
    if wants_fragment(request):
        return render(request, TABLE_PARTIAL, context)
    context |= _filter_form_context(request, filters, table_url=table_url, default_sort=HOME_SORT)
    context["overview"] = _home_overview(request, filters)
    return render(request, "tracker/home.html", context)


def _filter_form_context(
    request: HtmxHttpRequest, filters: ComparisonFilters, *, table_url: str, default_sort: str
) -> dict:
    """The filter form shows the filters as understood (a search without its spaces), and
    is kept as a {% cache %} fragment: its ~90 options take longer to draw than the table."""
    understood = QueryDict(filters.query(default_sort=default_sort).removeprefix("?"))
    return {
        "form": ComparisonFilterForm(understood),
        "form_key": (
            request_data_version(request).token,  # a deploy moves it too
            table_url,
            replace(filters, sort="").query(default_sort=""),
        ),
        "part_seconds": settings.PART_CACHE_SECONDS,
    }


def _home_overview(request: HtmxHttpRequest, filters: ComparisonFilters) -> str:
    """Headline figures, the map and the chart above the home page's table: the same for
    every filter and order of the table, so drawn once per data version and day."""

    def context() -> dict:
        return _home_overview_context(request, filters)

    return rendered_part(
        request,
        "home-overview",
        "tracker/_home_overview.html",
        context,
        filters.day,
        filters.as_of,
    )


def _home_overview_context(request: HtmxHttpRequest, filters: ComparisonFilters) -> dict:
    headline = selectors.headline_figures()
    cities = list(dict.fromkeys(f.jurisdiction for f in headline))[:3]
    cities_query = "&".join(f"j={city.slug}" for city in cities)
    return {
        "headline_figures": headline,
        **maps.map_heading_context(
            day=filters.day, metric=maps.DEFAULT_METRIC, sheets=selectors.ice_sheet_dates()
        ),
        "map_drawing": map_drawing(request, day=filters.day, metric=maps.DEFAULT_METRIC),
        "agreement_totals": selectors.agreement_totals(day=filters.day),
        "chart": arrival_chart(
            jurisdictions=cities,
            day=filters.as_of,
            title=gettext("Arrival figures in the most-cited cities"),
        ),
        "chart_downloads": {
            fmt: reverse("tracker:compare-download", args=[fmt]) + "?" + cities_query
            for fmt in DOWNLOAD_FORMATS
        },
        "chart_embed_path": reverse("embed:compare-chart") + "?" + cities_query,
    }


@require_safe
@reader_page(ComparisonFilterForm)
def jurisdiction_list(request: HtmxHttpRequest) -> HttpResponse:
    form = query_form(request, ComparisonFilterForm)
    if not form.is_valid():
        return bad_request(request, form)
    filters = form.to_filters()
    table_url = reverse("tracker:jurisdiction-list")
    context = comparison_table_context(
        request, filters, table_url=table_url, default_sort=DEFAULT_SORT
    )
    if wants_fragment(request):
        return render(request, TABLE_PARTIAL, context)
    context |= _filter_form_context(
        request, filters, table_url=table_url, default_sort=DEFAULT_SORT
    )
    return render(request, "tracker/jurisdiction_list.html", context)


@require_safe
@reader_page(AsOfForm)
def jurisdiction_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    form = query_form(request, AsOfForm)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    jurisdiction = place_or_404(selectors.jurisdiction_with_records, slug=slug, day=day)
    return render(request, "tracker/jurisdiction_detail.html", _place_context(jurisdiction, day))


def _place_context(jurisdiction: Jurisdiction, day: dt.date | None) -> dict:
    inherited = selectors.inherited_rules(jurisdiction=jurisdiction, day=day)
    return {
        "inherited": inherited,
        "own_stance": selectors.own_stance_label(jurisdiction=jurisdiction, day=day),
        "jurisdiction": jurisdiction,
        "as_of": day,
        "as_of_iso": day.isoformat() if day else "",
        "day": day or timezone.localdate(),
        "figure_groups": selectors.figure_groups(figures=jurisdiction.published_figures),
        "children": selectors.jurisdiction_children(jurisdiction=jurisdiction)[:50],
        "chart": arrival_chart(
            jurisdictions=[jurisdiction],
            day=day,
            title=arrival_figures_title([jurisdiction]),
            prefetched=True,
        ),
        "sources": selectors.jurisdiction_sources(jurisdiction=jurisdiction, inherited=inherited),
        "timeline": selectors.jurisdiction_timeline(jurisdiction=jurisdiction, inherited=inherited),
    }


@require_safe
@reader_page(CompareForm)
def compare(request: HtmxHttpRequest) -> HttpResponse:
    form = query_form(request, CompareForm)
    if not form.is_valid():
        return bad_request(request, form)
    chosen = form.cleaned_data["j"]
    day = form.cleaned_data["as_of"]
    details = selectors.with_records(jurisdictions=chosen, day=day)
    context = {
        "form": form,
        "chosen": details,
        "as_of": day,
        "enough": len(chosen) >= CompareForm.MIN,
        "minimum": CompareForm.MIN,
        "maximum": CompareForm.MAX,
        "querystring_slugs": "&".join(f"j={j.slug}" for j in chosen),
        # The same for every comparison: one query per data version, not per page.
        "suggestions": rendered_part(
            request,
            "compare-suggestions",
            "tracker/jurisdiction_search.html",
            lambda: {"matches": selectors.jurisdictions_with_records()[:100]},
        ),
    }
    if context["enough"]:
        context["chart"] = arrival_chart(
            jurisdictions=details,
            day=day,
            title=arrival_figures_title(chosen),
            prefetched=True,
        )
    template = "tracker/compare.html"
    if wants_fragment(request):
        template += "#comparison"
    return render(request, template, context)


@require_safe
def jurisdiction_search(request: HtmxHttpRequest) -> HttpResponse:
    """Type-ahead suggestions for the compare picker: a list of options, at most 10."""
    # The compare picker's input is named "j" (its value is submitted as a slug).
    # NUL cannot be stored in or compared with PostgreSQL text; it is never part of a name.
    query = (request.GET.get("q") or request.GET.get("j") or "")[:100].replace("\x00", "").strip()
    matches = (
        Jurisdiction.objects.filter(Q(name__icontains=query) | Q(slug__icontains=query)).order_by(
            "-population", "name"
        )[:10]
        if len(query) >= 2
        else []
    )
    return render(request, "tracker/jurisdiction_search.html", {"matches": matches})


@require_safe
@reader_page(MapForm)
def state_map(request: HtmxHttpRequest) -> HttpResponse:
    form = query_form(request, MapForm)
    if not form.is_valid():
        return bad_request(request, form)
    day, metric = form.cleaned_data["as_of"], form.cleaned_data["metric"]
    sheets = selectors.ice_sheet_dates()
    context = {
        **maps.map_heading_context(day=day, metric=metric, sheets=sheets),
        "map_drawing": map_drawing(request, day=day, metric=metric),
    }
    template = "tracker/state_map.html"
    if wants_fragment(request):
        template += "#state-map"
    else:
        context |= maps.map_time_context(day=day, sheets=sheets)
    return render(request, template, context)


@require_safe
@reader_page()
def methodology(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "tracker/methodology.html", {"glossary": glossary()})


@require_safe
@reader_page(UpdatesForm)
def update_list(request: HtmxHttpRequest) -> HttpResponse:
    """The public log of updates and corrections, for every place or one (`?j=<slug>`)."""
    form = query_form(request, UpdatesForm)
    if not form.is_valid():
        return bad_request(request, form)
    slug, batch = form.cleaned_data["j"], form.cleaned_data["batch"]
    page = Paginator(
        selectors.public_changes(jurisdiction_slug=slug, batch=batch), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    place_name = ""
    if slug:
        place = Jurisdiction.objects.filter(slug=slug).first()
        if place is None and not page.object_list:
            raise Http404("No jurisdiction with that address.")
        place_name = place.display_name if place else page.object_list[0].jurisdiction_name
    entries = list(page.object_list)
    counts = {} if batch else selectors.batch_counts(entries=entries, jurisdiction_slug=slug)
    context = {
        "page": page,
        "entries": [
            {
                "entry": entry,
                "title": entry_title(entry),
                "lines": change_lines(entry),
                "batch_counts": counts.get(entry.batch),
            }
            for entry in entries
        ],
        "slug": slug,
        "batch": batch,
        "batch_label": entries[0].batch_label if batch and entries else "",
        "place_name": place_name,
    }
    return render(request, "tracker/update_list.html", context)
