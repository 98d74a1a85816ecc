"""The 287g-watch archive: ICE's 287(g) participating-agencies sheets of May 16 to July 3,
2025, one row per agreement and sheet, joined to each agency's FBI identifier (ORI).

The archive is history behind ICE's own newer sheet, which is imported first and says what is
current: for each agreement the archive lists, it records when the agreement was first listed
and the agency's ORI, and it adds the agreements that had left ICE's list by its next sheet,
as ended on that sheet's date. An agency listed under different names is recognised by its
ORI (and otherwise by its place and model), so a rename is never one ended and one new
agreement. The archive lowercases agency names; ICE's own spelling comes from ICE's sheets.
"""

import csv
import datetime as dt
import io
import string
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from policies.bulk import bulk_write, changes_batch
from policies.csv_import import RowError, save_changed
from policies.geography import STATE_CODES_BY_NAME, STATE_NAMES
from policies.importers.ice_287g import (
    COUNTY_AGENCY,
    ICE_EXTERNAL_PREFIX,
    ICE_SHEET_URLS,
    ICE_SUPPORT_TYPES,
    MUNICIPAL_AGENCY_SUFFIX,
    WATCH_287G_URL,
    Ice287gReport,
    JurisdictionFinder,
    ice_agreement_fields,
    renamed_agreement,
)
from policies.models import Policy, Source

COLUMNS = ("date", "state", "county", "agency", "ori", "type", "agency_type")
COUNTY_TYPES = ("(001) Sheriff", "(004) County/Regional Police")


@dataclass
class Listing:
    """One agreement as the archive lists it: its latest row and the sheets that list it."""

    row: dict[str, str]
    days: list[dt.date] = field(default_factory=list)


@dataclass
class WatchReport:
    sheet_days: list[dt.date] = field(default_factory=list)
    matched: int = 0
    updated: int = 0
    added: int = 0
    renamed: int = 0
    problems: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s); nothing was recorded."
        first, last = min(self.sheet_days), max(self.sheet_days)
        return (
            f"287g-watch archive: {len(self.sheet_days)} sheets from {first} to {last}; "
            f"{self.matched} agreements found in the record ({self.renamed} under another "
            f"name), {self.updated} given an earlier listing date or an ORI, {self.added} "
            "that had left ICE's list added as ended."
        )


def _listings(text: str, report: WatchReport) -> dict[tuple, Listing]:
    """Agreements by identity (state, ORI or name, model). Where the archive holds two copies
    of one day's sheet (morning and afternoon), both count as that day's."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(
            RowError(0, "", f"Not a 287g-watch file: missing columns {', '.join(missing)}.")
        )
        return {}
    listings: dict[tuple, Listing] = {}
    days = set()
    for number, row in enumerate(reader, 1):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        try:
            day = dt.date.fromisoformat(row["date"].partition(" ")[0])
        except ValueError:
            report.problems.append(RowError(number, "date", f"'{row['date']}' is not a date."))
            continue
        state = STATE_CODES_BY_NAME.get(row["state"].upper())
        model = ICE_SUPPORT_TYPES.get(row["type"].lower())
        if state is None or model is None or not row["agency"]:
            field_name = "state" if state is None else "type" if model is None else "agency"
            report.problems.append(RowError(number, field_name, "Not readable."))
            continue
        days.add(day)
        identity = (state, row["ori"] or slugify(row["agency"]), model)
        listing = listings.setdefault(identity, Listing(row=row))
        if day >= max(listing.days, default=day):
            listing.row = row
        listing.days.append(day)
    report.sheet_days = sorted(days)
    return listings


def _place(finder: JurisdictionFinder, state: str, row: dict[str, str], agency: str):
    """The jurisdiction an archived row's agency serves, as the ICE sheet importer files it."""
    county_type = row["agency_type"] in COUNTY_TYPES or (
        row["agency_type"] == "NA" and COUNTY_AGENCY.match(agency)
    )
    if county_type:
        county, _warning = finder.county(state, row["county"], agency)
        if county is not None:
            return county
        if not MUNICIPAL_AGENCY_SUFFIX.search(agency):
            return None
    if agency.lower().startswith(STATE_NAMES[state].lower()):
        return finder.states[state]
    return finder.city(state, agency)


