"""The map's read side: each state's, county's and city's value of one metric as of a day, put
in the legend's classes, with the outlines and points to draw them (policies.geography)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from django.db.models import F, Min
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from policies.geography import (
    GRID,
    MAP_HEIGHT,
    MAP_WIDTH,
    STATE_CODES_BY_FIPS,
    STATE_NAMES,
    atlas,
    place_points,
)
from policies.models import Jurisdiction, Policy
from tracker.columns import LiveColumns
from tracker.summaries import summaries_current_on

MAP_METRICS = {
    "local": _("Local policies on cooperation, over statewide laws"),
    "state_law": _("Statewide law on cooperation with immigration enforcement"),
    "detainer": _("Rules on ICE detainer requests"),
    "agreements": _("287(g) agreements in effect"),
    "designations": _("Places listed by an outside body"),
}
# The tile map's "limits" (places limiting cooperation) lives on as the local-policy map.
METRIC_ALIASES = {"limits": "local"}
DEFAULT_METRIC = "local"

# The JurisdictionSummary column (and LiveColumns expression) each metric reads.
METRIC_FIELDS = {
    "local": "stance",
    "state_law": "stance",
    "detainer": "detainer_rule_then",
    "agreements": "agreement_total",
    "designations": "designation_total",
}
NONE = "none"  # the class of a place with nothing recorded for the metric
# 287(g) agreements per place: one class per count up to the last, which holds it and more.
AGREEMENT_BINS = (1, 2, 3)


def metric_classes(metric: str) -> list[tuple[str, str]]:
    """The legend's classes of `metric`, in order: (key, label). The key names the CSS class
    (`map-<key>`) that gives the fill in both themes."""
    if metric in ("local", "state_law"):
        statewide = metric == "state_law"
        return [
            ("limits", gettext("Limits cooperation")),
            ("expands", gettext("Requires cooperation")),
            ("mixed", gettext("Both, in part")),
            (
                "none_found",
                gettext("No statewide law found") if statewide else gettext("No policy found"),
            ),
            ("none_in_effect", gettext("None in effect then")),
            (NONE, gettext("No policy recorded")),
        ]
    if metric == "detainer":
        rules = [(str(value), str(label)) for value, label in Policy.DetainerRule.choices]
        return [*rules, (NONE, gettext("No rule recorded"))]
    if metric == "agreements":
        *counts, last = AGREEMENT_BINS
        bins = [(f"n{n}", str(n)) for n in counts]
        bins.append((f"n{last}", gettext("%(count)s or more") % {"count": last}))
        return [*bins, (NONE, gettext("None recorded"))]
    return [("listed", gettext("Listed")), (NONE, gettext("Not on a list recorded here"))]


def value_class(metric: str, value) -> str:
    """The class key of one place's value (None when nothing is recorded)."""
    if metric == "agreements":
        return f"n{min(value, AGREEMENT_BINS[-1])}" if value else NONE
    if metric == "designations":
        return "listed" if value else NONE
    return value or NONE


@dataclass(frozen=True)
class MapPlace:
    name: str
    kind: str
    state: str
    css: str  # the class key
    label: str  # the value in words, as the legend says it
    value: str  # the value as the table says it: the label, or a count
    url: str
    path: str = ""  # a state or county: its outline, in 1/GRID of a pixel
    x: float = 0  # a city: where its symbol goes
    y: float = 0

    @property
    def kind_label(self) -> str:
        return str(Jurisdiction.Kind(self.kind).label)


def _place_values(*, metric: str, day: dt.date) -> list[dict]:
    """Every jurisdiction with its value of `metric` as of `day` (one query): from the kept
    summaries for today, computed from the records for another day."""
    field = METRIC_FIELDS[metric]
    kinds = [Jurisdiction.Kind.STATE]
    if metric != "state_law":
        kinds += [Jurisdiction.Kind.COUNTY, Jurisdiction.Kind.CITY, Jurisdiction.Kind.OTHER]
    places = Jurisdiction.objects.filter(kind__in=kinds).order_by("state", "name")
    if summaries_current_on(day):
        places = places.annotate(value=F(f"summary__{field}"))
    else:
        places = places.annotate(value=LiveColumns(day).expressions()[field])
    return list(places.values("kind", "state", "geoid", "name", "slug", "value"))


def _first_recorded_day() -> dt.date | None:
    """The earliest start of a published policy: where the time control begins."""
    return Policy.objects.published().with_start().aggregate(first=Min("began_on"))["first"]


def map_steps(*, first: dt.date | None, sheets: list[dt.date], today: dt.date) -> list[dt.date]:
    """The dates the time control steps through: the end of each year from the first
    recorded policy, each ICE sheet recorded, and today."""
    start = first.year if first else today.year
    years = [dt.date(year, 12, 31) for year in range(start, today.year)]
    return sorted({*years, *(sheet for sheet in sheets if sheet <= today), today})


def _nearest_step(steps: list[dt.date], day: dt.date) -> int:
    """The index of the last step on or before `day` (the first step when none is)."""
    return max((i for i, step in enumerate(steps) if step <= day), default=0)


def _agreements_in_state(count: int) -> str:
    return ngettext(
        "%(count)s agreement in effect in the state",
        "%(count)s agreements in effect in the state",
        count,
    ) % {"count": count}


