"""The comparison table: one row per jurisdiction with its rules as of a date.

Every column is computed in the database (correlated subqueries), so filtering, sorting and
paging work the same over 40 or 4,000 jurisdictions; `comparison_rows` then fetches the page's
details (287(g) models, designations, latest figure) in three queries, whatever the page size.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, Policy, Source

NO_RECORD = "none"

# Sort keys readers can ask for, and the expression each one orders by.
SORTS = {
    "name": ("name", "state"),
    "state": ("state", "name"),
    "kind": ("kind", "name"),
    "sanctuary": ("sanctuary_year", "name"),
    "detainer": ("detainer_rule_then", "name"),
    "agreements": ("agreement_total", "name"),
    "designations": ("designation_total", "name"),
    "arrivals": ("latest_figure_value", "name"),
    "sources": ("source_total", "name"),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class ComparisonFilters:
    q: str = ""
    state: str = ""
    kind: str = ""
    direction: str = ""
    detainer: str = ""
    model: str = ""
    figures: str = ""
    include_all: bool = False
    as_of: dt.date | None = None
    sort: str = DEFAULT_SORT

    @property
    def day(self) -> dt.date:
        return self.as_of or timezone.localdate()


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as an integer column."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


def _policies_in_effect(day: dt.date) -> QuerySet[Policy]:
    return Policy.objects.published().in_effect_on(day).filter(jurisdiction=OuterRef("pk"))


def _sources_cited(jurisdiction_ref) -> QuerySet[Source]:
    """Distinct published sources of one jurisdiction's policies, figures and designations."""
    return Source.objects.filter(
        Exists(
            Policy.sources.through.objects.filter(
                source=OuterRef("pk"),
                policy__jurisdiction=jurisdiction_ref,
                policy__published=True,
            )
        )
        | Exists(
            ArrivalCount.objects.published().filter(
                source=OuterRef("pk"), jurisdiction=jurisdiction_ref
            )
        )
        | Exists(
            Designation.objects.published().filter(
                source=OuterRef("pk"), jurisdiction=jurisdiction_ref
            )
        )
    )


def jurisdiction_comparison(*, filters: ComparisonFilters) -> QuerySet[Jurisdiction]:
    """Jurisdictions with their comparison columns as of `filters.day`, filtered and sorted.

    Columns: the newest sanctuary law or ordinance that had started by the day (its status
    then and its year), the detainer rule in effect, the number of 287(g) agreements in effect,
    outside designations, the newest published figure dated on or before the day, and the
    number of distinct sources cited.
    """
    day = filters.day
    in_effect = _policies_in_effect(day)
    sanctuary = (
        Policy.objects.published()
        .with_start()
        .filter(
            jurisdiction=OuterRef("pk"),
            category=Policy.Category.SANCTUARY,
            began_on__lte=day,
        )
        .exclude(status=Policy.Status.PROPOSED)
        .order_by("-began_on", "-pk")
    )
    figures = (
        ArrivalCount.objects.published()
        .filter(jurisdiction=OuterRef("pk"), as_of__lte=day)
        .order_by("-as_of", "-value", "-pk")
    )
    agreements = in_effect.filter(category=Policy.Category.AGREEMENT_287G)
    designations = Designation.objects.published().filter(
        jurisdiction=OuterRef("pk"), designated_on__lte=day
    )

    rows = Jurisdiction.objects.annotate(
        sanctuary_id=Subquery(sanctuary.values("pk")[:1]),
        sanctuary_year=Subquery(
            sanctuary.annotate(year=ExtractYear("began_on")).values("year")[:1]
        ),
        sanctuary_status_then=Subquery(
            sanctuary.annotate(
                status_then=Case(
                    When(ended_on__lt=day, then=F("status")),
                    default=Value(Policy.Status.IN_EFFECT),
                )
            ).values("status_then")[:1]
        ),
        detainer_rule_then=Subquery(
            in_effect.filter(category=Policy.Category.DETAINER)
            .order_by("-began_on", "-pk")
            .values("detainer_rule")[:1]
        ),
        agreement_total=SubqueryCount(agreements),
        designation_total=SubqueryCount(designations),
        latest_figure_id=Subquery(figures.values("pk")[:1]),
        latest_figure_value=Subquery(figures.values("value")[:1]),
        source_total=SubqueryCount(_sources_cited(OuterRef(OuterRef("pk")))),
    )
    rows = _filtered(rows, filters, in_effect, figures, designations)
    return _sorted(rows, filters.sort)


