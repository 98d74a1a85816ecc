"""The comparison table: one row per jurisdiction with its rules as of a date.

Two steps keep the cost flat at any size. `comparison_ids` filters and sorts in the database
and is paged as a list of ids; `comparison_rows` then fetches every column for just those
rows. As of today both read the precomputed `JurisdictionSummary` rows (tracker.summaries);
as of another day, or while the summaries are being rebuilt, the columns are computed from
the records (tracker.columns), only the one sorted on for every row.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Stance
from tracker.columns import (
    DesignationCell,
    LiveColumns,
    agreement_models_in_effect,
    designation_cells,
    source_count,
)
from tracker.summaries import summaries_current_on

NO_RECORD = "none"
DEFAULT_SORT = "name"

SORT_COLUMNS = (
    ("name", _("Jurisdiction")),
    ("state", _("State")),
    ("kind", _("Kind")),
    ("sanctuary", _("Own policy on cooperation")),
    ("detainer", _("ICE detainers")),
    ("agreements", _("287(g) agreements")),
    ("designations", _("Outside designations")),
    ("arrivals", _("Latest arrival figure")),
    ("sources", _("Sources")),
)
SORTS = dict(SORT_COLUMNS)
# What a row shows besides the jurisdiction itself, as JurisdictionSummary fields.
SUMMARY_COLUMNS = (
    "sanctuary_year",
    "sanctuary_status_then",
    "detainer_rule_then",
    "stance",
    "agreement_total",
    "designation_total",
    "latest_figure_id",
    "latest_figure_value",
    "source_total",
)


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

    def query(self, *, default_sort: str = DEFAULT_SORT, page: int = 1, **changes) -> str:
        """These filters as a query string ("?state=TX&sort=-arrivals", or "" for none): only
        what differs from the defaults, always in one order. Every link to one table is then
        one address (one cached page), and none carries on whatever else the reader's address
        held (a tracking parameter, an empty field of the plain form)."""
        filters = replace(self, **changes) if changes else self
        pairs = (
            ("q", filters.q),
            ("state", filters.state),
            ("kind", filters.kind),
            ("direction", filters.direction),
            ("detainer", filters.detainer),
            ("model", filters.model),
            ("figures", filters.figures),
            ("all", "on" if filters.include_all else ""),
            ("as_of", filters.as_of.isoformat() if filters.as_of else ""),
            ("sort", "" if filters.sort == default_sort else filters.sort),
            ("page", str(page) if page > 1 else ""),
        )
        encoded = urlencode([(name, value) for name, value in pairs if value])
        return f"?{encoded}" if encoded else ""


# The column each sort key orders by (an annotation from `_Columns.expressions`, or a field).
SORT_FIELDS = {
    "name": "name",
    "state": "state",
    "kind": "kind",
    "sanctuary": "stance",
    "detainer": "detainer_rule_then",
    "agreements": "agreement_total",
    "designations": "designation_total",
    "arrivals": "latest_figure_value",
    "sources": "source_total",
}


def comparison_ids(*, filters: ComparisonFilters) -> QuerySet:
    """Ids of the jurisdictions matching `filters`, in the order asked for."""
    columns = LiveColumns(filters.day)
    summarised = summaries_current_on(filters.day)
    rows = Jurisdiction.objects.all()
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(slug__icontains=filters.q))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.direction:
        rows = rows.filter(Exists(columns.in_effect.filter(direction=filters.direction)))

    if summarised:
        expressions = {name: F(f"summary__{name}") for name in SUMMARY_COLUMNS}
        if filters.model == NO_RECORD:
            rows = rows.filter(summary__agreement_total=0)
        elif filters.model:
            rows = rows.filter(summary__agreement_models__contains=f",{filters.model},")
        if filters.figures:
            rows = rows.filter(summary__latest_figure_id__isnull=filters.figures == "no")
        if not filters.include_all:
            rows = rows.filter(summary__has_records=True)
    else:
        expressions = columns.expressions() | {"source_total": source_count()}
        if filters.model == NO_RECORD:
            rows = rows.exclude(Exists(columns.agreements))
        elif filters.model:
            rows = rows.filter(Exists(columns.agreements.filter(agreement_model=filters.model)))
        # As the summaries' latest figure: a place whose only figures count everyone in its
        # shelters has no migrant figure to show.
        if filters.figures == "yes":
            rows = rows.filter(Exists(columns.migrant_figures))
        elif filters.figures == "no":
            rows = rows.exclude(Exists(columns.migrant_figures))
        if not filters.include_all:
            rows = rows.filter(
                Exists(Policy.objects.published().filter(jurisdiction=OuterRef("pk")))
                | Exists(columns.figures)
                | Exists(columns.designations)
                | Exists(NoPolicyFinding.objects.published().filter(jurisdiction=OuterRef("pk")))
            )
    if filters.detainer:
        rows = rows.annotate(detainer_rule_then=expressions["detainer_rule_then"])
        if filters.detainer == NO_RECORD:
            rows = rows.filter(detainer_rule_then__isnull=True)
        else:
            rows = rows.filter(detainer_rule_then=filters.detainer)

    descending = filters.sort.startswith("-")
    sort_field = SORT_FIELDS.get(filters.sort.removeprefix("-"), "name")
    if sort_field in expressions and sort_field not in rows.query.annotations:
        # Computed only for the column sorted on: from the records, every row costs a subquery.
        rows = rows.annotate(**{sort_field: expressions[sort_field]})
    column = F(sort_field)
    primary = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return rows.order_by(primary, "name", "pk").values_list("pk", flat=True)


def _sources_cited_by(ids: list[int]) -> dict[int, set[int]]:
    """Distinct published sources per jurisdiction, for the given ones only (one query)."""
    policy_sources = Policy.sources.through.objects.filter(
        policy__jurisdiction_id__in=ids, policy__published=True
    ).values_list("policy__jurisdiction_id", "source_id")
    finding_sources = NoPolicyFinding.sources.through.objects.filter(
        nopolicyfinding__jurisdiction_id__in=ids, nopolicyfinding__published=True
    ).values_list("nopolicyfinding__jurisdiction_id", "source_id")
    record_sources = [
        model.objects.published()
        .filter(jurisdiction_id__in=ids)
        .values_list("jurisdiction_id", "source_id")
        .order_by()
        for model in (ArrivalCount, Designation)
    ]
    cited: dict[int, set[int]] = {}
    sources = policy_sources.order_by().union(finding_sources.order_by(), *record_sources)
    for jurisdiction_id, source_id in sources:
        cited.setdefault(jurisdiction_id, set()).add(source_id)
    return cited


def stance_label(stance: str | None, *, statewide: bool) -> str:
    """A stance in words; "none found" names the level that was searched."""
    if stance == Stance.NONE_FOUND:
        return str(_("No statewide law found") if statewide else _("No local policy found"))
    if stance == Stance.NONE_IN_EFFECT:
        return str(_("None in effect then") if statewide else _("No local rule in effect then"))
    return str(Stance(stance).label) if stance else ""


def state_stances(*, day: dt.date) -> dict[str, str | None]:
    """Each state's stance as of `day`, by postal code (one query): the "State law" column."""
    states = Jurisdiction.objects.states()
    if summaries_current_on(day):
        pairs = states.values_list("state", "summary__stance")
    else:
        pairs = states.annotate(stance=LiveColumns(day).stance()).values_list("state", "stance")
    return dict(pairs)


