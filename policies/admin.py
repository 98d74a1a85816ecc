from collections.abc import Callable

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from policies.forms import Ice287gImportForm, UploadForm
from policies.import_jobs import (
    confirm_import,
    mark_stopped,
    recent_jobs,
    rows_read,
    start_import,
)
from policies.models import (
    Designation,
    ImportJob,
    Jurisdiction,
    NoPolicyFinding,
    Policy,
    PublicChange,
    Source,
)
from policies.resources import (
    DesignationResource,
    JurisdictionResource,
    NoPolicyFindingResource,
    PolicyResource,
    SourceResource,
)


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Why this change? Kept in the record's history.",
    )


ICE_SHEET_IMPORTER = "policies.importers.ice_287g.import_ice_sheet_job"


class HistoryAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """History viewable and revertable (django-simple-history), CSV export (django-import-export)
    and import through an ImportJob that background tasks check and apply (policies.tasks), and
    an optional reason stored with each change."""

    form = ChangeReasonForm

    def get_urls(self):
        # django-import-export's confirm step imports inside the request; ours is a task.
        return [
            url
            for url in super().get_urls()
            if not getattr(url, "name", "") or not url.name.endswith("_process_import")
        ]

    def upload_view(
        self,
        request: HttpRequest,
        form: UploadForm,
        *,
        job: Callable[[dict], dict],
        template: str,
        title: str,
        recent: dict,
        **context,
    ) -> HttpResponse:
        """The upload step every import shares: a valid file becomes an ImportJob of this
        admin's records (`job` gives its importer, subject and options from the form's data),
        checked in the background, and staff follow it on the job's page."""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            started = start_import(
                model=self.model,
                file_name=data["import_file"].name,
                raw=data["raw"],
                text=data["text"],
                user=request.user,
                **job(data),
            )
            return HttpResponseRedirect(
                reverse("admin:policies_importjob_change", args=[started.pk])
            )
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "form": form,
                "recent_jobs": recent_jobs(**recent),
                **context,
            },
        )

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """Upload a CSV file in the layout of this admin's resource (what its export writes)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]()
        resource_path = f"{type(resource).__module__}.{type(resource).__qualname__}"
        plural = str(self.opts.verbose_name_plural)
        return self.upload_view(
            request,
            UploadForm(request.POST or None, request.FILES or None),
            job=lambda data: {
                "importer": "policies.csv_import.import_with_resource",
                "options": {"resource": resource_path},
                "subject": plural,
            },
            template="admin/import_upload.html",
            title=f"Import {plural}",
            recent={"options__resource": resource_path},
            columns=[field.column_name for field in resource.get_import_fields()],
            key_columns=[
                resource.fields[name].column_name for name in resource.get_import_id_fields()
            ],
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history lets anyone who may view the history submit its revert form;
        # a revert is a change, so it needs the change permission.
        if request.method == "POST" and not self.has_change_permission(
            request, self.get_object(request, object_id)
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        super().save_model(request, obj, form, change)


class PolicyInline(admin.StackedInline):
    model = Policy
    extra = 0
    autocomplete_fields = ("sources",)
    show_change_link = True
    classes = ("collapse",)
    fields = (
        ("category", "direction", "status", "published"),
        ("title", "legal_reference"),
        "summary",
        ("adopted_on", "adopted_precision", "effective_on", "effective_precision", "ended_on"),
        ("detainer_rule", "detainer_exceptions"),
        ("agreement_model", "agency", "signed_on", "document_url"),
        "sources",
        "public_note",
    )


class NoPolicyFindingInline(admin.TabularInline):
    model = NoPolicyFinding
    extra = 0
    autocomplete_fields = ("sources",)
    fields = ("checked_on", "summary", "sources", "published")


class DesignationInline(admin.TabularInline):
    model = Designation
    extra = 0
    autocomplete_fields = ("source",)
    fields = ("designated_by", "label", "designated_on", "source", "disputed", "published")


@admin.register(Jurisdiction)
class JurisdictionAdmin(HistoryAdmin):
    resource_classes = [JurisdictionResource]
    list_display = ("name", "kind", "state", "geoid", "parent", "population", "policy_count")
    list_filter = (
        "kind",
        "state",
        ("policies__category", admin.ChoicesFieldListFilter),
        ("policies__status", admin.ChoicesFieldListFilter),
        ("policies__direction", admin.ChoicesFieldListFilter),
    )
    search_fields = ("name", "=state", "^geoid", "slug")
    autocomplete_fields = ("parent",)
    readonly_fields = ("updated_at",)
    # arrivals.admin adds the place's arrival figures.
    inlines = (PolicyInline, NoPolicyFindingInline, DesignationInline)
    list_select_related = ("parent",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(policy_total=Count("policies", distinct=True))

    @admin.display(description="policies", ordering="policy_total")
    def policy_count(self, jurisdiction: Jurisdiction) -> int:
        return jurisdiction.policy_total


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ("publisher", "kind", "title", "url", "published_on", "accessed_on")
    list_filter = ("kind", "publisher")
    search_fields = ("publisher", "title", "url")
    date_hierarchy = "published_on"


@admin.register(Policy)
class PolicyAdmin(HistoryAdmin):
    resource_classes = [PolicyResource]
    change_list_template = "admin/policies/policy/change_list.html"
    list_display = (
        "title",
        "jurisdiction",
        "category",
        "direction",
        "status",
        "starts_on",
        "ended_on",
        "published",
    )
    list_filter = (
        "category",
        "status",
        "direction",
        "published",
        "agreement_model",
        "detainer_rule",
        "jurisdiction__kind",
        "jurisdiction__state",
    )
    list_select_related = ("jurisdiction",)
    search_fields = (
        "title",
        "legal_reference",
        "summary",
        "agency",
        "jurisdiction__name",
        "^jurisdiction__geoid",
    )
    autocomplete_fields = ("jurisdiction", "sources")
    readonly_fields = ("external_id", "updated_at")
    date_hierarchy = "effective_on"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "jurisdiction",
                    "category",
                    "title",
                    "legal_reference",
                    "summary",
                    "direction",
                    "status",
                )
            },
        ),
        (
            "Dates",
            {
                "fields": (
                    ("adopted_on", "adopted_precision"),
                    ("effective_on", "effective_precision"),
                    "ended_on",
                )
            },
        ),
        ("ICE detainer rule", {"fields": ("detainer_rule", "detainer_exceptions")}),
        (
            "287(g) agreement",
            {"fields": ("agreement_model", "agency", "signed_on", "document_url")},
        ),
        (None, {"fields": ("sources", "public_note", "published", "notes", "change_reason")}),
        ("Record", {"fields": ("external_id", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="starts", ordering="effective_on")
    def starts_on(self, policy: Policy):
        return policy.starts_on

    def get_urls(self):
        return [
            path(
                "import-ice-287g/",
                self.admin_site.admin_view(self.import_ice_287g_view),
                name="policies_policy_import_ice_287g",
            ),
            *super().get_urls(),
        ]

    def import_ice_287g_view(self, request: HttpRequest) -> HttpResponse:
        """Upload ICE's 287(g) participating-agencies sheet: checked and previewed in the
        background, recorded once confirmed on the job's page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.upload_view(
            request,
            Ice287gImportForm(request.POST or None, request.FILES or None),
            job=lambda data: {
                "importer": ICE_SHEET_IMPORTER,
                "subject": "ICE 287(g) agreements",
                "options": {"sheet_date": data["sheet_date"].isoformat()},
            },
            template="admin/policies/policy/import_ice_287g.html",
            title="Import ICE 287(g) participating-agencies sheet",
            recent={"importer": ICE_SHEET_IMPORTER},
        )


