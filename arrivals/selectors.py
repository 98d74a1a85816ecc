"""Read-side queries for arrival figures: series for charts and their data tables."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from arrivals.charts import (
    ChartPoint,
    ChartSeries,
    arrivals_timeline_figure,
    arrivals_timeline_svg,
)
from arrivals.models import ArrivalCount, population_label
from policies.data_version import data_version
from policies.models import Jurisdiction

# A page, chart or embed shows a series of up to this many figures whole. A longer series of
# counts on a day or totals to date (a daily shelter census) is shown as the last figure of
# each month, over its whole period; a longer series of counts per period (per month, per
# week), whose figures add up, as its newest this many. The rest are in its CSV and JSON
# downloads: a place with years of daily counts would otherwise send every one of them, with
# its citation, to every reader of every page that charts it.
NEWEST_FIGURES_SHOWN = 60
PER_PERIOD = (ArrivalCount.PeriodType.MONTH, ArrivalCount.PeriodType.RANGE)
# Figures with the same values of these fields form one series (see FigureSeries).
SERIES_FIELDS = (
    "jurisdiction_id",
    "measure",
    "unit",
    "population",
    "facility",
    "sender",
    "period_type",
)


def newest_of_each_series(figures: QuerySet[ArrivalCount]) -> QuerySet[ArrivalCount]:
    """`figures` cut by the database to what a page shows of each series (see
    NEWEST_FIGURES_SHOWN), each annotated with `series_size`, the number of figures in its
    whole series: a page reads as many figures for a place with ten years of daily counts as
    for one with ten years of monthly counts."""
    series = [F(name) for name in SERIES_FIELDS]
    newest_first = [F("as_of").desc(), F("period_start").desc(nulls_last=True), F("pk").desc()]
    return figures.annotate(
        newest_rank=Window(RowNumber(), partition_by=series, order_by=newest_first),
        month_rank=Window(
            RowNumber(), partition_by=[*series, TruncMonth("as_of")], order_by=newest_first
        ),
        series_size=Window(Count("pk"), partition_by=series),
    ).filter(
        Q(series_size__lte=NEWEST_FIGURES_SHOWN)
        | Q(period_type__in=PER_PERIOD, newest_rank__lte=NEWEST_FIGURES_SHOWN)
        | (~Q(period_type__in=PER_PERIOD) & Q(month_rank=1))
    )


def older_figures_note(omitted: int) -> str:
    """Says that figures of long series were left out and where they are ("" when none were)."""
    if not omitted:
        return ""
    return ngettext(
        "Long series are shown as the last figure of each month, or as their newest "
        "%(shown)d counts per period; %(omitted)d more figure is in the CSV and JSON "
        "downloads.",
        "Long series are shown as the last figure of each month, or as their newest "
        "%(shown)d counts per period; %(omitted)d more figures are in the CSV and JSON "
        "downloads.",
        omitted,
    ) % {"shown": NEWEST_FIGURES_SHOWN, "omitted": omitted}


@dataclass
class FigureSeries:
    """Figures of one place, measure, unit, population, facility, sender and period type:
    comparable over time, and never added to any other series."""

    jurisdiction: Jurisdiction
    measure: str
    unit: str
    sender: str
    period_type: str
    population: str = ArrivalCount.Population.MIGRANTS
    facility: str = ""
    figures: list[ArrivalCount] = field(default_factory=list)

    @property
    def measure_label(self) -> str:
        measure = str(dict(ArrivalCount.Measure.choices)[self.measure])
        if self.measure == ArrivalCount.Measure.BUSED and self.sender:
            measure = gettext("Bused by %(sender)s") % {"sender": self.sender}
        if self.unit == ArrivalCount.Unit.FAMILIES:
            measure = gettext("%(measure)s (families)") % {"measure": measure}
        if self.period_type == ArrivalCount.PeriodType.CUMULATIVE:
            measure = gettext("%(measure)s, cumulative") % {"measure": measure}
        elif self.period_type == ArrivalCount.PeriodType.MONTH:
            measure = gettext("%(measure)s, per month") % {"measure": measure}
        return measure

    @property
    def population_label(self) -> str:
        """Who the series counts, and in which facility if only one: "Everyone in shelter,
        Emergency Assistance (EA) shelters"."""
        return population_label(population=self.population, facility=self.facility)

    @property
    def label(self) -> str:
        return gettext("%(place)s: %(measure)s — %(population)s") % {
            "place": self.jurisdiction,
            "measure": self.measure_label,
            "population": self.population_label,
        }

    def to_chart(self) -> ChartSeries:
        return ChartSeries(
            place=str(self.jurisdiction),
            measure=self.measure_label,
            population=self.population_label,
            periodic=self.period_type
            in (ArrivalCount.PeriodType.MONTH, ArrivalCount.PeriodType.RANGE),
            points=[
                ChartPoint(
                    day=figure.as_of
                    if figure.period_type != ArrivalCount.PeriodType.MONTH
                    else figure.period_start,
                    value=figure.value,
                    label=figure.display_value,
                    detail=gettext("%(period)s; %(claimant)s (source: %(publisher)s)")
                    % {
                        "period": figure.period_display,
                        "claimant": figure.reported_by or figure.source.publisher,
                        "publisher": figure.source.publisher,
                    },
                )
                for figure in self.figures
            ],
        )


