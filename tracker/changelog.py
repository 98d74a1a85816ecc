"""The public "Updates and corrections" log, derived from the records' history.

Every history row of a policy, arrival figure or designation (django-simple-history writes
one per save, delete and change of sources) is compared with the row before it. A published
record that appears, changes in a field readers see, or disappears becomes a `PublicChange`;
drafts and internal fields (notes for staff, import keys, timestamps) never do.

Successive saves of one record by one person within `MERGE_WINDOW` (an admin save writes the
fields, then the sources, as two history rows) become one entry.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.signals import post_create_historical_record

from arrivals.models import ArrivalCount, figure_as_stated
from policies.bulk import current_batch
from policies.models import (
    DatePrecision,
    Designation,
    Jurisdiction,
    Policy,
    PublicChange,
    Source,
    choice_label,
    format_partial_date,
)

MERGE_WINDOW = dt.timedelta(minutes=1)

# The fields readers see, in the order a change lists them.
TRACKED_FIELDS: dict[str, tuple[str, ...]] = {
    PublicChange.RecordType.POLICY: (
        "title", "summary", "category", "direction", "status", "adopted_on", "effective_on",
        "signed_on", "ended_on", "detainer_rule", "detainer_exceptions", "agreement_model",
        "agency", "document_url", "sources", "jurisdiction",
    ),
    PublicChange.RecordType.FIGURE: (
        "value", "qualifier", "unit", "measure", "population", "facility", "period_type",
        "period_start", "period_end", "as_of", "sender", "program", "reported_by", "notes",
        "source", "jurisdiction",
    ),
    PublicChange.RecordType.DESIGNATION: (
        "label", "designated_by", "list_name", "designated_on", "disputed", "dispute_note",
        "source", "jurisdiction",
    ),
}  # fmt: skip

MODELS: dict[str, type[models.Model]] = {
    PublicChange.RecordType.POLICY: Policy,
    PublicChange.RecordType.FIGURE: ArrivalCount,
    PublicChange.RecordType.DESIGNATION: Designation,
}

# A date stored with the precision it is known to (see `DatePrecision`).
DATE_PRECISIONS = {
    "adopted_on": "adopted_precision",
    "effective_on": "effective_precision",
    "period_start": "period_start_precision",
    "as_of": "as_of_precision",
}

FIELD_LABELS = {
    "title": _("title"),
    "summary": _("summary"),
    "category": _("category"),
    "direction": _("direction"),
    "status": _("status"),
    "adopted_on": _("adopted"),
    "effective_on": _("took effect"),
    "signed_on": _("agreement signed"),
    "ended_on": _("ended"),
    "detainer_rule": _("ICE detainers"),
    "detainer_exceptions": _("detainer exceptions"),
    "agreement_model": _("287(g) model"),
    "agency": _("agency"),
    "document_url": _("agreement document"),
    "sources": _("sources"),
    "source": _("source"),
    "jurisdiction": _("jurisdiction"),
    "value": _("figure"),
    "qualifier": _("qualifier"),
    "unit": _("unit"),
    "measure": _("measure"),
    "population": _("population counted"),
    "facility": _("facility or agency"),
    "period_type": _("period"),
    "period_start": _("period start"),
    "period_end": _("period end"),
    "as_of": _("as of"),
    "sender": _("sent by"),
    "program": _("program"),
    "reported_by": _("reported by"),
    "notes": _("notes"),
    "label": _("label"),
    "designated_by": _("designated by"),
    "list_name": _("list"),
    "designated_on": _("designated on"),
    "disputed": _("disputed"),
    "dispute_note": _("dispute"),
}


@cache  # reading `Model.history` builds a manager each time
def record_type_of(history_model: type[models.Model]) -> str | None:
    return {model.history.model: kind for kind, model in MODELS.items()}.get(history_model)


class _Lookups:
    """Names of sources and places read once per history row: a row and the one before it
    usually cite the same ones, and imports write hundreds of rows. `known` holds a place
    the saved record already carries, so it costs no query."""

    def __init__(self, known: Jurisdiction | None = None) -> None:
        self.sources: dict[int, str] = {}
        self.places: dict[int, Jurisdiction | None] = {known.pk: known} if known else {}

    def source_names(self, ids: list[int]) -> list[str]:
        missing = [pk for pk in ids if pk not in self.sources]
        if missing:
            for source in Source.objects.filter(pk__in=missing).only("publisher", "title"):
                self.sources[source.pk] = (
                    f"{source.publisher}: {source.title}" if source.title else source.publisher
                )
        return [self.sources.get(pk, "") for pk in ids]

    def place(self, pk: int) -> Jurisdiction | None:
        if pk not in self.places:
            self.places[pk] = Jurisdiction.objects.filter(pk=pk).first()
        return self.places[pk]


def _snapshot(row, record_type: str, lookups: _Lookups) -> dict[str, object]:
    """The reader-visible values of one history row, as JSON-ready raw values."""
    values: dict[str, object] = {}
    for name in TRACKED_FIELDS[record_type]:
        if name == "sources":
            ids = [cited.source_id for cited in row.historicalpolicy_sources_set.all()]
            values[name] = sorted(lookups.source_names(ids))
        elif name == "source":
            values[name] = lookups.source_names([row.source_id])[0] if row.source_id else ""
        elif name == "jurisdiction":
            place = lookups.place(row.jurisdiction_id)
            values[name] = place.display_name if place else ""
        else:
            value = getattr(row, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
                if name in DATE_PRECISIONS:
                    value = [value, getattr(row, DATE_PRECISIONS[name])]
            values[name] = value
    return values


def _label(row, record_type: str) -> str:
    if record_type == PublicChange.RecordType.POLICY:
        return row.title
    if record_type == PublicChange.RecordType.DESIGNATION:
        return row.label
    return f"{choice_label(row, 'measure')}: {row.value:,}"


def _previous(row):
    if row.history_type == "+":
        return None  # a creation has nothing before it
    return (
        type(row)
        .objects.filter(id=row.id, history_id__lt=row.history_id)
        .order_by("-history_id")
        .first()
    )


_UNREAD = object()


def public_change_for(
    row,
    record_type: str,
    place: Jurisdiction | None = None,
    *,
    previous=_UNREAD,
    lookups: _Lookups | None = None,
) -> PublicChange | None:
    """The log entry one history row makes, or None when readers saw no change. `place`, when
    given, is the record's jurisdiction as already loaded; `previous` (the history row before,
    None for none) and `lookups` when a bulk caller has read them already."""
    is_published = row.published and row.history_type != "-"
    if not is_published and row.history_type == "+":
        return None  # a new draft: nothing to read
    if previous is _UNREAD:
        previous = _previous(row)
    was_published = bool(previous and previous.published)
    if not is_published and not was_published:
        return None
    lookups = lookups or _Lookups(known=place)
    withdrawn = was_published and not is_published
    # A withdrawal shows what readers last saw: text saved with it (a new title, say) was
    # never published.
    row_shown = previous if withdrawn else row
    snapshot = _snapshot(row_shown, record_type, lookups)
    changes: list[list] = []
    if withdrawn:
        kind = PublicChange.Kind.REMOVED
    elif not was_published:
        kind = PublicChange.Kind.ADDED
    else:
        before = _snapshot(previous, record_type, lookups)
        changes = [
            [name, before[name], snapshot[name]]
            for name in TRACKED_FIELDS[record_type]
            if before[name] != snapshot[name]
        ]
        if not changes:
            return None
        kind = PublicChange.Kind.CHANGED
    place = lookups.place(row_shown.jurisdiction_id)
    batch, batch_label = current_batch() or ("", "")
    return PublicChange(
        changed_at=row.history_date,
        kind=kind,
        record_type=record_type,
        record_id=row.id,
        record_label=_label(row_shown, record_type)[:300],
        jurisdiction_slug=place.slug if place else "",
        jurisdiction_name=place.display_name if place else "",
        snapshot=snapshot,
        changes=changes,
        reason=row.history_change_reason or "",
        history_user_id=row.history_user_id,
        history_id=row.history_id,
        batch=batch,
        batch_label=batch_label,
    )


def _merge(earlier: PublicChange, later: PublicChange) -> None:
    """Fold `later` into `earlier`: one entry per edit, with each field's first old value."""
    if earlier.kind == PublicChange.Kind.CHANGED:
        merged = {name: [name, old, new] for name, old, new in earlier.changes}
        for name, old, new in later.changes:
            first_old = merged[name][1] if name in merged else old
            merged[name] = [name, first_old, new]
        earlier.changes = [change for change in merged.values() if change[1] != change[2]]
    earlier.snapshot = later.snapshot
    earlier.record_label = later.record_label
    earlier.reason = earlier.reason or later.reason
    # The entry now covers history up to this row (see `rebuild_public_changes`).
    earlier.history_id = later.history_id


