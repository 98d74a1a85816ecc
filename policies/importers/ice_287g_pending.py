"""ICE's list of pending 287(g) agreements, saved from ice.gov's XLSX as CSV: the agencies ICE
lists as having asked for an agreement not yet signed (columns STATE, LAW ENFORCEMENT AGENCY,
TYPE, COUNTY, SUPPORT TYPE; the participating sheet's SIGNED column is what it lacks). A copy of
the sheet of May 15, 2025: data/reference/ice_287g_pending_2025-05-15.csv.

Each row is recorded as a proposed agreement (status "proposed"), which no table, map or count
of agreements in force includes. A newer pending sheet ends the pending agreements it no longer
lists, as of its date, without saying why (signed or withdrawn: the sheet does not tell); the
participating sheet ends a pending agreement it lists as signed (ice_287g.py). A sheet older
than a pending sheet already recorded changes nothing and is refused.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from policies.changelog import changes_batch
from policies.csv_import import ImportOutcome, RowError, read_csv_rows, save_in_bulk, set_changed
from policies.geography import STATE_CODES_BY_NAME
from policies.importers.ice_287g import (
    ICE_EXTERNAL_PREFIX,
    ICE_PENDING_PREFIX,
    ICE_PUBLISHER,
    ICE_SHEET_URLS,
    ICE_SUPPORT_TYPES,
    KNOWN_VALID,
    JurisdictionFinder,
    place_of_agency,
)
from policies.models import Policy, Source
from policies.summaries import summaries_deferred

ICE_PENDING_COLUMNS = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE")
ICE_PENDING_TITLE = "287(g) Pending Agreements"


@dataclass
class PendingSheetReport:
    sheet_date: dt.date
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ending: list[str] = field(default_factory=list)  # pending agreements no longer listed
    refused: str = ""  # why nothing of the sheet was recorded
    places_created: list[str] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run or self.refused else "were"
        return (
            f"ICE pending 287(g) sheet of {self.sheet_date}: {self.created} new, "
            f"{self.updated} updated, {self.unchanged} unchanged and {len(self.ending)} no "
            f"longer listed pending agreements {verb} recorded; {len(self.places_created)} "
            f"local jurisdictions {verb} created; {len(self.problems)} rows skipped."
        )


def pending_key(values: dict[str, str]) -> str:
    """A pending agreement's key: the participating sheet's key for the same agency and model
    (ice_287g.ice_row_key), under its own prefix."""
    state = STATE_CODES_BY_NAME[values["STATE"].upper()]
    model = ICE_SUPPORT_TYPES[values["SUPPORT TYPE"].lower()]
    return f"{ICE_PENDING_PREFIX}{state}:{slugify(values['LAW ENFORCEMENT AGENCY'])}:{model}"


def signed_key(pending_id: str) -> str:
    """The key the agreement will have on the participating sheet once signed."""
    return ICE_EXTERNAL_PREFIX + pending_id.removeprefix(ICE_PENDING_PREFIX)


def pending_agreement_fields(values: dict[str, str], sheet_date: dt.date) -> dict:
    agency = values["LAW ENFORCEMENT AGENCY"]
    model = ICE_SUPPORT_TYPES[values["SUPPORT TYPE"].lower()]
    label = Policy.AgreementModel(model).label.lower()
    return {
        "category": Policy.Category.AGREEMENT_287G,
        "title": f"Pending 287(g) agreement, {label} model: {agency}",
        "summary": (
            f"ICE's list of pending 287(g) agreements of {sheet_date:%B %-d, %Y} names {agency} "
            f"for the {label} model. A pending agreement is not signed and not in force."
        ),
        "direction": Policy.Direction.EXPANDS,
        "status": Policy.Status.PROPOSED,
        "agreement_model": model,
        "agency": agency,
        "ended_on": None,
        "published": True,
    }


@transaction.atomic
@summaries_deferred()
def agreements_import_ice_287g_pending(
    *,
    rows: Iterable[dict[str, str]],
    sheet_date: dt.date,
    source_url: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> PendingSheetReport:
    """Record ICE's list of pending 287(g) agreements dated `sheet_date`, downloaded from
    `source_url`, as proposed agreements; re-importing it changes nothing. `dry_run` rolls
    everything back; a refused sheet records nothing."""
    report = PendingSheetReport(sheet_date=sheet_date, dry_run=dry_run)
    rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in rows]
    report.refused = _refusal(rows, sheet_date, source_url)
    if not report.refused:
        with changes_batch(f"Import of ICE's pending 287(g) sheet of {sheet_date:%B %-d, %Y}"):
            _record_pending_sheet(rows, source_url, report, progress)
        recorded = report.created + report.updated + report.unchanged
        if report.problems and not recorded:
            report.refused = f"No row could be read: {report.problems[0]}"
    if dry_run or report.refused:
        transaction.set_rollback(True)
    return report


def _refusal(rows: list[dict[str, str]], sheet_date: dt.date, source_url: str) -> str:
    if source_url in ICE_SHEET_URLS:
        # Sources at those addresses are taken for participating sheets.
        return (
            f"{source_url} is where ICE's participating sheets are cited from: give the address "
            "of the pending list itself (its download link on that page, or an archived copy)."
        )
    if not rows:
        return "The sheet has no rows."
    if "SIGNED" in rows[0]:
        return (
            "This sheet has a SIGNED column: it is ICE's sheet of participating agencies, whose "
            "agreements are signed. Import it as an ICE 287(g) participating-agencies sheet."
        )
    if missing := [column for column in ICE_PENDING_COLUMNS if column not in rows[0]]:
        return (
            f"This is not ICE's list of pending 287(g) agreements: it has the columns "
            f"{', '.join(rows[0])} and the list has {', '.join(ICE_PENDING_COLUMNS)} "
            f"(missing: {', '.join(missing)})."
        )
    newer = (
        Source.objects.filter(title__startswith=ICE_PENDING_TITLE, published_on__gt=sheet_date)
        .order_by("-published_on")
        .values_list("published_on", flat=True)
        .first()
    )
    if newer:
        return (
            f"ICE's pending sheet of {newer} is newer and already recorded: an older list of "
            "pending agreements says nothing about what is pending now."
        )
    return ""


def _record_pending_sheet(
    rows: list[dict[str, str]],
    source_url: str,
    report: PendingSheetReport,
    progress: Callable[[int], None] | None,
) -> None:
    sheet_date = report.sheet_date
    source, _ = Source.objects.get_or_create(
        url=source_url,
        published_on=sheet_date,
        defaults={
            "publisher": ICE_PUBLISHER,
            "kind": Source.Kind.OFFICIAL,
            "title": f"{ICE_PENDING_TITLE} (sheet of {sheet_date:%B %-d, %Y})",
            "accessed_on": sheet_date,
        },
    )
    finder = JurisdictionFinder(report)
    existing = {
        policy.external_id: policy
        for policy in Policy.objects.filter(external_id__startswith=ICE_PENDING_PREFIX)
        .select_related("jurisdiction")
        .prefetch_related("sources")
    }
    signed = set(
        Policy.objects.filter(external_id__startswith=ICE_EXTERNAL_PREFIX).values_list(
            "external_id", flat=True
        )
    )
    reason = f"ICE pending 287(g) sheet of {sheet_date}"
    created: list[Policy] = []
    updated: dict[int, Policy] = {}
    fields: set[str] = set()
    linked: list[tuple[Policy, str, Source]] = []
    seen: set[str] = set()
    for number, values in enumerate(rows, 1):
        if progress:
            progress(number)
        jurisdiction = place_of_agency(values, number, finder, report)
        if jurisdiction is None:
            continue
        key = pending_key(values)
        if key in seen:
            report.warnings.append(RowError(number, "", "Same agency and model as an earlier row."))
            continue
        seen.add(key)
        if signed_key(key) in signed:
            report.warnings.append(
                RowError(
                    number,
                    "",
                    "An agreement of this agency and model is already recorded from ICE's "
                    "participating sheet; the pending entry is recorded beside it.",
                )
            )
        wanted = pending_agreement_fields(values, sheet_date) | {"jurisdiction": jurisdiction}
        policy = existing.get(key)
        if policy is None:
            policy = Policy(external_id=key, first_listed_on=sheet_date, **wanted)
            policy.full_clean(**KNOWN_VALID)
            policy._change_reason = reason
            created.append(policy)
            linked.append((policy, "sources", source))
            report.created += 1
            continue
        # The summary names the first sheet that listed it; a later one only confirms it.
        wanted.pop("summary")
        if changed := set_changed(policy, wanted, reason, **KNOWN_VALID):
            updated[policy.pk] = policy
            fields.update(changed)
            report.updated += 1
        else:
            report.unchanged += 1
        if source not in policy.sources.all():
            linked.append((policy, "sources", source))
    for key, policy in existing.items():
        if key in seen or policy.status != Policy.Status.PROPOSED:
            continue
        policy.status = Policy.Status.EXPIRED
        policy.ended_on = sheet_date
        policy._change_reason = f"Not on {reason}"
        updated[policy.pk] = policy
        fields.update(("status", "ended_on"))
        linked.append((policy, "sources", source))
        report.ending.append(f"{policy.agency}, {policy.jurisdiction.display_name}")
    save_in_bulk(
        model=Policy,
        created=created,
        updated=list(updated.values()),
        fields=sorted(fields),
        linked=linked,
    )


def import_ice_pending_sheet_job(
    *, text: str, options: dict, dry_run: bool, progress=None
) -> ImportOutcome:
    """A task's import of ICE's pending sheet uploaded in the admin (policies.tasks)."""
    report = agreements_import_ice_287g_pending(
        rows=read_csv_rows(text),
        sheet_date=dt.date.fromisoformat(options["sheet_date"]),
        source_url=options["source_url"],
        dry_run=dry_run,
        progress=progress,
    )
    ending = "No longer listed as pending" + (" (would end)" if dry_run else " (ended)")
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
                ("Local jurisdictions created", report.places_created),
                ("Rows skipped", [str(problem) for problem in report.problems]),
            )
            if items
        },
    )
    if report.refused:
        outcome.errors = [f"Nothing was recorded. {report.refused}"]
    return outcome
