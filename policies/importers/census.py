"""The Census Bureau's states, counties and places of 50,000+ people, as jurisdictions.

Files in data/reference/: FIPS codes (via addfips 0.4.2) and the PEP 2014 places export.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from policies.bulk import bulk_write
from policies.csv_import import save_changed
from policies.geography import STATE_NAMES
from policies.models import Jurisdiction

# Census names places by their legal form ("Chicago city", "Cary town"); readers know them
# without it. "(balance)" marks the part of a consolidated government outside other places.
PLACE_SUFFIX = re.compile(
    r"\s+(city|town|village|municipality|CDP|urban county|metropolitan government|"
    r"metro government|consolidated government|unified government)(\s+\(balance\))?$"
)
# The Justice Department, the article and the city itself say "New York City".
PLACE_NAME_OVERRIDES = {"3651000": "New York City"}


def place_display_name(census_name: str, geoid: str) -> str:
    """'Chicago city, Illinois' -> 'Chicago'; overrides where the common name differs."""
    if geoid in PLACE_NAME_OVERRIDES:
        return PLACE_NAME_OVERRIDES[geoid]
    name = census_name.rsplit(",", 1)[0].strip()
    return PLACE_SUFFIX.sub("", name)


@dataclass
class CensusReport:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.created} jurisdictions created, {self.updated} updated"


def _placed_inside(place: Jurisdiction, state: Jurisdiction | None) -> bool:
    """Whether `place` lies in a county (or similar) of `state`."""
    parent = place.parent
    return state is not None and parent is not None and parent.parent_id == state.pk


def _upsert_by_geoid(
    records: Iterable[dict], existing: dict[str, Jurisdiction], report: CensusReport
) -> dict[str, Jurisdiction]:
    """Create or update jurisdictions keyed by GEOID, saving only what changed."""
    to_create = []
    for record in records:
        current = existing.get(record["geoid"])
        if current is None:
            to_create.append(Jurisdiction(**record))
            continue
        if _placed_inside(current, record.get("parent")):
            # The Census file names only the state; a county recorded since is kept.
            record = {key: value for key, value in record.items() if key != "parent"}
        report.updated += save_changed(current, record)
    for jurisdiction in to_create:
        jurisdiction.slug = jurisdiction.build_slug()
        # Uniqueness is left to the database: checking it here costs a query per row.
        jurisdiction.full_clean(validate_unique=False, validate_constraints=False)
    created = Jurisdiction.objects.bulk_create(to_create)
    # bulk_create skips save() and so the history signal; record creation explicitly.
    Jurisdiction.history.bulk_history_create(created, default_change_reason="Census import")
    report.created += len(created)
    return {j.geoid: j for j in [*existing.values(), *created]}


@transaction.atomic
@bulk_write()
def jurisdictions_import_census(
    *, states_csv: str, counties_csv: str, places_csv: str
) -> CensusReport:
    """Load states and DC, their counties, and incorporated places as cities.

    `places_csv` is the Census PEP 2014 export of places of 50,000+ people; a city's
    population is its July 1, 2014 estimate. Cities are attached to their state, since the
    file does not say which county (often several) a city lies in.
    """
    report = CensusReport()
    existing = {
        j.geoid: j for j in Jurisdiction.objects.exclude(geoid=None).select_related("parent")
    }

    states = {}
    for row in csv.DictReader(io.StringIO(states_csv)):
        code = row["postal"].strip()
        if code in STATE_NAMES and code not in states:
            states[code] = {
                "name": STATE_NAMES[code],
                "kind": Jurisdiction.Kind.STATE,
                "state": code,
                "geoid": row["fips"].strip().zfill(2),
            }
    by_geoid = _upsert_by_geoid(states.values(), existing, report)
    state_by_fips = {record["geoid"]: by_geoid[record["geoid"]] for record in states.values()}

    counties: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(counties_csv)):
        state = state_by_fips.get(row["statefp"].strip().zfill(2))
        geoid = row["statefp"].strip().zfill(2) + row["countyfp"].strip().zfill(3)
        # Territories are outside this tracker's scope; later rows of a GEOID are aliases
        # ("Brooklyn Borough" for Kings County).
        if state is None or geoid in counties:
            continue
        counties[geoid] = {
            "name": row["name"].strip(),
            "kind": Jurisdiction.Kind.COUNTY,
            "state": state.state,
            "geoid": geoid,
            "parent": state,
        }
    by_geoid = _upsert_by_geoid(counties.values(), by_geoid, report)

    reader = csv.reader(io.StringIO(places_csv))
    header = next(reader)
    geoid_column, name_column = header.index("GC_RANK.target-geo-id2"), 7
    population_column = header.index("respop72014")
    cities = []
    for row in reader:
        if len(row) <= population_column or not row[geoid_column].strip():
            continue
        geoid = row[geoid_column].strip().zfill(7)
        state = state_by_fips.get(geoid[:2])
        if state is None:
            continue
        cities.append(
            {
                "name": place_display_name(row[name_column], geoid),
                "kind": Jurisdiction.Kind.CITY,
                "state": state.state,
                "geoid": geoid,
                "parent": state,
                "population": int(row[population_column]),
                "population_year": 2014,
            }
        )
    _upsert_by_geoid(cities, by_geoid, report)
    return report
