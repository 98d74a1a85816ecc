import datetime as dt
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from config.html import format_html, format_html_join, in_ascii
from policies.models import Policy

register = template.Library()


class PerLanguageNode(template.Node):
    child_nodelists = ()  # no block may be inside: it would be drawn once for every page

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[tuple[str | None, str], str] = {}

    def render(self, context: template.Context) -> str:
        key = (translation.get_language(), get_script_prefix())
        if (html := self.rendered.get(key)) is None:
            html = self.rendered[key] = in_ascii(self.nodelist.render(context))
        return html


@register.tag
def per_language(parser: template.base.Parser, token: template.base.Token) -> PerLanguageNode:
    """{% per_language %}...{% endper_language %}: drawn once per language in each process.

    For the parts of every page's frame that depend on nothing but the language (the site's
    navigation, footer, stylesheets and scripts): drawing them was a sixth of a page that the
    page cache did not hold. Kept in ASCII (see config.html.in_ascii). What is inside must
    not depend on the request or on the data, and must not hold a {% block %}."""
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)


@register.filter
def in_effect_on(policy: Policy, day: dt.date) -> bool:
    return policy.is_in_effect_on(day)


@register.inclusion_tag("embed/_control.html", takes_context=True)
def embed_control(context, path: str, title: str, noun: str = "chart") -> dict:
    """An "Embed" control with a copyable snippet for the embed at `path`."""
    from policies.embed_views import embed_code_context

    return {
        "request": context["request"],
        "embed_noun": noun,
        "form": None,
        **embed_code_context(context["request"], path=path, title=title, options={}),
    }


@lru_cache(maxsize=4096)  # bounded: a path may come from anyone (a 404's frame shows it)
def _translated_path(path: str, current: str, code: str) -> str:
    return translate_url(path, code)  # resolves `path` in the active language, `current`


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """This page in each other language: code, name and address (query string kept)."""
    path, mark, query = context["request"].get_full_path().partition("?")
    current = translation.get_language()
    return [
        {"code": code, "name": name, "url": _translated_path(path, current, code) + mark + query}
        for code, name in settings.LANGUAGES
        if code != current
    ]


@register.simple_tag
def alternate_links(languages: list[dict]) -> str:
    """<link rel="alternate"> to this page in each other language, for search engines."""
    return format_html_join(
        "\n  ",
        '<link rel="alternate" hreflang="{}" href="{}">',
        ((language["code"], language["url"]) for language in languages),
    )


@register.simple_tag
def language_switch(languages: list[dict]) -> str:
    """The header's links to this page in each other language (site.js keeps them current
    after htmx swaps, from their data-language-prefix). Written in Python: a template loop
    was a tenth of drawing the frame of a page the page cache did not hold."""
    links = format_html_join(
        "",
        '<li><a class="language-switch" href="{}" hreflang="{}" lang="{}"'
        ' data-language-prefix="{}">{}</a></li>',
        (
            (
                language["url"],
                language["code"],
                language["code"],
                "" if language["code"] == "en" else f"/{language['code']}",
                language["name"],
            )
            for language in languages
        ),
    )
    return mark_safe(in_ascii(links))  # "Español": see in_ascii


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
    """An arrival figure as stated, its period, who stated it and its source.

    Written in Python rather than an included template: a place's page lists every figure,
    and an include per figure was most of the page's time at scale (docs/benchmarks.md)."""
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
    for series in series_list:
        for figure in series.figures:
            claimant = (
                format_html("<td>{}</td>", figure.reported_by or "—") if with_claimant else ""
            )
            rows.append(
                format_html(
                    '<tr><th scope="row">{}</th><td>{}</td><td>{}</td>{}<td>{}</td></tr>',
                    series.label,
                    capfirst(figure.display_value),
                    figure.period_display,
                    claimant,
                    _source_citation(figure, new_tab=new_tab),
                )
            )
    return mark_safe("\n".join(rows))  # each row built by format_html


def _none(text: str) -> str:
    return format_html('<span class="none">{}</span>', text)


def comparison_table_rows(rows, as_of: dt.date | None = None) -> dict[int, str]:
    """The comparison table's rows by jurisdiction id. Written in Python: 50 rows of 9 cells
    through the template engine were most of an uncached table page's time."""
    glossary = reverse("policies:methodology")
    suffix = f"?as_of={as_of.isoformat()}" if as_of else ""
    none, none_recorded = gettext("None"), gettext("None recorded")
    not_researched = gettext("Not yet researched")
    disputed = gettext("disputed")
    html = {}
    for row in rows:
        j, figure = row.jurisdiction, row.latest_figure
        stance = (
            format_html('<a href="{}#stance-{}">{}</a>', glossary, j.stance, row.stance_label)
            if row.stance_label
            else _none(not_researched)
        )
        state_law = (
            format_html(
                '<a href="{}#stance-{}">{}</a>', glossary, row.state_stance, row.state_stance_label
            )
            if row.state_stance_label
            else _none(not_researched)
        )
        detainer = (
            format_html(
                '<a href="{}#detainer-{}">{}</a>',
                glossary,
                j.detainer_rule_then,
                row.detainer_label,
            )
            if row.detainer_label
            else _none(none_recorded)
        )
        agreements = (
            format_html("{} ({})", ", ".join(row.agreement_models), j.agreement_total)
            if row.agreement_models
            else _none(none)
        )
        designations = (
            format_html_join(
                "; ",
                "{} ({}, {}){}",
                (
                    (
                        d.label,
                        d.designated_by,
                        d.designated_on.year,
                        f", {disputed}" if d.disputed else "",
                    )
                    for d in row.designations
                ),
            )
            if row.designations
            else _none(none)
        )
        latest = _none(none)
        if figure is not None:
            measure = str(figure.get_measure_display()).lower()
            if figure.sender:
                measure += " " + gettext("by %(sender)s") % {"sender": figure.sender}
            latest = format_html(
                '<span class="figure-value">{}</span> <span class="figure-period">{}, {}</span> '
                '<cite class="source"><a href="{}" rel="noopener">{}</a>; {}</cite>',
                capfirst(figure.display_value),
                measure,
                figure.period_display,
                figure.source.href,
                figure.source.publisher,
                verified(figure.last_verified),
            )
        html[j.pk] = format_html(
            '<tr>\n<th scope="row"><a href="{}{}">{}</a></th>\n<td>{}</td>\n<td>{}</td>\n'
            "<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n"
            "<td>{}</td>\n</tr>",
            j.get_absolute_url(),
            suffix,
            j.name,
            j.state,
            j.get_kind_display(),
            stance,
            state_law,
            detainer,
            agreements,
            designations,
            latest,
            j.source_total,
        )
    return html