def _merges_into(entry: PublicChange, latest: PublicChange | None) -> bool:
    """Whether `entry` continues `latest`, the record's newest entry: the same person's edit
    of a moment ago."""
    return (
        entry.kind == PublicChange.Kind.CHANGED
        and latest is not None
        and latest.kind in (PublicChange.Kind.ADDED, PublicChange.Kind.CHANGED)
        and latest.history_user_id == entry.history_user_id
        and entry.changed_at - latest.changed_at <= MERGE_WINDOW
    )


def record_public_change(
    row, record_type: str, place: Jurisdiction | None = None
) -> PublicChange | None:
    """Add the log entry of one history row, merged into the record's entry of a moment ago."""
    entry = public_change_for(row, record_type, place)
    if entry is None:
        return None
    latest = PublicChange.objects.filter(record_type=record_type, record_id=row.id).first()
    if _merges_into(entry, latest):
        _merge(latest, entry)
        if latest.kind == PublicChange.Kind.CHANGED and not latest.changes:
            latest.delete()
        else:
            latest.save()
        return latest
    entry.save()
    return entry


def record_public_changes(rows: list, record_type: str, chunk_size: int = 1000) -> None:
    """`record_public_change` for the history rows a bulk write made (at most one per record,
    as `bulk_history_create` writes them), in a few queries per `chunk_size` rows instead of
    several per row: the rows before them, the places and sources they name and the records'
    newest entries are read together, and the entries written together."""
    rows = sorted(rows, key=lambda row: row.history_id)
    for start in range(0, len(rows), chunk_size):
        _record_public_changes(rows[start : start + chunk_size], record_type)


