"""The Justice Department's sanctuary jurisdiction list of 2025-08-05 (EO 14287), as designations.

Transcribed from justice.gov, with Census GEOIDs joined:
data/reference/doj_sanctuary_jurisdictions_2025-08-05.csv.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from policies.bulk import bulk_write
from policies.csv_import import RowError, read_csv_rows
from policies.models import Designation, Jurisdiction, Source

DOJ_PUBLISHER = "U.S. Department of Justice"
DOJ_LIST_NAME = "Sanctuary jurisdiction list under Executive Order 14287"
DOJ_LABEL = "Sanctuary jurisdiction"


@dataclass
class DesignationReport:
    created: int = 0
    unchanged: int = 0
    problems: list[RowError] = field(default_factory=list)


@transaction.atomic
@bulk_write()
def designations_import_doj_list(*, text: str) -> DesignationReport:
    """Rows are matched to jurisdictions by Census GEOID, else by kind, state and name; a listed
    city missing from the Census file of large places (East Lansing, MI) is created."""
    report = DesignationReport()
    for number, row in enumerate(read_csv_rows(text), 1):
        kind = row["jurisdiction_type"].strip()
        state = row["state_abbr"].strip()
        geoid = row["census_geoid"].strip() or None
        name = row["jurisdiction"].split(",")[0].strip()
        jurisdiction = Jurisdiction.objects.filter(geoid=geoid).first() if geoid else None
        if jurisdiction is None:
            jurisdiction = Jurisdiction.objects.filter(kind=kind, state=state, name=name).first()
        if jurisdiction is None and kind == Jurisdiction.Kind.CITY:
            jurisdiction = Jurisdiction(
                name=name,
                kind=kind,
                state=state,
                parent=Jurisdiction.objects.states().get(state=state),
            )
            jurisdiction.full_clean()
            jurisdiction.save()
        if jurisdiction is None:
            report.problems.append(RowError(number, "jurisdiction", f"Not found: {name}"))
            continue
        listed_on = dt.date.fromisoformat(row["list_published"].strip())
        source, _ = Source.objects.get_or_create(
            url=row["source_url"].strip(),
            published_on=listed_on,
            defaults={
                "publisher": DOJ_PUBLISHER,
                "kind": Source.Kind.OFFICIAL,
                "title": "U.S. sanctuary jurisdiction list following Executive Order 14287",
            },
        )
        note = row.get("note", "").strip()
        disputed = "error" in note.lower()
        _, created = Designation.objects.get_or_create(
            jurisdiction=jurisdiction,
            designated_by=DOJ_PUBLISHER,
            label=DOJ_LABEL,
            designated_on=listed_on,
            defaults={
                "list_name": DOJ_LIST_NAME,
                "source": source,
                "disputed": disputed,
                "dispute_note": note if disputed else "",
                "published": True,
            },
        )
        report.created += created
        report.unchanged += not created
    return report
