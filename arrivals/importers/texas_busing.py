"""The Texas Governor's office's "bused at least N" totals by destination (Operation Lone Star).

Transcribed from the news reports named per row:
data/reference/texas_busing_reported_totals_2022-2024.csv.
"""

import datetime as dt

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

ALL_DESTINATIONS = "ALL DESTINATIONS"


@transaction.atomic
@bulk_write()
def figures_import_texas_busing(*, text: str) -> FigureReport:
    """Rows without an as-of date are skipped (their date is unknown), and so are "ALL
    DESTINATIONS" totals: a figure belongs to one destination, and they repeat the city rows."""
    report = FigureReport()
    places = PlaceFinder()
    for number, row in enumerate(read_csv_rows(text), 1):
        destination = row["destination"].strip()
        if destination == ALL_DESTINATIONS:
            report.skipped.append(
                RowError(number, "destination", "All-destination total; not a single place.")
            )
            continue
        if not row["as_of_date"].strip():
            report.skipped.append(RowError(number, "as_of_date", "No as-of date on the page."))
            continue
        jurisdiction = places.get(destination)
        if jurisdiction is None:
            report.skipped.append(RowError(number, "destination", f"Unknown '{destination}'."))
            continue
        source = cited_source(row["source_url"])
        if source is None:
            report.skipped.append(RowError(number, "source_url", MISSING_SOURCE))
            continue
        since, since_precision = parse_partial_date(row["counting_since"])
        claimant = row["reported_by"].replace("(as reported)", "").strip()
        keys = {
            "jurisdiction": jurisdiction,
            "measure": ArrivalCount.Measure.BUSED,
            "unit": ArrivalCount.Unit.PEOPLE,
            "population": ArrivalCount.Population.MIGRANTS,
            "facility": "",
            "sender": "Texas",
            "period_type": ArrivalCount.PeriodType.CUMULATIVE,
            "period_start": since,
            "as_of": dt.date.fromisoformat(row["as_of_date"].strip()),
            "source": source,
        }
        values = {
            "period_start_precision": since_precision,
            "value": parse_count(row["cumulative_bused_at_least"]),
            "qualifier": ArrivalCount.Qualifier.AT_LEAST,
            "program": "Operation Lone Star",
            "reported_by": claimant,
            "notes": row["note"].strip(),
            "published": True,
        }
        save_figure(report, keys, values, row=number)
    return finished(report)
