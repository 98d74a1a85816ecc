"""The comparison table's columns as of one day, computed from the records themselves.

Used per request for a table as of a past day, and to build `JurisdictionSummary` rows, which
serve the table as of today without scanning every record.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cached_property

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Stance


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as an integer column."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


def source_count() -> RawSQL:
    """Distinct sources cited by a jurisdiction's published policies, figures and designations.

    UNION removes a source cited by several records; the ORM cannot correlate a union."""
    jurisdiction = f'"{Jurisdiction._meta.db_table}"."id"'
    policy_sources = Policy.sources.through._meta.db_table
    finding_sources = NoPolicyFinding.sources.through._meta.db_table
    return RawSQL(
        f"""(SELECT COUNT(*) FROM (
            SELECT ps.source_id FROM {policy_sources} ps
              JOIN {Policy._meta.db_table} p ON p.id = ps.policy_id
             WHERE p.jurisdiction_id = {jurisdiction} AND p.published = %s
            UNION
            SELECT a.source_id FROM {ArrivalCount._meta.db_table} a
             WHERE a.jurisdiction_id = {jurisdiction} AND a.published = %s
            UNION
            SELECT d.source_id FROM {Designation._meta.db_table} d
             WHERE d.jurisdiction_id = {jurisdiction} AND d.published = %s
            UNION
            SELECT fs.source_id FROM {finding_sources} fs
              JOIN {NoPolicyFinding._meta.db_table} f ON f.id = fs.nopolicyfinding_id
             WHERE f.jurisdiction_id = {jurisdiction} AND f.published = %s
        ) cited)""",
        (True, True, True, True),
        output_field=IntegerField(),
    )


class LiveColumns:
    """The table's columns as of one day, as expressions over `Jurisdiction`."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    # Each subquery is built only when used: from the summaries a table page needs none.
    @cached_property
    def in_effect(self) -> QuerySet:
        return Policy.objects.published().in_effect_on(self.day).filter(jurisdiction=OuterRef("pk"))

    @cached_property
    def agreements(self) -> QuerySet:
        return self.in_effect.filter(category=Policy.Category.AGREEMENT_287G)

    @cached_property
    def sanctuary(self) -> QuerySet:
        return (
            Policy.objects.published()
            .with_start()
            .filter(
                jurisdiction=OuterRef("pk"),
                category=Policy.Category.SANCTUARY,
                began_on__lte=self.day,
            )
            .exclude(status=Policy.Status.PROPOSED)
            .order_by("-began_on", "-pk")
        )

    def stance(self) -> Case:
        """Where the place stands as of the day: its own rules in effect, else a published
        "none found" finding, else "none in effect" when it has rules on record, else NULL
        (not researched)."""
        rules = self.in_effect.stances()
        limits = Exists(rules.filter(direction=Policy.Direction.LIMITS))
        expands = Exists(rules.filter(direction=Policy.Direction.EXPANDS))
        none_found = Exists(NoPolicyFinding.objects.published().filter(jurisdiction=OuterRef("pk")))
        researched = Exists(
            Policy.objects.published().stances().filter(jurisdiction=OuterRef("pk"))
        )
        return Case(
            When(limits & expands, then=Value(Stance.MIXED)),
            When(limits, then=Value(Stance.LIMITS)),
            When(expands, then=Value(Stance.EXPANDS)),
            When(none_found, then=Value(Stance.NONE_FOUND)),
            When(researched, then=Value(Stance.NONE_IN_EFFECT)),
            default=Value(None),
            output_field=CharField(),
        )

    @cached_property
    def figures(self) -> QuerySet:
        return (
            ArrivalCount.objects.published()
            .filter(jurisdiction=OuterRef("pk"), as_of__lte=self.day)
            .order_by("-as_of", "-value", "-pk")
        )

    @cached_property
    def migrant_figures(self) -> QuerySet:
        """The figures the "latest figure" column may show: a shelter system's count of
        everyone it houses is a record of the place, never its latest migrant figure."""
        return self.figures.of_migrants()

    @cached_property
    def designations(self) -> QuerySet:
        return Designation.objects.published().filter(
            jurisdiction=OuterRef("pk"), designated_on__lte=self.day
        )

    def expressions(self) -> dict:
        return {
            "sanctuary_year": Subquery(
                self.sanctuary.annotate(year=ExtractYear("began_on")).values("year")[:1]
            ),
            "sanctuary_status_then": Subquery(
                self.sanctuary.annotate(
                    status_then=Case(
                        When(ended_on__lte=self.day, then=F("status")),
                        default=Value(Policy.Status.IN_EFFECT),
                    )
                ).values("status_then")[:1]
            ),
            "detainer_rule_then": Subquery(
                self.in_effect.exclude(detainer_rule="")
                .order_by(F("began_on").desc(nulls_last=True), "-pk")
                .values("detainer_rule")[:1]
            ),
            "stance": self.stance(),
            "agreement_total": SubqueryCount(self.agreements),
            "designation_total": SubqueryCount(self.designations),
            "latest_figure_id": Subquery(self.migrant_figures.values("pk")[:1]),
            "latest_figure_value": Subquery(self.migrant_figures.values("value")[:1]),
        }


def agreement_models_in_effect(ids: Iterable[int], day: dt.date) -> dict[int, set[str]]:
    """The 287(g) models in effect on `day` for each of the jurisdictions `ids` (one query)."""
    models: dict[int, set[str]] = {}
    for jurisdiction_id, model in (
        Policy.objects.published()
        .in_effect_on(day)
        .filter(jurisdiction_id__in=list(ids), category=Policy.Category.AGREEMENT_287G)
        .values_list("jurisdiction_id", "agreement_model")
    ):
        models.setdefault(jurisdiction_id, set()).add(model)
    return models


@dataclass(frozen=True)
class DesignationCell:
    """What the table shows of one outside designation."""

    label: str
    designated_by: str
    designated_on: dt.date
    disputed: bool
    source_id: int

    @classmethod
    def of(cls, designation: Designation) -> "DesignationCell":
        return cls(**{field.name: getattr(designation, field.name) for field in fields(cls)})

    def to_json(self) -> dict:
        return {**self.__dict__, "designated_on": self.designated_on.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> "DesignationCell":
        return cls(**{**data, "designated_on": dt.date.fromisoformat(data["designated_on"])})


def designation_cells(ids: list[int], day: dt.date) -> dict[int, list[DesignationCell]]:
    """Published designations made by `day`, per jurisdiction, newest first (one query)."""
    cells: dict[int, list[DesignationCell]] = {}
    for designation in Designation.objects.published().filter(
        jurisdiction_id__in=ids, designated_on__lte=day
    ):
        cells.setdefault(designation.jurisdiction_id, []).append(DesignationCell.of(designation))
    return cells
