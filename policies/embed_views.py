"""Embeds: charts, the map, the comparison table and a jurisdiction's card, for other sites'
articles. Same parameters as the reader views; see config.embed for framing and caching."""

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlencode

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from config.embed import embed_snippet, embeddable
from config.fragments import recall, remembered, render_part
from config.page_cache import cached_for_readers
from config.pagination import page_number
from policies import selectors
from policies.comparison import comparison_rows
from policies.forms import (
    AsOfForm,
    CompareForm,
    ComparisonFilterForm,
    EmbedCodeForm,
    EmbedOptionsForm,
    MapForm,
    checked_filters,
)
from policies.models import Source, format_partial_date
from policies.views import (
    DOWNLOAD_FORMATS,
    _chart,
    _jurisdiction_or_404,
    arrival_figures_title,
    bad_request,
    comparison_page,
    count_question,
)

EMBED_PAGE_SIZE = 10


HTML_PARTS = frozenset({"subtitle", "content", "table", "sources"})


def _shared_body(request: HttpRequest, question: tuple, render_body: Callable[[], dict]) -> dict:
    """What an embed shows, without its frame: rendered once per data version and language
    for every article that embeds it, whatever theme, header and footer each one chose.

    `question` names everything the body depends on but what every part's key holds (see
    `remembered`); the day is added here. `render_body` returns the parts named in HTML_PARTS
    as HTML written by templates that escape what they interpolate, and other values as they
    are."""
    body = remembered(request, "embed-body", (*question, timezone.localdate()), render_body)
    return {name: mark_safe(part) if name in HTML_PARTS else part for name, part in body.items()}


def _as_of(newest: tuple[dt.date, str] | None) -> dict[str, str]:
    """What the footer says the data is as of: the newest record the embed shows, as
    precisely as it is known ("November 2024")."""
    if newest is None:
        return {}
    day, precision = newest
    return {"iso": day.isoformat(), "display": format_partial_date(day, precision)}


# Parameters that only say how an embed is framed: pym.js's, and "lang" from older snippets.
FRAMING_PARAMETERS = ("lang", "initialWidth", "childId", "parentTitle", "parentUrl")


@lru_cache(maxsize=2048)
def _frame_of(
    raw_query: bytes,
    view: str,
    download_view: str,
    args: tuple[str, ...],
    drop: tuple[str, ...],
    language: str | None,
    script_prefix: str,
) -> dict:
    """What an embed's frame shows besides its body, from its address: its options (theme,
    header, footer; unknown or odd values fall back to the defaults); links to the full view
    and the downloads, with the address's own query less options, framing and `drop`; and the
    query its page links start from (options kept). Worked out once per address and language
    in each process, since an article's readers all ask for the same address."""
    params = QueryDict(raw_query, mutable=True)
    options = EmbedOptionsForm(params)
    options.is_valid()
    page_query = params.copy()
    page_query.pop("page", None)
    for key in (*EmbedOptionsForm.base_fields, *FRAMING_PARAMETERS, *drop):
        params.pop(key, None)
    query = f"?{encoded}" if (encoded := params.urlencode()) else ""
    return {
        **options.options(),
        "full_path": reverse(view, args=args) + query,
        "downloads": {
            fmt: reverse(download_view, args=[*args, fmt]) + query for fmt in DOWNLOAD_FORMATS
        },
        "page_query": f"?{encoded}&" if (encoded := page_query.urlencode()) else "?",
    }


def _frame_context(
    request: HttpRequest, view: str, download_view: str, *args: str, drop: tuple = ()
) -> dict:
    raw_query = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    language, script_prefix = get_language(), get_script_prefix()
    frame = _frame_of(raw_query, view, download_view, args, drop, language, script_prefix)
    return {**frame, "full_url": request.build_absolute_uri(frame["full_path"])}