def _map_subject(*, day: dt.date, metric: str) -> dict:
    return {
        "map_metric": metric,
        "map_metrics": MAP_METRICS,
        "map_label": MAP_METRICS[metric],
        "map_day": day,
        "map_day_iso": day.isoformat(),
    }


def map_heading_context(*, day: dt.date, metric: str, sheets: list[dt.date]) -> dict:
    """What is said around the map: its metric and label, its date, and the ICE sheets
    (`selectors.ice_sheet_dates`) that agreement counts rest on."""
    metric = METRIC_ALIASES.get(metric, metric)
    return {
        **_map_subject(day=day, metric=metric),
        "map_sheet_day": max((sheet for sheet in sheets if sheet <= day), default=None),
        "map_first_sheet_day": sheets[0] if sheets else None,
    }


def map_context(*, day: dt.date, metric: str) -> dict:
    """What the map partial needs: states, counties and cities to draw with their classes,
    the legend (each class with how many places it holds) and the table of places with a
    value. One or two queries."""
    metric = METRIC_ALIASES.get(metric, metric)
    classes = metric_classes(metric)
    labels = dict(classes)
    shapes, points = atlas(), place_points()
    state_fips = {code: fips for fips, code in STATE_CODES_BY_FIPS.items()}
    # One reverse() for every place's link (thousands on the agreements map), in the language.
    detail = reverse("tracker:jurisdiction-detail", args=["-"]).removesuffix("-/")
    agreements_by_state: Counter[str] = Counter()
    states, counties, cities, unplaced, table = [], [], [], [], []
    for row in _place_values(metric=metric, day=day):
        css = value_class(metric, row["value"])
        kind, state = row["kind"], row["state"]
        is_state = kind == Jurisdiction.Kind.STATE
        place = MapPlace(
            name=row["name"] if is_state else f"{row['name']}, {state}",
            kind=kind,
            state=state,
            css=css,
            label=labels[css],
            value=str(row["value"]) if metric == "agreements" and row["value"] else labels[css],
            url=f"{detail}{row['slug']}/",
        )
        if metric == "agreements":
            agreements_by_state[state] += row["value"] or 0
        if css != NONE or (is_state and metric == "state_law"):
            table.append(place)
        if is_state and state_fips.get(state) in shapes.states:
            states.append(replace(place, path=shapes.states[state_fips[state]]))
        elif css == NONE or is_state:
            continue  # a county or city with nothing recorded: its state shows through
        elif kind == Jurisdiction.Kind.COUNTY and row["geoid"] in shapes.counties:
            counties.append(replace(place, path=shapes.counties[row["geoid"]]))
        else:
            point = points.get((state, row["name"])) if kind == Jurisdiction.Kind.CITY else None
            if point:
                cities.append(replace(place, x=round(point[0], 1), y=round(point[1], 1)))
            else:
                unplaced.append(place)
    # A state with no row here is drawn too, with nothing recorded and no page to link to.
    drawn = {place.state for place in states}
    states += [
        MapPlace(STATE_NAMES[code], Jurisdiction.Kind.STATE, code, NONE, labels[NONE],
                 labels[NONE], url="", path=shapes.states[fips])
        for fips, code in STATE_CODES_BY_FIPS.items()
        if code not in drawn and fips in shapes.states
    ]  # fmt: skip
    if metric == "agreements":
        # A state's own agencies' agreements do not colour the whole state: its outline says
        # how many agreements the agencies in it hold; with none, "None recorded", never
        # "0 agreements" (a state without a sheet recorded is not a state without agreements).
        states = [
            replace(
                place,
                css=NONE,
                label=_agreements_in_state(count)
                if (count := agreements_by_state[place.state])
                else labels[NONE],
            )
            for place in states
        ]
    counts = Counter(place.css for place in table)
    return {
        **_map_subject(day=day, metric=metric),
        "map_width": MAP_WIDTH,
        "map_height": MAP_HEIGHT,
        "map_scale": 1 / GRID,
        "map_states": states,
        "map_counties": counties,
        "map_cities": cities,
        "map_state_borders": shapes.state_borders,
        "map_unplaced": unplaced,
        "map_table": table,
        "map_legend": [(key, label, counts[key]) for key, label in classes],
        "map_none_label": labels[NONE],
    }


def map_time_context(*, day: dt.date, sheets: list[dt.date]) -> dict:
    """The map page's time control: the dates its slider steps through, from the first
    recorded policy (one query) and the ICE sheets (`selectors.ice_sheet_dates`)."""
    today = dt.date.today()
    steps = map_steps(first=_first_recorded_day(), sheets=sheets, today=today)
    # Links for readers without JavaScript (the slider needs it): a few years, and the oldest
    # and newest ICE sheets, which agreement counts rest on.
    jumps = [dt.date(year, 12, 31) for year in (2015, 2018, 2020, 2023) if year < today.year]
    if sheets:
        jumps = [*(jump for jump in jumps if jump < sheets[0]), sheets[0], sheets[-1]]
    return {
        "map_steps": [step.isoformat() for step in steps],
        "map_step_index": _nearest_step(steps, day),
        "map_jumps": list(dict.fromkeys([*jumps, today])),
    }
