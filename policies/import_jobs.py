"""Imports staff start in the admin. An upload is recorded as an ImportJob and checked by a
background task (policies.tasks): every row validated and the changes previewed, nothing saved.
Once staff confirm, a second task imports it.
"""

import csv
import hashlib
import io
from functools import partial

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from policies.models import ImportJob
from policies.tasks import apply_import, check_import, progress_key


def count_rows(text: str) -> int:
    return max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0)


def start_import(
    *,
    importer: str,
    model: type[models.Model],
    subject: str,
    file_name: str,
    raw: bytes,
    text: str,
    user,
    options: dict | None = None,
) -> ImportJob:
    """Record an upload and queue its check once the record is committed."""
    job = ImportJob.objects.create(
        importer=importer,
        model=model._meta.label_lower,
        subject=subject,
        file_name=file_name,
        checksum=hashlib.sha256(raw).hexdigest(),
        text=text,
        row_count=count_rows(text),
        uploaded_by=user,
        options=options or {},
    )
    transaction.on_commit(partial(check_import.enqueue, job.pk))
    return job


def confirm_import(*, job: ImportJob, user, confirmed: bool = False) -> bool:
    """Queue the import of a checked file; `confirmed` if staff also confirmed what its check
    asked them to (job.options["confirmation"]). False if it was not waiting for confirmation
    (a second click, or another editor confirmed it first)."""
    # Only what the check asked to confirm can be confirmed.
    options = {**job.options, "confirmed": confirmed and bool(job.options.get("confirmation"))}
    confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.IMPORTING,
        confirmed_by=user,
        confirmed_at=timezone.now(),
        options=options,
    )
    if confirmed:
        cache.delete(progress_key(job.pk))
        transaction.on_commit(partial(apply_import.enqueue, job.pk))
    return bool(confirmed)


def rows_read(job: ImportJob) -> int:
    if job.running:
        return min(cache.get(progress_key(job.pk), 0), job.row_count)
    return job.row_count


def recent_jobs(**filters) -> list[ImportJob]:
    """The five newest imports matching `filters`, without their files' text."""
    return list(ImportJob.objects.defer("text").filter(**filters)[:5])


def mark_stopped(*, job: ImportJob, user) -> bool:
    """Record that a stalled job's worker stopped (killed, restarted) before finishing it, so
    its page stops waiting. False if the job was not stalled."""
    if not job.stalled:
        return False
    return bool(
        ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.RUNNING).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                f"Marked as stopped by {user} on {timezone.localtime():%Y-%m-%d %H:%M}: no "
                "worker finished it. A check saves nothing, and an import is saved whole or not "
                "at all: look at the records before importing the file again."
            ],
        )
    )
