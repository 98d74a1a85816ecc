from django.apps import AppConfig
from django.db.models.signals import m2m_changed


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Reader site"

    def ready(self) -> None:
        from arrivals.models import ArrivalCount
        from policies.bulk import bulk_write_ended, places_changed_in_bulk, records_saved_in_bulk
        from policies.data_version import connect_data_version, data_changed
        from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Source
        from tracker import changelog, summaries

        # Summaries first: the data version must not move before the table can show the change
        # (outside a transaction, `data_changed` bumps it at once).
        summaries.connect_signals(Jurisdiction, Policy, NoPolicyFinding, Designation, ArrivalCount)
        for model in (Jurisdiction, Source, Policy, NoPolicyFinding, Designation, ArrivalCount):
            connect_data_version(model)
        for through in (Policy.sources.through, NoPolicyFinding.sources.through):
            uid = f"sources-{through}"
            m2m_changed.connect(
                summaries.refresh_after_sources_change,
                sender=through,
                dispatch_uid=f"summary-{uid}",
            )
            m2m_changed.connect(data_changed, sender=through, dispatch_uid=f"bump-{uid}")
        places_changed_in_bulk.connect(summaries.refresh_after_bulk_change, dispatch_uid="summary")
        bulk_write_ended.connect(summaries.refresh_after_bulk_write, dispatch_uid="summary")
        changelog.connect_signals(Policy, Designation, ArrivalCount)
        records_saved_in_bulk.connect(
            changelog.record_public_changes_after_bulk_save, dispatch_uid="changelog"
        )
