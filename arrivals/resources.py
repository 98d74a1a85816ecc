"""CSV import and export of arrival figures (django-import-export); see policies.resources.

Files of figures run to tens of thousands of rows: they are written in bulk (`use_bulk`), with
a history row and an updates-log entry for each figure all the same (`save_in_bulk`)."""

import copy

from import_export import fields

from arrivals.models import ArrivalCount
from arrivals.services import FigureOverlaps
from policies.bulk import places_changed
from policies.csv_import import save_in_bulk
from policies.import_widgets import CountWidget
from policies.resources import (
    ValidatedResource,
    choice_field,
    date_field,
    jurisdiction_field,
    precision_field,
    source_field,
)

# Key columns a file may leave out: blank cells mean migrants, and no one facility.
OPTIONAL_KEY_COLUMNS = ("population", "facility")


class ArrivalCountResource(ValidatedResource):
    jurisdiction = jurisdiction_field()
    measure = choice_field("measure", ArrivalCount.Measure)
    unit = choice_field("unit", ArrivalCount.Unit, default=ArrivalCount.Unit.PEOPLE)
    population = choice_field(
        "population", ArrivalCount.Population, default=ArrivalCount.Population.MIGRANTS
    )
    period_type = choice_field("period_type", ArrivalCount.PeriodType)
    period_start = date_field("period_start")
    period_start_precision = precision_field("period_start_precision")
    period_end = date_field("period_end")
    as_of = date_field("as_of")
    as_of_precision = precision_field("as_of_precision")
    value = fields.Field(attribute="value", widget=CountWidget())
    qualifier = choice_field("qualifier", ArrivalCount.Qualifier)
    source = source_field()
    partial_dates = (("period_start", "period_start_precision"), ("as_of", "as_of_precision"))
    key_lookup = ("jurisdiction", "as_of")  # the index arrivalcount_place_as_of

    # Figures whose period overlaps another's of the same place, measure, population and sender
    # are allowed (two claimants may count the same months) but flagged, as the admin form
    # flags them: each against the recorded figures, read for the whole file before anything
    # is written, and the file's rows before it.
    def before_import(self, dataset, **kwargs):
        # Files made before figures recorded their population (and older exports) have no
        # such columns: their figures count migrants, for the whole place.
        for column in OPTIONAL_KEY_COLUMNS:
            if dataset.headers and column not in [str(h).strip() for h in dataset.headers]:
                dataset.append_col([""] * dataset.height, header=column)
        # Set before the checks: a file in another layout is refused with one sentence, and
        # django-import-export still goes through its rows.
        self.overlaps = FigureOverlaps([])
        self.overlap_warnings: list[str] = []
        self.places_written: set[int] = set()
        super().before_import(dataset, **kwargs)
        self.overlaps = FigureOverlaps.recorded_for(
            [
                dict(zip(self.get_import_id_fields(), key, strict=True))
                for key in self.file_keys
                if key
            ]
        )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.overlaps.add(self._row_number, instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # The places' summaries, rebuilt once for the whole file rather than after each batch
        # (a place's rows often span two): in the import's transaction, so never seen stale.
        if self.places_written and not (result.has_errors() or result.has_validation_errors()):
            places_changed(ArrivalCount, self.places_written)
        self.overlap_warnings = [
            f"Row {number}: {warning}" for number, warning in self.overlaps.warnings()
        ]
        result.overlap_warnings = self.overlap_warnings

    def full_clean(self, instance, *, exclude, validate_unique):
        # The place and the source were just read from the database by this import: not again
        # for each row. The one constraint, a period that cannot end before it starts, is
        # ArrivalCount.clean()'s own check too (and the database's), without a query a row.
        read = {name for name in ("jurisdiction", "source") if getattr(instance, f"{name}_id")}
        super().full_clean(
            instance,
            exclude=exclude | read,
            validate_unique=validate_unique,
            validate_constraints=False,
        )

    # A preview (dry run) writes nothing: what a row would do is known without writing it.
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._save_in_bulk(self.create_instances, [], dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._save_in_bulk([], self.update_instances, dry_run, raise_errors, result)

    # django-import-export deep-copies every row's instance, its place and source included, to
    # compare it after the row is read (`skip_diff = False`); a shallow copy of each recorded
    # figure the file corrects is all the comparison needs.
    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._recorded = None if new else copy.copy(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.file_refused:
            return True
        if import_validation_errors or self._recorded is None:
            return False
        # A bulk update writes each field as a CASE over the whole batch: write only the
        # fields some row changes (a correction changes the value, not 17 columns).
        instance._changed_fields = {
            name
            for name, field in self.fields.items()
            if field.attribute and field.get_value(instance) != field.get_value(self._recorded)
        }
        return not instance._changed_fields

    def _save_in_bulk(self, created, updated, dry_run, raise_errors, result) -> None:
        try:
            if not dry_run and (created or updated):
                changed = set().union(*(getattr(r, "_changed_fields", set()) for r in updated))
                save_in_bulk(
                    model=ArrivalCount,
                    created=list(created),
                    updated=list(updated),
                    fields=[name for name in self.get_bulk_update_fields() if name in changed],
                    refresh_places=False,
                )
                self.places_written |= {figure.jurisdiction_id for figure in [*created, *updated]}
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            created.clear()
            updated.clear()

    class Meta(ValidatedResource.Meta):
        model = ArrivalCount
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        import_id_fields = (
            "jurisdiction",
            "measure",
            "unit",
            "population",
            "facility",
            "sender",
            "period_type",
            "period_start",
            "period_end",
            "as_of",
            "source",
        )
        fields = (
            "jurisdiction",
            "measure",
            "unit",
            "population",
            "facility",
            "period_type",
            "period_start",
            "period_start_precision",
            "period_end",
            "as_of",
            "as_of_precision",
            "value",
            "qualifier",
            "sender",
            "program",
            "reported_by",
            "source",
            "notes",
            "published",
        )
        export_order = fields
