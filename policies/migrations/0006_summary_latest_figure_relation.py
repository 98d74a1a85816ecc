"""The summary's latest figure becomes a relation, so the table reads it in the same query.

The column (latest_figure_id, bigint, no constraint, no index) is unchanged: only Django's
view of it changes, and the rows stay current.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arrivals", "0003_index_newest_figures"),
        ("policies", "0005_public_change_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="jurisdictionsummary", name="latest_figure_id"),
                migrations.AddField(
                    model_name="jurisdictionsummary",
                    name="latest_figure",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="arrivals.arrivalcount",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
