import datetime as dt
from calendar import monthrange

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from policies.models import (
    ChoiceLabelModel,
    CopyInsertModel,
    CopyInsertQuerySet,
    DatePrecision,
    Jurisdiction,
    PublishedQuerySet,
    Source,
    format_partial_date,
    validate_precise_date,
)


def figure_as_stated(*, value: int, qualifier: str, unit: str) -> str:
    """A figure with its qualifier and unit, as a reader should see it: 'more than 50,000'."""
    number = number_format(value, force_grouping=True)
    if unit == ArrivalCount.Unit.FAMILIES:
        number = gettext("%(number)s families") % {"number": number}
    return str(ArrivalCount.QUALIFIER_WORDS.get(qualifier, "%(number)s")) % {"number": number}


def population_label(*, population: str, facility: str = "") -> str:
    """Who a figure counts, as readers see it beside its measure, with the facility or agency
    when the figure covers only one: "Everyone in shelter, Emergency Assistance shelters"."""
    label = str(ArrivalCount.Population(population).label)
    if facility:
        label = gettext("%(population)s, %(facility)s") % {
            "population": label,
            "facility": facility,
        }
    return label


class ArrivalCountQuerySet(CopyInsertQuerySet, PublishedQuerySet):
    def with_interval(self):
        """Annotate the closed interval a figure covers: [`covers_from`, `covers_to`]."""
        return self.annotate(
            covers_to=Coalesce("period_end", "as_of"),
            covers_from=Coalesce("period_start", "period_end", "as_of"),
        )

    def of_migrants(self):
        """Figures counting migrants and asylum seekers: the only ones a place's headline or
        latest figure may be (a shelter system's count of everyone it houses never is)."""
        return self.filter(population__in=ArrivalCount.MIGRANT_POPULATIONS)

    def overlapping(self, count: "ArrivalCount"):
        """Figures that must never be added to `count`: same place, measure, unit, population
        and sender, with periods that share at least one day. Counts of two facilities do not
        overlap each other, but both overlap the place's count of all its facilities."""
        start, end = count.interval
        matches = self.with_interval().filter(
            jurisdiction_id=count.jurisdiction_id,
            measure=count.measure,
            unit=count.unit,
            population=count.population,
            sender__iexact=count.sender,
            covers_from__lte=end,
            covers_to__gte=start,
        )
        if count.facility:
            matches = matches.filter(Q(facility__iexact=count.facility) | Q(facility=""))
        if count.pk:
            matches = matches.exclude(pk=count.pk)
        return matches


