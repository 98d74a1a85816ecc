import datetime as dt
from dataclasses import replace

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from arrivals.charts import arrivals_timeline_figure, arrivals_timeline_svg
from arrivals.selectors import (
    arrival_series,
    newest_of_each,
    older_figures_note,
    series_from_figures,
    sources_of,
)
from config.downloads import csv_download, json_download
from config.fragments import cached_fragments, recall, remember, remembered, render_part
from config.http import HtmxHttpRequest, public_page, wants_fragment
from config.page_cache import cached_for_readers
from config.pagination import page_number, page_of_ids
from policies import selectors
from policies.changelog import change_lines, entry_title
from policies.comparison import (
    DEFAULT_SORT,
    SORT_COLUMNS,
    ComparisonFilters,
    ComparisonRow,
    comparison_ids,
    comparison_rows,
)
from policies.forms import (
    AsOfForm,
    CompareForm,
    ComparisonFilterForm,
    MapForm,
    UpdatesForm,
    checked_filters,
)
from policies.glossary import glossary
from policies.models import Jurisdiction
from policies.templatetags.tracker import comparison_table_rows

PAGE_SIZE = 50
HOME_SORT = "-arrivals"  # the front page lists the largest latest figures first
DOWNLOAD_FORMATS = ("csv", "json")


def bad_request(request: HtmxHttpRequest, form) -> HttpResponse:
    """A 400 that says which parameter was wrong and why."""
    problems = [
        f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
        for field, messages in form.errors.items()
    ]
    body = render_to_string("bad_request.html", {"problems": problems}, request=request)
    return HttpResponse(body, status=400)


def arrival_figures_title(places) -> str:
    return gettext("Arrival figures: %(places)s") % {"places": ", ".join(map(str, places))}


def _chart(
    *, jurisdictions: list[Jurisdiction], day: dt.date | None, title: str, prefetched: bool = False
) -> dict:
    """A chart of the jurisdictions' figures; `prefetched` reuses `published_figures`."""
    if prefetched:
        figures = [f for j in jurisdictions for f in j.published_figures]
        series = series_from_figures(figures=figures, jurisdictions=jurisdictions)
    else:
        series = arrival_series(jurisdictions=jurisdictions, day=day)
    series, omitted = newest_of_each(series)
    sources = sources_of(series)
    latest = max((f.as_of for s in series for f in s.figures), default=None)
    source_line = gettext("Sources: %(publishers)s") % {
        "publishers": "; ".join(dict.fromkeys(s.publisher for s in sources))
    }
    if latest:
        source_line += ". " + gettext("Latest figure as of %(day)s.") % {
            "day": date_format(latest, "DATE_FORMAT")
        }
    chart_series = [s.to_chart() for s in series]
    figure = arrivals_timeline_figure(
        series=chart_series, title=title, source_line=source_line[:300]
    )
    return {
        "series": series,
        "sources": sources,
        "figure": figure,
        "note": older_figures_note(omitted),
        # Every text in it is escaped by arrivals_timeline_svg.
        "svg": mark_safe(arrivals_timeline_svg(series=chart_series)),
    }


def comparison_row_html(ids: list[int], filters: ComparisonFilters) -> SafeString:
    """The comparison table's rows for `ids`; each row is shared by every page that shows it."""

    def render(missing: list[int]) -> dict[int, str]:
        return comparison_table_rows(comparison_rows(ids=missing, day=filters.day), filters.as_of)

    kind = f"comparison-row:{filters.day.isoformat()}:{filters.as_of}"
    return mark_safe("\n".join(cached_fragments(kind, ids, render)))  # escaped by render


def count_question(filters: ComparisonFilters) -> tuple[str, tuple]:
    # Every order and page of the same filters has the same count.
    return "comparison-count", (replace(filters, sort=""), filters.day)


def comparison_page(filters: ComparisonFilters, number: object, per_page: int) -> Page:
    """Page `number` of the table's ids; the count is remembered for the same filters."""
    known_count = recall(*count_question(filters))
    page = page_of_ids(comparison_ids(filters=filters), number, per_page, known_count=known_count)
    if known_count is None:
        remember(*count_question(filters), page.paginator.count)
    return page


