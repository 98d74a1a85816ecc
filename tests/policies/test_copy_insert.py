"""Bulk inserts by COPY (CopyInsertQuerySet): what a bulk import writes must read back exactly
as `bulk_create` would have written it, with the records' keys set."""

import datetime as dt
import zoneinfo

import pytest
from django.db import DataError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrivals.models import ArrivalCount
from policies.models import PublicChange, stored_as_is
from tests.factories import make_arrival_count, make_jurisdiction, make_source

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = 'Tab\there, a new line\nand a backslash \\N, "quotes", ñ and \\.'


def unsaved_figures(count: int) -> list[ArrivalCount]:
    place, source = make_jurisdiction(), make_source()
    return [
        ArrivalCount(
            jurisdiction=place,
            source=source,
            measure=ArrivalCount.Measure.IN_SHELTER,
            period_type=ArrivalCount.PeriodType.POINT,
            as_of=dt.date(2024, 1, 1) + dt.timedelta(days=day),
            value=1_000 + day,
            notes=AWKWARD_TEXT if day == 0 else "",
            published=True,
        )
        for day in range(count)
    ]


def test_bulk_created_figures_come_back_with_keys_and_read_back_unchanged():
    figures = ArrivalCount.objects.bulk_create(unsaved_figures(3))

    assert all(figure.pk for figure in figures)
    assert len({figure.pk for figure in figures}) == 3
    assert not figures[0]._state.adding
    stored = ArrivalCount.objects.get(pk=figures[0].pk)
    assert stored.notes == AWKWARD_TEXT
    assert stored.value == 1_000
    assert stored.as_of == dt.date(2024, 1, 1)
    assert stored.period_start is None
    assert stored.updated_at is not None  # auto_now is set as by an INSERT


def test_a_figure_saved_after_a_bulk_insert_gets_a_key_of_its_own():
    figures = ArrivalCount.objects.bulk_create(unsaved_figures(2))
    later = make_arrival_count()
    assert later.pk not in {figure.pk for figure in figures}
    assert ArrivalCount.objects.count() == 3


def test_history_rows_written_in_bulk_keep_their_values_and_keys():
    figures = ArrivalCount.objects.bulk_create(unsaved_figures(2))
    rows = ArrivalCount.history.bulk_history_create(figures, default_user=None)

    assert all(row.history_id for row in rows)
    stored = ArrivalCount.history.get(history_id=rows[0].history_id)
    assert (stored.id, stored.notes, stored.history_type) == (figures[0].pk, AWKWARD_TEXT, "+")


def test_log_entries_written_in_bulk_keep_their_json_and_time():
    snapshot = {"value": 12, "notes": AWKWARD_TEXT, "as_of": ["2024-01-01", "day"]}
    chicago_time = dt.datetime(2024, 3, 1, 18, 30, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    PublicChange.objects.bulk_create(
        [
            PublicChange(
                changed_at=chicago_time,
                kind=PublicChange.Kind.CHANGED,
                record_type=PublicChange.RecordType.FIGURE,
                record_id=1,
                record_label="People in shelter: 12",
                snapshot=snapshot,
                changes=[["value", 10, 12]],
                history_id=1,
            )
        ]
    )
    stored = PublicChange.objects.get()
    assert stored.changed_at == chicago_time
    assert stored.snapshot == snapshot
    assert stored.changes == [["value", 10, 12]]
    assert stored.batch == ""


def test_inserts_that_handle_conflicts_use_djangos_own():
    entry = {
        "changed_at": timezone.now(),
        "kind": PublicChange.Kind.ADDED,
        "record_type": PublicChange.RecordType.FIGURE,
        "record_id": 1,
        "record_label": "x",
        "history_id": 7,
    }
    PublicChange.objects.bulk_create([PublicChange(**entry)])
    PublicChange.objects.bulk_create([PublicChange(**entry)], ignore_conflicts=True)
    assert PublicChange.objects.count() == 1


def test_values_of_another_type_go_through_their_fields_preparation():
    [figure] = unsaved_figures(1)
    figure.notes = gettext_lazy("Shown to readers beside the figure.")  # lazy text
    figure.program = True  # a bool in a text field: Django stores "True"
    figure.value = 1200.0  # a float in a number field: Django stores 1200

    ArrivalCount.objects.bulk_create([figure])

    stored = ArrivalCount.objects.get()
    assert (stored.notes, stored.program, stored.value) == (
        "Shown to readers beside the figure.",
        "True",
        1200,
    )


def test_only_djangos_plain_fields_store_values_as_they_are():
    figure_field = ArrivalCount._meta.get_field
    assert stored_as_is(figure_field("notes")) is str
    assert stored_as_is(figure_field("value")) is int
    assert stored_as_is(figure_field("as_of")) is dt.date
    assert stored_as_is(figure_field("jurisdiction")) is int  # the related key
    assert stored_as_is(figure_field("updated_at")) is None  # a datetime may need a zone
    assert stored_as_is(PublicChange._meta.get_field("snapshot")) is None  # JSON

    class Shouting(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    assert stored_as_is(Shouting(max_length=5)) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL byte")
def test_a_failed_bulk_insert_saves_nothing_and_raises_djangos_error():
    figures = unsaved_figures(3)
    figures[2].notes = "a NUL byte: \x00"

    with pytest.raises((DataError, ValueError)), transaction.atomic():
        ArrivalCount.objects.bulk_create(figures)

    assert not ArrivalCount.objects.exists()
    assert make_arrival_count().pk  # the table still takes new figures
