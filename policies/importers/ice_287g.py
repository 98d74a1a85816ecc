"""ICE's "287(g) Participating Agencies" sheet, saved from ice.gov's XLSX as CSV, as agreements
(the seed's copy: data/reference/ice_287g_participating_2025-07-18.csv).

The 287g-watch archive of ICE's older sheets (watch_287g.py) files agencies the same way.
"""

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from policies.bulk import bulk_write, changes_batch
from policies.csv_import import (
    ImportOutcome,
    RowError,
    read_csv_rows,
    save_in_bulk,
    set_changed,
)
from policies.geography import STATE_CODES_BY_NAME, STATE_NAMES
from policies.models import Jurisdiction, Policy, Source

ICE_PUBLISHER = "U.S. Immigration and Customs Enforcement"
ICE_287G_URL = "https://www.ice.gov/identify-and-arrest/287g"
ICE_287G_COLUMNS = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED")
ICE_SUPPORT_TYPES = {
    "jail enforcement model": Policy.AgreementModel.JAIL_ENFORCEMENT,
    "task force model": Policy.AgreementModel.TASK_FORCE,
    "warrant service officer": Policy.AgreementModel.WARRANT_SERVICE,
}
ICE_EXTERNAL_PREFIX = "ice-287g:"
# Where ICE's sheets are cited from: ICE itself, and the 287g-watch archive of its older ones.
WATCH_287G_URL = (
    "https://github.com/recoveredfactory/287g-watch/blob/"
    "0517b8110c2a9bfecd28fb988ada93e4f1c14816/packages/pipeline/data/agreements.csv"
)
ICE_SHEET_URLS = (ICE_287G_URL, WATCH_287G_URL)
MUNICIPAL_AGENCY_SUFFIX = re.compile(
    r"\s+(police department|police services department|police dept\.?|department of police|"
    r"department of public safety|public safety department|public safety|police|"
    r"marshal'?s office)$",
    re.IGNORECASE,
)
MUNICIPAL_AGENCY_PREFIX = re.compile(r"^(city|town|village|borough) of\s+", re.IGNORECASE)
COUNTY_AGENCY = re.compile(r"^(?P<county>.+?\s+(county|parish|borough))\b", re.IGNORECASE)


@dataclass
class Ice287gReport:
    sheet_date: dt.date
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    ending: list[str] = field(default_factory=list)  # each agreement ended, named
    refused: str = ""  # why nothing of the sheet was recorded
    places_created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run or self.refused else "were"
        return (
            f"ICE 287(g) sheet of {self.sheet_date}: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.renamed)} renamed and {self.ended} ended "
            f"agreements {verb} recorded; "
            f"{len(self.places_created)} local jurisdictions {verb} created; "
            f"{len(self.problems)} rows skipped, {len(self.warnings)} rows with warnings."
        )


def parse_ice_date(text: str) -> dt.date:
    """ICE's SIGNED cell: ISO or US dates. Raises ValueError on anything else, typos included."""
    text = text.strip()
    for date_format in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            day = dt.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
        # The program dates from 1996; a signing year outside it is a typo (e.g. 5025).
        if 1996 <= day.year <= dt.date.today().year + 1:
            return day
    raise ValueError(f"'{text}' is not a valid date")


