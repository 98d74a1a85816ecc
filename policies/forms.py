import datetime as dt

from django import forms

# Uploads staff import (ICE sheets, CSV files): larger files are refused before they are read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_LIMIT = "5 MB"


def decoded_upload(raw: bytes) -> str:
    """An uploaded text file's text: UTF-8 (with or without a byte-order mark), else Windows-1252,
    which older spreadsheets save and which reads every Latin-1 letter the same."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def too_large(upload) -> str:
    megabytes = upload.size / 1024 / 1024
    return f"This file is {megabytes:.1f} MB; files of at most {UPLOAD_LIMIT} can be imported."


class UploadForm(forms.Form):
    """A CSV file to import: refused over the size limit, read as UTF-8 (with or without a
    byte-order mark) or, failing that, as Windows-1252, which reads every Latin-1 letter too.
    `cleaned_data` gains the file's `raw` bytes and decoded `text`."""

    import_file = forms.FileField(
        label="File",
        help_text=f"A CSV file of at most {UPLOAD_LIMIT}, in UTF-8, Windows-1252 or Latin-1.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError({"import_file": too_large(upload)})
        cleaned["raw"] = upload.read()
        cleaned["text"] = decoded_upload(cleaned["raw"])
        return cleaned


class Ice287gImportForm(UploadForm):
    import_file = forms.FileField(
        label="Sheet",
        help_text="ICE's '287(g) Participating Agencies' sheet saved as CSV, columns as ICE "
        "publishes them (STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE, SIGNED, "
        f"...), at most {UPLOAD_LIMIT}.",
    )
    sheet_date = forms.DateField(
        help_text="The date ICE gave the sheet. Agreements missing from it are ended on this date."
    )

    def clean_sheet_date(self) -> dt.date:
        sheet_date = self.cleaned_data["sheet_date"]
        if sheet_date > dt.date.today():
            raise forms.ValidationError("The sheet date is in the future.")
        return sheet_date