@dataclass
class ComparisonRow:
    jurisdiction: Jurisdiction
    agreement_models: list[str] = field(default_factory=list)
    designations: list[DesignationCell] = field(default_factory=list)
    latest_figure: ArrivalCount | None = None
    state_stance: str | None = None

    @property
    def stance_label(self) -> str:
        j = self.jurisdiction
        return stance_label(j.stance, statewide=j.kind == Jurisdiction.Kind.STATE)

    @property
    def state_stance_label(self) -> str:
        return stance_label(self.state_stance, statewide=True)

    @property
    def detainer_label(self) -> str:
        rule = self.jurisdiction.detainer_rule_then
        return Policy.DetainerRule(rule).label if rule else ""


def comparison_rows(*, ids: list[int], day: dt.date) -> list[ComparisonRow]:
    """Every column for the jurisdictions `ids`, in that order (four or five queries)."""
    labels = {value: str(label) for value, label in Policy.AgreementModel.choices}
    figures: dict[int, ArrivalCount] = {}
    designations: dict[int, list[DesignationCell]] = {}
    if summaries_current_on(day):
        by_id = Jurisdiction.objects.select_related(
            "summary", "summary__latest_figure", "summary__latest_figure__source"
        ).in_bulk(ids)
        jurisdictions = [by_id[pk] for pk in ids if pk in by_id]
        models = {}
        for j in jurisdictions:
            summary = j.summary
            for name in SUMMARY_COLUMNS:
                setattr(j, name, getattr(summary, name))
            models[j.pk] = set(filter(None, summary.agreement_models.split(",")))
            designations[j.pk] = [DesignationCell.from_json(d) for d in summary.designations]
            if summary.latest_figure is not None:
                summary.latest_figure.jurisdiction = j  # its own place: no query to fetch it
                figures[summary.latest_figure.pk] = summary.latest_figure
    else:
        by_id = Jurisdiction.objects.annotate(**LiveColumns(day).expressions()).in_bulk(ids)
        jurisdictions = [by_id[pk] for pk in ids if pk in by_id]
        models = agreement_models_in_effect(ids, day)
        cited = _sources_cited_by(ids)
        for j in jurisdictions:
            j.source_total = len(cited.get(j.pk, ()))
        designations = designation_cells(ids, day)
    stances = state_stances(day=day) if jurisdictions else {}
    missing = [j.latest_figure_id for j in jurisdictions if j.latest_figure_id not in figures]
    if any(missing):
        figures |= ArrivalCount.objects.select_related("source", "jurisdiction").in_bulk(
            filter(None, missing)
        )
    return [
        ComparisonRow(
            jurisdiction=j,
            agreement_models=[labels[m] for m in sorted(models.get(j.pk, ()))],
            designations=designations.get(j.pk, []),
            latest_figure=figures.get(j.latest_figure_id),
            state_stance=stances.get(j.state),
        )
        for j in jurisdictions
    ]
