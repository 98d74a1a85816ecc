"""Bulk writes (imports, seed loads) and the signals through which the reader site follows them.

Bulk saves send no per-record `post_save`, and a file of a thousand rows would otherwise rebuild
derived rows a thousand times. Importers mark their work with the two scopes below;
`csv_import.save_in_bulk` and the scopes send the signals, from which `tracker` keeps its
comparison summaries and the public change log current. So this app, like arrivals, never
imports the reader site.
"""

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Model
from django.dispatch import Signal

# sender: the model; history_rows: the django-simple-history rows a bulk save wrote.
records_saved_in_bulk = Signal()
# sender: the model; jurisdiction_ids: the places whose records a bulk save wrote. Not sent
# inside a `bulk_write`, whose end stands for every place.
places_changed_in_bulk = Signal()
# sender: None. The outermost `bulk_write` ended and its transaction is kept.
bulk_write_ended = Signal()

_state = threading.local()


def in_bulk_write() -> bool:
    return getattr(_state, "depth", 0) > 0


@contextmanager
def bulk_write() -> Iterator[None]:
    """For many writes at once: per-record work that can wait (rebuilding a place's summary)
    waits, and is done once for every place when the outermost scope ends.

    Usable as a decorator; nested uses send `bulk_write_ended` only at the outermost end."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
    # A dry run marks its transaction for rollback: nothing it wrote is kept, nothing changed.
    if not in_bulk_write() and not transaction.get_connection().needs_rollback:
        bulk_write_ended.send(sender=None)


def places_changed(model: type[Model], jurisdiction_ids: Iterable[int]) -> None:
    """Say that a bulk save wrote `model` records of these places (see `places_changed_in_bulk`)."""
    if not in_bulk_write():
        places_changed_in_bulk.send(sender=model, jurisdiction_ids=set(jurisdiction_ids))


@contextmanager
def changes_batch(label: str) -> Iterator[None]:
    """Log the changes written inside as one bulk change named `label` (e.g. "Import of ICE's
    sheet of July 18, 2025"), listed as one entry with its counts. The outermost batch wins."""
    if current_batch():
        yield
        return
    _state.batch = (uuid.uuid4().hex, label[:300])
    try:
        yield
    finally:
        _state.batch = None


def current_batch() -> tuple[str, str] | None:
    """The id and label of the `changes_batch` being written, if any."""
    return getattr(_state, "batch", None)