def arrival_series(
    *, jurisdictions: list[Jurisdiction], day: dt.date | None = None, newest_only: bool = False
) -> list[FigureSeries]:
    """Published figures of `jurisdictions` dated on or before `day`, as separate series
    (with `newest_only`, the newest of each: see `newest_of_each_series`).

    One query. Series keep the jurisdictions' order, then measure, sender, unit and
    population.
    """
    figures = (
        ArrivalCount.objects.published()
        .filter(jurisdiction__in=jurisdictions)
        .select_related("source", "jurisdiction")
    )
    if day:
        figures = figures.filter(as_of__lte=day)
    if newest_only:
        figures = newest_of_each_series(figures)
    return series_from_figures(figures=list(figures), jurisdictions=jurisdictions)


def series_from_figures(
    *, figures: list[ArrivalCount], jurisdictions: list[Jurisdiction]
) -> list[FigureSeries]:
    """Group figures already fetched into series (no query)."""
    figures = sorted(
        figures,
        key=lambda f: (
            f.measure,
            f.sender,
            f.unit,
            f.population,
            f.facility,
            f.period_type,
            f.as_of,
            f.period_start or f.as_of,
        ),
    )
    order = {j.pk: index for index, j in enumerate(jurisdictions)}
    series: dict[tuple, FigureSeries] = {}
    for figure in figures:
        key = tuple(getattr(figure, name) for name in SERIES_FIELDS)
        if key not in series:
            series[key] = FigureSeries(
                jurisdiction=figure.jurisdiction,
                measure=figure.measure,
                unit=figure.unit,
                sender=figure.sender,
                period_type=figure.period_type,
                population=figure.population,
                facility=figure.facility,
            )
        series[key].figures.append(figure)
    return sorted(series.values(), key=lambda s: order.get(s.jurisdiction.pk, 0))


def figures_shown(figures: list[ArrivalCount]) -> tuple[list[ArrivalCount], int]:
    """What a page shows of `figures` (oldest first, of one series or more; see
    NEWEST_FIGURES_SHOWN), in their order, and how many figures of their series it leaves out,
    counting those `newest_of_each_series` left in the database."""
    by_series: dict[tuple, list[ArrivalCount]] = {}
    for figure in figures:
        by_series.setdefault(tuple(getattr(figure, n) for n in SERIES_FIELDS), []).append(figure)
    kept, omitted = set(), 0
    for members in by_series.values():
        size = getattr(members[-1], "series_size", len(members))
        if size <= NEWEST_FIGURES_SHOWN:
            shown = members
        elif members[0].period_type in PER_PERIOD:
            shown = members[-NEWEST_FIGURES_SHOWN:]
        else:  # the last of each month: later figures of a month replace earlier ones
            shown = list({(f.as_of.year, f.as_of.month): f for f in members}.values())
        kept |= {id(figure) for figure in shown}
        omitted += size - len(shown)
    return [figure for figure in figures if id(figure) in kept], omitted


def newest_of_each(series: list[FigureSeries]) -> tuple[list[FigureSeries], int]:
    """Each series cut to what a page shows of it, and how many figures were cut in all."""
    shown, omitted = [], 0
    for one in series:
        figures, cut = figures_shown(one.figures)
        shown.append(replace(one, figures=figures))
        omitted += cut
    return shown, omitted


def sources_of(series: list[FigureSeries]) -> list:
    """The distinct sources behind a chart, in order of first use."""
    seen = {}
    for one in series:
        for figure in one.figures:
            seen.setdefault(figure.source_id, figure.source)
    return list(seen.values())


def arrival_figures_title(jurisdictions: list[Jurisdiction]) -> str:
    names = ", ".join(map(str, jurisdictions))
    return gettext("Arrival figures: %(places)s") % {"places": names}


def arrival_chart(
    *,
    jurisdictions: list[Jurisdiction],
    day: dt.date | None,
    title: str,
    prefetched: bool = False,
) -> dict:
    """What a chart of the jurisdictions' published figures (dated on or before `day`) needs:
    its series cut to what a page shows of them, their sources, the plotly figure, a static SVG
    drawing for readers without scripts and a note on what was cut.

    `prefetched` uses each jurisdiction's `published_figures` (from
    `jurisdiction_with_records`) instead of a query."""
    if prefetched:
        figures = [f for j in jurisdictions for f in j.published_figures]
        series = series_from_figures(figures=figures, jurisdictions=jurisdictions)
    else:
        series = arrival_series(jurisdictions=jurisdictions, day=day, newest_only=True)
    series, omitted = newest_of_each(series)
    sources = sources_of(series)

    def drawings() -> dict:
        chart_series = [s.to_chart() for s in series]
        return {
            "figure": arrivals_timeline_figure(series=chart_series).to_plotly_json(),
            "svg": arrivals_timeline_svg(series=chart_series),
        }

    # Building a validated plotly figure takes milliseconds. The key names what is drawn
    # (each figure and source as last saved, so a drawing stored while a correction was being
    # committed is never found for the corrected figures) and the data version (which a
    # deploy also moves).
    shown = [
        (figure.pk, figure.updated_at, figure.source_id, figure.source.updated_at)
        for one in series
        for figure in one.figures
    ]
    question = repr((get_language(), day, omitted, shown)).encode()
    key = f"chart:{data_version().token}:{hashlib.sha256(question).hexdigest()}"
    drawn = cache.get_or_set(key, drawings, timeout=settings.PART_CACHE_SECONDS)
    return {
        "title": title,
        "series": series,
        "sources": sources,
        # Under an exported image of the chart (page.js), after "Sources:".
        "source_line": gettext("%(publishers)s. Chart: Sanctuary Tracker")
        % {"publishers": "; ".join(dict.fromkeys(source.publisher for source in sources))},
        "figure": drawn["figure"],
        "note": older_figures_note(omitted),
        # arrivals_timeline_svg escapes every text it draws.
        "svg": mark_safe(drawn["svg"]),
    }
