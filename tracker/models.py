from django.db import models

from arrivals.models import ArrivalCount
from policies.models import ChoiceLabelModel, Jurisdiction, Stance


class JurisdictionSummary(ChoiceLabelModel):
    """The comparison table's columns for one jurisdiction as of `day`: derived, never edited,
    kept current by `tracker.summaries` (docs/benchmarks.md). A table for another day, or
    before the rows are current, is computed from the records instead."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    day = models.DateField()
    has_records = models.BooleanField()
    sanctuary_year = models.IntegerField(null=True)
    # NULL, as in the columns computed from the records: no such policy (sorted last).
    sanctuary_status_then = models.CharField(max_length=20, null=True)  # noqa: DJ001
    detainer_rule_then = models.CharField(max_length=20, null=True)  # noqa: DJ001
    stance = models.CharField(max_length=16, choices=Stance.choices, null=True)  # noqa: DJ001
    agreement_total = models.IntegerField()
    # In-effect 287(g) models, delimited (",jail,task_force,") so one can be matched exactly.
    agreement_models = models.CharField(max_length=100)
    designation_total = models.IntegerField()
    # What the table shows of each published designation: label, body, date, dispute, source.
    designations = models.JSONField(default=list)
    # No database constraint: the row is rebuilt in the same transaction as any change to
    # the figure, and the table reads the figure through this relation in its own query.
    latest_figure = models.ForeignKey(
        ArrivalCount,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    latest_figure_value = models.BigIntegerField(null=True)
    source_total = models.IntegerField()

    class Meta:
        # Named for the app it was made in: the move to tracker left the table as it was, so
        # the release before it kept reading it during the deploy.
        db_table = "policies_jurisdictionsummary"
        # policies' migration 0008 added, on PostgreSQL only (SQLite has no NULLS LAST in an
        # index), an index in the home page's default order, latest figure first.
        indexes = [models.Index(fields=["day"], name="summary_day")]

    def __str__(self) -> str:
        return f"Summary of {self.jurisdiction} on {self.day}"