def _comparison_table(
    request: HtmxHttpRequest, filters: ComparisonFilters, *, table_url: str, default_sort: str
) -> SafeString:
    """The table with its count, sortable headers, pages, downloads and embed code: the htmx
    swap target. It depends only on the filters and the page (its links are built from them,
    not from the reader's address), so every address asking for it shares one rendering."""
    number = page_number(
        request.GET.get("page"), per_page=PAGE_SIZE, count=recall(*count_question(filters))
    )

    def render_table() -> str:
        page = comparison_page(filters, number, PAGE_SIZE)
        context = {
            "page": page,
            "rows": comparison_row_html(list(page.object_list), filters),
            "filters": filters,
            "table_url": table_url,
            "default_sort": default_sort,
            **_comparison_links(filters, page, table_url=table_url, default_sort=default_sort),
        }
        return render_part("policies/jurisdiction_list.html#jurisdiction-table", context, request)

    question = (table_url, default_sort, filters, filters.day, number)
    # Rendered by the template above, which escapes what it shows.
    return mark_safe(remembered(request, "comparison-table", question, render_table))


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


def _filter_form(
    request: HtmxHttpRequest, filters: ComparisonFilters, *, table_url: str, default_sort: str
) -> SafeString:
    """The filter form, showing the filters as understood (the same for every address)."""

    def render_form() -> str:
        data = QueryDict(filters.query(default_sort=default_sort).removeprefix("?"))
        form = ComparisonFilterForm(data, default_sort=default_sort)
        context = {"form": form, "table_url": table_url}
        return render_part("policies/_filter_form.html", context, request)

    question = (table_url, default_sort, replace(filters, sort=""))
    # Rendered by the template above, which escapes what it shows.
    return mark_safe(remembered(request, "filter-form", question, render_form))


@require_safe
@cached_for_readers
@public_page
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def home(request: HtmxHttpRequest) -> HttpResponse:
    # The front page lists the places with the largest latest figures first.
    filters = checked_filters(request, default_sort=HOME_SORT)
    if filters is None:
        return bad_request(request, ComparisonFilterForm(request.GET))
    shared = {"table_url": reverse("policies:home"), "default_sort": HOME_SORT}
    table = _comparison_table(request, filters, **shared)
    if wants_fragment(request):
        return HttpResponse(table)
    context = {
        "table": table,
        "filter_form": _filter_form(request, filters, **shared),
        "overview": _home_overview(request, filters),
    }
    return render(request, "policies/home.html", context)


def _home_overview(request: HtmxHttpRequest, filters: ComparisonFilters) -> SafeString:
    """Headline figures, the map and the chart: the same for every filter of the home table."""

    def render_overview() -> str:
        headline = selectors.headline_figures()
        cities = list(dict.fromkeys(f.jurisdiction for f in headline))[:3]
        context = {
            "headline_figures": headline,
            **selectors.map_context(day=filters.day, metric="state_law"),
            "agreement_totals": selectors.agreement_totals(day=filters.day),
            "chart": _chart(
                jurisdictions=cities,
                day=filters.as_of,
                title=gettext("Arrival figures in the most-cited cities"),
            ),
            "chart_downloads": {
                fmt: reverse("policies:compare-download", args=[fmt])
                + "?"
                + "&".join(f"j={city.slug}" for city in cities)
                for fmt in DOWNLOAD_FORMATS
            },
        }
        return render_part("policies/home.html#home-overview", context, request)

    question = (filters.day, filters.as_of)
    # Rendered by the template above, which escapes what it shows.
    return mark_safe(remembered(request, "home-overview", question, render_overview))


@require_safe
@cached_for_readers
@public_page
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def jurisdiction_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = checked_filters(request)
    if filters is None:
        return bad_request(request, ComparisonFilterForm(request.GET))
    shared = {"table_url": reverse("policies:jurisdiction-list"), "default_sort": DEFAULT_SORT}
    table = _comparison_table(request, filters, **shared)
    if wants_fragment(request):
        return HttpResponse(table)
    context = {
        "table": table,
        "filter_form": _filter_form(request, filters, **shared),
        "filters": filters,
    }
    return render(request, "policies/jurisdiction_list.html", context)


def _comparison_record(row: ComparisonRow) -> dict:
    j, figure = row.jurisdiction, row.latest_figure
    return {
        "jurisdiction": j.display_name,
        "slug": j.slug,
        "state": j.state,
        "kind": j.kind,
        "census_geoid": j.geoid,
        "policy_stance": j.stance,
        "state_law_stance": row.state_stance,
        "sanctuary_status": j.sanctuary_status_then,
        "sanctuary_year": j.sanctuary_year,
        "detainer_rule": j.detainer_rule_then,
        "agreements_287g_in_effect": j.agreement_total,
        "agreement_models_287g": row.agreement_models,
        "designations": [
            f"{d.label} ({d.designated_by}, {d.designated_on}{', disputed' if d.disputed else ''})"
            for d in row.designations
        ],
        "latest_figure": figure and _figure_record(figure),
        "source_count": j.source_total,
    }


