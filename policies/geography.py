"""US states and the District of Columbia by USPS code (Census names), and the map's
geography: state and county outlines, and the position of cities."""

import csv
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STATE_NAMES: dict[str, str] = {
    "AK": "Alaska",
    "AL": "Alabama",
    "AR": "Arkansas",
    "AZ": "Arizona",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DC": "District of Columbia",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "IA": "Iowa",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "MA": "Massachusetts",
    "MD": "Maryland",
    "ME": "Maine",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MO": "Missouri",
    "MS": "Mississippi",
    "MT": "Montana",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "NE": "Nebraska",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NV": "Nevada",
    "NY": "New York",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VA": "Virginia",
    "VT": "Vermont",
    "WA": "Washington",
    "WI": "Wisconsin",
    "WV": "West Virginia",
    "WY": "Wyoming",
}

STATE_CODES: tuple[str, ...] = tuple(STATE_NAMES)
STATE_CODES_BY_NAME: dict[str, str] = {name.upper(): code for code, name in STATE_NAMES.items()}

STATE_CODES_BY_FIPS: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY",
}  # fmt: skip

# us-atlas's counties-albers-10m.json (npm, copied to static/vendor/ by `make install`): state
# and county outlines already projected with d3's geoAlbersUsa (scale 1300, translate
# [487.5, 305]) into a 975 × 610 box, so drawing them needs no projection maths.
ATLAS_FILE = settings.BASE_DIR / "static" / "vendor" / "counties-albers-10m.json"
MAP_WIDTH, MAP_HEIGHT = 975, 610
# Path coordinates are whole quarters of a pixel of the 975 × 610 box (a third of a pixel on a
# wide screen, finer than the eye tells apart), written as integers: shorter than decimals,
# and a fifth smaller gzipped than tenths. The SVG draws them scaled by 1/GRID.
GRID = 4


@dataclass(frozen=True)
class Atlas:
    """SVG path data (in 1/GRID of a pixel) of each county by 5-digit FIPS and each state by
    2-digit FIPS, and the borders between states (and coastlines) as one path."""

    counties: dict[str, str]
    states: dict[str, str]
    state_borders: str


