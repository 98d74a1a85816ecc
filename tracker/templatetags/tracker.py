import datetime as dt
from html import escape as escape_text

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from arrivals.models import ArrivalCount
from policies.models import Policy
from tracker.embed_code import embed_code_context

register = template.Library()


@register.filter
def in_effect_on(policy: Policy, day: dt.date) -> bool:
    return policy.is_in_effect_on(day)


@register.inclusion_tag("embed/_control.html", takes_context=True)
def embed_control(context, path: str, title: str, noun: str = "chart") -> dict:
    """An "Embed" control with a copyable snippet for the embed at `path`."""
    return {
        "request": context["request"],
        "embed_noun": noun,
        "form": None,
        **embed_code_context(context["request"], path=path, title=title, options={}),
    }


@register.filter
def migrant_figures(figures) -> list:
    """The figures that count migrants: what a place's latest figures may show."""
    return [f for f in figures if f.population in ArrivalCount.MIGRANT_POPULATIONS]


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """This page in each other language: code, name and address (query string kept)."""
    path, mark, query = context["request"].get_full_path().partition("?")
    current = translation.get_language()
    return [
        {"code": code, "name": name, "url": translate_url(path, code) + mark + query}
        for code, name in settings.LANGUAGES
        if code != current
    ]


@register.simple_tag
def verified(day: dt.date | None) -> str:
    """ "last verified <date>": the newest access date of a record's sources, or that none is
    recorded (dates are never guessed). A tag, not an included template: the comparison table
    shows one per row."""
    if day is None:
        return format_html(
            '<span class="verified">{}</span>', gettext("last verified: not recorded")
        )
    return format_html(
        '<span class="verified">{} <time datetime="{}">{}</time></span>',
        gettext("last verified"),
        day.isoformat(),
        date_format(day, "DATE_FORMAT"),
    )


@register.simple_tag
def cited_sources(sources) -> str:
    """Sources linked by publisher, each with its kind and publication date, '; '-separated."""
    return format_html_join(
        "; ",
        '<a href="{}" rel="noopener">{}</a> <span class="source-kind">({}{})</span>',
        (
            (
                source.href,
                source.publisher,
                source.get_kind_display() or gettext("kind not recorded"),
                f", {source.published_display}" if source.published_on else "",
            )
            for source in sources
        ),
    )


def _source_citation(figure, *, new_tab: bool = False) -> str:
    """A figure's source linked, its publication date if known, and when it was last verified."""
    source = figure.source
    unconfirmed = (
        format_html(
            ' <span class="unconfirmed-badge">{}</span>',
            gettext("Unconfirmed: cited only by a blog or aggregator"),
        )
        if source.is_weak
        else ""
    )
    return format_html(
        '<a href="{}" rel="noopener"{}>{}</a> <span class="source-kind">({})</span>{}; {}{}',
        source.href,
        mark_safe(' target="_blank"') if new_tab else "",
        source.publisher,
        source.get_kind_display() or gettext("kind not recorded"),
        f", {source.published_display}" if source.published_on else "",
        verified(figure.last_verified),
        unconfirmed,
    )


@register.simple_tag
def cited_figure(figure) -> str:
    """An arrival figure as stated, its period, who stated it and its source. Python, not an
    included template: a place's page lists every figure (docs/benchmarks.md)."""
    claimant = (
        format_html(
            '<span class="figure-claimant">{}</span>\n',
            gettext("according to %(claimant)s") % {"claimant": figure.reported_by},
        )
        if figure.reported_by
        else ""
    )
    return format_html(
        '<span class="figure-value">{}</span>\n<span class="figure-period">{}</span>\n{}'
        '<cite class="source">{} {}</cite>',
        capfirst(figure.display_value),
        figure.period_display,
        claimant,
        gettext("Source:"),
        _source_citation(figure),
    )


@register.simple_tag
def chart_table_rows(series_list, *, with_claimant: bool = True, new_tab: bool = False) -> str:
    """The rows of a chart's data table: one per figure, with its source (one tag per table,
    for the same reason as `cited_figure`)."""
    rows = []
    citations = {}  # by source: a series' figures mostly cite one
    for series in series_list:
        label = series.label
        for figure in series.figures:
            claimant = (
                format_html("<td>{}</td>", figure.reported_by or "—") if with_claimant else ""
            )
            if figure.source_id not in citations:
                citations[figure.source_id] = _source_citation(figure, new_tab=new_tab)
            rows.append(
                format_html(
                    '<tr><th scope="row">{}</th><td>{}</td><td>{}</td>{}<td>{}</td></tr>',
                    label,
                    capfirst(figure.display_value),
                    figure.period_display,
                    claimant,
                    citations[figure.source_id],
                )
            )
    return mark_safe("\n".join(rows))  # each row built by format_html


def _none(text: str) -> str:
    return f'<span class="none">{escape_text(text)}</span>'


def _term(glossary: str, group: str, value: str, label: str, missing: str) -> str:
    """`label` linked to its definition on the methodology page, or `missing` when empty."""
    if not label:
        return _none(missing)
    anchor = escape_text(f"{group}-{value}")
    return f'<a href="{escape_text(glossary)}#{anchor}">{escape_text(label)}</a>'


