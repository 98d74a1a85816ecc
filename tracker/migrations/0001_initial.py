import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, old="policies", new="tracker"):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    # On a new database content types are made after migrating: there is nothing to move.
    if not content_types.filter(app_label=new, model="jurisdictionsummary").exists():
        content_types.filter(app_label=old, model="jurisdictionsummary").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="tracker", new="policies")


class Migration(migrations.Migration):
    """Takes over policies' JurisdictionSummary (policies 0016) without touching the database:
    the table keeps its name, so processes of the previous release keep reading it during a
    deploy. Its content type moves too, so permissions granted on it are kept."""

    initial = True

    dependencies = [
        ("arrivals", "0005_population_of_recorded_figures"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("policies", "0016_jurisdiction_summary_moves_to_tracker"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
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
                        "db_table": "policies_jurisdictionsummary",
                        "indexes": [models.Index(fields=["day"], name="summary_day")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
