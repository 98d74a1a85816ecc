"""Read CSV text: rows as dicts for the source importers, or run through a django-import-export
resource with row errors reported plainly; and the importers' save of what changed.

The admin's imports run as background tasks (policies.tasks) through `import_with_resource`;
commands, the seed loader and tests call `csv_import`: the same resources and validation.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.resources import ModelResource
from simple_history.models import HistoricalRecords

from policies.bulk import places_changed, records_saved_in_bulk
from policies.data_version import data_changed


@dataclass(frozen=True)
class RowError:
    """A problem with one data row. `row` counts data rows from 1; the header is line 1; row 0
    is the file as a whole."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f"row {self.row} (line {self.row + 1})"
        if self.field:
            return f"{where}, field '{self.field}': {self.message}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. figures overlapping others
    # (row, "new" or "update", the record) for the first CHANGES_LISTED rows that change.
    changes: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error(s); nothing was saved."
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} new, {self.updated} updated, {self.skipped} unchanged rows {verb} "
            "imported."
        )


CHANGES_LISTED = 500


def csv_import(
    *,
    resource: ModelResource,
    text: str,
    dry_run: bool = False,
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import CSV `text` with `resource` in one transaction: any bad row saves nothing.
    `progress` is called with the number of each row read."""
    report = ImportReport(dry_run=dry_run)
    try:
        dataset = tablib.Dataset().load(text.lstrip("\ufeff"), format="csv")
    except Exception as error:  # tablib raises several types for malformed CSV
        report.errors.append(RowError(0, "", f"The file is not readable CSV: {error}"))
        return report

    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        file_name=file_name,
        progress=progress,
    )
    for error in result.base_errors:
        report.errors.append(RowError(0, "", str(error.error)))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            report.errors.append(RowError(number, "", str(error.error)))
    for invalid in result.invalid_rows:
        for field_name, messages in invalid.error_dict.items():
            name = "" if field_name == NON_FIELD_ERRORS else field_name
            for message in messages:
                report.errors.append(RowError(invalid.number, name, str(message)))
    report.errors.sort(key=lambda error: (error.row, error.field))

    report.warnings = getattr(result, "overlap_warnings", [])
    for number, row in enumerate(result.rows, 1):
        if len(report.changes) == CHANGES_LISTED:
            break
        if row.import_type in (row.IMPORT_TYPE_NEW, row.IMPORT_TYPE_UPDATE):
            report.changes.append((number, row.import_type, row.object_repr or ""))
    totals = result.totals
    report.created = totals.get("new", 0)
    report.updated = totals.get("update", 0)
    report.skipped = totals.get("skip", 0)
    return report


@dataclass
class ImportOutcome:
    """What an import run by a task (policies.tasks) found or did, for its job's page. Every
    importer staff start in the admin returns one."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    summary: str = ""
    errors: list[str] = field(default_factory=list)  # any error: nothing was or will be saved
    warnings: list[str] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)  # lists by heading
    # What staff must confirm as well before the file is imported (a checkbox's label), and
    # what the check found that the import must find again for the confirmation to hold.
    confirmation: str = ""
    checked: dict = field(default_factory=dict)


def import_with_resource(
    *, text: str, options: dict, dry_run: bool, progress: Callable[[int], None]
) -> ImportOutcome:
    """A task's import of a file in the layout of options["resource"] (a dotted path)."""
    report = csv_import(
        resource=import_string(options["resource"])(),
        text=text,
        dry_run=dry_run,
        file_name=options.get("file_name", ""),
        progress=progress,
    )
    outcome = ImportOutcome(
        created=report.created,
        updated=report.updated,
        unchanged=report.skipped,
        summary=report.summary(),
        errors=[str(error) for error in report.errors],
        warnings=report.warnings,
    )
    if report.changes:
        outcome.details["Rows that change"] = [
            f"Row {row}: {'new' if kind == 'new' else 'updated'}, {record}"
            for row, kind, record in report.changes
        ]
    return outcome


def read_csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def set_changed(
    record: models.Model, values: dict, reason: str | None = None, **clean_options
) -> list[str]:
    """Set the `values` that differ on `record` and validate it (`full_clean(**clean_options)`),
    with `reason` for its history; the names of the fields that differed."""
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(record, name, value)
        record.full_clean(**clean_options)
        record._change_reason = reason
    return list(changed)