@register.simple_tag
def comparison_table_rows(rows, as_of: dt.date | None, columns) -> str:
    """The comparison table's rows, one tag for the whole table (as `cited_figure`). Each cell
    is labelled with its column's name (`columns`, the header's), which a narrow screen shows
    beside the value when the rows become cards. Built as text with every value escaped, as
    the map's places are (below): format_html's checks of each argument were half the table's
    render time."""
    labels = [escape_text(str(column["label"])) for column in columns][1:]
    glossary = reverse("tracker:methodology")
    suffix = f"?as_of={as_of.isoformat()}" if as_of else ""
    none, none_recorded = gettext("None"), gettext("None recorded")
    not_researched = gettext("Not yet researched")
    disputed = gettext("disputed")
    html = []
    for row in rows:
        j, figure = row.jurisdiction, row.latest_figure
        stance = _term(glossary, "stance", j.stance, row.stance_label, not_researched)
        state_law = _term(
            glossary, "stance", row.state_stance, row.state_stance_label, not_researched
        )
        detainer = _term(
            glossary, "detainer", j.detainer_rule_then, row.detainer_label, none_recorded
        )
        agreements = (
            escape_text(f"{', '.join(row.agreement_models)} ({j.agreement_total})")
            if row.agreement_models
            else _none(none)
        )
        designations = (
            "; ".join(
                escape_text(
                    f"{d.label} ({d.designated_by}, {d.designated_on.year})"
                    + (f", {disputed}" if d.disputed else "")
                )
                for d in row.designations
            )
            if row.designations
            else _none(none)
        )
        latest = _none(none)
        if figure is not None:
            measure = str(figure.get_measure_display()).lower()
            if figure.sender:
                measure += " " + gettext("by %(sender)s") % {"sender": figure.sender}
            population = str(figure.get_population_display()).lower()
            if figure.facility:
                population = gettext("%(population)s, %(facility)s") % {
                    "population": population,
                    "facility": figure.facility,
                }
            latest = (
                f'<span class="figure-value">{escape_text(capfirst(figure.display_value))}'
                f'</span> <span class="figure-period">{escape_text(measure)} '
                f'<span class="figure-population">({escape_text(population)})</span>, '
                f"{escape_text(figure.period_display)}</span> "
                f'<cite class="source"><a href="{escape_text(figure.source.href)}" '
                f'rel="noopener">{escape_text(figure.source.publisher)}</a>; '
                f"{verified(figure.last_verified)}</cite>"
            )
        cells = (
            escape_text(j.state),
            escape_text(str(j.get_kind_display())),
            stance,
            state_law,
            detainer,
            agreements,
            designations,
            latest,
            str(j.source_total),
        )
        html.append(
            f'<tr>\n<th scope="row"><a href="{escape_text(j.get_absolute_url() + suffix)}">'
            f"{escape_text(j.name)}</a></th>\n"
            + "\n".join(
                f'<td data-label="{label}">{cell}</td>'
                for label, cell in zip(labels, cells, strict=True)
            )
            + "\n</tr>"
        )
    return mark_safe("\n".join(html))  # every value escaped above


# The map's places are drawn by these two tags rather than by template loops: the map can hold
# thousands of counties and cities, and a template loop over them (or format_html, whose lazy
# text checks cost as much) took most of its render time. Every value is escaped, the map's own
# outlines included.
_OUTSIDE_THE_FRAME = ' target="_blank" rel="noopener"'  # an embed's links
_NOT_A_TAB_STOP = ' tabindex="-1"'  # counties and cities: the table lists them


@register.simple_tag(takes_context=True)
def map_shapes(context, places, kind: str) -> str:
    """The SVG of a map's `places` of one `kind` ("states", "counties" or "cities"): each a
    link to its page titled with its name and value (a state without a page is not a link)."""
    target = _OUTSIDE_THE_FRAME if context.get("in_embed") else ""
    tab_stop = "" if kind == "states" else _NOT_A_TAB_STOP
    shapes = []
    for place in places:
        if kind == "cities":
            shape = f'<circle cx="{place.x}" cy="{place.y}" r="4"/>'
        else:
            shape = f'<path d="{escape_text(place.path)}"/>'
        value = place.label if kind == "states" else place.value
        inner = f"<title>{escape_text(place.name)}: {escape_text(value)}</title>{shape}"
        css = escape_text(place.css)
        if place.url:
            url = escape_text(place.url)
            shapes.append(f'<a href="{url}" class="map-{css}"{tab_stop}{target}>{inner}</a>')
        else:
            shapes.append(f'<g class="map-{css}">{inner}</g>')
    return mark_safe("".join(shapes))


@register.simple_tag(takes_context=True)
def map_table_rows(context, places) -> str:
    """The rows of the table of a map's places: name (a link), level and value."""
    target = _OUTSIDE_THE_FRAME if context.get("in_embed") else ""
    return mark_safe(
        "".join(
            f'<tr><th scope="row"><a href="{escape_text(place.url)}"{target}>'
            f"{escape_text(place.name)}</a></th><td>{escape_text(place.kind_label)}</td>"
            f"<td>{escape_text(place.value)}</td></tr>"
            for place in places
        )
    )
