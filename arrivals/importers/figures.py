"""What the arrival-figure importers share: their report, places found by label, cited
sources, and a save that changes only what differs.
"""

from dataclasses import dataclass, field

from django.db import transaction

from arrivals.models import ArrivalCount
from policies.csv_import import RowError, save_changed
from policies.models import Jurisdiction, Source


@dataclass
class FigureReport:
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[RowError] = field(default_factory=list)
    # Rows that repeat an earlier row's key: the whole file is refused (see `save_figure`).
    refused: list[RowError] = field(default_factory=list)
    first_row_of: dict[tuple, int] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        if self.refused:
            return f"nothing was imported: {'; '.join(map(str, self.refused))}"
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


def save_figure(report: FigureReport, keys: dict, values: dict, *, row: int) -> None:
    """Create or update the figure `keys` identify: place, measure, unit, population,
    facility, sender, period, date and source. A row with the same keys as an earlier
    row would overwrite it (a census with a row per shelter would become one figure a day):
    it is refused instead, and `finished` then saves nothing of the file."""
    first = report.first_row_of.setdefault(tuple(keys.values()), row)
    if first != row:
        report.refused.append(
            RowError(
                row,
                "",
                f"row {first} has the same place, measure, unit, population, facility, sender, "
                "period, date and source: two rows would be one figure, the later overwriting "
                "the earlier",
            )
        )
        return
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


def finished(report: FigureReport) -> FigureReport:
    """End an importer's transaction: rolled back if any row was refused."""
    if report.refused:
        transaction.set_rollback(True)
        report.created = report.updated = report.unchanged = 0
    return report
