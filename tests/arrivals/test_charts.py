import datetime as dt
import json

import pytest
from django.utils import translation
from django.utils.html import json_script

from arrivals import charts
from arrivals.charts import PALETTE, ChartPoint, ChartSeries, arrivals_timeline_figure


def point(day: str, value: int, label: str) -> ChartPoint:
    return ChartPoint(day=dt.date.fromisoformat(day), value=value, label=label, detail="detail")


def one_series(place="Chicago, IL", measure="New arrivals, cumulative", **kwargs) -> ChartSeries:
    points = kwargs.pop("points", [point("2024-01-01", 1, "1")])
    return ChartSeries(place=place, measure=measure, points=points, **kwargs)


def end_label_texts(figure) -> list[str]:
    return [note.text for note in figure.layout.annotations if note.name == "end-label"]


def test_cumulative_figures_are_dated_points_and_the_latest_is_labelled_as_stated():
    series = one_series(
        points=[
            point("2023-11-01", 20000, "about 20,000"),
            point("2024-11-01", 50000, "more than 50,000"),
        ]
    )
    figure = arrivals_timeline_figure(series=[series])
    [trace] = figure.data

    assert trace.type == "scatter" and trace.mode == "lines+markers"
    assert list(trace.x) == ["2023-11-01", "2024-11-01"]
    assert list(trace.y) == [20000, 50000]
    assert trace.marker.color == PALETTE[0]
    assert [list(row) for row in trace.customdata][1] == ["more than 50,000", "detail"]
    assert trace.hovertemplate.startswith("%{customdata[0]}<br>%{customdata[1]}")
    assert "Chicago, IL: New arrivals, cumulative" in trace.hovertemplate
    # One place: its page or frame names it; the label is the figure as stated.
    assert end_label_texts(figure) == ["more than 50,000"]
    # Title, sources and notes are the page's, in HTML around the chart.
    assert figure.layout.title.text is None
    assert [note.name for note in figure.layout.annotations] == ["panel-title", "end-label"]


def test_each_measure_has_its_own_panel_and_axis_and_nothing_is_stacked_or_summed():
    monthly = one_series(
        place="New York City, NY",
        measure="In shelter, per month",
        points=[point("2024-01-01", 5000, "5,000"), point("2024-02-01", 5200, "5,200")],
        periodic=True,
    )
    chicago = one_series(measure="Bused by Texas, cumulative")
    new_york = one_series(place="New York City, NY", measure="Bused by Texas, cumulative")
    figure = arrivals_timeline_figure(series=[monthly, chicago, new_york])

    assert [trace.type for trace in figure.data] == ["bar", "scatter", "scatter"]
    assert [trace.yaxis for trace in figure.data] == ["y", "y2", "y2"]
    assert (
        figure.layout.yaxis.domain[1] <= 1
        and figure.layout.yaxis2.domain[1] < (figure.layout.yaxis.domain[0])
    )
    titles = [note.text for note in figure.layout.annotations if note.name == "panel-title"]
    assert titles == ["In shelter, per month", "Bused by Texas, cumulative"]
    assert figure.layout.barmode == "group"
    assert sum(len(trace.y) for trace in figure.data) == 4  # nothing added together
    # A place keeps its colour in every panel, and is named once in the (phone) legend.
    assert figure.data[0].marker.color == figure.data[2].marker.color != figure.data[1].marker.color
    assert [trace.showlegend for trace in figure.data] == [True, True, False]
    assert end_label_texts(figure) == [
        "New York City, NY: 5,200",
        "Chicago, IL: 1",
        "New York City, NY: 1",
    ]


def test_line_end_labels_are_pushed_apart_and_kept_above_the_dates():
    close = [
        one_series(place=f"Place {n}", points=[point("2024-01-01", 50_000 - n * 10, "x")])
        for n in range(4)
    ]
    labels = charts.end_labels(
        [*close, one_series(place="Low", points=[point("2024-01-01", 0, "0")])], several_places=True
    )
    pixels_per_unit = charts.PANEL_HEIGHT / (50_000 * 1.1)
    heights = [one.series.points[-1].value * pixels_per_unit - one.shift for one in labels]

    assert all(a - b >= charts.LABEL_SPACING for a, b in zip(heights, heights[1:], strict=False))
    assert heights[-1] >= charts.LABEL_FLOOR
    assert labels[-1].text == "Low: 0"


def test_the_palette_has_no_colour_too_pale_to_read_on_white():
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in PALETTE:
        assert (1.05) / (luminance(colour) + 0.05) >= 2, colour  # #F0E442 was 1.2


def test_a_property_outside_plotlys_schema_is_an_error_when_the_figure_is_built(monkeypatch):
    monkeypatch.setattr(charts, "PALETTE", ("not-a-colour",))
    with pytest.raises(ValueError, match="not-a-colour"):
        arrivals_timeline_figure(series=[one_series()])


def test_page_data_is_plain_json_drawn_by_plotly_js_without_plotly_pys_template():
    series = one_series(place="Denver, CO", points=[point("2024-01-01", 40000, "about 40,000")])
    data = arrivals_timeline_figure(series=[series]).to_plotly_json()

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
    series = [one_series(points=[point("2024-01-01", 1000, "1,000")])]

    english = arrivals_timeline_figure(series=series)
    with translation.override("es"):
        spanish = arrivals_timeline_figure(series=series)

    assert english.layout.separators == ".,"
    assert spanish.layout.separators.startswith(",")


def test_server_drawn_chart_has_every_point_a_panel_per_measure_and_line_end_labels():
    cumulative = one_series(
        points=[
            point("2023-11-01", 20000, "about 20,000"),
            point("2024-11-01", 51000, "more than 51,000"),
        ]
    )
    monthly = one_series(
        place="New York City, NY",
        measure="In shelter, per month",
        points=[point("2024-01-01", 5000, "5,000"), point("2024-02-01", 5200, "5,200")],
        periodic=True,
    )

    svg = charts.arrivals_timeline_svg(series=[cumulative, monthly])

    assert svg.count("<circle") == 2 and svg.count("<polyline") == 1
    assert svg.count("<rect x=") == 2
    assert ">Chicago, IL: more than 51,000</text>" in svg and ">about 20,000</text>" not in svg
    assert ">New York City, NY: 5,200</text>" in svg
    assert "<title>about 20,000: detail</title>" in svg  # every point keeps its tooltip
    assert ">0</text>" in svg and ">60,000</text>" in svg  # from zero to above the largest
    assert svg.count('class="panel-title"') == 2
    assert f'fill="{PALETTE[1]}"' in svg


def test_server_drawn_chart_escapes_text_and_follows_the_language():
    hostile = one_series(
        place='<script>alert("x")</script>',  # one place: not drawn, its page names it
        measure="<b>",
        points=[point("2024-01-15", 10, '"><img src=x onerror=alert(1)>')],
    )

    with translation.override("es"):
        svg = charts.arrivals_timeline_svg(series=[hostile])

    assert "<script>" not in svg and "<img" not in svg
    assert ">&lt;b&gt;</text>" in svg and "&lt;img src=x" in svg
    assert ">Ene 2024</text>" in svg and "Jan" not in svg
    assert charts.arrivals_timeline_svg(series=[]) == ""
