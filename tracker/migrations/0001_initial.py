import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over policies' JurisdictionSummary (policies 0016): the state is created here and
    the table, with its rows and indexes, is renamed, not rebuilt."""

    initial = True

    dependencies = [
        ("arrivals", "0005_population_of_recorded_figures"),
        ("policies", "0016_jurisdiction_summary_moves_to_tracker"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE policies_jurisdictionsummary RENAME TO tracker_jurisdictionsummary",
                    "ALTER TABLE tracker_jurisdictionsummary RENAME TO policies_jurisdictionsummary",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="JurisdictionSummary",
                    fields=[
                        (
                            "jurisdiction",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="summary",
                                serialize=False,
                                to="policies.jurisdiction",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("has_records", models.BooleanField()),
                        ("sanctuary_year", models.IntegerField(null=True)),
                        ("sanctuary_status_then", models.CharField(max_length=20, null=True)),
                        ("detainer_rule_then", models.CharField(max_length=20, null=True)),
                        (
                            "stance",
                            models.CharField(
                                choices=[
                                    ("limits", "Limits cooperation"),
                                    ("expands", "Requires cooperation"),
                                    ("mixed", "Both limits and requires cooperation in part"),
                                    ("none_in_effect", "No rule in effect on that date"),
                                    ("none_found", "No policy found"),
                                ],
                                max_length=16,
                                null=True,
                            ),
                        ),
                        ("agreement_total", models.IntegerField()),
                        ("agreement_models", models.CharField(max_length=100)),
                        ("designation_total", models.IntegerField()),
                        ("designations", models.JSONField(default=list)),
                        ("latest_figure_value", models.BigIntegerField(null=True)),
                        ("source_total", models.IntegerField()),
                        (
                            "latest_figure",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="arrivals.arrivalcount",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [models.Index(fields=["day"], name="summary_day")],
                    },
                ),
            ],
        ),
    ]
