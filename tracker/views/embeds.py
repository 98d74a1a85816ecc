"""Embeds: charts, the map, the comparison table and a jurisdiction's card and timeline,
framed in other sites' articles. Same parameters as the reader pages, plus how the frame
looks (theme, header, footer). Every other page stays unframeable (X-Frame-Options: DENY,
frame-ancestors 'none')."""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from arrivals.selectors import arrival_chart, arrival_figures_title
from config.http import wants_fragment
from policies.models import Jurisdiction, Source, format_partial_date
from tracker import maps, selectors
from tracker.comparison import comparison_ids, comparison_rows
from tracker.embed_code import embed_code_context
from tracker.forms import (
    AsOfForm,
    CompareChartForm,
    ComparisonFilterForm,
    EmbedCodeForm,
    EmbedOptionsForm,
    MapForm,
)
from tracker.views.shared import (
    DOWNLOAD_FORMATS,
    EXTRA_PARAMETERS,
    bad_request,
    map_drawing,
    place_or_404,
    query_form,
    reader_page,
)

EMBED_PAGE_SIZE = 10


def embeddable(form_class: type):
    """Frameable by other sites (EMBED_ALLOWED_ORIGINS, any by default), cacheable by everyone
    for EMBED_MAX_AGE seconds and revalidated by the data version (see `reader_page`).

    `form_class` checks the embed's data parameters; the frame's options (theme, header,
    footer) are known parameters too. `?lang=es` works like the /es/ prefix, for hosts that
    build embed addresses themselves."""

    def decorator(view):
        cached = reader_page(
            form_class, max_age="EMBED_MAX_AGE", also_known=EmbedOptionsForm.base_fields
        )(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            language = request.GET.get("lang")
            if language in dict(settings.LANGUAGES):
                with translation.override(language):
                    response = cached(request, *args, **kwargs)
                response["Content-Language"] = language
            else:
                response = cached(request, *args, **kwargs)
            response.xframe_options_exempt = True
            response._csp_config = {
                **settings.SECURE_CSP,
                "frame-ancestors": settings.EMBED_ALLOWED_ORIGINS or ["*"],
            }
            return response

        return wrapped

    return decorator


def _frame(request: HttpRequest, view: str, download_view: str | None, *args: str) -> dict:
    """What an embed shows around its data: its options (odd values fall back to the
    defaults), and links to the full view and the downloads (if `download_view`) with the
    embed's own data parameters (not its options, paging or the host's framing parameters)."""
    options = EmbedOptionsForm(request.GET)
    data = request.GET.copy()
    for name in (*EmbedOptionsForm.base_fields, *EXTRA_PARAMETERS):
        data.pop(name, None)
    query = f"?{encoded}" if (encoded := data.urlencode()) else ""
    full_path = reverse(view, args=args) + query
    return {
        **options.options(),
        "full_url": request.build_absolute_uri(full_path),
        "downloads": {
            fmt: reverse(download_view, args=[*args, fmt]) + query for fmt in DOWNLOAD_FORMATS
        }
        if download_view
        else {},
    }


def _data_as_of(newest: tuple[dt.date, str] | None) -> dict[str, str]:
    """What the footer says the data is as of: the newest record the embed shows, as
    precisely as it is known ("November 2024")."""
    if newest is None:
        return {}
    day, precision = newest
    return {"iso": day.isoformat(), "display": format_partial_date(day, precision)}


def _chart_context(*, jurisdictions: list[Jurisdiction], day: dt.date | None) -> dict:
    title = arrival_figures_title(jurisdictions)
    chart = arrival_chart(jurisdictions=jurisdictions, day=day, title=title, prefetched=True)
    figures = [figure for series in chart["series"] for figure in series.figures]
    return {
        "title": title,
        "chart": chart,
        "as_of": day,
        "sources": chart["sources"],
        "data_as_of": _data_as_of(selectors.records_as_of(figures=figures)),
    }


@require_safe
@embeddable(AsOfForm)
def embed_jurisdiction_chart(request: HttpRequest, slug: str) -> HttpResponse:
    form = query_form(request, AsOfForm)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    place = place_or_404(selectors.jurisdiction_with_figures, slug=slug, day=day)
    context = {
        **_chart_context(jurisdictions=[place], day=day),
        **_frame(
            request,
            "tracker:jurisdiction-detail",
            "tracker:jurisdiction-figures-download",
            slug,
        ),
    }
    return render(request, "embed/chart.html", context)


@require_safe
@embeddable(CompareChartForm)
def embed_compare_chart(request: HttpRequest) -> HttpResponse:
    form = query_form(request, CompareChartForm)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    chosen = selectors.with_figures(jurisdictions=form.cleaned_data["j"], day=day)
    context = {
        **_chart_context(jurisdictions=chosen, day=day),
        **_frame(request, "tracker:compare", "tracker:compare-download"),
    }
    return render(request, "embed/chart.html", context)


@require_safe
@embeddable(ComparisonFilterForm)
def embed_jurisdiction_table(request: HttpRequest) -> HttpResponse:
    form = query_form(request, ComparisonFilterForm)
    if not form.is_valid():
        return bad_request(request, form)
    filters = form.to_filters()
    page = Paginator(comparison_ids(filters=filters), EMBED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = comparison_rows(ids=list(page.object_list), day=filters.day)
    sources = {
        row.latest_figure.source_id: row.latest_figure.source for row in rows if row.latest_figure
    }
    if designation_sources := {d.source_id for row in rows for d in row.designations} - set(
        sources
    ):
        sources |= Source.objects.in_bulk(designation_sources)
    shown = selectors.records_as_of(
        figures=[row.latest_figure for row in rows if row.latest_figure],
        designations=[d for row in rows for d in row.designations],
        sheet_day=selectors.ice_sheet_day(filters.day)
        if any(row.agreement_models for row in rows)
        else None,
    )
    # Page links keep the embed's options (theme, header, footer) and its host's parameters.
    page_query = request.GET.copy()
    page_query.pop("page", None)
    context = {
        "title": gettext("Sanctuary policies and arrivals compared"),
        "rows": rows,
        "sources": list(sources.values()),
        "page": page,
        "filters": filters,
        "data_as_of": _data_as_of(shown),
        "page_query": f"?{encoded}&" if (encoded := page_query.urlencode()) else "?",
        **_frame(request, "tracker:jurisdiction-list", "tracker:jurisdiction-list-download"),
    }
    return render(request, "embed/table.html", context)


@require_safe
@embeddable(AsOfForm)
def embed_jurisdiction_card(request: HttpRequest, slug: str) -> HttpResponse:
    form = query_form(request, AsOfForm)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    jurisdiction = place_or_404(selectors.jurisdiction_with_records, slug=slug, day=day)
    inherited = selectors.inherited_rules(jurisdiction=jurisdiction, day=day)
    shown = selectors.records_as_of(
        figures=jurisdiction.published_figures,
        policies=jurisdiction.published_policies,
        findings=jurisdiction.published_findings,
        designations=jurisdiction.published_designations,
    )
    context = {
        "title": str(jurisdiction),
        "jurisdiction": jurisdiction,
        "inherited": inherited,
        "own_stance": selectors.own_stance_label(jurisdiction=jurisdiction, day=day),
        "day": day or timezone.localdate(),
        "figure_groups": selectors.figure_groups(
            figures=jurisdiction.published_figures, migrants_only=True
        ),
        "sources": selectors.jurisdiction_sources(jurisdiction=jurisdiction, inherited=inherited),
        "data_as_of": _data_as_of(shown),
        **_frame(
            request,
            "tracker:jurisdiction-detail",
            "tracker:jurisdiction-figures-download",
            slug,
        ),
    }
    return render(request, "embed/card.html", context)


@require_safe
@embeddable(AsOfForm)
def embed_jurisdiction_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    form = query_form(request, AsOfForm)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    jurisdiction = place_or_404(selectors.jurisdiction_with_records, slug=slug, day=day)
    inherited = selectors.inherited_rules(jurisdiction=jurisdiction, day=day)
    timeline = selectors.jurisdiction_timeline(jurisdiction=jurisdiction, inherited=inherited)
    sources = {source.pk: source for event in timeline for source in event.sources}
    # The newest event by the day shown, as precisely as its record knows it ("June 2024").
    shown_day = day or timezone.localdate()
    newest = max(
        (event for event in timeline if event.day and event.day <= shown_day),
        key=lambda event: event.day,
        default=None,
    )
    context = {
        "title": gettext("Timeline: %(place)s") % {"place": jurisdiction},
        "jurisdiction": jurisdiction,
        "timeline": timeline,
        "as_of": day,
        "sources": sorted(sources.values(), key=lambda source: source.publisher),
        "data_as_of": {"iso": newest.day.isoformat(), "display": newest.shown} if newest else {},
        **_frame(request, "tracker:jurisdiction-detail", None, slug),
    }
    return render(request, "embed/timeline.html", context)


@require_safe
@embeddable(MapForm)
def embed_state_map(request: HttpRequest) -> HttpResponse:
    form = query_form(request, MapForm)
    if not form.is_valid():
        return bad_request(request, form)
    day, metric = form.cleaned_data["as_of"], form.cleaned_data["metric"]
    context = maps.map_heading_context(day=day, metric=metric, sheets=selectors.ice_sheet_dates())
    sheet_day = context["map_sheet_day"] if metric == "agreements" else None
    context |= {
        "map_drawing": map_drawing(request, day=day, metric=metric, in_embed=True),
        "title": str(context["map_label"]),
        "data_as_of": _data_as_of((sheet_day, "day") if sheet_day else None),
        **_frame(request, "tracker:state-map", "tracker:state-map-download"),
    }
    return render(request, "embed/map.html", context)


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def embed_code(request: HttpRequest) -> HttpResponse:
    """The embed-code generator: a copyable snippet for an embed with the chosen options."""
    form = EmbedCodeForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    context = {
        "form": form,
        **embed_code_context(
            request,
            path=form.cleaned_data["path"],
            title=form.cleaned_data["title"],
            options=form.cleaned_data,
        ),
    }
    template = "embed/code.html"
    if wants_fragment(request):
        template += "#embed-code"
    return render(request, template, context)