class ArrivalCount(ChoiceLabelModel):
    """A figure of migrants arriving in, bused to, sheltered in or living in a jurisdiction.

    Each figure is recorded as its claimant stated it. Figures whose periods overlap (two
    cumulative totals, or a city's count and a sender's bused count) describe the same people
    and are shown side by side, never added.
    """

    class Measure(models.TextChoices):
        NEW_ARRIVALS = "new_arrivals", _("New arrivals")
        BUSED = "bused", _("Arrivals bused by a sending state's program")
        IN_SHELTER = "in_shelter", _("In shelter")
        UNAUTHORIZED_POPULATION = (
            "unauthorized_population",
            _("Estimated unauthorized immigrant population"),
        )

    class PeriodType(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative: since the start, as of a date")
        MONTH = "month", _("One month")
        RANGE = "range", _("A date range")
        POINT = "point", _("On one date")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("Exact")
        ABOUT = "about", _("About")
        NEARLY = "nearly", _("Nearly")
        MORE_THAN = "more_than", _("More than")
        AT_LEAST = "at_least", _("At least")
        FEWER_THAN = "fewer_than", _("Fewer than")
        ESTIMATED = "estimated", _("Estimated")

    class Unit(models.TextChoices):
        PEOPLE = "people", _("People")
        FAMILIES = "families", _("Families")

    class Population(models.TextChoices):
        MIGRANTS = "migrants", _("Migrants and asylum seekers")
        EVERYONE_IN_SHELTER = "everyone_in_shelter", _("Everyone in shelter")

    # Populations a headline, a card or the table's latest figure may show: the people this
    # tracker is about. A city's count of everyone in its shelters is a different population.
    MIGRANT_POPULATIONS = (Population.MIGRANTS,)

    # How each qualifier reads before a number; %(number)s is the number with its unit.
    QUALIFIER_WORDS = {
        Qualifier.EXACT: "%(number)s",
        Qualifier.ABOUT: _("about %(number)s"),
        Qualifier.NEARLY: _("nearly %(number)s"),
        Qualifier.MORE_THAN: _("more than %(number)s"),
        Qualifier.AT_LEAST: _("at least %(number)s"),
        Qualifier.FEWER_THAN: _("fewer than %(number)s"),
        Qualifier.ESTIMATED: _("an estimated %(number)s"),
    }

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="arrival_counts",
        help_text="The destination: where people arrived, were sent, sheltered or live.",
    )
    measure = models.CharField(max_length=24, choices=Measure.choices)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.PEOPLE)
    population = models.CharField(
        max_length=20,
        choices=Population.choices,
        default=Population.MIGRANTS,
        help_text=(
            "Who is counted. Migrants and asylum seekers: new arrivals, people bused, migrants "
            "in shelter, unauthorized immigrants. Everyone in shelter: a homeless-services "
            "system's count of all the people or families it shelters, migrants and others "
            "(e.g. all of NYC's DHS shelters). Figures of different populations are never "
            "one series."
        ),
    )
    facility = models.CharField(
        "facility or agency",
        max_length=200,
        blank=True,
        help_text=(
            "The shelter, shelter system or agency counted, when the figure covers only it, "
            "e.g. NYC's HERRCs or Massachusetts' Emergency Assistance shelters. Empty for the "
            "whole place."
        ),
    )
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period_start = models.DateField(
        null=True, blank=True, help_text="First day counted ('since'). Empty for one date."
    )
    period_start_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    period_end = models.DateField(
        null=True,
        blank=True,
        help_text="Last day counted, for a month or a range. Cumulative figures end on as-of.",
    )
    as_of = models.DateField(help_text="The date the figure was stated as current.")
    as_of_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    value = models.PositiveBigIntegerField()
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    sender = models.CharField(
        max_length=100, blank=True, help_text="Who sent people, e.g. Texas. Bused figures only."
    )
    program = models.CharField(max_length=100, blank=True, help_text="e.g. Operation Lone Star.")
    reported_by = models.CharField(
        max_length=200, blank=True, help_text="Who stated the figure, e.g. City of Denver."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="arrival_counts")
    notes = models.TextField(blank=True, help_text="Shown to readers beside the figure.")
    published = models.BooleanField(default=False, help_text="Drafts are visible to staff only.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(bases=[CopyInsertModel])
    objects = ArrivalCountQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__name", "measure", "as_of"]
        indexes = [
            # The newest figure of a place: the comparison table's "latest figure" column.
            models.Index(fields=["jurisdiction", "-as_of"], name="arrivalcount_place_as_of"),
            # The newest figures anywhere: the front page's headline figures.
            models.Index(fields=["-as_of", "-value"], name="arrivalcount_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="arrivalcount_period_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.display_value} ({self.get_measure_display()})"

    @property
    def display_value(self) -> str:
        """The figure with its qualifier and unit, as a reader should see it: 'more than 50,000'."""
        return figure_as_stated(value=self.value, qualifier=self.qualifier, unit=self.unit)

    @property
    def population_display(self) -> str:
        """Who the figure counts, with its facility or agency if it covers only one."""
        return population_label(population=self.population, facility=self.facility)

    @property
    def last_verified(self) -> dt.date | None:
        """When staff last read its source."""
        return self.source.accessed_on

    @property
    def as_of_display(self) -> str:
        return format_partial_date(self.as_of, self.as_of_precision)

    @property
    def period_display(self) -> str:
        start = format_partial_date(self.period_start, self.period_start_precision)
        end = format_partial_date(self.period_end) if self.period_end else ""
        as_of = self.as_of_display
        if self.period_type == self.PeriodType.CUMULATIVE:
            if start:
                return gettext("since %(start)s, as of %(as_of)s") % {
                    "start": start,
                    "as_of": as_of,
                }
            return gettext("as of %(as_of)s") % {"as_of": as_of}
        if self.period_type == self.PeriodType.MONTH:
            return format_partial_date(self.period_start, DatePrecision.MONTH)
        if self.period_type == self.PeriodType.RANGE:
            return gettext("%(start)s to %(end)s") % {"start": start, "end": end}
        if self.as_of_precision == DatePrecision.DAY:
            return pgettext("a day", "on %(as_of)s") % {"as_of": as_of}
        return pgettext("a month or year", "in %(as_of)s") % {"as_of": as_of}

    @property
    def interval(self) -> tuple[dt.date, dt.date]:
        end = self.period_end or self.as_of
        return (self.period_start or end, end)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        errors |= validate_precise_date(
            self.period_start, self.period_start_precision, "period_start"
        )
        errors |= validate_precise_date(self.as_of, self.as_of_precision, "as_of")
        if self.value is not None and self.value < 0:
            errors["value"] = "A count cannot be negative."
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period ends before it starts."
        if self.as_of:
            if self.as_of > timezone.localdate():
                errors["as_of"] = "The as-of date is in the future."
            if self.period_start and self.period_start > self.as_of:
                errors["period_start"] = "The period starts after its as-of date."
            if self.period_end and self.period_end > self.as_of:
                errors["period_end"] = "The period ends after its as-of date."
        errors |= self._period_shape_errors()
        if self.measure == self.Measure.BUSED and not self.sender:
            errors["sender"] = "A bused figure names the sending state, e.g. Texas."
        if errors:
            raise ValidationError(errors)

    def _period_shape_errors(self) -> dict[str, str]:
        kind = self.period_type
        if kind == self.PeriodType.POINT and (self.period_start or self.period_end):
            return {"period_type": "A figure on one date has only an as-of date."}
        if kind == self.PeriodType.CUMULATIVE and self.period_end:
            return {"period_end": "A cumulative figure ends on its as-of date; leave this empty."}
        if kind in (self.PeriodType.MONTH, self.PeriodType.RANGE) and not (
            self.period_start and self.period_end
        ):
            return {"period_end": "A month or a range needs both a start and an end date."}
        if kind == self.PeriodType.MONTH and self.period_start and self.period_end:
            start, end = self.period_start, self.period_end
            if start.day != 1 or end != start.replace(day=monthrange(start.year, start.month)[1]):
                return {"period_end": "A month runs from its 1st to its last day."}
        return {}

    def overlapping_figures(self):
        """Other figures this one must never be added to (`ArrivalCountQuerySet.overlapping`)."""
        return ArrivalCount.objects.overlapping(self).select_related("source")
