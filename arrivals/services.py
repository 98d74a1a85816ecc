"""Writes for arrival figures: imports of transcribed reference files, and the overlap warning."""

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction

from arrivals.models import ArrivalCount
from policies.csv_import import RowError
from policies.import_widgets import parse_count, parse_partial_date
from policies.models import DatePrecision, Jurisdiction, Source
from policies.services import read_csv_rows
from policies.summaries import summaries_deferred

# Names of the sites the transcribed figures were read on, by host.
PUBLISHERS_BY_HOST = {
    "2paragraphs.com": "2paragraphs",
    "cbsnews.com": "CBS News",
    "chicago.suntimes.com": "Chicago Sun-Times",
    "dallasobserver.com": "Dallas Observer",
    "denvergazette.com": "Denver Gazette",
    "digital-staging.kdvr.com": "KDVR (FOX31 Denver)",
    "foxnews.com": "Fox News",
    "fox32chicago.com": "FOX 32 Chicago",
    "github.com": "GitHub",
    "kendallharmon.net": "Kendall Harmon (blog quoting The New York Times)",
    "kens5.com": "KENS 5",
    "newsnationnow.com": "NewsNation",
    "nypost.com": "New York Post",
    "scribd.com": "Scribd",
    "startribune.com": "Star Tribune",
    "targetednews.com": "Targeted News Service",
    "thecentersquare.com": "The Center Square",
    "weaselzippers.us": "Weasel Zippers",
}
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
ALL_DESTINATIONS = "ALL DESTINATIONS"


def publisher_for_url(url: str) -> str:
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.").rstrip(".")
    return PUBLISHERS_BY_HOST.get(host, host)


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


@dataclass
class FigureReport:
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} figures created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} rows skipped"
        )


class _Places:
    """Finds destination jurisdictions by the labels the transcribed files use."""

    def __init__(self) -> None:
        self.cache: dict[str, Jurisdiction | None] = {}

    def get(self, label: str) -> Jurisdiction | None:
        if label not in self.cache:
            self.cache[label] = self._find(label)
        return self.cache[label]

    def _find(self, label: str) -> Jurisdiction | None:
        if label.endswith("(state)"):
            name = label.removesuffix("(state)").strip()
            return Jurisdiction.objects.states().filter(name=name).first()
        name, _, state = label.rpartition(",")
        return Jurisdiction.objects.filter(
            kind=Jurisdiction.Kind.CITY, name=name.strip(), state=state.strip()
        ).first()


MISSING_SOURCE = (
    "No source with this URL has been entered; import it under Sources first, with its "
    "publisher and kind."
)


def _cited_source(url: str) -> Source | None:
    """The source entered for `url`: figures cite sources staff have classified, never ones
    made up from an address."""
    return Source.objects.filter(url=url.strip()).order_by("-published_on").first()


def _save_figure(report: FigureReport, keys: dict, values: dict) -> None:
    figure = ArrivalCount.objects.filter(**keys).first()
    if figure is None:
        figure = ArrivalCount(**keys, **values)
        figure.full_clean()
        figure.save()
        report.created += 1
        return
    changed = {k: v for k, v in values.items() if getattr(figure, k) != v}
    if not changed:
        report.unchanged += 1
        return
    for key, value in changed.items():
        setattr(figure, key, value)
    figure.full_clean()
    figure.save()
    report.updated += 1


@transaction.atomic
@summaries_deferred()
def figures_import_texas_busing(*, text: str) -> FigureReport:
    """Texas Governor's office cumulative "bused at least N" totals, by destination city.

    Rows without an as-of date are skipped (their date is unknown). "ALL DESTINATIONS" totals
    are skipped: a figure belongs to one destination, and the totals repeat the city rows.
    """
    report = FigureReport()
    places = _Places()
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
        source = _cited_source(row["source_url"])
        if source is None:
            report.skipped.append(RowError(number, "source_url", MISSING_SOURCE))
            continue
        since, since_precision = parse_partial_date(row["counting_since"])
        claimant = row["reported_by"].replace("(as reported)", "").strip()
        keys = {
            "jurisdiction": jurisdiction,
            "measure": ArrivalCount.Measure.BUSED,
            "unit": ArrivalCount.Unit.PEOPLE,
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
        _save_figure(report, keys, values)
    return report


@transaction.atomic
@summaries_deferred()
def figures_import_city_reports(*, text: str) -> FigureReport:
    """Figures published by city and state officials: cumulative arrivals and people in shelter.

    The qualifier the page used ("nearly", "over", "some") is read from the note.
    """
    report = FigureReport()
    places = _Places()
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
        source = _cited_source(row["source_url"])
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
        _save_figure(report, keys, values)
    return report


def arrivalcount_overlap_warning(*, count: ArrivalCount) -> str:
    """A warning for staff when `count` overlaps other figures it must never be added to."""
    others = list(count.overlapping_figures()[:6])
    if not others:
        return ""
    listed = "; ".join(
        f"{o.display_value} ({o.period_display}, {o.source.publisher})" for o in others
    )
    return (
        f"{count.jurisdiction}: this figure's period overlaps {len(others)} other figure(s) of the "
        f"same measure and sender ({listed}). They are shown side by side and never added."
    )


NYC_SHELTER_SOURCE_URL = "https://github.com/anesta95/nyc_shelter_count"
NYC_ASYLUM_AGENCY = "herrcs"


@transaction.atomic
@summaries_deferred()
def figures_import_nyc_shelter(*, text: str) -> FigureReport:
    """New York City's monthly count of people in its asylum-seeker shelters (HERRCs).

    Each row of the Local Law 79 report is one month's unduplicated individuals; only the
    HERRC rows are migrants specifically, so the other agencies' rows are left out.
    """
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
        month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )
        if month_end > dt.date.today():
            report.skipped.append(RowError(number, "date", "The month has not ended."))
            continue
        keys = {
            "jurisdiction": nyc,
            "measure": ArrivalCount.Measure.IN_SHELTER,
            "unit": ArrivalCount.Unit.PEOPLE,
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
        _save_figure(report, keys, values)
    return report
