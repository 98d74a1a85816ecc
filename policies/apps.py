from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Jurisdictions and policies"

    def ready(self) -> None:
        from policies.data_version import bump_data_version

        # A deploy runs `migrate`: pages rendered by the previous code are then revalidated
        # into new ones instead of kept by shared caches until the data next changes. (The
        # reader site, tracker, connects the records' saves to the version.)
        post_migrate.connect(bump_data_version, sender=self, dispatch_uid="bump-migrate")