def agreements_import_287g_watch(*, text: str) -> WatchReport:
    """Record the archive as history of the agreements (see the module's docstring), logged
    for readers as one import. A file with any unreadable row records nothing."""
    with changes_batch("Import of the 287g-watch archive of ICE's 287(g) sheets"):
        return _record_archive(text)


@transaction.atomic
@bulk_write()
def _record_archive(text: str) -> WatchReport:
    report = WatchReport()
    listings = _listings(text, report)
    if report.problems:
        return report
    sources = {}
    for day in report.sheet_days:
        sources[day], _ = Source.objects.get_or_create(
            url=WATCH_287G_URL,
            published_on=day,
            defaults={
                "publisher": "287g-watch (Recovered Factory), archive of ICE's sheets",
                "kind": Source.Kind.BLOG,
                "title": f"ICE 287(g) participating agencies, sheet of {day:%B %-d, %Y}, "
                "as archived",
                "notes": "A third-party archive of ICE's sheets, joined to FBI agency data.",
            },
        )
    sheet_days = sorted(
        Source.objects.filter(url__in=ICE_SHEET_URLS, published_on__isnull=False)
        .values_list("published_on", flat=True)
        .distinct()
    )
    finder = JurisdictionFinder(Ice287gReport(sheet_date=report.sheet_days[-1]))
    agreements = list(
        Policy.objects.filter(external_id__startswith=ICE_EXTERNAL_PREFIX).prefetch_related(
            "sources"
        )
    )
    by_key = {policy.external_id: policy for policy in agreements}
    unmatched = set(agreements)

    # Newest listings first: an agency renamed along the way is found under its newest name.
    ordered = sorted(listings.items(), key=lambda item: max(item[1].days), reverse=True)
    for (state, ori, model), listing in ordered:
        agency = string.capwords(listing.row["agency"])
        jurisdiction = _place(finder, state, listing.row, agency)
        if jurisdiction is None:
            continue
        key = f"{ICE_EXTERNAL_PREFIX}{state}:{slugify(agency)}:{model}"
        ori = listing.row["ori"]
        policy = by_key.get(key) if by_key.get(key) in unmatched else None
        if policy is None:
            policy = renamed_agreement(
                list(unmatched), jurisdiction=jurisdiction, model=model, agency=agency, ori=ori
            )
            report.renamed += policy is not None
        first, last = min(listing.days), max(listing.days)
        if policy is not None:
            unmatched.discard(policy)
            report.matched += 1
            changes = {}
            if policy.first_listed_on is None or first < policy.first_listed_on:
                changes["first_listed_on"] = first
            if ori and not policy.agency_ori:
                changes["agency_ori"] = ori
            reason = "History from the 287g-watch archive of ICE's sheets"
            report.updated += save_changed(policy, changes, reason)
            if sources[first] not in policy.sources.all():
                policy.sources.add(sources[first])
            continue
        # Not on ICE's newer sheet under any name: it had left the list by the next sheet.
        next_day = next((day for day in sheet_days if day > last), None)
        fields = ice_agreement_fields({"LAW ENFORCEMENT AGENCY": agency}, model, None)
        policy = Policy(
            external_id=key,
            jurisdiction=jurisdiction,
            status=Policy.Status.EXPIRED if next_day else Policy.Status.IN_EFFECT,
            ended_on=next_day,
            first_listed_on=first,
            agency_ori=ori,
            **fields,
        )
        policy.full_clean()
        policy._change_reason = "From the 287g-watch archive of ICE's sheets"
        policy.save()
        policy.sources.add(*{sources[first], sources[last]})
        report.added += 1
    return report
