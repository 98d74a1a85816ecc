"""CSV import and export of arrival figures (django-import-export); see policies.resources."""

from import_export import fields

from arrivals.models import ArrivalCount
from arrivals.services import arrivalcount_overlap_warning
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

    # Figures whose period overlaps another's of the same place, measure, population and sender
    # are allowed (two claimants may count the same months) but flagged, as the admin form
    # flags them.
    def before_import(self, dataset, **kwargs):
        # Files made before figures recorded their population (and older exports) have no
        # such columns: their figures count migrants, for the whole place.
        for column in OPTIONAL_KEY_COLUMNS:
            if dataset.headers and column not in [str(h).strip() for h in dataset.headers]:
                dataset.append_col([""] * dataset.height, header=column)
        super().before_import(dataset, **kwargs)
        self.overlap_warnings: list[str] = []

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if warning := arrivalcount_overlap_warning(count=instance):
            self.overlap_warnings.append(f"Row {self._row_number}: {warning}")

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.overlap_warnings = self.overlap_warnings

    class Meta(ValidatedResource.Meta):
        model = ArrivalCount
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
