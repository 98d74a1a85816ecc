import datetime as dt
import json

import pytest
from django.utils import translation
from django.utils.html import json_script

from arrivals import charts
from arrivals.charts import PALETTE, ChartPoint, ChartSeries, arrivals_timeline_figure


def point(day: str, value: int, label: str) -> ChartPoint:
    return ChartPoint(day=dt.date.fromisoformat(day), value=value, label=label, detail="detail")


def test_cumulative_figures_are_dated_points_labelled_with_their_qualifier():
    series = ChartSeries(
        name="Chicago, IL: New arrivals, cumulative",
        points=[
            point("2023-11-01", 20000, "about 20,000"),
            point("2024-11-01", 50000, "more than 50,000"),
        ],
    )
    figure = arrivals_timeline_figure(series=[series], title="Arrivals", source_line="Sources: X")
    [trace] = figure.data

    assert trace.type == "scatter"
    assert list(trace.text) == ["about 20,000", "more than 50,000"]
    assert list(trace.x) == ["2023-11-01", "2024-11-01"]
    assert list(trace.y) == [20000, 50000]
    assert trace.marker.color == PALETTE[0]
    assert [list(row) for row in trace.customdata][1] == ["more than 50,000", "detail"]
    assert trace.hovertemplate.startswith("%{customdata[0]}<br>%{customdata[1]}")
    assert figure.layout.title.text == "Arrivals"
    assert figure.layout.annotations[0].text == "Sources: X"
    assert "People" in figure.layout.yaxis.title.text


def test_monthly_counts_are_bars_and_series_are_never_stacked_or_summed():
    monthly = ChartSeries(
        name="New York City, NY: In shelter, per month",
        points=[point("2024-01-01", 5000, "5,000"), point("2024-02-01", 5200, "5,200")],
        periodic=True,
    )
    bused = ChartSeries(
        name="Bused by Texas", points=[point("2024-01-29", 37500, "at least 37,500")]
    )
    figure = arrivals_timeline_figure(series=[monthly, bused], title="t", source_line="s")

    assert [trace.type for trace in figure.data] == ["bar", "scatter"]
    assert figure.layout.barmode == "group"
    assert sum(len(trace.y) for trace in figure.data) == 3  # nothing added together


def test_with_many_series_only_the_latest_point_is_labelled():
    many = [
        ChartSeries(name=f"s{n}", points=[point("2024-01-01", 1, "1"), point("2024-02-01", 2, "2")])
        for n in range(4)
    ]
    figure = arrivals_timeline_figure(series=many, title="t", source_line="s")
    assert all(list(trace.text) == ["", "2"] for trace in figure.data)


def test_a_property_outside_plotlys_schema_is_an_error_when_the_figure_is_built(monkeypatch):
    monkeypatch.setattr(charts, "PALETTE", ("not-a-colour",))
    series = ChartSeries(name="s", points=[point("2024-01-01", 1, "1")])

    with pytest.raises(ValueError, match="not-a-colour"):
        arrivals_timeline_figure(series=[series], title="t", source_line="s")


def test_page_data_is_plain_json_drawn_by_plotly_js_without_plotly_pys_template():
    series = ChartSeries(
        name="Denver, CO: New arrivals, cumulative",
        points=[point("2024-01-01", 40000, "about 40,000")],
    )
    data = arrivals_timeline_figure(series=[series], title="t", source_line="s").to_plotly_json()

    script = json_script(data, "arrivals-chart-data")

    # Lists, not tuples or arrays: what the browser parses is what the page was given.
    assert json.loads(script.split(">", 1)[1].rsplit("<", 1)[0]) == data
    assert data["data"][0]["x"] == ["2024-01-01"]
    # plotly.py's default template would grey the plot area and recolour the axes; this one
    # ("none") sets nothing but trace types.
    template = data["layout"]["template"]
    assert "layout" not in template
    assert all(set(trace) == {"type"} for traces in template["data"].values() for trace in traces)
    assert data["layout"]["plot_bgcolor"] == "#ffffff"


def test_number_separators_follow_the_language():
    series = [ChartSeries(name="s", points=[point("2024-01-01", 1000, "1,000")])]

    english = arrivals_timeline_figure(series=series, title="t", source_line="s")
    with translation.override("es"):
        spanish = arrivals_timeline_figure(series=series, title="t", source_line="s")

    assert english.layout.separators == ".,"
    assert spanish.layout.separators.startswith(",")


def test_server_drawn_chart_has_every_point_the_latest_label_and_a_legend():
    cumulative = ChartSeries(
        name="Chicago, IL: New arrivals, cumulative",
        points=[
            point("2023-11-01", 20000, "about 20,000"),
            point("2024-11-01", 51000, "more than 51,000"),
        ],
    )
    monthly = ChartSeries(
        name="New York City, NY: In shelter, per month",
        points=[point("2024-01-01", 5000, "5,000"), point("2024-02-01", 5200, "5,200")],
        periodic=True,
    )

    svg = charts.arrivals_timeline_svg(series=[cumulative, monthly])

    assert svg.count("<circle") == 2 and svg.count("<polyline") == 1
    assert svg.count("<rect x=") == 2  # the bars (legend swatches have no x)
    assert ">more than 51,000</text>" in svg and ">about 20,000</text>" not in svg
    assert "<title>about 20,000: detail</title>" in svg  # every point keeps its tooltip
    assert ">0</text>" in svg and ">60,000</text>" in svg  # from zero to above the largest
    assert "Chicago, IL: New arrivals, cumulative</li>" in svg
    assert f'fill="{PALETTE[1]}"' in svg


def test_server_drawn_chart_escapes_text_and_follows_the_language():
    hostile = ChartSeries(
        name='<script>alert("x")</script>',
        points=[point("2024-01-15", 10, '"><img src=x onerror=alert(1)>')],
    )

    with translation.override("es"):
        svg = charts.arrivals_timeline_svg(series=[hostile])

    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg and "&lt;img src=x" in svg
    assert ">Ene 2024</text>" in svg and "Jan" not in svg
    assert charts.arrivals_timeline_svg(series=[]) == ""
