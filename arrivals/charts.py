"""Plotly figures built from plain data: no ORM here, so charts are testable on their own.

Figures are plain dicts in plotly's JSON schema, which plotly.js draws in the browser.
Building them through `plotly.graph_objects` validates every property on every request and
cost most of an uncached page's time (docs/benchmarks.md); the tests validate the same dicts
against plotly's schema instead, once.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import get_format
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


def arrivals_timeline_figure(*, series: list[ChartSeries], title: str, source_line: str) -> dict:
    """Arrival figures over time, one trace per series, never stacked or summed.

    Periodic counts are bars; cumulative and one-date figures are dated points joined within
    their own series and labelled with the figure as stated ("more than 50,000"). Values are
    people, or families where a series says so.
    """
    traces = []
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
    return {"data": traces, "layout": layout}
