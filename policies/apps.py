from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Jurisdictions and policies"

    def ready(self) -> None:
        from policies import changelog, summaries
        from policies.data_version import bump_data_version, connect_data_version, data_changed
        from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Source

        # Summaries first: the data version must not move before the table can show the change.
        # (arrivals.apps connects its figures the same way.)
        summaries.connect_signals(Jurisdiction, Policy, NoPolicyFinding, Designation)
        for model in (Jurisdiction, Source, Policy, NoPolicyFinding, Designation):
            connect_data_version(model)
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
        changelog.connect_signals(Policy, Designation)
