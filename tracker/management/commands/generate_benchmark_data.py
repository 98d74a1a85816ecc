import datetime as dt
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from arrivals.models import ArrivalCount
from policies.data_version import bump_data_version
from policies.importers.census import jurisdictions_import_census
from policies.models import Jurisdiction, Policy, Source
from tracker.management.commands.load_seed import REFERENCE, read
from tracker.summaries import refresh_summaries

SYNTHETIC = "Synthetic benchmark data"


class Command(BaseCommand):
    help = (
        "Fill a benchmark database (its name must end in 'bench') with every state and county, "
        "the 752 large cities, and synthetic policies and figures. Never for real data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="1: 20k policies, 30k figures")

    @transaction.atomic
    def handle(self, *args, scale: int, **options) -> None:
        if not str(settings.DATABASES["default"]["NAME"]).endswith("bench"):
            raise CommandError("Refusing: the database name must end in 'bench'.")
        jurisdictions_import_census(
            states_csv=read(REFERENCE / "us_states_fips.csv"),
            counties_csv=read(REFERENCE / "us_counties_fips_2020.csv"),
            places_csv=read(REFERENCE / "us_census_places50k_pep2014.csv"),
        )
        rng = random.Random(2024)
        places = list(Jurisdiction.objects.all())
        sources = Source.objects.bulk_create(
            Source(publisher=SYNTHETIC, title=f"Document {n}", url=f"https://example.org/b/{n}")
            for n in range(500 * scale)
        )
        categories = list(Policy.Category.values)
        policies = []
        for index in range(20_000 * scale):
            category = rng.choice(categories)
            extra = {}
            if category == Policy.Category.DETAINER:
                extra["detainer_rule"] = rng.choice(Policy.DetainerRule.values)
            if category == Policy.Category.AGREEMENT_287G:
                extra |= {
                    "agreement_model": rng.choice(Policy.AgreementModel.values),
                    "agency": f"Agency {index}",
                    "signed_on": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3900)),
                }
            else:
                extra["effective_on"] = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(7000))
            policies.append(
                Policy(
                    jurisdiction=rng.choice(places),
                    category=category,
                    title=f"{SYNTHETIC} {index}",
                    summary=SYNTHETIC,
                    direction=rng.choice(Policy.Direction.values),
                    status=Policy.Status.IN_EFFECT,
                    published=True,
                    **extra,
                )
            )
        policies = Policy.objects.bulk_create(policies, batch_size=5000)
        Policy.sources.through.objects.bulk_create(
            (Policy.sources.through(policy=p, source=rng.choice(sources)) for p in policies),
            batch_size=5000,
        )
        ArrivalCount.objects.bulk_create(
            (
                ArrivalCount(
                    jurisdiction=rng.choice(places[:1500]),
                    measure=ArrivalCount.Measure.NEW_ARRIVALS,
                    period_type=ArrivalCount.PeriodType.POINT,
                    as_of=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1400)),
                    value=rng.randrange(100, 60000),
                    qualifier=rng.choice(ArrivalCount.Qualifier.values),
                    source=rng.choice(sources),
                    reported_by=SYNTHETIC,
                    published=True,
                )
                for _ in range(30_000 * scale)
            ),
            batch_size=5000,
        )
        # Planner statistics for the rows just written (this transaction's own), or the
        # summaries' query is planned for the empty tables of a new database.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        refresh_summaries()
        transaction.on_commit(bump_data_version)
        self.stdout.write(
            f"{Jurisdiction.objects.count()} jurisdictions, {Policy.objects.count()} policies, "
            f"{ArrivalCount.objects.count()} figures"
        )
