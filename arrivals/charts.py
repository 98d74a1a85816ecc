"""Plotly figures built from plain data: no ORM here, so charts are testable on their own."""

import datetime as dt
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import escape
from django.utils.translation import gettext

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: int
    label: str  # the figure as stated, e.g. "more than 50,000"
    detail: str  # period, claimant and source, for the hover text


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: list[ChartPoint]
    periodic: bool = False  # counts per month or range: bars; otherwise dated points


def arrivals_timeline_figure(
    *, series: list[ChartSeries], title: str, source_line: str
) -> go.Figure:
    """Arrival figures over time, one trace per series, never stacked or summed.

    Values are counts of people, or of families where a series' name says so. A periodic series
    counts the arrivals within each period (a calendar month, or a stated date range) and is
    drawn as bars; cumulative and one-date figures are dated points joined within their own
    series and labelled with the figure as stated ("more than 50,000"). Each point sits at its
    `day`: the first of the month for a monthly count, otherwise the date the figure is as of.

    Every property is checked against plotly's schema here (ValueError if one is invalid).
    For the page, `figure.to_plotly_json()` is a dict of plain lists and strings.
    """
    # Trace and layout dicts go straight to go.Figure, which validates them once; go.Bar and
    # go.Scatter objects would be validated again when the figure copies them.
    traces: list[dict] = []
    # With many series, labelling every point makes the labels collide: label the latest only.
    label_latest_only = len(series) > 3
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        common = {
            "name": one.name,
            "x": [point.day.isoformat() for point in one.points],
            "y": [point.value for point in one.points],
            "customdata": [[point.label, point.detail] for point in one.points],
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<extra>%{fullData.name}</extra>",
        }
        labels = [point.label for point in one.points]
        if label_latest_only:
            labels = [""] * (len(labels) - 1) + labels[-1:]
        if one.periodic:
            traces.append({"type": "bar", "marker": {"color": colour}, **common})
        else:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers+text",
                    "text": labels,
                    "textposition": "top center",
                    "textfont": {"size": 11, "color": colour},
                    "marker": {"color": colour, "size": 8},
                    "line": {"color": colour, "width": 1.5, "dash": "dot"},
                    "cliponaxis": False,
                    **common,
                }
            )
    layout = {
        # plotly.py's default template would restyle the chart (grey plot area, its own colours)
        # and add kilobytes to every page; "none" leaves plotly.js's defaults and the site's theme.
        "template": "none",
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 12, "color": "#1b1b1b"},
        "barmode": "group",
        "hovermode": "closest",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 56, "r": 16, "t": 48, "b": 96},
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "xaxis": {"type": "date", "showgrid": False, "linecolor": "#595959"},
        "yaxis": {
            "title": {"text": gettext("People (families where labelled)")},
            "rangemode": "tozero",
            "gridcolor": "#e5e5e5",
            "separatethousands": True,
        },
        "annotations": [
            {
                "text": source_line,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.42,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 10, "color": "#595959"},
                "align": "left",
            }
        ],
        # Decimal point, then thousands separator, in the reader's language ("1,000" / "1.000").
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
    }
    return go.Figure(data=traces, layout=layout)


# The server-drawn chart: the same series as a static SVG in the page itself, so a chart is
# on screen with the first paint (and without JavaScript); plotly.js replaces it with the
# interactive version once it has loaded.
SVG_WIDTH, SVG_HEIGHT = 640, 300
SVG_MARGIN = {"left": 64, "right": 24, "top": 28, "bottom": 36}


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
    """The series as a static SVG: gridlines, dated points or bars, the latest figure of each
    series labelled as stated, a tooltip per point, and a legend. Text is escaped."""
    points = [point for one in series for point in one.points]
    if not points:
        return ""
    first, last = min(p.day for p in points), max(p.day for p in points)
    if first == last:
        first, last = first - dt.timedelta(days=90), last + dt.timedelta(days=90)
    step = _nice_step(max(p.value for p in points))
    top = step * -(-max(p.value for p in points) // step)
    left, right = SVG_MARGIN["left"], SVG_WIDTH - SVG_MARGIN["right"]
    upper, lower = SVG_MARGIN["top"], SVG_HEIGHT - SVG_MARGIN["bottom"]

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / (last - first).days

    def y(value: int) -> float:
        return lower - (lower - upper) * value / top

    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" '
        'aria-hidden="true" focusable="false">'
    ]
    for value in range(0, top + 1, step):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(number_format(value, force_grouping=True))}</text>"
        )
    for day, label in _date_ticks(first, last):
        parts.append(
            f'<text class="tick" x="{x(day):.1f}" y="{lower + 20}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append(f'<line class="axis" x1="{left}" x2="{right}" y1="{lower}" y2="{lower}"/>')
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        coordinates = [(x(p.day), y(p.value), p) for p in one.points]
        if one.periodic:
            for cx, cy, p in coordinates:
                parts.append(
                    f'<rect x="{cx - 3:.1f}" y="{cy:.1f}" width="6" height="{lower - cy:.1f}" '
                    f'fill="{colour}"><title>{escape(p.label)}: {escape(p.detail)}</title></rect>'
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
        cx, cy, latest = coordinates[-1]
        anchor = "end" if cx > right - 80 else "start" if cx < left + 80 else "middle"
        parts.append(
            f'<text class="point-label" x="{cx:.1f}" y="{cy - 9:.1f}" text-anchor="{anchor}">'
            f"{escape(latest.label)}</text>"
        )
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" '
        f'height="10" fill="{PALETTE[index % len(PALETTE)]}"/></svg>{escape(one.name)}</li>'
        for index, one in enumerate(series)
    )
    return "".join(parts) + f'<ul class="chart-legend">{legend}</ul>'
