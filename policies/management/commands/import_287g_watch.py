from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.importers.watch_287g import agreements_import_287g_watch


class Command(BaseCommand):
    help = (
        "Record the 287g-watch archive of ICE's 287(g) sheets (May 16 to July 3, 2025) as the "
        "agreements' history. Import ICE's newer sheet first; names and current status come "
        "from it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="The archive's agreements.csv.")

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            text = archive.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {archive}: {error}") from error
        report = agreements_import_287g_watch(text=text)
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  {problem}"))
        if report.problems:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
