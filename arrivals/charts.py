"""Plotly figures built from plain data: no ORM here, so charts are testable on their own."""

import datetime as dt
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import escape

# Okabe-Ito without its yellow (too pale to read on white): distinguishable with the common
# forms of colour blindness. Colours belong to places, so a place keeps its colour in every panel.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, MUTED, GRID = "#1b1b1b", "#595959", "#e5e5e5"
# Each measure and population gets its own panel, this tall (pixels), with room above it for
# its title.
PANEL_HEIGHT, PANEL_GAP = 180, 64
LABEL_SPACING = 15  # pixels between the line-end labels of one panel
LABEL_FLOOR = 9  # pixels above the axis for the lowest label, clear of the dates below it


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: int
    label: str  # the figure as stated, e.g. "more than 50,000"
    detail: str  # period, claimant and source, for the hover text


@dataclass(frozen=True)
class ChartSeries:
    place: str  # its colour, and its line-end label when a chart shows several places
    measure: str  # with the population, its panel: series of one measure and population
    # share an axis, others never do
    points: list[ChartPoint]
    periodic: bool = False  # counts per month or range: bars; otherwise dated points
    population: str = ""  # who is counted ("Everyone in shelter"), beside the measure

    @property
    def panel(self) -> str:
        """The panel's title: the measure, and the population it counts."""
        if not self.population:
            return self.measure
        return f"{self.measure} — {self.population}"

    @property
    def name(self) -> str:
        return f"{self.place}: {self.panel}"


@dataclass(frozen=True)
class EndLabel:
    series: ChartSeries
    text: str
    shift: int  # pixels down from the series' latest point, so labels never overlap


def chart_panels(series: list[ChartSeries]) -> dict[str, list[ChartSeries]]:
    """The series grouped by measure and population, in order of first appearance: one panel
    each, so that two populations never share an axis, let alone a line."""
    panels: dict[str, list[ChartSeries]] = {}
    for one in series:
        panels.setdefault(one.panel, []).append(one)
    return panels


def place_colours(series: list[ChartSeries]) -> dict[str, str]:
    places = dict.fromkeys(one.place for one in series)
    return {place: PALETTE[index % len(PALETTE)] for index, place in enumerate(places)}


def end_labels(panel: list[ChartSeries], *, several_places: bool) -> list[EndLabel]:
    """A label beside each series' latest point: the figure as stated, after the place's name
    when the chart shows several places. Labels close in height are pushed apart, highest first,
    so that no two overlap."""
    top = max(point.value for one in panel for point in one.points) or 1
    pixels_per_unit = PANEL_HEIGHT / (top * 1.1)  # plotly's range reaches a little above
    ordered = sorted(panel, key=lambda one: -one.points[-1].value)
    natural = [one.points[-1].value * pixels_per_unit for one in ordered]  # above the axis
    heights = list(natural)
    for index in range(1, len(heights)):  # downwards from the highest, apart
        heights[index] = min(heights[index], heights[index - 1] - LABEL_SPACING)
    heights[-1] = max(heights[-1], LABEL_FLOOR)
    for index in range(len(heights) - 2, -1, -1):  # and upwards again, above the floor
        heights[index] = max(heights[index], heights[index + 1] + LABEL_SPACING)
    return [
        EndLabel(
            series=one,
            text=f"{one.place}: {one.points[-1].label}" if several_places else one.points[-1].label,
            shift=round(wanted - height),
        )
        for one, wanted, height in zip(ordered, natural, heights, strict=True)
    ]


