import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.csv_import import read_csv_rows
from policies.importers.ice_287g import agreements_import_ice_287g


class Command(BaseCommand):
    help = (
        "Record ICE's '287(g) Participating Agencies' sheet (CSV, columns as ICE publishes them). "
        "Agreements missing from a newer sheet are marked ended on its date."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("sheet", type=Path, help="The sheet saved as CSV.")
        parser.add_argument(
            "--sheet-date",
            required=True,
            type=dt.date.fromisoformat,
            help="The date ICE gave the sheet, YYYY-MM-DD.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report without saving.")
        parser.add_argument(
            "--confirm-ending",
            action="store_true",
            help="Record the sheet even if it ends more than a tenth of the agreements in force.",
        )

    def handle(
        self,
        *args,
        sheet: Path,
        sheet_date: dt.date,
        dry_run: bool,
        confirm_ending: bool,
        **options,
    ) -> None:
        try:
            text = sheet.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {sheet}: {error}") from error
        report = agreements_import_ice_287g(
            rows=read_csv_rows(text),
            sheet_date=sheet_date,
            dry_run=dry_run,
            confirm_ending=confirm_ending,
        )
        self.stdout.write(report.summary())
        for agreement in report.ending:
            self.stdout.write(f"  ends {agreement}")
        if report.refused:
            raise CommandError(f"Nothing was recorded. {report.refused}")
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  skipped {problem}"))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning {warning}"))