def _record_public_changes(rows: list, record_type: str) -> None:
    history = type(rows[0])
    changed_ids = {row.id for row in rows if row.history_type != "+"}
    before = (
        history.objects.filter(id__in=changed_ids, history_id__lt=rows[0].history_id)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("last", flat=True)
    )
    previous = {row.id: row for row in history.objects.filter(history_id__in=list(before))}
    if record_type == PublicChange.RecordType.POLICY:
        models.prefetch_related_objects([*rows, *previous.values()], "historicalpolicy_sources_set")
    lookups = _Lookups()
    read = [*rows, *previous.values()]
    place_ids = {row.jurisdiction_id for row in read} - lookups.places.keys()
    lookups.places |= {place.pk: place for place in Jurisdiction.objects.filter(pk__in=place_ids)}
    if record_type == PublicChange.RecordType.POLICY:
        lookups.source_names(
            [cited.source_id for row in read for cited in row.historicalpolicy_sources_set.all()]
        )
    elif record_type in TRACKED_FIELDS and "source" in TRACKED_FIELDS[record_type]:
        lookups.source_names([row.source_id for row in read if row.source_id])

    entries = []
    for row in rows:
        entry = public_change_for(row, record_type, previous=previous.get(row.id), lookups=lookups)
        if entry is not None:
            entries.append(entry)
    changed = [entry.record_id for entry in entries if entry.kind == PublicChange.Kind.CHANGED]
    latest: dict[int, PublicChange] = {}
    for found in PublicChange.objects.filter(record_type=record_type, record_id__in=changed):
        latest.setdefault(found.record_id, found)  # the model's order puts the newest first
    new, merged, emptied = [], [], []
    for entry in entries:
        newest = latest.get(entry.record_id)
        if _merges_into(entry, newest):
            _merge(newest, entry)
            if newest.kind == PublicChange.Kind.CHANGED and not newest.changes:
                emptied.append(newest.pk)
            else:
                merged.append(newest)
        else:
            new.append(entry)
    PublicChange.objects.filter(pk__in=emptied).delete()
    PublicChange.objects.bulk_update(
        merged, ["changes", "snapshot", "record_label", "reason", "history_id"]
    )
    PublicChange.objects.bulk_create(new)