def _filtered(rows, filters: ComparisonFilters, in_effect, figures, designations):
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(slug__icontains=filters.q))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.direction:
        rows = rows.filter(Exists(in_effect.filter(direction=filters.direction)))
    if filters.detainer == NO_RECORD:
        rows = rows.filter(detainer_rule_then__isnull=True)
    elif filters.detainer:
        rows = rows.filter(detainer_rule_then=filters.detainer)
    agreements = in_effect.filter(category=Policy.Category.AGREEMENT_287G)
    if filters.model == NO_RECORD:
        rows = rows.exclude(Exists(agreements))
    elif filters.model:
        rows = rows.filter(Exists(agreements.filter(agreement_model=filters.model)))
    if filters.figures == "yes":
        rows = rows.filter(Exists(figures))
    elif filters.figures == "no":
        rows = rows.exclude(Exists(figures))
    if not filters.include_all:
        rows = rows.filter(
            Exists(Policy.objects.published().filter(jurisdiction=OuterRef("pk")))
            | Exists(figures)
            | Exists(designations)
        )
    return rows


def _sorted(rows, sort: str):
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    first, *rest = SORTS.get(key, SORTS[DEFAULT_SORT])
    primary = F(first).desc(nulls_last=True) if descending else F(first).asc(nulls_last=True)
    return rows.order_by(primary, *rest, "pk")


SORT_COLUMNS = (
    ("name", "Jurisdiction"),
    ("state", "State"),
    ("kind", "Kind"),
    ("sanctuary", "Sanctuary law or ordinance"),
    ("detainer", "ICE detainers"),
    ("agreements", "287(g) agreements"),
    ("designations", "Outside designations"),
    ("arrivals", "Latest arrival figure"),
    ("sources", "Sources"),
)


@dataclass
class ComparisonRow:
    jurisdiction: Jurisdiction
    agreement_models: list[str] = field(default_factory=list)
    designations: list[Designation] = field(default_factory=list)
    latest_figure: ArrivalCount | None = None

    @property
    def sanctuary_label(self) -> str:
        status = self.jurisdiction.sanctuary_status_then
        return Policy.Status(status).label if status else ""

    @property
    def detainer_label(self) -> str:
        rule = self.jurisdiction.detainer_rule_then
        return Policy.DetainerRule(rule).label if rule else ""


def comparison_rows(*, jurisdictions: list[Jurisdiction], day: dt.date) -> list[ComparisonRow]:
    """Attach the page's 287(g) models, designations and latest figures (three queries)."""
    ids = [j.pk for j in jurisdictions]
    models: dict[int, set[str]] = {}
    for jurisdiction_id, model in (
        Policy.objects.published()
        .in_effect_on(day)
        .filter(jurisdiction_id__in=ids, category=Policy.Category.AGREEMENT_287G)
        .values_list("jurisdiction_id", "agreement_model")
    ):
        models.setdefault(jurisdiction_id, set()).add(model)
    designations: dict[int, list[Designation]] = {}
    for designation in (
        Designation.objects.published()
        .filter(jurisdiction_id__in=ids, designated_on__lte=day)
        .select_related("source")
    ):
        designations.setdefault(designation.jurisdiction_id, []).append(designation)
    figure_ids = [j.latest_figure_id for j in jurisdictions if j.latest_figure_id]
    figures = {
        f.pk: f
        for f in ArrivalCount.objects.filter(pk__in=figure_ids).select_related(
            "source", "jurisdiction"
        )
    }
    labels = dict(Policy.AgreementModel.choices)
    return [
        ComparisonRow(
            jurisdiction=j,
            agreement_models=[labels[m] for m in sorted(models.get(j.pk, ()))],
            designations=designations.get(j.pk, []),
            latest_figure=figures.get(j.latest_figure_id),
        )
        for j in jurisdictions
    ]