FIGURE_COLUMNS = (
    "series", "jurisdiction", "measure", "unit", "figure_as_stated", "value", "qualifier",
    "period", "period_start", "period_end", "as_of", "as_of_precision", "sender", "reported_by",
    "source_publisher", "source_title", "source_url", "source_published", "notes",
)  # fmt: skip


def _figure_record(figure) -> dict:
    return {
        "jurisdiction": figure.jurisdiction.display_name,
        "measure": figure.measure,
        "unit": figure.unit,
        "figure_as_stated": figure.display_value,
        "value": figure.value,
        "qualifier": figure.qualifier,
        "period": figure.period_display,
        "period_start": figure.period_start,
        "period_end": figure.period_end,
        "as_of": figure.as_of,
        "as_of_precision": figure.as_of_precision,
        "sender": figure.sender,
        "reported_by": figure.reported_by,
        "source_publisher": figure.source.publisher,
        "source_title": figure.source.title,
        "source_url": figure.source.url,
        "source_published": figure.source.published_on,
        "notes": figure.notes,
    }


@require_safe
@cached_for_readers
@public_page
def jurisdiction_list_download(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    """The comparison table, every matching row (not one page), as CSV or JSON."""
    filters = checked_filters(request)
    if filters is None:
        return bad_request(request, ComparisonFilterForm(request.GET))
    rows = comparison_rows(ids=list(comparison_ids(filters=filters)), day=filters.day)
    records = [_comparison_record(row) for row in rows]
    if fmt == "json":
        return json_download(
            payload={"as_of": filters.day, "filters": request.GET.dict(), "rows": records}
        )
    header = [
        "jurisdiction", "slug", "state", "kind", "census_geoid", "policy_stance",
        "state_law_stance", "sanctuary_status",
        "sanctuary_year", "detainer_rule", "agreements_287g_in_effect", "agreement_models_287g",
        "designations", "latest_figure_as_stated", "latest_figure_value", "latest_figure_qualifier",
        "latest_figure_measure", "latest_figure_period", "latest_figure_as_of",
        "latest_figure_source", "latest_figure_source_url", "source_count", "table_as_of",
    ]  # fmt: skip
    rows = []
    for record in records:
        figure = record["latest_figure"] or {}
        rows.append(
            [
                record["jurisdiction"], record["slug"], record["state"], record["kind"],
                record["census_geoid"], record["policy_stance"], record["state_law_stance"],
                record["sanctuary_status"], record["sanctuary_year"],
                record["detainer_rule"], record["agreements_287g_in_effect"],
                "; ".join(record["agreement_models_287g"]), "; ".join(record["designations"]),
                figure.get("figure_as_stated"), figure.get("value"), figure.get("qualifier"),
                figure.get("measure"), figure.get("period"), figure.get("as_of"),
                figure.get("source_publisher"), figure.get("source_url"), record["source_count"],
                filters.day,
            ]
        )  # fmt: skip
    return csv_download(filename=f"jurisdictions-{filters.day}.csv", header=header, rows=rows)


def _jurisdiction_or_404(slug: str, day: dt.date | None) -> Jurisdiction:
    try:
        return selectors.jurisdiction_with_records(slug=slug, day=day)
    except Jurisdiction.DoesNotExist:
        raise Http404("No jurisdiction with that address.") from None


@require_safe
@cached_for_readers
@public_page
def jurisdiction_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]

    # Everything below the site's header depends only on the place and the day (and on what
    # every part's key holds), so every address of the place shares one rendering, whatever
    # else its query holds.
    def render_place() -> dict:
        jurisdiction = _jurisdiction_or_404(slug, day)
        return {
            "name": str(jurisdiction),
            "slug": jurisdiction.slug,
            "records": render_part(
                "policies/jurisdiction_detail.html#place-records",
                _place_records_context(jurisdiction, day),
                request,
            ),
        }

    question = (slug, day, timezone.localdate())
    place = remembered(request, "place-page", question, render_place)
    # The records were rendered by the template above, which escapes what it shows.
    place = {**place, "records": mark_safe(place["records"])}
    return render(request, "policies/jurisdiction_detail.html", {"place": place})


def _place_records_context(jurisdiction: Jurisdiction, day: dt.date | None) -> dict:
    groups = selectors.figure_groups(figures=jurisdiction.published_figures)
    inherited = selectors.inherited_rules(jurisdiction=jurisdiction, day=day)
    return {
        "inherited": inherited,
        "own_stance": selectors.own_stance_label(jurisdiction=jurisdiction, day=day),
        "jurisdiction": jurisdiction,
        "as_of": day,
        "as_of_iso": day.isoformat() if day else "",
        "day": day or timezone.localdate(),
        "figure_groups": groups,
        "figures_note": older_figures_note(sum(group.omitted for group in groups)),
        "children": selectors.jurisdiction_children(jurisdiction=jurisdiction)[:50],
        "chart": _chart(
            jurisdictions=[jurisdiction],
            day=day,
            title=arrival_figures_title([jurisdiction]),
            prefetched=True,
        ),
        "sources": selectors.jurisdiction_sources(jurisdiction=jurisdiction, inherited=inherited),
        "timeline": selectors.jurisdiction_timeline(jurisdiction=jurisdiction, inherited=inherited),
    }


