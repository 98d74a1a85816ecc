"""make bench-imports: issue #19's import measurements, on PostgreSQL, on this machine.

1. A database of 900,000 arrival figures: the Census places (states, counties, large cities),
   synthetic sources, and a daily count of people in shelter for 3,000 places over 300 days,
   written with COPY.
2. A 50,000-row arrival-figure CSV through `csv_import` and ArrivalCountResource, the code
   behind the admin's import: 45,000 new figures (the next 18 days of 2,500 places) and 5,000
   corrections of recorded ones. Validated and previewed (a dry run), then applied. Targets:
   2,000 rows/s, under 30 s a step, peak memory under 500 MB.
3. ICE's 832-row 287(g) sheet (data/reference), previewed then recorded. Target: 5 s each.

Each step runs in a process of its own, so its peak memory (getrusage's maxrss) is its own;
steps report their time, rows/s, SQL queries and peak memory as JSON, and the run prints them
all. Needs PostgreSQL on 127.0.0.1; uses the database BENCH_DATABASE (sanctuary_imports_bench
by default), which it drops and recreates, and REDIS_URL if set. Not part of the tests.
"""

import csv
import datetime as dt
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "sanctuary_imports_bench")
ENV = {**os.environ, "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}"}
RECORDED_PLACES, RECORDED_DAYS = 3_000, 300  # 900,000 figures
FILE_PLACES, NEW_DAYS, CORRECTED_DAYS = 2_500, 18, 2  # 45,000 new, 5,000 corrections
FIRST_DAY = dt.date(2024, 1, 1)
SOURCES = 200
ICE_SHEET = ROOT / "data" / "reference" / "ice_287g_participating_2025-07-18.csv"
ICE_SHEET_DATE = dt.date(2025, 7, 18)
FIGURE_COLUMNS = (
    "jurisdiction", "measure", "unit", "period_type", "period_start", "period_end", "as_of",
    "value", "qualifier", "sender", "program", "reported_by", "source", "notes", "published",
)  # fmt: skip


def setup_django() -> None:
    os.environ["DATABASE_URL"] = ENV["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def psql(sql: str, database: str = "postgres") -> None:
    command = ["psql", "-X", "-h", "127.0.0.1", "-U", "root", "-d", database, "-qc", sql]
    subprocess.run(command, check=True)


def sources_and_places() -> tuple[list, list]:
    from policies.models import Jurisdiction, Source

    sources = list(Source.objects.filter(publisher="Synthetic").order_by("pk"))
    places = list(Jurisdiction.objects.exclude(kind="state").order_by("pk")[:RECORDED_PLACES])
    return sources, places


def build() -> None:
    """The database: migrated, the Census places, synthetic sources, 900,000 figures."""
    from django.core.management import call_command
    from django.db import connection

    from policies.importers.census import jurisdictions_import_census
    from policies.models import Source
    from tracker.management.commands.load_seed import REFERENCE, read
    from tracker.summaries import refresh_summaries

    call_command("migrate", verbosity=0)
    jurisdictions_import_census(
        states_csv=read(REFERENCE / "us_states_fips.csv"),
        counties_csv=read(REFERENCE / "us_counties_fips_2020.csv"),
        places_csv=read(REFERENCE / "us_census_places50k_pep2014.csv"),
    )
    Source.objects.bulk_create(
        Source(publisher="Synthetic", title=f"Shelter census {n}", url=f"https://example.org/s/{n}")
        for n in range(SOURCES)
    )
    sources, places = sources_and_places()
    rng = random.Random(19)
    columns = (
        "jurisdiction_id, measure, unit, population, facility, period_type, "
        "period_start_precision, as_of, as_of_precision, value, qualifier, sender, program, "
        "reported_by, source_id, notes, published, updated_at"
    )
    now = dt.datetime.now(dt.UTC)
    copy_sql = f"COPY arrivals_arrivalcount ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for index, place in enumerate(places):
            source = sources[index % len(sources)]
            for day in range(RECORDED_DAYS):
                copy.write_row(
                    (
                        place.pk, "in_shelter", "people", "migrants", "", "point", "day",
                        FIRST_DAY + dt.timedelta(days=day), "day", rng.randrange(10, 9000),
                        "exact", "", "", "Synthetic", source.pk, "", True, now,
                    )
                )  # fmt: skip
    refresh_summaries()
    psql("VACUUM ANALYZE", DATABASE)


def figures_csv() -> str:
    """45,000 new figures (the days after the recorded ones) and 5,000 corrections (the last
    recorded days, new values)."""
    sources, places = sources_and_places()
    rng = random.Random(2025)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIGURE_COLUMNS)
    days = range(RECORDED_DAYS - CORRECTED_DAYS, RECORDED_DAYS + NEW_DAYS)
    for index, place in enumerate(places[:FILE_PLACES]):
        source = sources[index % len(sources)]
        for day in days:
            as_of = FIRST_DAY + dt.timedelta(days=day)
            writer.writerow(
                (
                    place.slug, "in_shelter", "people", "point", "", "", as_of.isoformat(),
                    f"{rng.randrange(10, 9000):,}", "exact", "", "", "Synthetic", source.url,
                    "", "true",
                )
            )  # fmt: skip
    return out.getvalue()


def measure(step: str) -> dict:
    """One step, timed, with its SQL queries counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from arrivals.resources import ArrivalCountResource
    from policies.csv_import import csv_import, read_csv_rows
    from policies.importers.ice_287g import agreements_import_ice_287g

    if step.startswith("figures"):
        text = figures_csv()
        rows = text.count("\n") - 1
    else:
        sheet = read_csv_rows(ICE_SHEET.read_text(encoding="utf-8"))
        rows = len(sheet)
    connection.queries_limit = 10**7
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if step.startswith("figures"):
            report = csv_import(
                resource=ArrivalCountResource(), text=text, dry_run=step == "figures-preview"
            )
            outcome = report.summary()
            assert report.ok, report.errors[:5]
        else:
            report = agreements_import_ice_287g(
                rows=sheet, sheet_date=ICE_SHEET_DATE, dry_run=step == "ice-preview"
            )
            outcome = report.summary()
    seconds = time.perf_counter() - start
    return {
        "step": step,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "queries": len(queries.captured_queries),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "outcome": outcome,
    }


STEPS = ("figures-preview", "figures-apply", "ice-preview", "ice-apply")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--step":
        setup_django()
        print(json.dumps(measure(sys.argv[2])))
        return
    print(f"Building {DATABASE}: 900,000 arrival figures", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--build"], env=ENV, check=True)
    print(f"Built in {time.perf_counter() - started:.0f} s", flush=True)
    results = []
    for step in STEPS:
        finished = subprocess.run(
            [sys.executable, __file__, "--step", step],
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(finished.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    print(json.dumps({"commit": commit(), "results": results}, indent=2))


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    if sys.argv[1:] == ["--build"]:
        setup_django()
        build()
    else:
        main()