class JurisdictionFinder:
    """Resolves an ICE agency to the jurisdiction it serves, creating missing cities."""

    def __init__(self, report: Ice287gReport) -> None:
        self.report = report
        self.states = {j.state: j for j in Jurisdiction.objects.states()}
        self.places: dict[tuple[str, str, str], Jurisdiction] = {
            (j.kind, j.state, j.name.lower()): j
            for j in Jurisdiction.objects.filter(
                kind__in=[Jurisdiction.Kind.COUNTY, Jurisdiction.Kind.CITY, Jurisdiction.Kind.OTHER]
            )
        }

    def county(self, state: str, county_cell: str, agency: str) -> tuple[Jurisdiction | None, str]:
        """The county an agency serves, and a warning when the sheet's spelling was corrected."""
        candidates = []
        if county_cell and county_cell != "#N/A":
            candidates.append(county_cell.strip())
        if match := COUNTY_AGENCY.match(agency):
            candidates.append(match["county"])
        for name in candidates:
            key = (Jurisdiction.Kind.COUNTY, state, name.lower())
            if key in self.places:
                return self.places[key], ""
        # ICE's sheet misspells some counties ("Berrian County", "Lampass County").
        names = {
            name: place
            for (kind, place_state, name), place in self.places.items()
            if kind == Jurisdiction.Kind.COUNTY and place_state == state
        }
        for name in candidates:
            if close := difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.85):
                county = names[close[0]]
                warning = f"'{name}' read as {county.name}, the closest county name in {state}."
                return county, warning
        return None, ""

    def city(self, state: str, agency: str) -> Jurisdiction:
        """A municipal police department's city; other local agencies (airport authorities,
        township constables) are filed under their own name as 'other'."""
        if MUNICIPAL_AGENCY_SUFFIX.search(agency):
            name = MUNICIPAL_AGENCY_PREFIX.sub("", MUNICIPAL_AGENCY_SUFFIX.sub("", agency)).strip()
            kind = Jurisdiction.Kind.CITY
        else:
            name, kind = agency, Jurisdiction.Kind.OTHER
        key = (kind, state, name.lower())
        if key not in self.places:
            city = Jurisdiction(name=name, kind=kind, state=state, parent=self.states[state])
            city.full_clean()
            city._change_reason = f"Created for ICE 287(g) sheet of {self.report.sheet_date}"
            city.save()
            self.places[key] = city
            self.report.places_created.append(city.display_name)
        return self.places[key]


def place_of_agency(
    values: dict[str, str], number: int, finder: JurisdictionFinder, report
) -> Jurisdiction | None:
    """The jurisdiction a sheet row's agency serves (creating a missing city), or None with the
    row's problem reported: an unknown state, model or type, no agency, no such county."""
    state = STATE_CODES_BY_NAME.get(values["STATE"].upper())
    model = ICE_SUPPORT_TYPES.get(values["SUPPORT TYPE"].lower())
    agency = values["LAW ENFORCEMENT AGENCY"]
    if state is None:
        report.problems.append(RowError(number, "STATE", f"Unknown state '{values['STATE']}'."))
        return None
    if state not in finder.states:
        message = f"{STATE_NAMES[state]} is not recorded; load the Census places first."
        report.problems.append(RowError(number, "STATE", message))
        return None
    if model is None:
        report.problems.append(
            RowError(number, "SUPPORT TYPE", f"Unknown 287(g) model '{values['SUPPORT TYPE']}'.")
        )
        return None
    if not agency:
        report.problems.append(RowError(number, "LAW ENFORCEMENT AGENCY", "No agency named."))
        return None

    agency_type = values["TYPE"].lower()
    if agency_type == "county":
        jurisdiction, warning = finder.county(state, values["COUNTY"], agency)
        if warning:
            report.warnings.append(RowError(number, "COUNTY", warning))
        if jurisdiction is None and MUNICIPAL_AGENCY_SUFFIX.search(agency):
            jurisdiction = finder.city(state, agency)
            report.warnings.append(
                RowError(
                    number,
                    "TYPE",
                    f"A police department typed County; filed under {jurisdiction.display_name}.",
                )
            )
        if jurisdiction is None:
            report.problems.append(
                RowError(number, "COUNTY", f"No county '{values['COUNTY']}' in {state}.")
            )
            return None
    elif agency_type == "state agency" or agency.lower().startswith(STATE_NAMES[state].lower()):
        jurisdiction = finder.states[state]
    elif agency_type == "municipality":
        jurisdiction = finder.city(state, agency)
    else:
        report.problems.append(RowError(number, "TYPE", f"Unknown type '{values['TYPE']}'."))
        return None
    return jurisdiction


def ice_row_key(values: dict[str, str]) -> str | None:
    """The key of the agreement a sheet row lists (agency and model, in its state)."""
    state = STATE_CODES_BY_NAME.get(values.get("STATE", "").upper())
    model = ICE_SUPPORT_TYPES.get(values.get("SUPPORT TYPE", "").lower())
    agency = values.get("LAW ENFORCEMENT AGENCY", "")
    if state is None or model is None or not agency:
        return None
    return f"{ICE_EXTERNAL_PREFIX}{state}:{slugify(agency)}:{model}"


