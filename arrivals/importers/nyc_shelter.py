"""New York City's monthly shelter population by agency (Local Law 37 and 79 reports).

Parsed from the city's reports by github.com/anesta95/nyc_shelter_count:
data/reference/nyc_monthly_shelter_pop_by_agency_ll37_ll79.csv.
"""

import datetime as dt
from calendar import monthrange

from django.db import transaction

from arrivals.importers.figures import FigureReport, finished, save_figure
from arrivals.models import ArrivalCount
from policies.bulk import bulk_write
from policies.csv_import import RowError, read_csv_rows
from policies.import_widgets import parse_count
from policies.models import Jurisdiction, Source

NYC_SHELTER_SOURCE_URL = "https://github.com/anesta95/nyc_shelter_count"
NYC_ASYLUM_AGENCY = "herrcs"
NYC_ASYLUM_FACILITY = "HERRCs"


@transaction.atomic
@bulk_write()
def figures_import_nyc_shelter(*, text: str) -> FigureReport:
    """Each row of the Local Law 79 report is one month's unduplicated individuals; only the
    HERRC rows (asylum-seeker shelters) are migrants specifically, so the others (DHS, HPD,
    HRA, DYCD and MOCJ shelters, which count everyone they house) are left out."""
    report = FigureReport()
    nyc = Jurisdiction.objects.filter(geoid="3651000").first()
    if nyc is None:
        report.skipped.append(RowError(0, "", "New York City is not loaded."))
        return report
    source, _ = Source.objects.get_or_create(
        url=NYC_SHELTER_SOURCE_URL,
        defaults={
            "publisher": "NYC Department of Social Services (Local Law 79 reports)",
            "kind": Source.Kind.OFFICIAL,
            "title": "NYC shelter counts by agency, parsed from the city's Local Law 37/79 reports",
        },
    )
    for number, row in enumerate(read_csv_rows(text), 1):
        if row["agency_abb"].strip() != NYC_ASYLUM_AGENCY:
            continue
        month = dt.date.fromisoformat(row["date"].strip())
        month_end = month.replace(day=monthrange(month.year, month.month)[1])
        if month_end > dt.date.today():
            report.skipped.append(RowError(number, "date", "The month has not ended."))
            continue
        keys = {
            "jurisdiction": nyc,
            "measure": ArrivalCount.Measure.IN_SHELTER,
            "unit": ArrivalCount.Unit.PEOPLE,
            "population": ArrivalCount.Population.MIGRANTS,
            "facility": NYC_ASYLUM_FACILITY,
            "sender": "",
            "period_type": ArrivalCount.PeriodType.MONTH,
            "period_start": month,
            "as_of": month_end,
            "source": source,
        }
        values = {
            "period_end": month_end,
            "value": parse_count(row["count"]),
            "qualifier": ArrivalCount.Qualifier.EXACT,
            "reported_by": "New York City (Local Law 79 report)",
            "notes": (
                "Unduplicated individuals in Humanitarian Emergency Response and Relief Centers "
                "(HERRCs), the city's asylum-seeker shelters, during the month."
            ),
            "published": True,
        }
        save_figure(report, keys, values, row=number)
    return finished(report)
