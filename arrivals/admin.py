from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from arrivals.forms import ShelterCensusForm
from arrivals.models import ArrivalCount
from arrivals.resources import ArrivalCountResource
from arrivals.services import arrivalcount_overlap_warning
from policies.admin import HistoryAdmin
from policies.import_jobs import recent_jobs, start_import

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
        form = ShelterCensusForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            place, source = form.cleaned_data["place"], form.cleaned_data["source"]
            job = start_import(
                importer=CENSUS_IMPORTER,
                model=ArrivalCount,
                subject=f"shelter census of {place}",
                file_name=form.cleaned_data["import_file"].name,
                raw=form.cleaned_data["raw"],
                text=form.cleaned_data["text"],
                user=request.user,
                options={
                    "place": place.pk,
                    "source": source.pk,
                    "population": form.cleaned_data["population"],
                },
            )
            return HttpResponseRedirect(reverse("admin:policies_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a city's shelter census",
            "form": form,
            "recent_jobs": recent_jobs(importer=CENSUS_IMPORTER),
        }
        return TemplateResponse(request, "admin/arrivals/arrivalcount/import_census.html", context)
