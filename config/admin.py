"""Admin building blocks shared by the apps: history with a change reason, and CSV import."""

from django import forms
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

    def save_model(self, request, obj, form, change) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        super().save_model(request, obj, form, change)
