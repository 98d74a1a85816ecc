"""The 287g-watch archive: ICE's 287(g) participating-agencies sheets of May 16 to July 3,
2025, one row per agreement and sheet, joined to each agency's FBI identifier (ORI).

Each archived sheet goes through the ICE sheet importer (`agreements_import_ice_287g`), newest
first, after ICE's own newer sheet: a sheet older than one already recorded only adds history
(when each agreement was first listed, and agreements that had ended by the next sheet), and
the ORI recognises an agency listed under another name. The archive lowercases agency names;
ICE's own spelling comes from ICE's sheets.
"""

import csv
import datetime as dt
import io
import string
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from policies.csv_import import RowError
from policies.models import Source
from policies.services import (
    COUNTY_AGENCY,
    WATCH_287G_URL,
    Ice287gReport,
    agreements_import_ice_287g,
)
from policies.summaries import summaries_deferred

COLUMNS = ("date", "state", "county", "agency", "ori", "type", "agency_type")
# The FBI's agency types, as ICE's sheet would type the agency.
COUNTY_TYPES = ("(001) Sheriff", "(004) County/Regional Police")
MUNICIPAL_TYPES = ("(003) Local Police",)


@dataclass
class WatchReport:
    sheets: list[Ice287gReport] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s); nothing was recorded."
        days = ", ".join(str(sheet.sheet_date) for sheet in self.sheets)
        return (
            f"287g-watch archive: {len(self.sheets)} sheets ({days}); "
            f"{sum(s.created for s in self.sheets)} agreements added, "
            f"{sum(len(s.renamed) for s in self.sheets)} recognised under another name, "
            f"{sum(s.updated for s in self.sheets)} updated."
        )


def _ice_type(row: dict[str, str]) -> str:
    if row["agency_type"] in COUNTY_TYPES or (
        row["agency_type"] == "NA" and COUNTY_AGENCY.match(row["agency"])
    ):
        return "County"
    return "Municipality"  # police departments; other agencies are filed under their name


def sheets_from_archive(text: str) -> tuple[dict[dt.date, list[dict]], list[RowError]]:
    """The archive's rows as ICE sheet rows, by sheet date. Where the archive holds two
    copies of one day's sheet (morning and afternoon), the later one is that day's sheet."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        return {}, [RowError(0, "", f"Not a 287g-watch file: missing {', '.join(missing)}.")]
    copies: dict[dt.date, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    problems = []
    for number, row in enumerate(reader, 1):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        day_text, _, half = row["date"].partition(" ")
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            problems.append(RowError(number, "date", f"'{row['date']}' is not a date."))
            continue
        copies[day][half].append(
            {
                "STATE": row["state"],
                "LAW ENFORCEMENT AGENCY": string.capwords(row["agency"]),
                "TYPE": _ice_type(row),
                "COUNTY": row["county"],
                "SUPPORT TYPE": row["type"],
                "SIGNED": "",
                "ORI": row["ori"],
            }
        )
    sheets = {day: halves[max(halves)] for day, halves in copies.items()}  # "pm" after "am"
    return sheets, problems


@transaction.atomic
@summaries_deferred()
def agreements_import_287g_watch(*, text: str, accessed_on: dt.date | None = None) -> WatchReport:
    """Record every sheet of the 287g-watch archive as history of the agreements, newest
    first. A file with any unreadable row records nothing."""
    report = WatchReport()
    sheets, report.problems = sheets_from_archive(text)
    if report.problems:
        return report
    for day in sorted(sheets, reverse=True):
        source, _ = Source.objects.get_or_create(
            url=WATCH_287G_URL,
            published_on=day,
            defaults={
                "publisher": "287g-watch (Recovered Factory), archive of ICE's sheets",
                "kind": Source.Kind.BLOG,
                "title": f"ICE 287(g) participating agencies, sheet of {day:%B %-d, %Y}, "
                "as archived",
                "accessed_on": accessed_on,
                "notes": "A third-party archive of ICE's sheets, joined to FBI agency data; "
                "ICE no longer publishes these sheets itself.",
            },
        )
        report.sheets.append(
            agreements_import_ice_287g(rows=sheets[day], sheet_date=day, source=source)
        )
    return report
