import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.csv_import import read_csv_rows
from policies.importers.ice_287g_pending import agreements_import_ice_287g_pending


class Command(BaseCommand):
    help = (
        "Record ICE's list of pending 287(g) agreements (CSV, columns as ICE publishes them) as "
        "proposed agreements. Pending agreements a newer list no longer names are ended."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("sheet", type=Path, help="The list saved as CSV.")
        parser.add_argument(
            "--sheet-date",
            required=True,
            type=dt.date.fromisoformat,
            help="The date ICE gave the list, YYYY-MM-DD.",
        )
        parser.add_argument(
            "--source-url",
            required=True,
            help="Where the list was downloaded from (its link on ice.gov, or an archived copy).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report without saving.")

    def handle(
        self, *args, sheet: Path, sheet_date: dt.date, source_url: str, dry_run: bool, **options
    ) -> None:
        try:
            text = sheet.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {sheet}: {error}") from error
        report = agreements_import_ice_287g_pending(
            rows=read_csv_rows(text), sheet_date=sheet_date, source_url=source_url, dry_run=dry_run
        )
        if report.refused:
            raise CommandError(f"Nothing was recorded. {report.refused}")
        self.stdout.write(report.summary())
        for agreement in report.ending:
            self.stdout.write(f"  no longer pending: {agreement}")
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  skipped {problem}"))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning {warning}"))