def save_changed(record: models.Model, values: dict, reason: str | None = None) -> bool:
    """Set the `values` that differ on `record`, then validate and save it with `reason` in its
    history. Whether anything differed: a record already up to date is not saved again."""
    changed = set_changed(record, values, reason)
    if changed:
        record.save()
    return bool(changed)


def acting_user():
    """Who the change is recorded as made by: the request's user (django-simple-history's
    middleware), or the staff member a background import acts for (policies.tasks)."""
    request = getattr(HistoricalRecords.context, "request", None)
    return getattr(request, "user", None)


def save_in_bulk(
    *,
    model: type[models.Model],
    created: list[models.Model],
    updated: list[models.Model],
    fields: list[str],
    linked: list[tuple[models.Model, str, models.Model]] = (),
    batch_size: int = 1000,
    refresh_places: bool = True,
) -> None:
    """Insert `created`, write `fields` of `updated` and add the `linked` (record, many-to-many
    field, related record) links, in a few queries per `batch_size` records, keeping what a
    save of each would: a history row each (django-simple-history's bulk_history_create, with
    the links it records), the signals through which the reader site logs them and rebuilds
    the places' summaries (`policies.bulk`), and the data version, bumped once the
    transaction commits. A record saved and linked gets one history row, not one for each.
    A caller saving in several batches may pass `refresh_places=False` and call
    `places_changed` once, after the last."""
    history = model.history
    new = {id(record) for record in created}
    changed = {id(record): record for record in [*updated, *(record for record, *_ in linked)]}
    changed = [record for key, record in changed.items() if key not in new]
    rows = []
    with transaction.atomic():
        if created:
            model.objects.bulk_create(created, batch_size=batch_size)
        if updated and fields:
            model.objects.bulk_update(updated, fields, batch_size=batch_size)
        if updated:
            # bulk_update, unlike save, leaves `auto_now` fields as they were. One time for
            # all, so one UPDATE, not a CASE over every record as bulk_update writes.
            now = timezone.now()
            stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
            for record in updated:
                for name in stamped:
                    setattr(record, name, now)
            if stamped:
                keys = [record.pk for record in updated]
                model.objects.filter(pk__in=keys).update(**dict.fromkeys(stamped, now))
        for name in {name for _record, name, _related in linked}:
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through
            own, other = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
            # A link already there (a corrected sheet of the same date) stays, as add() leaves it.
            through.objects.bulk_create(
                [
                    through(**{own: record.pk, other: related.pk})
                    for record, link, related in linked
                    if link == name
                ],
                batch_size=batch_size,
                ignore_conflicts=True,
            )
        user = acting_user()
        if created:
            rows += history.bulk_history_create(created, batch_size=batch_size, default_user=user)
        if changed:
            rows += history.bulk_history_create(
                changed, update=True, batch_size=batch_size, default_user=user
            )
        _record_links_in_history(model, rows, batch_size)
        records_saved_in_bulk.send(sender=model, history_rows=rows)
        if refresh_places and any(field.name == "jurisdiction" for field in model._meta.fields):
            places_changed(model, {record.jurisdiction_id for record in [*created, *changed]})
        data_changed()


def _record_links_in_history(model: type[models.Model], rows: list, batch_size: int) -> None:
    """What django-simple-history records of a saved record's many-to-many fields (its
    `m2m_fields`), for history rows written in bulk: the links each record has."""
    historical = model.history.model
    for m2m in historical._history_m2m_fields:
        through = m2m.remote_field.through
        link_history = apps.get_model(
            historical._meta.app_label, f"{historical.__name__}_{m2m.name}"
        )
        own = f"{m2m.m2m_field_name()}_id"
        links: dict[int, list] = {}
        for link in through.objects.filter(**{f"{own}__in": [row.id for row in rows]}):
            links.setdefault(getattr(link, own), []).append(link)
        names = [f.attname for f in through._meta.fields]
        link_history.objects.bulk_create(
            [
                link_history(history=row, **{name: getattr(link, name) for name in names})
                for row in rows
                for link in links.get(row.id, [])
            ],
            batch_size=batch_size,
        )
