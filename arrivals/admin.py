from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from arrivals.forms import ShelterCensusForm
from arrivals.models import ArrivalCount
from arrivals.resources import ArrivalCountResource
from arrivals.services import arrivalcount_overlap_warning
from policies import admin as policies_admin
from policies.admin import HistoryAdmin
from policies.models import Jurisdiction

CENSUS_IMPORTER = "arrivals.importers.shelter_census.import_shelter_census_job"


@admin.register(ArrivalCount)
class ArrivalCountAdmin(HistoryAdmin):
    resource_classes = [ArrivalCountResource]
    change_list_template = "admin/arrivals/arrivalcount/change_list.html"
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

    def get_urls(self):
        return [
            path(
                "import-shelter-census/",
                self.admin_site.admin_view(self.import_shelter_census_view),
                name="arrivals_arrivalcount_import_shelter_census",
            ),
            *super().get_urls(),
        ]

    def import_shelter_census_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a city's shelter census (date, facility, count): checked in the background,
        recorded once confirmed on the job's page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.upload_view(
            request,
            ShelterCensusForm(request.POST or None, request.FILES or None),
            job=lambda data: {
                "importer": CENSUS_IMPORTER,
                "subject": f"shelter census of {data['place']}",
                "options": {
                    "place": data["place"].pk,
                    "source": data["source"].pk,
                    "population": data["population"],
                },
            },
            template="admin/arrivals/arrivalcount/import_census.html",
            title="Import a city's shelter census",
            recent={"importer": CENSUS_IMPORTER},
        )


class ArrivalCountInline(admin.StackedInline):
    model = ArrivalCount
    extra = 0
    autocomplete_fields = ("source",)
    show_change_link = True
    classes = ("collapse",)
    fields = (
        ("measure", "unit", "value", "qualifier", "published"),
        ("population", "facility"),
        ("period_type", "period_start", "period_start_precision", "period_end"),
        ("as_of", "as_of_precision"),
        ("sender", "program", "reported_by"),
        "source",
        "notes",
    )


# A place's figures are edited on its page too: policies' jurisdiction admin, with one more inline.
admin.site.unregister(Jurisdiction)


@admin.register(Jurisdiction)
class JurisdictionAdmin(policies_admin.JurisdictionAdmin):
    inlines = (*policies_admin.JurisdictionAdmin.inlines, ArrivalCountInline)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is ArrivalCount:
            for count in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                if warning := arrivalcount_overlap_warning(count=count):
                    messages.warning(request, warning)