def _decoded_arcs(topology: dict) -> list[list[tuple[int, int]]]:
    """TopoJSON's quantized, delta-encoded arcs as absolute points on the GRID."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[tuple[int, int]] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            point = (round((x * sx + tx) * GRID), round((y * sy + ty) * GRID))
            if not points or point != points[-1]:
                points.append(point)
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[int, int]]], indexes: list[int]) -> list[tuple[int, int]]:
    # A negative index ~i is arc i reversed; consecutive arcs share their joining point.
    points: list[tuple[int, int]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _relative(points: list[tuple[int, int]]) -> str:
    """Points as an SVG move then relative lines: small numbers, most of them one digit."""
    (x0, y0), steps = points[0], []
    for x, y in points[1:]:
        steps.append(f"{x - x0} {y - y0}")
        x0, y0 = x, y
    return f"M{points[0][0]} {points[0][1]}l" + " ".join(steps).replace(" -", "-")


def _rings(geometry: dict) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return geometry["arcs"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def _path(arcs: list[list[tuple[int, int]]], geometry: dict) -> str:
    rings = (_ring(arcs, ring) for ring in _rings(geometry))
    return "".join(_relative(ring) + "z" for ring in rings if len(ring) > 2)


@cache
def atlas() -> Atlas:
    """The map's outlines, decoded once per process from the installed file (about 0.2 s):
    the file never changes while the app runs."""
    if not ATLAS_FILE.exists():
        raise ImproperlyConfigured(f"{ATLAS_FILE} is missing: `make install` copies it from npm.")
    topology = json.loads(ATLAS_FILE.read_text())
    arcs = _decoded_arcs(topology)
    counties = topology["objects"]["counties"]["geometries"]
    states = topology["objects"]["states"]["geometries"]
    # Arcs used by two states are borders between them; each is drawn once, coastlines too.
    used: dict[int, set[str]] = {}
    for state in states:
        for ring in _rings(state):
            for index in ring:
                used.setdefault(index if index >= 0 else ~index, set()).add(state["id"])
    return Atlas(
        # A county smaller than the grid (Lexington city, Virginia) has no outline to draw.
        counties={county["id"]: path for county in counties if (path := _path(arcs, county))},
        states={state["id"]: _path(arcs, state) for state in states},
        state_borders="".join(
            _relative(arcs[index]) for index in sorted(used) if len(arcs[index]) > 1
        ),
    )


class _ConicEqualArea:
    """d3-geo's conic equal-area projection (Albers) with its rotate, center, scale and
    translate, for points only."""

    def __init__(self, *, parallels, rotate, center, scale, translate) -> None:
        sin0 = math.sin(math.radians(parallels[0]))
        self.n = (sin0 + math.sin(math.radians(parallels[1]))) / 2
        self.c = 1 + sin0 * (2 * self.n - sin0)
        self.r0 = math.sqrt(self.c) / self.n
        self.rotate, self.scale = rotate, scale
        cx, cy = self._raw(math.radians(center[0]), math.radians(center[1]))
        # d3 places the (unrotated) center at `translate`.
        self.dx, self.dy = translate[0] - scale * cx, translate[1] + scale * cy

    def _raw(self, x: float, y: float) -> tuple[float, float]:
        r = math.sqrt(self.c - 2 * self.n * math.sin(y)) / self.n
        return r * math.sin(x * self.n), self.r0 - r * math.cos(x * self.n)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        lon = (lon + self.rotate + 180) % 360 - 180
        x, y = self._raw(math.radians(lon), math.radians(lat))
        return self.dx + self.scale * x, self.dy - self.scale * y


def _albers_usa(
    scale: float = 1300, translate: tuple[float, float] = (487.5, 305)
) -> Callable[[float, float], tuple[float, float] | None]:
    """d3-geo's geoAlbersUsa for points: the lower 48 states, with Alaska and Hawaii in
    insets, each used where the point falls inside its inset's box (d3's clip extents)."""
    k, (x, y) = scale, translate
    lower48 = _ConicEqualArea(
        parallels=(29.5, 45.5), rotate=96, center=(-0.6, 38.7), scale=k, translate=(x, y)
    )
    alaska = _ConicEqualArea(
        parallels=(55, 65),
        rotate=154,
        center=(-2, 58.5),
        scale=k * 0.35,
        translate=(x - 0.307 * k, y + 0.201 * k),
    )
    hawaii = _ConicEqualArea(
        parallels=(8, 18),
        rotate=157,
        center=(-3, 19.9),
        scale=k,
        translate=(x - 0.205 * k, y + 0.212 * k),
    )
    epsilon = 1e-6
    boxes = [
        (lower48, (x - 0.455 * k, y - 0.238 * k, x + 0.455 * k, y + 0.238 * k)),
        (alaska, (x - 0.425 * k + epsilon, y + 0.120 * k + epsilon,
                  x - 0.214 * k - epsilon, y + 0.234 * k - epsilon)),
        (hawaii, (x - 0.214 * k + epsilon, y + 0.166 * k + epsilon,
                  x - 0.115 * k - epsilon, y + 0.234 * k - epsilon)),
    ]  # fmt: skip

    def project(lon: float, lat: float) -> tuple[float, float] | None:
        for projection, (x0, y0, x1, y1) in boxes:
            px, py = projection(lon, lat)
            if x0 <= px <= x1 and y0 <= py <= y1:
                return px, py
        return None

    return project


albers_usa = _albers_usa()
albers_usa.__doc__ = "(lon, lat) in degrees → (x, y) on the us-atlas map, or None off it."

# Where cities are drawn: GeoNames's point for each city, matched by name and state (see
# data/reference/README.md and scripts/match_place_points.py).
PLACE_POINTS_FILE = settings.BASE_DIR / "data" / "reference" / "us_place_points_geonames.csv"


@cache
def place_points() -> dict[tuple[str, str], tuple[float, float]]:
    """Each matched city's (x, y) on the map, by (state code, name as recorded here)."""
    with PLACE_POINTS_FILE.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    points = {}
    for row in rows:
        point = albers_usa(float(row["longitude"]), float(row["latitude"]))
        if point:
            points[(row["state"], row["name"])] = point
    return points
