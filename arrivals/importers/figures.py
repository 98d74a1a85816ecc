"""What the arrival-figure importers share: their report, places found by label, cited
sources, and a save that changes only what differs.
"""

from dataclasses import dataclass, field

from arrivals.models import ArrivalCount
from policies.csv_import import RowError, save_changed
from policies.models import Jurisdiction, Source


@dataclass
class FigureReport:
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} figures created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} rows skipped"
        )


class PlaceFinder:
    """Finds destination jurisdictions by the labels the transcribed files use."""

    def __init__(self) -> None:
        self.cache: dict[str, Jurisdiction | None] = {}

    def get(self, label: str) -> Jurisdiction | None:
        if label not in self.cache:
            self.cache[label] = self._find(label)
        return self.cache[label]

    def _find(self, label: str) -> Jurisdiction | None:
        if label.endswith("(state)"):
            name = label.removesuffix("(state)").strip()
            return Jurisdiction.objects.states().filter(name=name).first()
        name, _, state = label.rpartition(",")
        return Jurisdiction.objects.filter(
            kind=Jurisdiction.Kind.CITY, name=name.strip(), state=state.strip()
        ).first()


MISSING_SOURCE = (
    "No source with this URL has been entered; import it under Sources first, with its "
    "publisher and kind."
)


def cited_source(url: str) -> Source | None:
    """The source entered for `url`: figures cite sources staff have classified, never ones
    made up from an address."""
    return Source.objects.filter(url=url.strip()).order_by("-published_on").first()


def save_figure(report: FigureReport, keys: dict, values: dict) -> None:
    figure = ArrivalCount.objects.filter(**keys).first()
    if figure is None:
        figure = ArrivalCount(**keys, **values)
        figure.full_clean()
        figure.save()
        report.created += 1
        return
    if save_changed(figure, values):
        report.updated += 1
    else:
        report.unchanged += 1
