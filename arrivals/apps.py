from django.apps import AppConfig


class ArrivalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "arrivals"
    verbose_name = "Arrival figures"

    def ready(self) -> None:
        from arrivals.models import ArrivalCount
        from policies import changelog, summaries
        from policies.data_version import connect_data_version

        # As policies connects its records: summaries first, then the data version.
        summaries.connect_signals(ArrivalCount)
        connect_data_version(ArrivalCount)
        changelog.connect_signals(ArrivalCount)
