from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Jurisdictions and policies"

    def ready(self) -> None:
        from arrivals.models import ArrivalCount
        from config.data_version import bump_data_version
        from policies.models import Designation, Jurisdiction, Policy, Source

        for model in (Jurisdiction, Source, Policy, Designation, ArrivalCount):
            post_save.connect(bump_data_version, sender=model, dispatch_uid=f"bump-save-{model}")
            post_delete.connect(
                bump_data_version, sender=model, dispatch_uid=f"bump-delete-{model}"
            )
        m2m_changed.connect(
            bump_data_version, sender=Policy.sources.through, dispatch_uid="bump-policy-sources"
        )
