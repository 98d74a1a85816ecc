from django.contrib import admin, messages

from arrivals.models import ArrivalCount
from arrivals.resources import ArrivalCountResource
from arrivals.services import arrivalcount_overlap_warning
from policies.admin import HistoryAdmin


@admin.register(ArrivalCount)
class ArrivalCountAdmin(HistoryAdmin):
    resource_classes = [ArrivalCountResource]
    list_display = (
        "jurisdiction",
        "measure",
        "population",
        "display_value",
        "period_display",
        "sender",
        "reported_by",
        "published",
    )
    list_filter = (
        "measure",
        "population",
        "qualifier",
        "period_type",
        "unit",
        "sender",
        "published",
    )
    list_select_related = ("jurisdiction", "source")
    search_fields = (
        "jurisdiction__name",
        "facility",
        "reported_by",
        "sender",
        "notes",
        "source__publisher",
    )
    autocomplete_fields = ("jurisdiction", "source")
    readonly_fields = ("overlapping", "updated_at")
    date_hierarchy = "as_of"
    fieldsets = (
        (None, {"fields": ("jurisdiction", "measure", "unit", "value", "qualifier")}),
        ("Who is counted", {"fields": ("population", "facility")}),
        (
            "Period",
            {
                "fields": (
                    "period_type",
                    ("period_start", "period_start_precision"),
                    "period_end",
                    ("as_of", "as_of_precision"),
                )
            },
        ),
        (None, {"fields": ("sender", "program", "reported_by", "source", "notes", "published")}),
        (None, {"fields": ("overlapping", "change_reason", "updated_at")}),
    )

    @admin.display(description="figure")
    def display_value(self, count: ArrivalCount) -> str:
        return count.display_value

    @admin.display(description="period")
    def period_display(self, count: ArrivalCount) -> str:
        return count.period_display

    @admin.display(description="overlapping figures (never added to this one)")
    def overlapping(self, count: ArrivalCount) -> str:
        if not count.pk:
            return "-"
        others = count.overlapping_figures()
        return "; ".join(f"{o.display_value} ({o.period_display})" for o in others) or "none"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if warning := arrivalcount_overlap_warning(count=obj):
            messages.warning(request, warning)