@embeddable(AsOfForm)
@require_safe
@cached_for_readers
def embed_jurisdiction_chart(request: HttpRequest, slug: str) -> HttpResponse:
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]

    def render_body() -> dict[str, str]:
        jurisdiction = _jurisdiction_or_404(slug, day)
        title = arrival_figures_title([jurisdiction])
        chart = _chart(jurisdictions=[jurisdiction], day=day, title=title, prefetched=True)
        return _chart_body(request, title=title, chart=chart, as_of=day)

    body = _shared_body(request, ("chart", slug, day), render_body)
    context = {
        **body,
        **_frame_context(
            request,
            "policies:jurisdiction-detail",
            "policies:jurisdiction-figures-download",
            slug,
        ),
    }
    return render(request, "embed/chart.html", context)


def _chart_body(request: HttpRequest, *, title: str, chart: dict, as_of) -> dict[str, str]:
    context = {"title": title, "chart": chart, "as_of": as_of, "sources": chart["sources"]}
    parts = _parts(request, "embed/chart.html", context, "subtitle", "content", "sources")
    figures = [figure for series in chart["series"] for figure in series.figures]
    return {"title": title, **parts, "data_as_of": _as_of(selectors.records_as_of(figures=figures))}


@embeddable(CompareForm)
@require_safe
@cached_for_readers
def embed_compare_chart(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if form.is_valid() and not form.cleaned_data["j"]:
        form.add_error("j", gettext("Name at least one jurisdiction, e.g. ?j=il-chicago."))
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]
    slugs = tuple(j.slug for j in form.cleaned_data["j"])

    def render_body() -> dict[str, str]:
        chosen = [_jurisdiction_or_404(slug, day) for slug in slugs]
        title = arrival_figures_title(chosen)
        chart = _chart(jurisdictions=chosen, day=day, title=title, prefetched=True)
        return _chart_body(request, title=title, chart=chart, as_of=day)

    context = {
        **_shared_body(request, ("compare", slugs, day), render_body),
        **_frame_context(request, "policies:compare", "policies:compare-download"),
    }
    return render(request, "embed/chart.html", context)


@embeddable(ComparisonFilterForm)
@require_safe
@cached_for_readers
def embed_jurisdiction_table(request: HttpRequest) -> HttpResponse:
    filters = checked_filters(request)
    if filters is None:
        return bad_request(request, ComparisonFilterForm(request.GET))
    number = page_number(
        request.GET.get("page"), per_page=EMBED_PAGE_SIZE, count=recall(*count_question(filters))
    )

    def render_body() -> dict:
        page = comparison_page(filters, number, EMBED_PAGE_SIZE)
        rows = comparison_rows(ids=list(page.object_list), day=filters.day)
        sources = {
            row.latest_figure.source_id: row.latest_figure.source
            for row in rows
            if row.latest_figure
        }
        designation_sources = {d.source_id for row in rows for d in row.designations}
        if designation_sources := designation_sources - set(sources):
            sources |= Source.objects.in_bulk(designation_sources)
        context = {
            "title": title,
            "rows": rows,
            "sources": list(sources.values()),
            "page": page,
            "filters": filters,
        }
        shown = selectors.records_as_of(
            figures=[row.latest_figure for row in rows if row.latest_figure],
            designations=[d for row in rows for d in row.designations],
            sheet_day=selectors.ice_sheet_day(filters.day)
            if any(row.agreement_models for row in rows)
            else None,
        )
        return {
            **_parts(request, "embed/table.html", context, "subtitle", "table", "sources"),
            "count": page.paginator.count,
            "number": page.number,
            "data_as_of": _as_of(shown),
        }

    title = gettext("Sanctuary policies and arrivals compared")
    body = _shared_body(request, ("table", filters, filters.day, number), render_body)
    # The page links keep the embed's own options (theme, header, footer), so they are drawn
    # here, from the page's number and the count, with no query.
    paginator = Paginator(range(body.pop("count")), EMBED_PAGE_SIZE)
    context = {
        **body,
        "title": title,
        "page": paginator.page(body.pop("number")),
        **_frame_context(
            request,
            "policies:jurisdiction-list",
            "policies:jurisdiction-list-download",
            drop=("page",),
        ),
    }
    return render(request, "embed/table.html", context)


