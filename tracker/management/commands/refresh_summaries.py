from django.core.management.base import BaseCommand
from django.db import transaction

from policies.data_version import bump_data_version
from tracker.summaries import refresh_summaries


class Command(BaseCommand):
    help = (
        "Rebuild every jurisdiction's comparison-table summary as of today. Run once a day "
        "(e.g. from cron just after midnight): policies with a future start date take effect "
        "without any edit. Until it runs, the table is computed from the records (slower)."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        refresh_summaries()
        transaction.on_commit(bump_data_version)
        self.stdout.write("Summaries rebuilt.")
