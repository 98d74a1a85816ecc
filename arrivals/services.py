"""Writes for arrival figures beyond an admin save: the overlap warning staff see.

The figure imports are in arrivals/importers/, one module per source.
"""

import datetime as dt
from collections.abc import Iterable
from itertools import count as counter

from arrivals.models import ArrivalCount
from policies.models import Source

# As many overlapping figures as a warning names.
LISTED = 6
RECORDED_FIELDS = (
    "pk", "jurisdiction_id", "measure", "unit", "population", "facility", "sender",
    "period_type", "period_start", "period_start_precision", "period_end", "as_of",
    "as_of_precision", "value", "qualifier", "source_id",
)  # fmt: skip


def overlap_warning_text(*, count: ArrivalCount, others: list[ArrivalCount]) -> str:
    listed = "; ".join(
        f"{o.display_value} ({o.period_display}, {o.source.publisher})" for o in others
    )
    return (
        f"{count.jurisdiction}: this figure's period overlaps {len(others)} other figure(s) of the "
        f"same measure, population and sender ({listed}). They are shown side by side and "
        "never added."
    )


def arrivalcount_overlap_warning(*, count: ArrivalCount) -> str:
    """A warning for staff when `count` overlaps other figures it must never be added to."""
    others = list(count.overlapping_figures()[:LISTED])
    return overlap_warning_text(count=count, others=others) if others else ""


def _interval(*, period_start, period_end, as_of, **_key) -> tuple[dt.date, dt.date]:
    end = period_end or as_of
    return (period_start or end, end)


class FigureOverlaps:
    """`arrivalcount_overlap_warning` for each figure a file saves, as it would be right after
    that figure's save: against the figures recorded before the import (read in one query
    for the file's places, measures and dates) and the file's figures saved before it."""

    def __init__(self, recorded: Iterable[tuple]) -> None:
        self.groups: dict[tuple, dict[object, list]] = {}
        self.order = counter()
        for values in recorded:
            figure = dict(zip(RECORDED_FIELDS, values, strict=True))
            self._put(self._group(figure), figure["pk"], figure, _interval(**figure))
        self.found: list[tuple[int, ArrivalCount, list]] = []

    @classmethod
    def recorded_for(cls, keys: list[dict]) -> "FigureOverlaps":
        """The recorded figures that may overlap figures with these import keys."""
        if not keys:
            return cls([])
        intervals = [_interval(**key) for key in keys]
        first, last = min(start for start, _end in intervals), max(end for _start, end in intervals)
        recorded = (
            ArrivalCount.objects.with_interval()
            .filter(
                jurisdiction_id__in={key["jurisdiction"].pk for key in keys},
                measure__in={key["measure"] for key in keys},
                as_of__gte=first,  # a figure ends on or before its as-of date
                covers_from__lte=last,
                covers_to__gte=first,
            )
            .order_by()
            .values_list(*RECORDED_FIELDS)
        )
        return cls(recorded.iterator(chunk_size=5000))

    @staticmethod
    def _group(figure) -> tuple:
        if isinstance(figure, ArrivalCount):
            figure = {
                name: getattr(figure, name)
                for name in ("jurisdiction_id", "measure", "unit", "population", "sender")
            }
        return (
            figure["jurisdiction_id"],
            figure["measure"],
            figure["unit"],
            figure["population"],
            figure["sender"].upper(),
        )

    @staticmethod
    def _facility(figure) -> str:
        facility = figure.facility if isinstance(figure, ArrivalCount) else figure["facility"]
        return facility.lower()

    @classmethod
    def _counted_together(cls, one, other) -> bool:
        """As ArrivalCountQuerySet.overlapping: two facilities' counts are of different people,
        but each is part of the place's count of all its facilities."""
        mine, theirs = cls._facility(one), cls._facility(other)
        return not mine or not theirs or mine == theirs

    def _put(self, group: tuple, token: object, figure, interval) -> None:
        as_of = figure.as_of if isinstance(figure, ArrivalCount) else figure["as_of"]
        self.groups.setdefault(group, {})[token] = [*interval, as_of, next(self.order), figure]

    def add(self, row: int, count: ArrivalCount) -> None:
        """`count`, from file row `row`, is saved (or would be, in a preview)."""
        group = self._group(count)
        start, end = count.interval
        token = count.pk or id(count)
        others = sorted(
            (as_of, order, figure)
            for other, (from_, to, as_of, order, figure) in self.groups.get(group, {}).items()
            if other != token
            and from_ <= end
            and to >= start
            and self._counted_together(count, figure)
        )
        if others:
            self.found.append((row, count, [figure for _as_of, _order, figure in others[:LISTED]]))
        self._put(group, token, count, (start, end))

    def warnings(self) -> list[tuple[int, str]]:
        """(row, warning) for each figure that overlaps others, in the order they were saved."""
        source_ids = {
            o["source_id"] for *_, others in self.found for o in others if isinstance(o, dict)
        }
        sources = Source.objects.in_bulk(source_ids)
        warnings = []
        for row, count, others in self.found:
            figures = []
            for other in others:
                if isinstance(other, dict):
                    values = {name: other[name] for name in RECORDED_FIELDS if name != "pk"}
                    other = ArrivalCount(pk=other["pk"], **values)
                    other.source = sources[other.source_id]
                figures.append(other)
            warnings.append((row, overlap_warning_text(count=count, others=figures)))
        return warnings
