import datetime as dt

from django import forms

MAX_SHEET_BYTES = 5 * 1024 * 1024


class Ice287gImportForm(forms.Form):
    sheet = forms.FileField(
        help_text="ICE's '287(g) Participating Agencies' sheet saved as CSV, columns as ICE "
        "publishes them (STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE, SIGNED, ...)."
    )
    sheet_date = forms.DateField(
        help_text="The date ICE gave the sheet. Agreements missing from it are ended on this date."
    )
    preview = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Show what would change without saving. Untick to record the sheet.",
    )

    def clean_sheet_date(self) -> dt.date:
        sheet_date = self.cleaned_data["sheet_date"]
        if sheet_date > dt.date.today():
            raise forms.ValidationError("The sheet date is in the future.")
        return sheet_date

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("sheet")
        if upload is None:
            return cleaned
        if upload.size > MAX_SHEET_BYTES:
            raise forms.ValidationError({"sheet": "The file is larger than 5 MB."})
        raw = upload.read()
        try:
            cleaned["sheet_text"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            cleaned["sheet_text"] = raw.decode("cp1252", errors="replace")
        return cleaned