def renamed_agreement(
    candidates: list[Policy], *, jurisdiction: Jurisdiction, model: str, agency: str, ori: str
) -> Policy | None:
    """The agreement a new sheet row continues under a new agency name: one no longer listed
    under its old name, of the same place and model, with the same FBI identifier (ORI) where
    both have one. None when no candidate, or several equally good, are found."""
    same_place = [
        policy
        for policy in candidates
        if policy.jurisdiction_id == jurisdiction.pk and policy.agreement_model == model
    ]
    if ori:
        by_ori = [policy for policy in same_place if policy.agency_ori == ori]
        if by_ori:
            return by_ori[0] if len(by_ori) == 1 else None
        same_place = [policy for policy in same_place if not policy.agency_ori]
    if len(same_place) == 1:
        return same_place[0]
    names = {policy.agency.lower(): policy for policy in same_place}
    close = difflib.get_close_matches(agency.lower(), names, n=2, cutoff=0.6)
    return names[close[0]] if len(close) == 1 else None


def ice_agreement_fields(row: dict, model: str, signed_on: dt.date | None) -> dict:
    agency = row["LAW ENFORCEMENT AGENCY"].strip()
    label = Policy.AgreementModel(model).label.lower()
    return {
        "category": Policy.Category.AGREEMENT_287G,
        "title": f"287(g) agreement, {label} model: {agency}",
        "summary": (
            f"{agency} takes part in ICE's 287(g) program under the {label} model, "
            "as listed on ICE's sheet of participating agencies."
        ),
        "direction": Policy.Direction.EXPANDS,
        "agreement_model": model,
        "agency": agency,
        "signed_on": signed_on,
        "document_url": (row.get("MOA_URL") or "").strip(),
        "published": True,
    }


# What a sheet row's agreement is checked against without a query: its place was just read
# or created, and its key (external_id) is unique among the agreements read for the sheet.
KNOWN_VALID = {"exclude": {"jurisdiction"}, "validate_constraints": False}

# A sheet that would end more than this share of the agreements in force is refused unless the
# ending is confirmed: a partial download or another of ICE's sheets (pending agreements) would
# otherwise end hundreds of agreements at once.
CONFIRM_ENDING_SHARE = 0.10


