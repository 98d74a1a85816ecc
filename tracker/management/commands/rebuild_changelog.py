from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.changelog import rebuild_public_changes


class Command(BaseCommand):
    help = (
        "Add to the public updates and corrections log every history row not yet in it "
        "(needed once for history written before the log existed; safe to repeat)."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        read = rebuild_public_changes()
        self.stdout.write(f"Read {read} history rows.")
