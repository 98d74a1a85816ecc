"""A city's shelter census: one row per facility and day, as cities publish them (columns
`date`, `facility`, `count`; other columns are ignored).

Each row is kept as that facility's figure for the day, unpublished: readers see the place's
total for each day, the sum of the facilities the file lists that day, noted as such. A bad row
refuses the whole file, as do two rows for one facility and day. A facility is known by its
name whatever its case and spacing ("Shelter A", "SHELTER  A"): under the spelling already
recorded for the place, or else the file's first.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from arrivals.importers.figures import FigureReport, finished, save_figure
from arrivals.models import ArrivalCount
from policies.bulk import bulk_write
from policies.csv_import import ImportOutcome, RowError, read_csv_rows
from policies.import_widgets import parse_count, parse_partial_date
from policies.models import DatePrecision, Jurisdiction, Source

CENSUS_COLUMNS = ("date", "facility", "count")


@transaction.atomic
@bulk_write()
def figures_import_shelter_census(
    *,
    text: str,
    place: Jurisdiction,
    source: Source,
    population: str = ArrivalCount.Population.MIGRANTS,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> FigureReport:
    report = FigureReport()
    rows = read_csv_rows(text)
    found = [name.strip().lower() for name in (rows[0].keys() if rows else [])]
    if missing := [column for column in CENSUS_COLUMNS if column not in found]:
        report.refused.append(
            RowError(
                0,
                "",
                f"This is not a shelter census: it has the columns {', '.join(found) or '(none)'}"
                f" and a census needs {', '.join(CENSUS_COLUMNS)} (missing: {', '.join(missing)}).",
            )
        )
        return finished(report)
    keys = {
        "jurisdiction": place,
        "measure": ArrivalCount.Measure.IN_SHELTER,
        "unit": ArrivalCount.Unit.PEOPLE,
        "population": population,
        "sender": "",
        "period_type": ArrivalCount.PeriodType.POINT,
        "period_start": None,
        "source": source,
    }
    values = {
        "period_end": None,
        "qualifier": ArrivalCount.Qualifier.EXACT,
        "as_of_precision": DatePrecision.DAY,
        "reported_by": source.publisher,
    }
    recorded = ArrivalCount.objects.filter(jurisdiction=place).exclude(facility="")
    spellings: dict[str, str] = {}
    first_recorded = recorded.values("facility").annotate(first=Min("pk")).order_by("first")
    for name in first_recorded.values_list("facility", flat=True):
        spellings.setdefault(facility_key(name), name)
    totals: dict[dt.date, list[int]] = defaultdict(list)
    for number, raw in enumerate(rows, 1):
        row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        day, count = _read_row(row, number, report)
        if day is not None and count is not None:
            totals[day].append(count)
            name = " ".join(row["facility"].split())
            save_figure(
                report,
                {**keys, "facility": spellings.setdefault(facility_key(name), name), "as_of": day},
                {
                    **values,
                    "value": count,
                    "published": False,
                    "notes": "One shelter's count; the place's figure for the day is the total "
                    "over the shelters the census lists.",
                },
                row=number,
            )
        if progress:
            progress(number)
    if report.skipped:
        report.refused.extend(report.skipped)
    if not report.refused:
        for day, counts in sorted(totals.items()):
            save_figure(
                report,
                {**keys, "facility": "", "as_of": day},
                {
                    **values,
                    "value": sum(counts),
                    "published": True,
                    "notes": f"Sum of the counts of the {len(counts)} shelters the census lists "
                    "for this day; shelters it does not list are not counted.",
                },
                row=len(rows) + 1,
            )
    finished(report)
    if dry_run:
        transaction.set_rollback(True)
    return report


def facility_key(name: str) -> str:
    """A facility's name as compared: case and spacing aside."""
    return " ".join(name.split()).casefold()


def _read_row(row: dict, number: int, report: FigureReport) -> tuple[dt.date | None, int | None]:
    day = count = None
    try:
        day, precision = parse_partial_date(row["date"])
        if precision != DatePrecision.DAY:
            raise ValueError(f"'{row['date']}' is not a day; a census counts people on a day.")
        if day > timezone.localdate():
            raise ValueError(f"{day} is in the future.")
    except ValueError as error:
        report.skipped.append(RowError(number, "date", str(error)))
        day = None
    try:
        count = parse_count(row["count"])
    except ValueError as error:
        report.skipped.append(RowError(number, "count", str(error)))
    if not row["facility"]:
        report.skipped.append(RowError(number, "facility", "The facility is empty."))
        day = None
    return day, count


def import_shelter_census_job(
    *, text: str, options: dict, dry_run: bool, progress=None
) -> ImportOutcome:
    """A task's import of a census uploaded in the admin (policies.tasks)."""
    place = Jurisdiction.objects.get(pk=options["place"])
    report = figures_import_shelter_census(
        text=text,
        place=place,
        source=Source.objects.get(pk=options["source"]),
        population=options["population"],
        dry_run=dry_run,
        progress=progress,
    )
    verb = "would be" if dry_run else "were"
    return ImportOutcome(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        summary=f"{place}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged figures {verb} recorded (each facility's, unpublished, "
        "and each day's total).",
        errors=[str(error) for error in report.refused],
    )
