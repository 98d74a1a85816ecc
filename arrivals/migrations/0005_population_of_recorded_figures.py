"""Record the population and facility of the figures `load_seed` loaded before figures had them.

A figure's population and facility are part of its key, so without this the next `load_seed`
would add the reclassified figures again beside the old ones instead of finding them. The rows
changed are those data/reference/README.md lists: Massachusetts' Emergency Assistance totals
(everyone in the state's family shelters) and the facility of the EA and HERRC figures.
Each change is kept in the figure's history with its reason; `manage.py rebuild_changelog`
then lists it in the public updates log.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

EA_FACILITY = "Emergency Assistance shelters"
# The sources of the Governor's and the EA dashboard's totals of families in EA shelter.
EA_TOTAL_SOURCES = (
    "https://www.thecentersquare.com/massachusetts/article_6da3b5e8-3df5-11ee-ab21-eb145d27e73c.html",
    "https://cbsnews.com/amp/boston/news/massachusetts-migrant-shelter-state-of-emergency-press-conference-maura-healey",
    "https://www.startribune.com/massachusetts-is-running-out-of-shelter-beds-for-families-including-migrants-from-other-states/600318484/",
    "https://targetednews.com./pr_disp.php?pr_id=9183789",
)
# The state's estimate of migrant families among them.
EA_MIGRANT_SOURCE = "https://www.scribd.com/document/696641506/Which-Massachusetts-communities-have-the-most-migrant-families-living-in-emergency-shelters"
NYC_SHELTER_SOURCE = "https://github.com/anesta95/nyc_shelter_count"

CHANGES = (
    (
        {"source__url__in": EA_TOTAL_SOURCES},
        {"population": "everyone_in_shelter", "facility": EA_FACILITY},
        "Population recorded: families in Massachusetts' Emergency Assistance shelters, "
        "migrants and others.",
    ),
    (
        {"source__url": EA_MIGRANT_SOURCE},
        {"facility": EA_FACILITY},
        "Facility recorded: Massachusetts' Emergency Assistance shelters.",
    ),
    (
        {"source__url": NYC_SHELTER_SOURCE},
        {"facility": "HERRCs"},
        "Facility recorded: New York City's HERRCs (asylum-seeker shelters).",
    ),
)


def record_populations(apps, schema_editor):
    ArrivalCount = apps.get_model("arrivals", "ArrivalCount")
    HistoricalArrivalCount = apps.get_model("arrivals", "HistoricalArrivalCount")
    now = timezone.now()
    copied = [
        field.attname
        for field in ArrivalCount._meta.concrete_fields
        if field.attname not in ("updated_at",)
    ]
    for lookup, values, reason in CHANGES:
        figures = ArrivalCount.objects.filter(
            measure="in_shelter", population="migrants", facility="", **lookup
        )
        for figure in figures:
            for name, value in values.items():
                setattr(figure, name, value)
            figure.save(update_fields=[*values, "updated_at"])
            HistoricalArrivalCount.objects.create(
                **{name: getattr(figure, name) for name in copied},
                updated_at=figure.updated_at,
                history_date=now,
                history_type="~",
                history_change_reason=reason,
            )
    # The table's "latest figure" now shows migrants only: rebuild it (a summary older than
    # today is never used, so the table is computed from the records until then).
    apps.get_model("policies", "JurisdictionSummary").objects.update(day=dt.date(1970, 1, 1))


class Migration(migrations.Migration):
    dependencies = [
        ("arrivals", "0004_population_and_facility"),
        ("policies", "0013_data_version"),
    ]

    operations = [
        migrations.RunPython(record_populations, migrations.RunPython.noop),
    ]