def arrivals_timeline_figure(*, series: list[ChartSeries]) -> go.Figure:
    """Arrival figures over time: one panel per measure and population (cumulative totals,
    people in shelter on a day, counts per month, migrants and everyone in a shelter system
    never share an axis), one trace per series, never stacked or
    summed, each labelled at its latest point. The title, sources and notes are the page's, in
    HTML around the chart.

    Values are counts of people, or of families where a measure says so. A periodic series
    counts the arrivals within each period (a calendar month, or a stated date range) and is
    drawn as bars; cumulative and one-date figures are dated points joined within their own
    series. Each point sits at its `day`: the first of the month for a monthly count,
    otherwise the date the figure is as of.

    Every property is checked against plotly's schema here (ValueError if one is invalid).
    For the page, `figure.to_plotly_json()` is a dict of plain lists and strings.
    """
    panels = chart_panels(series)
    colours = place_colours(series)
    several_places = len(colours) > 1
    plot_height = len(panels) * PANEL_HEIGHT + (len(panels) - 1) * PANEL_GAP
    # Trace and layout dicts go straight to go.Figure, which validates them once; go.Bar and
    # go.Scatter objects would be validated again when the figure copies them.
    traces: list[dict] = []
    layout_axes: dict[str, dict] = {}
    annotations: list[dict] = []
    in_legend: set[str] = set()
    longest_label = 0
    for index, (title, members) in enumerate(panels.items()):
        suffix = str(index + 1) if index else ""
        top = 1 - index * (PANEL_HEIGHT + PANEL_GAP) / plot_height
        bottom = top - PANEL_HEIGHT / plot_height
        layout_axes[f"xaxis{suffix}"] = {
            "type": "date",
            "anchor": f"y{suffix}",
            "showgrid": False,
            "linecolor": MUTED,
            "ticklabelstandoff": 6,  # clear of the value axis' 0
            **({"matches": "x"} if index else {}),
        }
        layout_axes[f"yaxis{suffix}"] = {
            "domain": [max(bottom, 0), min(top, 1)],
            "anchor": f"x{suffix}",
            "rangemode": "tozero",
            "gridcolor": GRID,
            "separatethousands": True,
        }
        annotations.append(
            {
                "name": "panel-title",
                "text": escape(title),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": min(top, 1),
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 8,
                "showarrow": False,
                "font": {"size": 13, "weight": "bold"},
            }
        )
        for one in members:
            colour = colours[one.place]
            common = {
                "name": escape(one.place),
                "legendgroup": one.place,
                "showlegend": one.place not in in_legend,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "x": [point.day.isoformat() for point in one.points],
                "y": [point.value for point in one.points],
                "customdata": [[point.label, point.detail] for point in one.points],
                "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}"
                f"<extra>{escape(one.name)}</extra>",
            }
            in_legend.add(one.place)
            if one.periodic:
                traces.append({"type": "bar", "marker": {"color": colour}, **common})
            else:
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "marker": {"color": colour, "size": 7},
                        "line": {"color": colour, "width": 1.5, "dash": "dot"},
                        "cliponaxis": False,
                        **common,
                    }
                )
        for label in end_labels(members, several_places=several_places):
            latest = label.series.points[-1]
            longest_label = max(longest_label, len(label.text))
            annotations.append(
                {
                    "name": "end-label",
                    "text": escape(label.text),
                    "xref": f"x{suffix}",
                    "yref": f"y{suffix}",
                    "x": latest.day.isoformat(),
                    "y": latest.value,
                    "xanchor": "left",
                    "yanchor": "middle",
                    "xshift": 8,
                    "yshift": -label.shift,
                    "showarrow": False,
                    "font": {"size": 11},
                }
            )
    layout = {
        # plotly.py's default template would restyle the chart (grey plot area, its own colours)
        # and add kilobytes to every page; "none" leaves plotly.js's defaults and the site's theme.
        "template": "none",
        "height": plot_height + 36 + 40,
        "font": {"family": FONT, "size": 12, "color": INK},
        "barmode": "group",
        "hovermode": "closest",
        "showlegend": False,  # the line-end labels name each series; narrow screens get a legend
        "legend": {"orientation": "h", "x": 0, "y": 0, "yanchor": "bottom", "yref": "container"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # Room on the right for the labels at the lines' ends (about 6.5 pixels a character).
        "margin": {"l": 56, "r": min(16 + round(6.5 * longest_label), 240), "t": 36, "b": 40},
        "annotations": annotations,
        # Decimal point, then thousands separator, in the reader's language ("1,000" / "1.000").
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
        **layout_axes,
    }
    return go.Figure(data=traces, layout=layout)


# The server-drawn chart: the same panels as a static SVG in the page itself, so a chart is
# on screen with the first paint (and without JavaScript); plotly.js replaces it with the
# interactive version once it has loaded.
SVG_WIDTH = 640
SVG_MARGIN = {"left": 64, "right": 200, "bottom": 28}


def _nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines."""
    raw = max(largest / ticks, 1)
    power = 10 ** (len(str(int(raw))) - 1)
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return max(int(multiple * power), 1)
    return 10 * power


def _date_ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Years for long spans, else month starts, at most about six of them."""
    if (last - first).days > 540:
        years = range(first.year + (first > dt.date(first.year, 1, 1)), last.year + 1)
        step = max(1, len(years) // 6 + (len(years) % 6 > 0))
        return [(dt.date(year, 1, 1), str(year)) for year in list(years)[::step]]
    months = []
    day = dt.date(first.year, first.month, 1)
    if day < first:
        day = (day + dt.timedelta(days=32)).replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    step = max(1, -(-len(months) // 6))
    return [(month, date_format(month, "M Y")) for month in months[::step]]


def arrivals_timeline_svg(*, series: list[ChartSeries]) -> str:
    """The series as a static SVG, one panel per measure and population as in
    `arrivals_timeline_figure`:
    gridlines, dated points or bars, a label at each series' latest point and a tooltip per
    point. Every text is escaped."""
    points = [point for one in series for point in one.points]
    if not points:
        return ""
    first, last = min(p.day for p in points), max(p.day for p in points)
    if first == last:
        first, last = first - dt.timedelta(days=90), last + dt.timedelta(days=90)
    panels = chart_panels(series)
    colours = place_colours(series)
    left, right = SVG_MARGIN["left"], SVG_WIDTH - SVG_MARGIN["right"]
    height = len(panels) * (PANEL_HEIGHT + PANEL_GAP) + SVG_MARGIN["bottom"]

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / (last - first).days

    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {SVG_WIDTH} {height}" '
        'aria-hidden="true" focusable="false">'
    ]
    for index, (title, members) in enumerate(panels.items()):
        upper = index * (PANEL_HEIGHT + PANEL_GAP) + PANEL_GAP
        lower = upper + PANEL_HEIGHT
        largest = max(p.value for one in members for p in one.points)
        step = _nice_step(largest)
        top = step * -(-largest // step)

        def y(value: int, lower: int = lower, top: int = top) -> float:
            return lower - PANEL_HEIGHT * value / top

        parts.append(
            f'<text class="panel-title" x="{left}" y="{upper - 12}">{escape(title)}</text>'
        )
        for value in range(0, top + 1, step):
            parts.append(
                f'<line class="grid" x1="{left}" x2="{right}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}"/><text class="tick" x="{left - 6}" y="{y(value) + 4:.1f}" '
                f'text-anchor="end">{escape(number_format(value, force_grouping=True))}</text>'
            )
        for day, label in _date_ticks(first, last):
            parts.append(
                f'<text class="tick" x="{x(day):.1f}" y="{lower + 22}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
        parts.append(f'<line class="axis" x1="{left}" x2="{right}" y1="{lower}" y2="{lower}"/>')
        for one in members:
            colour = colours[one.place]
            coordinates = [(x(p.day), y(p.value), p) for p in one.points]
            if one.periodic:
                for cx, cy, p in coordinates:
                    parts.append(
                        f'<rect x="{cx - 3:.1f}" y="{cy:.1f}" width="6" '
                        f'height="{lower - cy:.1f}" fill="{colour}"><title>{escape(p.label)}: '
                        f"{escape(p.detail)}</title></rect>"
                    )
            else:
                path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _p in coordinates)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" '
                    'stroke-width="1.5" stroke-dasharray="2 3"/>'
                )
                for cx, cy, p in coordinates:
                    parts.append(
                        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}">'
                        f"<title>{escape(p.label)}: {escape(p.detail)}</title></circle>"
                    )
        for label in end_labels(members, several_places=len(colours) > 1):
            latest = label.series.points[-1]
            parts.append(
                f'<text class="point-label" x="{x(latest.day) + 8:.1f}" '
                f'y="{y(latest.value) + 4 + label.shift:.1f}">{escape(label.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
