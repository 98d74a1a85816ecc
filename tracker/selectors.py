"""Read-side queries for reader pages. Only published records reach readers."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import gettext

from arrivals.models import ArrivalCount, population_label
from arrivals.selectors import figures_shown, newest_of_each_series
from policies.importers.ice_287g import ICE_SHEET_URLS
from policies.models import (
    DatePrecision,
    Designation,
    Jurisdiction,
    NoPolicyFinding,
    Policy,
    PublicChange,
    Source,
    Stance,
    format_partial_date,
)
from tracker.comparison import stance_label
from tracker.models import JurisdictionSummary
from tracker.summaries import summaries_current_on


def _published_policies(day: dt.date | None) -> QuerySet[Policy]:
    policies = Policy.objects.published().with_start().prefetch_related("sources")
    if day:
        policies = policies.filter(Q(began_on__lte=day) | Q(began_on__isnull=True))
    return policies.order_by(F("began_on").asc(nulls_first=True), "title")


def _figures_prefetch(day: dt.date | None) -> Prefetch:
    figures = ArrivalCount.objects.published().select_related("source")
    if day:
        figures = figures.filter(as_of__lte=day)
    return Prefetch(
        "arrival_counts",
        queryset=newest_of_each_series(figures).order_by("measure", "sender", "as_of"),
        to_attr="published_figures",
    )


def _designations_prefetch(day: dt.date | None) -> Prefetch:
    designations = Designation.objects.published().select_related("source")
    if day:
        designations = designations.filter(designated_on__lte=day)
    return Prefetch("designations", queryset=designations, to_attr="published_designations")


def _record_prefetches(day: dt.date | None) -> list[Prefetch]:
    findings = NoPolicyFinding.objects.published().prefetch_related("sources")
    return [
        Prefetch("policies", queryset=_published_policies(day), to_attr="published_policies"),
        Prefetch("no_policy_findings", queryset=findings, to_attr="published_findings"),
        _figures_prefetch(day),
        _designations_prefetch(day),
    ]


def jurisdiction_with_records(*, slug: str, day: dt.date | None = None) -> Jurisdiction:
    """One jurisdiction with its published policies (and their sources), figures, findings
    and designations, and the policies and findings of the county and state it lies in (for
    `inherited_rules`): six or seven queries, whatever its size.

    With `day`, figures and designations dated after it are left out; policies are all kept
    (the page marks which were in effect on the day), except those that began after it.
    """
    jurisdiction = Jurisdiction.objects.select_related("parent", "parent__parent").get(slug=slug)
    places = {place.pk: place for place in (jurisdiction, *jurisdiction.ancestors)}
    for place in places.values():
        place.published_policies, place.published_findings = [], []
    for policy in _published_policies(day).filter(jurisdiction__in=list(places)):
        places[policy.jurisdiction_id].published_policies.append(policy)
    findings = NoPolicyFinding.objects.published().prefetch_related("sources")
    for finding in findings.filter(jurisdiction__in=list(places)):
        places[finding.jurisdiction_id].published_findings.append(finding)
    prefetch_related_objects([jurisdiction], _figures_prefetch(day), _designations_prefetch(day))
    return jurisdiction


def jurisdiction_with_figures(*, slug: str, day: dt.date | None = None) -> Jurisdiction:
    """One jurisdiction with its published figures dated on or before `day` (two queries):
    what its chart needs."""
    return Jurisdiction.objects.prefetch_related(_figures_prefetch(day)).get(slug=slug)


def with_records(
    *, jurisdictions: list[Jurisdiction], day: dt.date | None = None
) -> list[Jurisdiction]:
    """`jurisdictions` (already fetched) with their own published policies, figures, findings
    and designations, fetched for all of them at once."""
    prefetch_related_objects(jurisdictions, *_record_prefetches(day))
    return jurisdictions


def with_figures(
    *, jurisdictions: list[Jurisdiction], day: dt.date | None = None
) -> list[Jurisdiction]:
    """`jurisdictions` (already fetched) with their published figures (one query)."""
    prefetch_related_objects(jurisdictions, _figures_prefetch(day))
    return jurisdictions


@dataclass(frozen=True)
class InheritedRules:
    """The published rules of a county or state that apply to a place inside it."""

    place: Jurisdiction
    policies: list[Policy]
    findings: list[NoPolicyFinding]
    stance: str | None

    @property
    def is_state(self) -> bool:
        return self.place.kind == Jurisdiction.Kind.STATE

    @property
    def stance_label(self) -> str:
        return stance_label(self.stance, statewide=self.is_state)


def own_stance_label(*, jurisdiction: Jurisdiction, day: dt.date | None = None) -> str:
    """Where the place itself stands, in words, from the records already prefetched by
    `jurisdiction_with_records` (no query); "" when it has not been researched."""
    stance = Stance.of(
        policies=jurisdiction.published_policies,
        findings=jurisdiction.published_findings,
        day=day or timezone.localdate(),
    )
    return stance_label(stance, statewide=jurisdiction.kind == Jurisdiction.Kind.STATE)


def inherited_rules(
    *, jurisdiction: Jurisdiction, day: dt.date | None = None
) -> list[InheritedRules]:
    """The laws, ordinances and detainer rules of the county and state a place lies in (287(g)
    agreements aside: each is its agency's own; bills aside: they apply to no one), nearest
    first, with "none found" findings. Needs the jurisdiction as `jurisdiction_with_records`
    returns it, with its county's and state's records (no query)."""
    on = day or timezone.localdate()
    found = []
    for place in jurisdiction.ancestors:
        applying = [
            policy
            for policy in place.published_policies  # in the database's order (see above)
            if policy.category != Policy.Category.AGREEMENT_287G
            and policy.status != Policy.Status.PROPOSED
        ]
        # Dated rules first, oldest first; those with no date recorded after them.
        policies = [p for p in applying if p.began_on] + [p for p in applying if not p.began_on]
        findings = place.published_findings
        if policies or findings:
            stance = Stance.of(policies=policies, findings=findings, day=on)
            found.append(
                InheritedRules(place=place, policies=policies, findings=findings, stance=stance)
            )
    return found


def jurisdiction_sources(
    *, jurisdiction: Jurisdiction, inherited: list[InheritedRules] = ()
) -> list:
    """Every source the page cites, from the records already prefetched (no query)."""
    seen = {}
    cited = [*jurisdiction.published_policies, *jurisdiction.published_findings]
    for rules in inherited:
        cited += [*rules.policies, *rules.findings]
    for record in cited:
        for source in record.sources.all():
            seen.setdefault(source.pk, source)
    for record in [*jurisdiction.published_figures, *jurisdiction.published_designations]:
        seen.setdefault(record.source_id, record.source)
    return sorted(seen.values(), key=lambda s: (s.publisher.lower(), s.published_on or dt.date.min))


def jurisdiction_children(*, jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    """Places whose parent is `jurisdiction` and that have published records, largest first."""
    if jurisdiction.kind == Jurisdiction.Kind.CITY:
        return Jurisdiction.objects.none()  # a city is never a parent (Jurisdiction.clean)
    return (
        jurisdiction.children.annotate(
            record_total=Count("policies", filter=Q(policies__published=True), distinct=True)
            + Count("arrival_counts", filter=Q(arrival_counts__published=True), distinct=True)
        )
        .filter(record_total__gt=0)
        .order_by("-population", "name")
    )


@dataclass(frozen=True)
class FigureGroup:
    """The figures of one measure, unit, population, facility and sender (comparable with each
    other, never summed) as a place's page and card sum them up: the latest, how many there
    are, and their notes, each once. The chart's data table lists them one by one."""

    label: str
    population: str  # who the group counts, shown beside its label
    latest: ArrivalCount
    count: int  # every published figure of the group, those the page did not read included
    notes: list[str]


def figure_groups(*, figures: list[ArrivalCount], migrants_only: bool = False) -> list[FigureGroup]:
    """Sum up a jurisdiction's figures (oldest first) in side-by-side groups by measure, unit,
    population, facility and sender. With `migrants_only` (a summary card), figures of
    everyone in a shelter system are left out."""
    groups: dict[tuple[str, str, str, str, str], list[ArrivalCount]] = {}
    for figure in figures:
        if migrants_only and figure.population not in ArrivalCount.MIGRANT_POPULATIONS:
            continue
        key = (figure.measure, figure.unit, figure.sender, figure.population, figure.facility)
        groups.setdefault(key, []).append(figure)
    result = []
    for (_measure, unit, sender, population, facility), members in groups.items():
        label = str(members[0].get_measure_display())
        if sender:
            label = gettext("%(measure)s: sent by %(sender)s") % {
                "measure": label,
                "sender": sender,
            }
        if unit == ArrivalCount.Unit.FAMILIES:
            label = gettext("%(measure)s (families)") % {"measure": label}
        shown, omitted = figures_shown(members)
        notes = list(dict.fromkeys(figure.notes for figure in shown if figure.notes))
        result.append(
            FigureGroup(
                label=label,
                population=population_label(population=population, facility=facility),
                latest=shown[-1],
                count=len(shown) + omitted,
                notes=notes,
            )
        )
    return result


def headline_figures(*, limit: int = 6) -> list[ArrivalCount]:
    """The newest published arrival or busing figure of each place and sender, largest first.
    Only figures of migrants headline (never a shelter system's count of everyone it houses);
    figures cited only by a blog or aggregator are unconfirmed and never headline.

    Reads only the 200 newest figures, so the home page costs the same at any data size."""
    latest = (
        ArrivalCount.objects.published()
        .of_migrants()
        .exclude(source__kind__in=Source.WEAK_KINDS)
        .select_related("jurisdiction", "source")
        .order_by("-as_of", "-value")
    )
    seen: set[tuple[int, str, str, str]] = set()
    picked = []
    measures = [ArrivalCount.Measure.NEW_ARRIVALS, ArrivalCount.Measure.BUSED]
    for figure in latest.filter(measure__in=measures)[:200]:
        key = (figure.jurisdiction_id, figure.measure, figure.population, figure.sender)
        if key not in seen:
            seen.add(key)
            picked.append(figure)
    picked.sort(key=lambda figure: -figure.value)
    return picked[:limit]


def jurisdictions_with_records() -> QuerySet[Jurisdiction]:
    """Jurisdictions with published figures or outside designations, the most populous first
    (the compare picker's suggestions). EXISTS stops at each place's first record, so the
    cost does not grow with how many records places have."""
    figures = ArrivalCount.objects.published().filter(jurisdiction=OuterRef("pk"))
    designations = Designation.objects.published().filter(jurisdiction=OuterRef("pk"))
    return Jurisdiction.objects.filter(Exists(figures) | Exists(designations)).order_by(
        F("population").desc(nulls_last=True), "name"
    )


def _state_counts(*, day: dt.date, metric: str) -> dict[str, tuple[int, int]]:
    """Per state: the metric's count as of `day` ("agreements", "limits" or "designations"),
    and how many places it covers (one query)."""
    if metric == "agreements" and summaries_current_on(day):
        counts = (
            JurisdictionSummary.objects.filter(agreement_total__gt=0)
            .values("jurisdiction__state")
            .annotate(n=Sum("agreement_total"), places=Count("pk"))
        )
    elif metric == "agreements":
        counts = (
            Policy.objects.published()
            .in_effect_on(day)
            .filter(category=Policy.Category.AGREEMENT_287G)
            .values("jurisdiction__state")
            .annotate(n=Count("pk"), places=Count("jurisdiction", distinct=True))
        )
    else:
        records = (
            Policy.objects.published().in_effect_on(day).filter(direction=Policy.Direction.LIMITS)
            if metric == "limits"
            else Designation.objects.published().filter(designated_on__lte=day)
        )
        counts = (
            records.values("jurisdiction__state")
            .annotate(n=Count("jurisdiction", distinct=True))
            .annotate(places=F("n"))
        )
    return {row["jurisdiction__state"]: (row["n"], row["places"]) for row in counts}


def _totals(by_state: dict[str, tuple[int, int]]) -> dict:
    # Territories have no tile but count in the national totals.
    return {
        "total": sum(count for count, _places in by_state.values()),
        "places": sum(places for _count, places in by_state.values()),
    }


def agreement_totals(*, day: dt.date) -> dict:
    """287(g) agreements in effect on `day`, and how many places hold them (one query)."""
    return _totals(_state_counts(day=day, metric="agreements"))


def ice_sheet_dates() -> list[dt.date]:
    """The dates of ICE's 287(g) sheets recorded, oldest first (one query)."""
    return list(
        Source.objects.filter(url__in=ICE_SHEET_URLS, published_on__isnull=False)
        .order_by("published_on")
        .values_list("published_on", flat=True)
        .distinct()
    )


def ice_sheet_day(day: dt.date) -> dt.date | None:
    """The newest ICE sheet recorded on or before `day`."""
    return max((sheet for sheet in ice_sheet_dates() if sheet <= day), default=None)


@dataclass(frozen=True)
class TimelineEvent:
    day: dt.date | None  # None: a policy in force whose start was never recorded
    shown: str  # the date as precisely as it is known
    what: str
    record: str
    sources: tuple
    place: str = ""  # the county or state whose rule this is; "" for the place's own

    @property
    def publishers(self) -> list[str]:
        """Who published its sources, each once (two articles of one paper are one name)."""
        return list(dict.fromkeys(source.publisher for source in self.sources))


def jurisdiction_timeline(
    *, jurisdiction: Jurisdiction, inherited: list[InheritedRules] = ()
) -> list[TimelineEvent]:
    """Events of a jurisdiction's published policies and designations, and of the county and
    state rules that apply to it, oldest first (undated ones last), each with its sources.
    Built from the records already prefetched (no query)."""
    events = []
    policies = [(policy, "") for policy in jurisdiction.published_policies]
    for rules in inherited:
        policies += [(policy, str(rules.place)) for policy in rules.policies]
    for policy, place in policies:
        sources = tuple(policy.sources.all())
        for day, label, shown in policy.timeline:
            events.append(TimelineEvent(day, shown, label, policy.title, sources, place))
    for designation in jurisdiction.published_designations:
        events.append(
            TimelineEvent(
                designation.designated_on,
                format_partial_date(designation.designated_on),
                gettext("Listed as “%(label)s” by %(body)s")
                % {"label": designation.label, "body": designation.designated_by},
                designation.list_name or designation.label,
                (designation.source,),
            )
        )
    return sorted(events, key=lambda event: (event.day or dt.date.max, event.place, event.record))


def public_changes(*, jurisdiction_slug: str = "", batch: str = "") -> QuerySet[PublicChange]:
    """The public log of updates and corrections, newest first, for one place or all. A bulk
    import stands as one entry (its newest), unless `batch` asks for that import's entries."""
    changes = PublicChange.objects.order_by("-changed_at", "-id")
    if jurisdiction_slug:
        changes = changes.filter(jurisdiction_slug=jurisdiction_slug)
    if batch:
        return changes.filter(batch=batch)
    newest_of_each_batch = (
        changes.exclude(batch="").order_by().values("batch").annotate(newest=Max("pk"))
    )
    return changes.filter(Q(batch="") | Q(pk__in=newest_of_each_batch.values("newest")))


def batch_counts(*, entries: list[PublicChange], jurisdiction_slug: str = "") -> dict:
    """For the bulk imports among `entries`: how many records each added, changed and
    withdrawn ({batch: {kind: count}}), for one place or all (one query)."""
    batches = {entry.batch for entry in entries if entry.batch}
    if not batches:
        return {}
    rows = PublicChange.objects.filter(batch__in=batches)
    if jurisdiction_slug:
        rows = rows.filter(jurisdiction_slug=jurisdiction_slug)
    counts: dict[str, dict[str, int]] = {}
    for row in rows.values("batch", "kind").annotate(total=Count("pk")).order_by():
        counts.setdefault(row["batch"], {})[row["kind"]] = row["total"]
    return counts


def records_as_of(
    *, figures=(), policies=(), findings=(), designations=(), sheet_day: dt.date | None = None
) -> tuple[dt.date, str] | None:
    """The newest date of the records a view shows, with how precisely it is known: a
    figure's as-of date, a policy's latest event or the day its sources were last read, a
    finding's check, a designation's date, the ICE sheet agreements come from. What a page
    says its data is "as of", never the day the database was loaded."""
    day = DatePrecision.DAY
    dates = [(sheet_day, day)]
    dates += [(figure.as_of, figure.as_of_precision) for figure in figures]
    dates += [(finding.checked_on, day) for finding in findings]
    dates += [(designation.designated_on, day) for designation in designations]
    for policy in policies:
        dates += [(policy.starts_on, day), (policy.ended_on, day), (policy.last_verified, day)]
    known = [(when, precision) for when, precision in dates if when]
    # The newest date; of equal dates, the most precisely known.
    precise_first = {DatePrecision.DAY: 2, DatePrecision.MONTH: 1, DatePrecision.YEAR: 0}
    return max(known, key=lambda d: (d[0], precise_first[d[1]]), default=None)
