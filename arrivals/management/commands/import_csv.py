from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arrivals.resources import ArrivalCountResource
from policies.csv_import import csv_import
from policies.forms import decoded_upload
from policies.resources import (
    DesignationResource,
    JurisdictionResource,
    NoPolicyFindingResource,
    PolicyResource,
    SourceResource,
)

RESOURCES = {
    "sources": SourceResource,
    "places": JurisdictionResource,
    "policies": PolicyResource,
    "findings": NoPolicyFindingResource,
    "designations": DesignationResource,
    "figures": ArrivalCountResource,
}


class Command(BaseCommand):
    help = (
        "Import a CSV file in the layout the admin's Import page of the same records reads "
        "(an admin export has it). Every row is checked; if any is bad, each problem is "
        "listed with its row and field and nothing is saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(RESOURCES), help="What the file holds.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, kind: str, file: Path, dry_run: bool, **options) -> None:
        try:
            text = decoded_upload(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        report = csv_import(
            resource=RESOURCES[kind](), text=text, dry_run=dry_run, file_name=file.name
        )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        for error in report.errors:
            self.stdout.write(self.style.ERROR(f"  {error}"))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
