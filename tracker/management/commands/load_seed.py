import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from arrivals.importers.city_reports import figures_import_city_reports
from arrivals.importers.nyc_shelter import figures_import_nyc_shelter
from arrivals.importers.texas_busing import figures_import_texas_busing
from arrivals.resources import ArrivalCountResource
from policies.bulk import bulk_write, changes_batch
from policies.csv_import import csv_import, read_csv_rows
from policies.data_version import bump_data_version
from policies.importers.census import jurisdictions_import_census
from policies.importers.doj_list import designations_import_doj_list
from policies.importers.ice_287g import agreements_import_ice_287g
from policies.importers.watch_287g import agreements_import_287g_watch
from policies.resources import (
    JurisdictionResource,
    NoPolicyFindingResource,
    PolicyResource,
    SourceResource,
)

REFERENCE = Path(settings.BASE_DIR) / "data" / "reference"
SEED = Path(settings.BASE_DIR) / "data" / "seed"
CURATED = Path(settings.BASE_DIR) / "data" / "curated"
ICE_SHEET = "ice_287g_participating_2025-07-18.csv"
ICE_SHEET_DATE = dt.date(2025, 7, 18)
WATCH_ARCHIVE = "287g_watch_agreements_snapshots_2025.csv"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


class Command(BaseCommand):
    help = "Load the cited seed data (Census geography, ICE 287(g), DOJ list, figures). Idempotent."

    @transaction.atomic
    @bulk_write()
    def handle(self, *args, **options) -> None:
        census = jurisdictions_import_census(
            states_csv=read(REFERENCE / "us_states_fips.csv"),
            counties_csv=read(REFERENCE / "us_counties_fips_2020.csv"),
            places_csv=read(REFERENCE / "us_census_places50k_pep2014.csv"),
        )
        self.stdout.write(f"Census geography: {census}")

        # The curated files go through the importers staff use in the admin, in the order
        # their references need: sources before what cites them, counties before cities.
        for path, resource in (
            (CURATED / "sources.csv", SourceResource()),
            (CURATED / "places.csv", JurisdictionResource()),
            (SEED / "newsnation_2024-11_sources.csv", SourceResource()),
            (SEED / "newsnation_2024-11_policies.csv", PolicyResource()),
            (SEED / "newsnation_2024-11_figures.csv", ArrivalCountResource()),
            (CURATED / "policies.csv", PolicyResource()),
            (CURATED / "findings.csv", NoPolicyFindingResource()),
        ):
            with changes_batch(f"Import of {path.parent.name}/{path.name}"):
                report = csv_import(resource=resource, text=read(path))
            if not report.ok:
                raise CommandError(f"{path.name}: " + "; ".join(map(str, report.errors)))
            self.stdout.write(f"{path.name}: {report.summary()}")

        ice = agreements_import_ice_287g(
            rows=read_csv_rows(read(REFERENCE / ICE_SHEET)),
            sheet_date=ICE_SHEET_DATE,
        )
        if ice.refused:
            raise CommandError(f"{ICE_SHEET}: {ice.refused}")
        self.stdout.write(ice.summary())
        for problem in [*ice.problems, *ice.warnings]:
            self.stdout.write(f"  {ICE_SHEET} {problem}")

        watch = agreements_import_287g_watch(text=read(REFERENCE / WATCH_ARCHIVE))
        if watch.problems:
            raise CommandError(f"{WATCH_ARCHIVE}: " + "; ".join(map(str, watch.problems)))
        self.stdout.write(watch.summary())

        with changes_batch("Import of the Justice Department's list of August 5, 2025"):
            doj = designations_import_doj_list(
                text=read(REFERENCE / "doj_sanctuary_jurisdictions_2025-08-05.csv")
            )
        self.stdout.write(f"Justice Department list: {doj.created} new, {doj.unchanged} unchanged")

        for label, service, name in (
            (
                "Texas busing totals",
                figures_import_texas_busing,
                "texas_busing_reported_totals_2022-2024.csv",
            ),
            ("City figures", figures_import_city_reports, "city_arrival_figures_from_pages.csv"),
            (
                "New York City asylum-seeker shelters",
                figures_import_nyc_shelter,
                "nyc_monthly_shelter_pop_by_agency_ll37_ll79.csv",
            ),
        ):
            with changes_batch(f"Import of {label.lower()} ({name})"):
                report = service(text=read(REFERENCE / name))
            if report.refused:
                raise CommandError(f"{name}: {report}")
            self.stdout.write(f"{label}: {report}")
            for skipped in report.skipped:
                self.stdout.write(f"  {name} {skipped}")
        # Bulk inserts send no save signals: tell cached pages and embeds that data changed.
        transaction.on_commit(bump_data_version)
        self.stdout.write(self.style.SUCCESS("Seed data loaded."))
