"""Admin building blocks shared by the apps: history with a change reason, and CSV import."""

from django import forms
from django.core.exceptions import PermissionDenied
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Why this change? Kept in the record's history.",
    )


class HistoryAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """History viewable and revertable (django-simple-history), CSV import/export with preview
    (django-import-export), and an optional reason stored with each change."""

    form = ChangeReasonForm

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
