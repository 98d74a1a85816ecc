from django.db import migrations


class Migration(migrations.Migration):
    """The comparison table's summaries belong to the reader site (tracker), which reads both
    policies and figures: the model leaves this app's state here and tracker's migration 0001
    takes it over, table and rows included. No table is dropped."""

    dependencies = [
        ("arrivals", "0005_population_of_recorded_figures"),
        ("policies", "0015_policy_start_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JurisdictionSummary")],
        ),
    ]