@admin.register(NoPolicyFinding)
class NoPolicyFindingAdmin(HistoryAdmin):
    resource_classes = [NoPolicyFindingResource]
    list_display = ("jurisdiction", "checked_on", "published")
    list_filter = ("published", "jurisdiction__kind", "jurisdiction__state")
    list_select_related = ("jurisdiction",)
    search_fields = ("jurisdiction__name", "summary")
    autocomplete_fields = ("jurisdiction", "sources")
    date_hierarchy = "checked_on"


@admin.register(Designation)
class DesignationAdmin(HistoryAdmin):
    resource_classes = [DesignationResource]
    list_display = (
        "jurisdiction",
        "designated_by",
        "label",
        "designated_on",
        "disputed",
        "published",
    )
    list_filter = ("designated_by", "disputed", "published", "jurisdiction__kind")
    list_select_related = ("jurisdiction",)
    search_fields = ("jurisdiction__name", "designated_by", "label")
    autocomplete_fields = ("jurisdiction", "source")


@admin.register(PublicChange)
class PublicChangeAdmin(admin.ModelAdmin):
    """The public updates log, for reading: entries follow from records' history, so they are
    corrected by editing the record (with a reason), not here."""

    list_display = ("changed_at", "kind", "record_type", "record_label", "jurisdiction_name")
    list_filter = ("kind", "record_type")
    search_fields = ("record_label", "jurisdiction_name", "reason")
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The record of every import: who uploaded which file (and its checksum), when, who
    confirmed it and what it changed. A job's page follows its check or import as it runs and
    offers the confirmation; jobs are started from each model's Import page, never edited."""

    list_display = (
        "uploaded_at",
        "file_name",
        "subject",
        "status",
        "row_count",
        "created",
        "updated",
        "unchanged",
        "uploaded_by",
        "confirmed_by",
    )
    list_filter = ("status", "subject")
    search_fields = ("file_name", "checksum", "uploaded_by__username")
    date_hierarchy = "uploaded_at"
    list_select_related = ("uploaded_by", "confirmed_by")

    def viewable_models(self, request: HttpRequest) -> list[str]:
        """The records whose imports a user may see: those the user may view (a job lists
        records that may not be published)."""
        return [
            f"{model._meta.app_label}.{model._meta.model_name}"
            for model in apps.get_models()
            if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        ]

    def get_queryset(self, request: HttpRequest):
        # The file itself (up to 5 MB) is read only by the tasks.
        jobs = super().get_queryset(request).defer("text")
        return jobs.filter(model__in=self.viewable_models(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None:
            return obj.model in self.viewable_models(request)
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def may_confirm(self, request: HttpRequest, job: ImportJob) -> bool:
        """Confirming imports the file: it needs the add permission of what the file holds."""
        app_label, model_name = job.model.split(".")
        return request.user.has_perm(f"{app_label}.add_{model_name}")

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404("No such import.")
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        may_confirm = self.may_confirm(request, job)
        if request.method == "POST":
            if not may_confirm:
                raise PermissionDenied
            confirmed = bool(request.POST.get("confirmed"))
            if "stopped" in request.POST:
                if not mark_stopped(job=job, user=request.user):
                    self.message_user(request, "This job is not stalled.", messages.WARNING)
            elif job.options.get("confirmation") and not confirmed:
                self.message_user(
                    request,
                    f"Tick the box “{job.options['confirmation']}” to import this file, or "
                    "upload another.",
                    messages.ERROR,
                )
            elif not confirm_import(job=job, user=request.user, confirmed=confirmed):
                self.message_user(
                    request, "This file is not waiting for confirmation.", messages.WARNING
                )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import of {job.file_name}",
            "job": job,
            "rows_read": rows_read(job),
            "may_confirm": may_confirm,
        }
        template = "admin/policies/importjob/job.html"
        if request.htmx:
            template += "#progress"
        return TemplateResponse(request, template, context)