@transaction.atomic
@bulk_write()
def agreements_import_ice_287g(
    *,
    rows: Iterable[dict[str, str]],
    sheet_date: dt.date,
    dry_run: bool = False,
    confirm_ending: bool = False,
    endings_checked: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Ice287gReport:
    """Record ICE's "287(g) Participating Agencies" sheet, dated `sheet_date`, as agreements,
    logged for readers as one import.

    One agreement per agency and model, keyed so that re-importing a sheet changes nothing.
    Agreements on an earlier sheet but missing from this one are marked expired as of
    `sheet_date`, unless the same place and model reappear under a new agency name (matched by
    the FBI identifier in an optional ORI column where both rows have one): that is recorded as
    a rename. A sheet older than one already recorded only adds history: the date each
    agreement was first listed, and agreements it lists that a newer sheet no longer does (as
    ended by that sheet's date); it changes no current record. A row that cannot be placed is
    skipped and reported; a row whose SIGNED date is a typo is imported without a signing date
    and reported. Every agreement ended is named in the report; if more than
    CONFIRM_ENDING_SHARE of those in force would end, nothing is recorded unless
    `confirm_ending`; with `endings_checked` as well (the number a preview listed), only if the
    sheet still ends that many. `dry_run` rolls everything back.
    """
    report = Ice287gReport(sheet_date=sheet_date, dry_run=dry_run)
    with changes_batch(f"Import of ICE's 287(g) sheet of {sheet_date:%B %-d, %Y}"):
        _record_ice_sheet(
            [{key: (value or "").strip() for key, value in row.items() if key} for row in rows],
            report,
            progress,
        )
    in_force = (
        report.ended
        + Policy.objects.filter(
            external_id__startswith=ICE_EXTERNAL_PREFIX, status=Policy.Status.IN_EFFECT
        ).count()
    )
    if report.ended > CONFIRM_ENDING_SHARE * in_force and not confirm_ending:
        report.refused = (
            f"This sheet would end {report.ended} of the {in_force} agreements in force "
            f"(more than {CONFIRM_ENDING_SHARE:.0%}). A partial download or another of ICE's "
            "sheets (pending agreements, say) looks like this. Check the list of agreements it "
            "would end, then confirm the ending to record it."
        )
    elif confirm_ending and endings_checked is not None and report.ended != endings_checked:
        report.refused = (
            f"This sheet would now end {report.ended} agreements, not the {endings_checked} "
            "listed when it was checked and confirmed (another sheet was recorded since, "
            "say). Upload it again to check the new list."
        )
    if dry_run or report.refused:
        transaction.set_rollback(True)
    return report


def import_ice_sheet_job(
    *, text: str, options: dict, dry_run: bool, progress=None
) -> ImportOutcome:
    """A task's import of an ICE sheet uploaded in the admin (policies.tasks): options hold the
    sheet's date and, once staff confirmed it, the ending of many agreements."""
    report = agreements_import_ice_287g(
        rows=read_csv_rows(text),
        sheet_date=dt.date.fromisoformat(options["sheet_date"]),
        dry_run=dry_run,
        confirm_ending=options.get("confirmed", False),
        endings_checked=options.get("endings_checked"),
        progress=progress,
    )
    ending = "Agreements this sheet would end" if dry_run else "Agreements ended"
    outcome = ImportOutcome(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        summary=report.summary(),
        warnings=[str(warning) for warning in report.warnings],
        details={
            heading: items
            for heading, items in (
                (ending, report.ending),
                ("Agreements renamed (old name / new name)", report.renamed),
                ("Local jurisdictions created", report.places_created),
                ("Rows skipped", [str(problem) for problem in report.problems]),
            )
            if items
        },
    )
    recorded = report.created or report.updated or report.unchanged or report.renamed
    if report.problems and not recorded:
        outcome.errors = [f"The sheet was refused: {report.problems[0]}"]
    elif report.refused and not dry_run:
        outcome.errors = [f"Nothing was recorded. {report.refused}"]
    elif report.refused:
        outcome.warnings.insert(0, report.refused)
        outcome.confirmation = (
            f"I have checked the list of the {report.ended} agreements this sheet would end; "
            "end them."
        )
        outcome.checked = {"endings_checked": report.ended}
    return outcome


def _record_ice_sheet(
    rows: list[dict[str, str]],
    report: Ice287gReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    sheet_date = report.sheet_date
    if not rows:
        report.problems.append(RowError(0, "", "The sheet has no rows."))
        return
    if missing := [column for column in ICE_287G_COLUMNS if column not in rows[0]]:
        message = f"Not an ICE 287(g) sheet: missing columns {', '.join(missing)}"
        if missing == ["SIGNED"]:
            # Agencies and models but no signing dates: what a list of agreements not yet
            # signed would hold. Recording it would end every agreement in force.
            message = (
                "This sheet lists agencies and agreement models but has no SIGNED column: it "
                "may be ICE's list of pending agreements, which are not in force and are not "
                "recorded here. Import the participating-agencies sheet, whose agreements have "
                "signing dates."
            )
        report.problems.append(RowError(0, "", message))
        return

    source, _ = Source.objects.get_or_create(
        url=ICE_287G_URL,
        published_on=sheet_date,
        defaults={
            "publisher": ICE_PUBLISHER,
            "kind": Source.Kind.OFFICIAL,
            "title": f"287(g) Participating Agencies (sheet of {sheet_date:%B %-d, %Y})",
            "accessed_on": sheet_date,
        },
    )
    finder = JurisdictionFinder(report)
    existing = {
        p.external_id: p
        for p in Policy.objects.filter(external_id__startswith=ICE_EXTERNAL_PREFIX)
        .select_related("jurisdiction")
        .prefetch_related("sources")
    }
    seen: set[str] = set()
    reason = f"ICE 287(g) sheet of {sheet_date}"
    next_sheet = (
        Source.objects.filter(url__in=ICE_SHEET_URLS, published_on__gt=sheet_date)
        .order_by("published_on")
        .values_list("published_on", flat=True)
        .first()
    )
    listed = {ice_row_key(row) for row in rows}
    # Written in bulk once the sheet is read: a few queries for the sheet, not a dozen a row.
    created: list[Policy] = []
    updated: dict[int, Policy] = {}
    fields: set[str] = set()
    linked: list[tuple[Policy, str, Source]] = []
    # Agreements this sheet does not list under their key: ended, or listed under another name.
    # For the newest sheet only those in force can continue; an older sheet may name any.
    unlisted = [
        policy
        for key, policy in existing.items()
        if key not in listed and (next_sheet or policy.status == Policy.Status.IN_EFFECT)
    ]

    for number, values in enumerate(rows, 1):
        if progress:
            progress(number)
        jurisdiction = place_of_agency(values, number, finder, report)
        if jurisdiction is None:
            continue
        model = ICE_SUPPORT_TYPES[values["SUPPORT TYPE"].lower()]
        agency = values["LAW ENFORCEMENT AGENCY"]

        signed_on = None
        try:
            signed_on = parse_ice_date(values["SIGNED"]) if values["SIGNED"] else None
        except ValueError as error:
            report.warnings.append(
                RowError(number, "SIGNED", f"{error}; agreement recorded without a signing date.")
            )

        external_id = ice_row_key(values)
        if external_id in seen:
            report.warnings.append(RowError(number, "", "Same agency and model as an earlier row."))
            continue
        seen.add(external_id)
        ori = values.get("ORI", "")
        wanted = ice_agreement_fields(values, model, signed_on) | {
            "jurisdiction": jurisdiction,
            "status": Policy.Status.IN_EFFECT,
            "ended_on": None,
            "first_listed_on": sheet_date,
        }
        if ori:
            wanted["agency_ori"] = ori
        policy = existing.get(external_id)
        change_reason = reason
        if policy is None:
            policy = renamed_agreement(
                unlisted, jurisdiction=jurisdiction, model=model, agency=agency, ori=ori
            )
            if policy is not None:
                unlisted.remove(policy)
                if next_sheet is None:  # the newest sheet's name becomes the current one
                    existing[external_id] = existing.pop(policy.external_id)
                    change_reason = f"Renamed on {reason} (was {policy.agency})"
                    wanted["external_id"] = external_id
                report.renamed.append(f"{policy.agency} / {agency}")
        if policy is None:
            if next_sheet is not None:
                # Listed on this older sheet but on no newer one: it had ended by the next.
                wanted |= {"status": Policy.Status.EXPIRED, "ended_on": next_sheet}
            policy = Policy(external_id=external_id, **wanted)
            policy.full_clean(**KNOWN_VALID)
            policy._change_reason = reason
            created.append(policy)
            linked.append((policy, "sources", source))
            report.created += 1
            continue
        if next_sheet is not None:
            # History only: a newer sheet says what is current.
            wanted = {"first_listed_on": min(sheet_date, policy.first_listed_on or sheet_date)}
            if ori and not policy.agency_ori:
                wanted["agency_ori"] = ori
        else:
            wanted["first_listed_on"] = min(sheet_date, policy.first_listed_on or sheet_date)
        if signed_on is None:
            wanted["signed_on"] = policy.signed_on  # keep a date staff may have corrected
        if changed := set_changed(policy, wanted, change_reason, **KNOWN_VALID):
            updated[policy.pk] = policy
            fields.update(changed)
            report.updated += 1
        else:
            report.unchanged += 1
        if source not in policy.sources.all():
            linked.append((policy, "sources", source))

    if next_sheet is not None:
        report.warnings.append(
            RowError(
                0,
                "",
                f"ICE's sheet of {next_sheet} is newer and already recorded: this sheet was "
                "recorded as history only, and no current agreement was changed or ended.",
            )
        )
    else:
        for policy in unlisted:
            if policy.status != Policy.Status.IN_EFFECT:
                continue
            policy.status = Policy.Status.EXPIRED
            policy.ended_on = sheet_date
            policy._change_reason = f"Not on {reason}"
            updated[policy.pk] = policy
            fields.update(("status", "ended_on"))
            linked.append((policy, "sources", source))
            report.ended += 1
            report.ending.append(
                f"{policy.agency}, {policy.jurisdiction.display_name} "
                f"({policy.get_agreement_model_display().lower()})"
            )
    save_in_bulk(
        model=Policy,
        created=created,
        updated=list(updated.values()),
        fields=sorted(fields),
        linked=linked,
    )