@require_safe
@cached_for_readers
@public_page
def jurisdiction_figures_download(request: HtmxHttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The figures behind a jurisdiction's chart, as CSV or JSON."""
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    jurisdiction = _jurisdiction_or_404(slug, form.cleaned_data["as_of"])
    return _figures_download(
        series=arrival_series(jurisdictions=[jurisdiction], day=form.cleaned_data["as_of"]),
        filename=f"{jurisdiction.slug}-figures",
        fmt=fmt,
    )


def _figures_download(*, series, filename: str, fmt: str) -> HttpResponse:
    records = [
        {"series": one.label, **_figure_record(figure)} for one in series for figure in one.figures
    ]
    if fmt == "json":
        return json_download(payload={"figures": records})
    return csv_download(
        filename=f"{filename}.csv",
        header=FIGURE_COLUMNS,
        rows=[[record[column] for column in FIGURE_COLUMNS] for record in records],
    )


@require_safe
@cached_for_readers
@public_page
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def compare(request: HtmxHttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    chosen = form.cleaned_data["j"]
    day = form.cleaned_data["as_of"]
    details = [selectors.jurisdiction_with_records(slug=j.slug, day=day) for j in chosen]
    context = {
        "form": form,
        "chosen": details,
        "as_of": day,
        "enough": len(chosen) >= CompareForm.MIN,
        "minimum": CompareForm.MIN,
        "maximum": CompareForm.MAX,
        "querystring_slugs": "&".join(f"j={j.slug}" for j in chosen),
        "suggestions": selectors.jurisdictions_with_records()[:100],
    }
    if context["enough"]:
        context["chart"] = _chart(
            jurisdictions=details,
            day=day,
            title=arrival_figures_title(chosen),
            prefetched=True,
        )
    template = "policies/compare.html"
    if wants_fragment(request):
        template += "#comparison"
    return render(request, template, context)


@require_safe
@cached_for_readers
@public_page
def compare_download(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    chosen = form.cleaned_data["j"]
    series = arrival_series(jurisdictions=chosen, day=form.cleaned_data["as_of"])
    return _figures_download(
        series=series, filename="compare-" + "-".join(j.slug for j in chosen), fmt=fmt
    )


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
    return render(request, "policies/jurisdiction_search.html", {"matches": matches})


@require_safe
@cached_for_readers
@public_page
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def state_map(request: HtmxHttpRequest) -> HttpResponse:
    form = MapForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    context = selectors.map_context(
        day=form.cleaned_data["as_of"], metric=form.cleaned_data["metric"]
    )
    template = "policies/state_map.html"
    if wants_fragment(request):
        template += "#state-map"
    return render(request, template, context)


@require_safe
@cached_for_readers
@public_page
def state_map_download(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    """The map's counts by state, as CSV or JSON."""
    form = MapForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    day, metric = form.cleaned_data["as_of"], form.cleaned_data["metric"]
    if metric == "state_law":
        tiles = selectors.state_law_map(day=day)
        records = [
            {"state": t.state, "name": t.name, "stance": t.stance or None, "metric": metric,
             "as_of": day}
            for t in tiles
        ]  # fmt: skip
    else:
        tiles = selectors.state_map(day=day, metric=metric)
        records = [
            {"state": t.state, "name": t.name, "count": t.count, "metric": metric, "as_of": day}
            for t in tiles
        ]
    if fmt == "json":
        return json_download(
            payload={
                "metric": selectors.MAP_METRICS[metric],
                "as_of": day,
                "source": gettext(
                    "Sanctuary Tracker records; each is cited on its jurisdiction's page."
                ),
                "states": records,
            }
        )
    return csv_download(
        filename=f"map-{metric}-{day}.csv",
        header=list(records[0]) if records else [],
        rows=[list(record.values()) for record in records],
    )


@require_safe
@cached_for_readers
@public_page
def methodology(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "policies/methodology.html", {"glossary": glossary()})


@require_safe
@cached_for_readers
@public_page
def update_list(request: HtmxHttpRequest) -> HttpResponse:
    """The public log of updates and corrections, for every place or one (`?j=<slug>`)."""
    form = UpdatesForm(request.GET)
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
    return render(request, "policies/update_list.html", context)
