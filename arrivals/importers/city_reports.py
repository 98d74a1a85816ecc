"""Figures published by city and state officials: cumulative arrivals and people in shelter.

Transcribed from the pages named per row: data/reference/city_arrival_figures_from_pages.csv.
"""

import re

from django.db import transaction

from arrivals.importers.figures import (
    MISSING_SOURCE,
    FigureReport,
    PlaceFinder,
    cited_source,
    finished,
    save_figure,
)
from arrivals.models import ArrivalCount
from policies.bulk import bulk_write
from policies.csv_import import RowError, read_csv_rows
from policies.import_widgets import parse_count, parse_partial_date
from policies.models import DatePrecision

# Words in a transcriber's note that carry the published qualifier, strongest first.
QUALIFIER_CUES = (
    (re.compile(r"\bnearly\b", re.I), ArrivalCount.Qualifier.NEARLY),
    (re.compile(r"\b(over|more than)\b", re.I), ArrivalCount.Qualifier.MORE_THAN),
    (re.compile(r"\b(fell below|fewer than|under)\b", re.I), ArrivalCount.Qualifier.FEWER_THAN),
    (re.compile(r"\b(some|about|approximate(ly)?|around)\b|~", re.I), ArrivalCount.Qualifier.ABOUT),
    (re.compile(r"\bestimate[sd]?\b", re.I), ArrivalCount.Qualifier.ESTIMATED),
)
CITY_METRICS = {
    "cumulative_arrivals": (ArrivalCount.Measure.NEW_ARRIVALS, ArrivalCount.Unit.PEOPLE),
    "in_shelter": (ArrivalCount.Measure.IN_SHELTER, ArrivalCount.Unit.PEOPLE),
    "asylum_seekers_in_shelter": (ArrivalCount.Measure.IN_SHELTER, ArrivalCount.Unit.PEOPLE),
    "families_in_EA_shelter": (ArrivalCount.Measure.IN_SHELTER, ArrivalCount.Unit.FAMILIES),
    "migrant_families_in_EA": (ArrivalCount.Measure.IN_SHELTER, ArrivalCount.Unit.FAMILIES),
}


def qualifier_from_note(note: str, default: str = ArrivalCount.Qualifier.EXACT) -> str:
    """The qualifier a transcribed figure was published with, read from its note."""
    first_clause = note.split(";")[0]
    for pattern, qualifier in QUALIFIER_CUES:
        if pattern.search(first_clause):
            return qualifier
    return default


def split_claimant(reported_by: str) -> tuple[str, str]:
    """'City OEMC via Fox 32' -> ('City OEMC', 'Fox 32'): who stated it, and where it ran."""
    claimant, _, outlet = reported_by.partition(" via ")
    return claimant.strip(), outlet.strip()


@transaction.atomic
@bulk_write()
def figures_import_city_reports(*, text: str) -> FigureReport:
    """The qualifier the page used ("nearly", "over", "some") is read from the note. The
    population and facility are the row's own columns (a blank population is migrants)."""
    report = FigureReport()
    places = PlaceFinder()
    for number, row in enumerate(read_csv_rows(text), 1):
        label = row["jurisdiction"].strip()
        jurisdiction = places.get(label)
        if jurisdiction is None:
            report.skipped.append(RowError(number, "jurisdiction", f"Unknown '{label}'."))
            continue
        metric = row["metric"].strip()
        if metric not in CITY_METRICS:
            report.skipped.append(RowError(number, "metric", f"Unknown metric '{metric}'."))
            continue
        measure, unit = CITY_METRICS[metric]
        population = row.get("population", "").strip() or ArrivalCount.Population.MIGRANTS
        if population not in ArrivalCount.Population.values:
            report.skipped.append(
                RowError(number, "population", f"Unknown population '{population}'.")
            )
            continue
        source = cited_source(row["source_url"])
        if source is None:
            report.skipped.append(RowError(number, "source_url", MISSING_SOURCE))
            continue
        as_of, as_of_precision = parse_partial_date(row["as_of"])
        since_text = row["counting_since"].removeprefix("since").strip()
        since, since_precision = (
            parse_partial_date(since_text) if since_text else (None, DatePrecision.DAY)
        )
        claimant, outlet = split_claimant(row["reported_by"])
        note = row["note"].strip()
        keys = {
            "jurisdiction": jurisdiction,
            "measure": measure,
            "unit": unit,
            "population": population,
            "facility": row.get("facility", "").strip(),
            "sender": "",
            "period_type": (
                ArrivalCount.PeriodType.CUMULATIVE if since else ArrivalCount.PeriodType.POINT
            ),
            "period_start": since,
            "as_of": as_of,
            "source": source,
        }
        values = {
            "period_start_precision": since_precision,
            "as_of_precision": as_of_precision,
            "value": parse_count(row["value"]),
            "qualifier": qualifier_from_note(note),
            "reported_by": claimant,
            "notes": note,
            "published": True,
        }
        save_figure(report, keys, values, row=number)
    return finished(report)