@embeddable(AsOfForm)
@require_safe
@cached_for_readers
def embed_jurisdiction_card(request: HttpRequest, slug: str) -> HttpResponse:
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    day = form.cleaned_data["as_of"]

    def render_body() -> dict:
        jurisdiction = _jurisdiction_or_404(slug, day)
        inherited = selectors.inherited_rules(jurisdiction=jurisdiction, day=day)
        context = {
            "jurisdiction": jurisdiction,
            "inherited": inherited,
            "own_stance": selectors.own_stance_label(jurisdiction=jurisdiction, day=day),
            "day": day or timezone.localdate(),
            "figure_groups": selectors.figure_groups(figures=jurisdiction.published_figures),
            "sources": selectors.jurisdiction_sources(
                jurisdiction=jurisdiction, inherited=inherited
            ),
        }
        parts = _parts(request, "embed/card.html", context, "subtitle", "content", "sources")
        shown = selectors.records_as_of(
            figures=jurisdiction.published_figures,
            policies=jurisdiction.published_policies,
            findings=jurisdiction.published_findings,
            designations=jurisdiction.published_designations,
        )
        return {"title": str(jurisdiction), **parts, "data_as_of": _as_of(shown)}

    context = {
        **_shared_body(request, ("card", slug, day), render_body),
        **_frame_context(
            request,
            "policies:jurisdiction-detail",
            "policies:jurisdiction-figures-download",
            slug,
        ),
    }
    return render(request, "embed/card.html", context)


@embeddable(MapForm)
@require_safe
@cached_for_readers
def embed_state_map(request: HttpRequest) -> HttpResponse:
    form = MapForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    day, metric = form.cleaned_data["as_of"], form.cleaned_data["metric"]

    def render_body() -> dict:
        context = selectors.map_context(day=day, metric=metric)
        return {
            "title": gettext("%(label)s, by state") % {"label": context["map_label"]},
            **_parts(request, "embed/map.html", context, "subtitle", "content"),
            "data_as_of": _as_of(
                (context["map_sheet_day"], "day")
                if metric == "agreements" and context["map_sheet_day"]
                else None
            ),
        }

    context = {
        **_shared_body(request, ("map", day, metric), render_body),
        **_frame_context(request, "policies:state-map", "policies:state-map-download"),
    }
    return render(request, "embed/map.html", context)


def _parts(request: HttpRequest, template: str, context: dict, *names: str) -> dict[str, str]:
    """The partials `names` of `template` (e.g. "embed/card.html#content"), rendered."""
    return {name: render_part(f"{template}#{name}", context, request) for name in names}


DEFAULT_HEIGHTS = {"chart": 560, "map": 440, "card": 440, "table": 560}


def embed_kind(path: str) -> str:
    """chart, map, card or table, from an embed path."""
    route = path.split("?")[0]
    if route.endswith("/chart/") or route == "/embed/compare/":
        return "chart"
    if route == "/embed/map/":
        return "map"
    if route == "/embed/jurisdictions/":
        return "table"
    return "card"


def embed_code_context(request: HttpRequest, *, path: str, title: str, options: dict) -> dict:
    """The snippet for `path` with the chosen options, and what the generator form shows."""
    query = {}
    if options.get("theme") and options["theme"] != "auto":
        query["theme"] = options["theme"]
    for part in ("header", "footer"):
        if options.get(part) == "0":
            query[part] = "0"
    separator = "&" if "?" in path else "?"
    src = request.build_absolute_uri(path + (separator + urlencode(query) if query else ""))
    height = options.get("height")
    snippet = embed_snippet(
        src=src,
        title=f"{title} (Sanctuary Tracker)",
        height=height or DEFAULT_HEIGHTS[embed_kind(path)],
        script_url=request.build_absolute_uri(static("js/embed.js")),
        fixed=bool(height),
    )
    code_id = "embed-" + hashlib.sha256(path.encode()).hexdigest()[:10]
    return {"snippet": snippet, "embed_path": path, "embed_title": title, "code_id": code_id}


@require_safe
@vary_on_headers("HX-Request")
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
    if getattr(request, "htmx", False):
        template += "#embed-code"
    return render(request, template, context)
