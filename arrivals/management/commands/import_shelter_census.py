from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arrivals.importers.shelter_census import figures_import_shelter_census
from arrivals.models import ArrivalCount
from policies.forms import decoded_upload
from policies.import_widgets import cited_sources
from policies.models import Jurisdiction, Source


class Command(BaseCommand):
    help = (
        "Record a city's shelter census (columns date, facility, count): each shelter's count "
        "kept unpublished, each day's total over the listed shelters published. Any bad row "
        "refuses the whole file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--place", required=True, help="The place's slug, e.g. il-chicago.")
        parser.add_argument("--source", required=True, help="The source's URL (entered first).")
        parser.add_argument(
            "--population",
            choices=ArrivalCount.Population.values,
            default=ArrivalCount.Population.MIGRANTS,
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, file: Path, place: str, source: str, **options) -> None:
        try:
            text = decoded_upload(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        jurisdiction = Jurisdiction.objects.filter(slug=place).first()
        if jurisdiction is None:
            raise CommandError(f"No place has the slug {place}.")
        try:
            [cited] = cited_sources(Source, [source])
        except ValueError as error:
            raise CommandError(str(error)) from error
        report = figures_import_shelter_census(
            text=text,
            place=jurisdiction,
            source=cited,
            population=options["population"],
            dry_run=options["dry_run"],
        )
        if report.refused:
            for problem in report.refused:
                self.stdout.write(self.style.ERROR(f"  {problem}"))
            raise CommandError(str(report))
        self.stdout.write(str(report))
