"""Indexes in the comparison table's usual orders, so a page of it reads 50 index entries
instead of sorting every place: by name, by state, and (PostgreSQL only) by latest figure."""

from django.db import migrations, models

LATEST_VALUE_INDEX = "summary_latest_value"


def add_latest_value_index(apps, schema_editor) -> None:
    # SQLite cannot index DESC NULLS LAST; it is only the newcomer's first-run database.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {LATEST_VALUE_INDEX} ON policies_jurisdictionsummary "
            "(latest_figure_value DESC NULLS LAST)"
        )


def drop_latest_value_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LATEST_VALUE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("arrivals", "0003_index_newest_figures"),
        ("policies", "0007_summary_designations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="jurisdiction",
            index=models.Index(fields=["name", "id"], name="jurisdiction_name_order"),
        ),
        migrations.AddIndex(
            model_name="jurisdiction",
            index=models.Index(fields=["state", "name", "id"], name="jurisdiction_state_order"),
        ),
        migrations.RunPython(add_latest_value_index, drop_latest_value_index),
    ]