def connect_signals(*models: type[models.Model]) -> None:
    """Log every new history row of `models` (ones `MODELS` knows) that readers may see."""
    for model in models:
        post_create_historical_record.connect(
            record_public_change_after_history,
            sender=model.history.model,
            dispatch_uid=f"changelog-{model.__name__}",
        )


def record_public_changes_after_bulk_save(sender, history_rows: list, **kwargs) -> None:
    """Receiver of `policies.bulk.records_saved_in_bulk`: log the rows a bulk save wrote."""
    if history_rows and (record_type := record_type_of(type(history_rows[0]))):
        record_public_changes(history_rows, record_type)


def record_public_change_after_history(sender, history_instance, instance, **kwargs) -> None:
    """post_create_historical_record handler (see `connect_signals`)."""
    record_type = record_type_of(sender)
    if record_type is None:
        return
    field = type(instance)._meta.get_field("jurisdiction")
    place = instance.jurisdiction if field.is_cached(instance) else None
    if place is not None and place.pk != history_instance.jurisdiction_id:
        place = None
    record_public_change(history_instance, record_type, place)


def rebuild_public_changes() -> int:
    """Write the entries of history rows newer than a record's last logged row, oldest first;
    returns how many rows were read. Used once for history written before the log existed,
    and safe to repeat: an entry keeps the id of the last history row it covers."""
    read = 0
    for record_type, model in MODELS.items():
        logged = dict(
            PublicChange.objects.filter(record_type=record_type)
            .values("record_id")
            .annotate(last=Max("history_id"))
            .values_list("record_id", "last")
        )
        for row in model.history.order_by("history_id").iterator(chunk_size=500):
            read += 1
            if row.history_id > logged.get(row.id, 0):
                record_public_change(row, record_type)
    return read


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    old: str
    new: str


def display_value(record_type: str, name: str, value: object) -> str:
    """A stored raw value in the reader's language: choice labels, local dates and numbers."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list) and name in DATE_PRECISIONS:
        day, precision = value
        return format_partial_date(dt.date.fromisoformat(day), precision)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    try:
        field = MODELS[record_type]._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):  # stored ISO, without a precision
        return format_partial_date(dt.date.fromisoformat(value), DatePrecision.DAY)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def change_lines(entry: PublicChange) -> list[ChangeLine]:
    """What an entry shows: old -> new for a change, the record's values for an addition."""
    if entry.kind == PublicChange.Kind.CHANGED:
        triples = entry.changes
    elif entry.kind == PublicChange.Kind.ADDED:
        triples = [[name, None, value] for name, value in entry.snapshot.items()]
        if entry.record_type == PublicChange.RecordType.FIGURE:
            # An added figure reads as stated ("about 5,800"), not as three separate fields.
            stated = entry_title(entry).split(": ", 1)[-1]
            triples = [
                [name, None, stated if name == "value" else value]
                for name, _old, value in triples
                if name not in ("qualifier", "unit")
            ]
    else:
        triples = []
    lines = [
        ChangeLine(
            field=name,
            label=str(FIELD_LABELS.get(name, name)),
            old=display_value(entry.record_type, name, old),
            new=display_value(entry.record_type, name, new),
        )
        for name, old, new in triples
    ]
    return [line for line in lines if line.old or line.new]


def entry_title(entry: PublicChange) -> str:
    """The record an entry is about, in the reader's language where it is not staff's text."""
    if entry.record_type != PublicChange.RecordType.FIGURE:
        return entry.record_label
    values = entry.snapshot
    stated = figure_as_stated(
        value=values.get("value") or 0,
        qualifier=values.get("qualifier") or "",
        unit=values.get("unit") or "",
    )
    measure = display_value(entry.record_type, "measure", values.get("measure"))
    return f"{measure}: {stated}"
