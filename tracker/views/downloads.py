"""CSV and JSON downloads of exactly what a table, chart or map shows."""

import csv
import json
from collections.abc import Iterable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from arrivals.selectors import arrival_series
from policies.models import Jurisdiction
from policies.resources import spreadsheet_safe
from tracker import maps
from tracker.comparison import comparison_ids, comparison_rows
from tracker.forms import AsOfForm, CompareForm, ComparisonFilterForm, MapForm
from tracker.views.shared import bad_request, place_or_404, query_form, reader_page


def csv_download(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe("" if cell is None else cell) for cell in row])
    return response


def json_download(*, payload: object) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )


def _comparison_record(row) -> dict:
    j, figure = row.jurisdiction, row.latest_figure
    return {
        "jurisdiction": j.display_name,
        "slug": j.slug,
        "state": j.state,
        "kind": j.kind,
        "census_geoid": j.geoid,
        "policy_stance": j.stance,
        "state_law_stance": row.state_stance,
        "sanctuary_status": j.sanctuary_status_then,
        "sanctuary_year": j.sanctuary_year,
        "detainer_rule": j.detainer_rule_then,
        "agreements_287g_in_effect": j.agreement_total,
        "agreement_models_287g": row.agreement_models,
        "designations": [
            f"{d.label} ({d.designated_by}, {d.designated_on}{', disputed' if d.disputed else ''})"
            for d in row.designations
        ],
        "latest_figure": figure and _figure_record(figure),
        "source_count": j.source_total,
    }


FIGURE_COLUMNS = (
    "series", "jurisdiction", "measure", "unit", "population", "facility", "figure_as_stated",
    "value", "qualifier", "period", "period_start", "period_end", "as_of", "as_of_precision",
    "sender", "reported_by", "source_publisher", "source_title", "source_url",
    "source_published", "notes",
)  # fmt: skip


def _figure_record(figure) -> dict:
    return {
        "jurisdiction": figure.jurisdiction.display_name,
        "measure": figure.measure,
        "unit": figure.unit,
        "population": figure.population,
        "facility": figure.facility,
        "figure_as_stated": figure.display_value,
        "value": figure.value,
        "qualifier": figure.qualifier,
        "period": figure.period_display,
        "period_start": figure.period_start,
        "period_end": figure.period_end,
        "as_of": figure.as_of,
        "as_of_precision": figure.as_of_precision,
        "sender": figure.sender,
        "reported_by": figure.reported_by,
        "source_publisher": figure.source.publisher,
        "source_title": figure.source.title,
        "source_url": figure.source.url,
        "source_published": figure.source.published_on,
        "notes": figure.notes,
    }


@require_safe
@reader_page(ComparisonFilterForm)
def jurisdiction_list_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The comparison table, every matching row (not one page), as CSV or JSON."""
    form = query_form(request, ComparisonFilterForm)
    if not form.is_valid():
        return bad_request(request, form)
    filters = form.to_filters()
    rows = comparison_rows(ids=list(comparison_ids(filters=filters)), day=filters.day)
    records = [_comparison_record(row) for row in rows]
    if fmt == "json":
        return json_download(
            payload={"as_of": filters.day, "filters": request.GET.dict(), "rows": records}
        )
    header = [
        "jurisdiction", "slug", "state", "kind", "census_geoid", "policy_stance",
        "state_law_stance", "sanctuary_status",
        "sanctuary_year", "detainer_rule", "agreements_287g_in_effect", "agreement_models_287g",
        "designations", "latest_figure_as_stated", "latest_figure_value", "latest_figure_qualifier",
        "latest_figure_measure", "latest_figure_population", "latest_figure_period",
        "latest_figure_as_of",
        "latest_figure_source", "latest_figure_source_url", "source_count", "table_as_of",
    ]  # fmt: skip
    rows = []
    for record in records:
        figure = record["latest_figure"] or {}
        rows.append(
            [
                record["jurisdiction"], record["slug"], record["state"], record["kind"],
                record["census_geoid"], record["policy_stance"], record["state_law_stance"],
                record["sanctuary_status"], record["sanctuary_year"],
                record["detainer_rule"], record["agreements_287g_in_effect"],
                "; ".join(record["agreement_models_287g"]), "; ".join(record["designations"]),
                figure.get("figure_as_stated"), figure.get("value"), figure.get("qualifier"),
                figure.get("measure"), figure.get("population"), figure.get("period"),
                figure.get("as_of"),
                figure.get("source_publisher"), figure.get("source_url"), record["source_count"],
                filters.day,
            ]
        )  # fmt: skip
    return csv_download(filename=f"jurisdictions-{filters.day}.csv", header=header, rows=rows)


@require_safe
@reader_page(AsOfForm)
def jurisdiction_figures_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The figures behind a jurisdiction's chart, as CSV or JSON."""
    form = query_form(request, AsOfForm)
    if not form.is_valid():
        return bad_request(request, form)
    jurisdiction = place_or_404(Jurisdiction.objects.get, slug=slug)
    return _figures_download(
        series=arrival_series(jurisdictions=[jurisdiction], day=form.cleaned_data["as_of"]),
        filename=f"{jurisdiction.slug}-figures",
        fmt=fmt,
    )


def _figures_download(*, series, filename: str, fmt: str) -> HttpResponse:
    records = [
        {"series": one.label, **_figure_record(figure)} for one in series for figure in one.figures
    ]
    if fmt == "json":
        return json_download(payload={"figures": records})
    return csv_download(
        filename=f"{filename}.csv",
        header=FIGURE_COLUMNS,
        rows=[[record[column] for column in FIGURE_COLUMNS] for record in records],
    )


@require_safe
@reader_page(CompareForm)
def compare_download(request: HttpRequest, fmt: str) -> HttpResponse:
    form = query_form(request, CompareForm)
    if not form.is_valid():
        return bad_request(request, form)
    chosen = form.cleaned_data["j"]
    series = arrival_series(jurisdictions=chosen, day=form.cleaned_data["as_of"])
    return _figures_download(
        series=series, filename="compare-" + "-".join(j.slug for j in chosen), fmt=fmt
    )


@require_safe
@reader_page(MapForm)
def state_map_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """What the map shows, as CSV or JSON: each state, county and city with a value of the
    metric on the day (every state for statewide law), with its class in the legend."""
    form = query_form(request, MapForm)
    if not form.is_valid():
        return bad_request(request, form)
    day, metric = form.cleaned_data["as_of"], form.cleaned_data["metric"]
    shown = maps.map_context(day=day, metric=metric)
    records = [
        {
            "name": place.name,
            "kind": place.kind,
            "state": place.state,
            "value": place.value,
            "class": place.css,
            "metric": metric,
            "as_of": day,
        }
        for place in shown["map_table"]
    ]
    if fmt == "json":
        return json_download(
            payload={
                "metric": maps.MAP_METRICS[metric],
                "as_of": day,
                "source": gettext(
                    "Sanctuary Tracker records; each is cited on its jurisdiction's page."
                ),
                "places": records,
            }
        )
    return csv_download(
        filename=f"map-{metric}-{day}.csv",
        header=list(records[0]) if records else [],
        rows=[list(record.values()) for record in records],
    )
