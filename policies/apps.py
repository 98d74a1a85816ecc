from django.apps import AppConfig
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_save,
)
from simple_history.signals import post_create_historical_record


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Jurisdictions and policies"

    def ready(self) -> None:
        from arrivals.models import ArrivalCount
        from policies import changelog, summaries
        from policies.data_version import bump_data_version, data_changed
        from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Source

        # Summaries first: the data version must not move before the table can show the change.
        for model in (Jurisdiction, Policy, NoPolicyFinding, Designation, ArrivalCount):
            uid = f"summary-{model.__name__}"
            post_save.connect(summaries.refresh_after_change, sender=model, dispatch_uid=uid)
            post_delete.connect(summaries.refresh_after_change, sender=model, dispatch_uid=uid)
            if model is not Jurisdiction:
                pre_save.connect(
                    summaries.remember_jurisdiction_before_save, sender=model, dispatch_uid=uid
                )
        for model in (Jurisdiction, Source, Policy, NoPolicyFinding, Designation, ArrivalCount):
            post_save.connect(data_changed, sender=model, dispatch_uid=f"bump-save-{model}")
            post_delete.connect(data_changed, sender=model, dispatch_uid=f"bump-delete-{model}")
        for through in (Policy.sources.through, NoPolicyFinding.sources.through):
            uid = f"sources-{through}"
            m2m_changed.connect(
                summaries.refresh_after_sources_change,
                sender=through,
                dispatch_uid=f"summary-{uid}",
            )
            m2m_changed.connect(data_changed, sender=through, dispatch_uid=f"bump-{uid}")
        # A deploy runs `migrate`: pages rendered by the previous code are then revalidated
        # into new ones instead of kept by shared caches until the data next changes.
        post_migrate.connect(bump_data_version, sender=self, dispatch_uid="bump-migrate")
        for model in (Policy, Designation, ArrivalCount):
            post_create_historical_record.connect(
                changelog.record_public_change_after_history,
                sender=model.history.model,
                dispatch_uid=f"changelog-{model.__name__}",
            )
