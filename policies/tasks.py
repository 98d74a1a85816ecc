"""Background tasks (django.tasks) that check and import the files staff upload
(policies.import_jobs). A job names its importer, a function taking the file's text and the
job's options and returning an ImportOutcome (policies.csv_import). Progress is counted in the
shared cache, because the import's own transaction hides its writes from every other
connection until it ends.
"""

import logging
from contextlib import contextmanager
from types import SimpleNamespace

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string
from simple_history.models import HistoricalRecords

from policies.models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50  # rows between two progress reports
PROGRESS_SECONDS = 24 * 60 * 60


RESULT_FIELDS = [
    "status", "created", "updated", "unchanged", "summary", "errors", "warnings", "details",
    "options", "finished_at",
]  # fmt: skip


def progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:rows"


@task
def check_import(job_id: int) -> None:
    run_import(job_id, dry_run=True)


@task
def apply_import(job_id: int) -> None:
    run_import(job_id, dry_run=False)


@contextmanager
def acting_for(user):
    """Record the task's changes in history as made by `user`, as django-simple-history's
    middleware does for a request's (a worker has no request): its history rows and the
    public updates log then name who confirmed the import."""
    context = HistoricalRecords.context
    outer = getattr(context, "request", None)  # a task run inside a request (tests)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if outer is None:
            del context.request
        else:
            context.request = outer


def run_import(job_id: int, *, dry_run: bool) -> None:
    """Check (`dry_run`) or import the job's file and record the outcome on the job."""
    job = ImportJob.objects.get(pk=job_id)
    expected = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.IMPORTING
    if job.status != expected:
        logger.warning("Import job %s is %s, not %s; not run", job.pk, job.status, expected)
        return
    try:
        with acting_for(job.confirmed_by or job.uploaded_by):
            outcome = import_string(job.importer)(
                text=job.text,
                options={**job.options, "file_name": job.file_name},
                dry_run=dry_run,
                progress=_reporter(job),
            )
    except Exception:
        job.status = ImportJob.Status.FAILED
        job.errors = [
            "The import stopped on an unexpected error and nothing was saved; the error is in "
            "the worker's log."
        ]
        raise
    else:
        job.created, job.updated = outcome.created, outcome.updated
        job.unchanged, job.summary = outcome.unchanged, outcome.summary
        job.errors, job.warnings, job.details = outcome.errors, outcome.warnings, outcome.details
        if dry_run:
            job.options = {
                **job.options,
                **outcome.checked,
                "confirmation": outcome.confirmation,
            }
            job.status = ImportJob.Status.REFUSED if job.errors else ImportJob.Status.CHECKED
        else:
            job.status = ImportJob.Status.FAILED if job.errors else ImportJob.Status.IMPORTED
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=RESULT_FIELDS)


def _reporter(job: ImportJob):
    key = progress_key(job.pk)

    def report(row_number: int) -> None:
        if row_number % PROGRESS_EVERY == 0:
            cache.set(key, row_number, PROGRESS_SECONDS)

    return report
