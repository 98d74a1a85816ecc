"""Writes for arrival figures beyond an admin save: the overlap warning staff see.

The figure imports are in arrivals/importers/, one module per source.
"""

from arrivals.models import ArrivalCount


def arrivalcount_overlap_warning(*, count: ArrivalCount) -> str:
    """A warning for staff when `count` overlaps other figures it must never be added to."""
    others = list(count.overlapping_figures()[:6])
    if not others:
        return ""
    listed = "; ".join(
        f"{o.display_value} ({o.period_display}, {o.source.publisher})" for o in others
    )
    return (
        f"{count.jurisdiction}: this figure's period overlaps {len(others)} other figure(s) of the "
        f"same measure, population and sender ({listed}). They are shown side by side and "
        "never added."
    )
