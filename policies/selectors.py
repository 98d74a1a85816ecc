"""Read-side queries for reader pages. Only published records reach readers."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, Policy


def jurisdiction_with_records(*, slug: str) -> Jurisdiction:
    """One jurisdiction with its published policies (and their sources), figures and
    designations prefetched, so its page runs a fixed number of queries."""
    return (
        Jurisdiction.objects.select_related("parent", "parent__parent")
        .prefetch_related(
            Prefetch(
                "policies",
                queryset=Policy.objects.published()
                .with_start()
                .prefetch_related("sources")
                .order_by("began_on", "title"),
                to_attr="published_policies",
            ),
            Prefetch(
                "arrival_counts",
                queryset=ArrivalCount.objects.published()
                .select_related("source")
                .order_by("measure", "sender", "as_of"),
                to_attr="published_figures",
            ),
            Prefetch(
                "designations",
                queryset=Designation.objects.published().select_related("source"),
                to_attr="published_designations",
            ),
        )
        .get(slug=slug)
    )


def jurisdiction_children(*, jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    """Places whose parent is `jurisdiction` and that have published records, largest first."""
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
    """Figures of one measure, unit and sender: comparable with each other, never summed."""

    label: str
    figures: list[ArrivalCount]


def figure_groups(*, figures: list[ArrivalCount]) -> list[FigureGroup]:
    """Split a jurisdiction's figures into side-by-side groups by measure, unit and sender."""
    groups: dict[tuple[str, str, str], list[ArrivalCount]] = {}
    for figure in figures:
        groups.setdefault((figure.measure, figure.unit, figure.sender), []).append(figure)
    result = []
    for (_measure, unit, sender), members in groups.items():
        label = members[0].get_measure_display()
        if sender:
            label = f"{label}: sent by {sender}"
        if unit == ArrivalCount.Unit.FAMILIES:
            label = f"{label} (families)"
        result.append(FigureGroup(label=label, figures=members))
    return result


def headline_figures(*, limit: int = 6) -> list[ArrivalCount]:
    """The newest published arrival or busing figure of each place and sender, largest first.

    Reads only the 200 newest figures, so the home page costs the same at any data size."""
    latest = (
        ArrivalCount.objects.published()
        .select_related("jurisdiction", "source")
        .order_by("-as_of", "-value")
    )
    seen: set[tuple[int, str, str]] = set()
    picked = []
    measures = [ArrivalCount.Measure.NEW_ARRIVALS, ArrivalCount.Measure.BUSED]
    for figure in latest.filter(measure__in=measures)[:200]:
        key = (figure.jurisdiction_id, figure.measure, figure.sender)
        if key not in seen:
            seen.add(key)
            picked.append(figure)
    picked.sort(key=lambda figure: -figure.value)
    return picked[:limit]


def jurisdictions_with_records() -> QuerySet[Jurisdiction]:
    """Jurisdictions with published figures or outside designations, with record counts."""
    published_policies = Q(policies__published=True)
    return (
        Jurisdiction.objects.annotate(
            policy_total=Count("policies", filter=published_policies, distinct=True),
            figure_total=Count(
                "arrival_counts", filter=Q(arrival_counts__published=True), distinct=True
            ),
            designation_total=Count(
                "designations", filter=Q(designations__published=True), distinct=True
            ),
        )
        .filter(Q(figure_total__gt=0) | Q(designation_total__gt=0))
        .order_by("-figure_total", "-designation_total", "name")
    )
