"""Keep `JurisdictionSummary` rows current: per jurisdiction on every change, in full in bulk.

A row is rebuilt in the same transaction as the change that affects it (signal handlers
below), so the table never shows a committed change late. Bulk writes (`policies.bulk`)
signal once per file, or once when a `bulk_write` ends, and rebuild the rows then; `manage.py
refresh_summaries` rebuilds every row once a day, because a policy with a future start date
takes effect without any edit.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, Min, Model, OuterRef, Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from policies.bulk import in_bulk_write
from policies.data_version import data_version
from policies.models import Jurisdiction, NoPolicyFinding, Policy
from tracker.columns import (
    LiveColumns,
    agreement_models_in_effect,
    designation_cells,
    source_count,
)
from tracker.models import JurisdictionSummary

# Part of the freshness check's cache key: a migration that adds a summary column marks the
# rows stale, and the check must not trust an answer cached before it ran. Bump with it.
SUMMARY_FORMAT = 5
SUMMARY_FIELDS = [
    field.name
    for field in JurisdictionSummary._meta.concrete_fields
    if field.name not in ("jurisdiction", "day")
]


def refresh_summaries(jurisdiction_ids: Iterable[int] | None = None) -> None:
    """Rebuild the summaries of `jurisdiction_ids` (every jurisdiction by default) as of today."""
    day = timezone.localdate()
    columns = LiveColumns(day)
    expressions = columns.expressions() | {"source_total": source_count()}
    rows = Jurisdiction.objects.values(
        "pk",
        **expressions,
        any_policy=Exists(Policy.objects.published().filter(jurisdiction=OuterRef("pk"))),
        any_figure=Exists(columns.figures),
        any_designation=Exists(columns.designations),
        any_finding=Exists(NoPolicyFinding.objects.published().filter(jurisdiction=OuterRef("pk"))),
    )
    if jurisdiction_ids is not None:
        rows = rows.filter(pk__in=list(jurisdiction_ids))
    rows = list(rows)
    ids = [row["pk"] for row in rows]
    models = agreement_models_in_effect(ids, day)
    designations = designation_cells(ids, day)
    summaries = [
        JurisdictionSummary(
            jurisdiction_id=row["pk"],
            day=day,
            has_records=any(
                row[name] for name in ("any_policy", "any_figure", "any_designation", "any_finding")
            ),
            agreement_models="".join(f",{m}" for m in sorted(models.get(row["pk"], ()))) + ",",
            designations=[cell.to_json() for cell in designations.get(row["pk"], [])],
            **{name: row[name] for name in expressions},
        )
        for row in rows
    ]
    with transaction.atomic():
        JurisdictionSummary.objects.bulk_create(
            summaries,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["jurisdiction"],
            update_fields=["day", *SUMMARY_FIELDS],
        )


def summaries_current_on(day: dt.date) -> bool:
    """Whether the summaries can serve a table as of `day`: it is today, and every
    jurisdiction's summary is for today (one small query per data version)."""
    if day != timezone.localdate():
        return False
    version_token = data_version().token
    key = f"summaries-day:{SUMMARY_FORMAT}:{version_token}"
    oldest = cache.get(key)
    if oldest is None:
        found = Jurisdiction.objects.aggregate(
            oldest=Min("summary__day"), missing=Count("pk", filter=Q(summary__isnull=True))
        )
        oldest = found["oldest"].isoformat() if found["oldest"] and not found["missing"] else ""
        cache.set(key, oldest, timeout=24 * 3600)  # superseded by the next data version anyway
    return oldest == day.isoformat()


def _jurisdictions_of(instance) -> set[int]:
    if isinstance(instance, Jurisdiction):
        return {instance.pk}
    ids = {instance.jurisdiction_id}
    # A record moved to another place changes that place's summary too.
    ids.add(getattr(instance, "_jurisdiction_before_save", instance.jurisdiction_id))
    return ids


def remember_jurisdiction_before_save(sender, instance, **kwargs) -> None:
    if instance.pk and not in_bulk_write():
        before = sender.objects.filter(pk=instance.pk).values_list("jurisdiction_id", flat=True)
        instance._jurisdiction_before_save = before.first() or instance.jurisdiction_id


def refresh_after_change(sender, instance, **kwargs) -> None:
    """Signal handler: rebuild the summaries a saved or deleted record belongs to."""
    if in_bulk_write() or kwargs.get("raw"):
        return
    refresh_summaries(_jurisdictions_of(instance))


def connect_signals(*models: type[Model]) -> None:
    """Keep the summaries current when a record of `models` (Jurisdiction, or a model with a
    `jurisdiction`) is saved or deleted."""
    for model in models:
        uid = f"summary-{model.__name__}"
        post_save.connect(refresh_after_change, sender=model, dispatch_uid=uid)
        post_delete.connect(refresh_after_change, sender=model, dispatch_uid=uid)
        if model is not Jurisdiction:
            pre_save.connect(remember_jurisdiction_before_save, sender=model, dispatch_uid=uid)


def refresh_after_bulk_change(sender, jurisdiction_ids: Iterable[int], **kwargs) -> None:
    """Receiver of `places_changed_in_bulk`: rebuild the summaries of the places written."""
    refresh_summaries(jurisdiction_ids)


def refresh_after_bulk_write(sender, **kwargs) -> None:
    """Receiver of `bulk_write_ended`: rebuild every summary once."""
    refresh_summaries()


def refresh_after_sources_change(sender, instance, action, pk_set, model, **kwargs) -> None:
    """Signal handler for a policy's or finding's sources being added, removed or cleared."""
    if in_bulk_write() or not action.startswith("post_"):
        return
    if hasattr(instance, "jurisdiction_id"):
        refresh_summaries({instance.jurisdiction_id})
    else:  # changed from the source's side: `model` is the policy or finding model
        records = model.objects.filter(pk__in=pk_set or ())
        refresh_summaries(set(records.values_list("jurisdiction_id", flat=True)))
