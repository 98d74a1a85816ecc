"""The comparison table: one row per jurisdiction with its rules as of a date.

Two steps keep the cost flat at any size. `comparison_ids` filters and sorts in the database,
computing only the column it sorts by, and is paged as a list of ids. `comparison_rows` then
computes every column for just those rows (one query) and fetches their details: 287(g)
models, sources cited, designations and latest figures (four queries).
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
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, Policy

NO_RECORD = "none"
DEFAULT_SORT = "name"

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
SORTS = dict(SORT_COLUMNS)


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


def _distinct_source_count() -> RawSQL:
    """Distinct sources cited by a jurisdiction's published policies, figures and designations.

    UNION removes a source cited by several records; the ORM cannot correlate a union."""
    jurisdiction = f'"{Jurisdiction._meta.db_table}"."id"'
    policy_sources = Policy.sources.through._meta.db_table
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
        ) cited)""",
        (True, True, True),
        output_field=IntegerField(),
    )


class _Columns:
    """The table's columns as of one day, as expressions over `Jurisdiction`."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.in_effect = (
            Policy.objects.published().in_effect_on(day).filter(jurisdiction=OuterRef("pk"))
        )
        self.agreements = self.in_effect.filter(category=Policy.Category.AGREEMENT_287G)
        self.sanctuary = (
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
        self.figures = (
            ArrivalCount.objects.published()
            .filter(jurisdiction=OuterRef("pk"), as_of__lte=day)
            .order_by("-as_of", "-value", "-pk")
        )
        self.designations = Designation.objects.published().filter(
            jurisdiction=OuterRef("pk"), designated_on__lte=day
        )

    def expressions(self) -> dict:
        return {
            "sanctuary_year": Subquery(
                self.sanctuary.annotate(year=ExtractYear("began_on")).values("year")[:1]
            ),
            "sanctuary_status_then": Subquery(
                self.sanctuary.annotate(
                    status_then=Case(
                        When(ended_on__lt=self.day, then=F("status")),
                        default=Value(Policy.Status.IN_EFFECT),
                    )
                ).values("status_then")[:1]
            ),
            "detainer_rule_then": Subquery(
                self.in_effect.filter(category=Policy.Category.DETAINER)
                .order_by("-began_on", "-pk")
                .values("detainer_rule")[:1]
            ),
            "agreement_total": SubqueryCount(self.agreements),
            "designation_total": SubqueryCount(self.designations),
            "latest_figure_id": Subquery(self.figures.values("pk")[:1]),
            "latest_figure_value": Subquery(self.figures.values("value")[:1]),
        }


# The column each sort key orders by (an annotation from `_Columns.expressions`, or a field).
SORT_FIELDS = {
    "name": "name",
    "state": "state",
    "kind": "kind",
    "sanctuary": "sanctuary_year",
    "detainer": "detainer_rule_then",
    "agreements": "agreement_total",
    "designations": "designation_total",
    "arrivals": "latest_figure_value",
    "sources": "source_total",
}


def comparison_ids(*, filters: ComparisonFilters) -> QuerySet:
    """Ids of the jurisdictions matching `filters`, in the order asked for.

    Only the column being sorted on (and the detainer rule, when filtered on) is computed,
    so the count and the page cost little however many jurisdictions there are.
    """
    columns = _Columns(filters.day)
    expressions = columns.expressions()
    rows = Jurisdiction.objects.all()
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(slug__icontains=filters.q))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.direction:
        rows = rows.filter(Exists(columns.in_effect.filter(direction=filters.direction)))
    if filters.detainer:
        rows = rows.annotate(detainer_rule_then=expressions["detainer_rule_then"])
        if filters.detainer == NO_RECORD:
            rows = rows.filter(detainer_rule_then__isnull=True)
        else:
            rows = rows.filter(detainer_rule_then=filters.detainer)
    if filters.model == NO_RECORD:
        rows = rows.exclude(Exists(columns.agreements))
    elif filters.model:
        rows = rows.filter(Exists(columns.agreements.filter(agreement_model=filters.model)))
    if filters.figures == "yes":
        rows = rows.filter(Exists(columns.figures))
    elif filters.figures == "no":
        rows = rows.exclude(Exists(columns.figures))
    if not filters.include_all:
        rows = rows.filter(
            Exists(Policy.objects.published().filter(jurisdiction=OuterRef("pk")))
            | Exists(columns.figures)
            | Exists(columns.designations)
        )

    descending = filters.sort.startswith("-")
    key = filters.sort.removeprefix("-")
    sort_field = SORT_FIELDS.get(key, "name")
    if sort_field == "source_total":
        # Costly over every row on a large dataset (see docs/benchmarks.md); only when asked.
        rows = rows.annotate(source_total=_distinct_source_count())
    elif sort_field in expressions and sort_field not in rows.query.annotations:
        rows = rows.annotate(**{sort_field: expressions[sort_field]})
    column = F(sort_field)
    primary = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return rows.order_by(primary, "name", "pk").values_list("pk", flat=True)


def _sources_cited_by(ids: list[int]) -> dict[int, set[int]]:
    """Distinct published sources per jurisdiction, for the given ones only (one query)."""
    policy_sources = (
        Policy.sources.through.objects.filter(
            policy__jurisdiction_id__in=ids, policy__published=True
        )
        .values_list("policy__jurisdiction_id", "source_id")
        .order_by()
    )
    figure_sources = (
        ArrivalCount.objects.published()
        .filter(jurisdiction_id__in=ids)
        .values_list("jurisdiction_id", "source_id")
        .order_by()
    )
    designation_sources = (
        Designation.objects.published()
        .filter(jurisdiction_id__in=ids)
        .values_list("jurisdiction_id", "source_id")
        .order_by()
    )
    cited: dict[int, set[int]] = {}
    for jurisdiction_id, source_id in policy_sources.union(figure_sources, designation_sources):
        cited.setdefault(jurisdiction_id, set()).add(source_id)
    return cited


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


def comparison_rows(*, ids: list[int], day: dt.date) -> list[ComparisonRow]:
    """Every column for the jurisdictions `ids`, in that order (five queries in all)."""
    by_id = Jurisdiction.objects.annotate(**_Columns(day).expressions()).in_bulk(ids)
    jurisdictions = [by_id[pk] for pk in ids if pk in by_id]

    models: dict[int, set[str]] = {}
    for jurisdiction_id, model in (
        Policy.objects.published()
        .in_effect_on(day)
        .filter(jurisdiction_id__in=ids, category=Policy.Category.AGREEMENT_287G)
        .values_list("jurisdiction_id", "agreement_model")
    ):
        models.setdefault(jurisdiction_id, set()).add(model)
    cited = _sources_cited_by(ids)
    designations: dict[int, list[Designation]] = {}
    for designation in (
        Designation.objects.published()
        .filter(jurisdiction_id__in=ids, designated_on__lte=day)
        .select_related("source")
    ):
        designations.setdefault(designation.jurisdiction_id, []).append(designation)
    for jurisdiction in jurisdictions:
        jurisdiction.source_total = len(cited.get(jurisdiction.pk, ()))
    figure_ids = [j.latest_figure_id for j in jurisdictions if j.latest_figure_id]
    figures = ArrivalCount.objects.select_related("source", "jurisdiction").in_bulk(figure_ids)
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
