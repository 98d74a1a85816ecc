"""Background tasks (django.tasks) that check and import the files staff upload
(policies.import_jobs). Progress is counted in the shared cache, because the import's own
transaction hides its writes from every other connection until it ends.
"""

import datetime as dt
import logging

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from policies.csv_import import csv_import, read_csv_rows
from policies.importers.ice_287g import agreements_import_ice_287g
from policies.models import ImportJob

logger = logging.getLogger(__name__)

ICE_287G = "ice_287g"
PROGRESS_EVERY = 50  # rows between two progress reports
PROGRESS_SECONDS = 24 * 60 * 60


def progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:rows"


@task
def check_import(job_id: int) -> None:
    run_import(job_id, dry_run=True)


@task
def apply_import(job_id: int) -> None:
    run_import(job_id, dry_run=False)


def run_import(job_id: int, *, dry_run: bool) -> None:
    """Check (`dry_run`) or import the job's file and record the outcome on the job."""
    job = ImportJob.objects.get(pk=job_id)
    expected = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.IMPORTING
    if job.status != expected:
        logger.warning("Import job %s is %s, not %s; not run", job.pk, job.status, expected)
        return
    try:
        if job.importer == ICE_287G:
            _run_ice_sheet(job, dry_run=dry_run)
        else:
            _run_resource(job, dry_run=dry_run)
    except Exception:
        job.status = ImportJob.Status.FAILED
        job.errors = [
            "The import stopped on an unexpected error and nothing was saved; the error is in "
            "the worker's log."
        ]
        raise
    finally:
        job.finished_at = timezone.now()
        job.save()


def _reporter(job: ImportJob):
    key = progress_key(job.pk)

    def report(row_number: int) -> None:
        if row_number % PROGRESS_EVERY == 0:
            cache.set(key, row_number, PROGRESS_SECONDS)

    return report


def _run_resource(job: ImportJob, *, dry_run: bool) -> None:
    report = csv_import(
        resource=import_string(job.importer)(),
        text=job.text,
        dry_run=dry_run,
        file_name=job.file_name,
        progress=_reporter(job),
    )
    job.created, job.updated, job.unchanged = report.created, report.updated, report.skipped
    job.summary = report.summary()
    job.errors = [str(error) for error in report.errors]
    job.warnings = report.warnings
    if report.changes:
        job.details = {
            "Rows that change": [
                f"Row {row}: {'new' if kind == 'new' else 'updated'}, {record}"
                for row, kind, record in report.changes
            ]
        }
    if dry_run:
        job.status = ImportJob.Status.CHECKED if report.ok else ImportJob.Status.REFUSED
    else:
        job.status = ImportJob.Status.IMPORTED if report.ok else ImportJob.Status.FAILED


def _run_ice_sheet(job: ImportJob, *, dry_run: bool) -> None:
    report = agreements_import_ice_287g(
        rows=read_csv_rows(job.text),
        sheet_date=dt.date.fromisoformat(job.options["sheet_date"]),
        dry_run=dry_run,
        confirm_ending=job.options.get("confirm_ending", False),
    )
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.summary = report.summary()
    job.warnings = [str(warning) for warning in report.warnings]
    ending = "Agreements this sheet would end" if dry_run else "Agreements ended"
    job.details = {
        heading: items
        for heading, items in (
            (ending, report.ending),
            ("Agreements renamed (old name / new name)", report.renamed),
            ("Local jurisdictions created", report.places_created),
            ("Rows skipped", [str(problem) for problem in report.problems]),
        )
        if items
    }
    recorded = report.created or report.updated or report.unchanged or report.renamed
    if report.problems and not recorded:
        job.errors = [f"The sheet was refused: {report.problems[0]}"]
        job.status = ImportJob.Status.REFUSED if dry_run else ImportJob.Status.FAILED
    elif report.refused and not dry_run:
        job.errors = [f"Nothing was recorded. {report.refused}"]
        job.status = ImportJob.Status.FAILED
    else:
        # A check that would end many agreements still waits for confirmation, which must then
        # confirm the ending too (the job page asks).
        job.options = {**job.options, "ending_to_confirm": bool(report.refused)}
        if report.refused:
            job.warnings.insert(0, report.refused)
        job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.IMPORTED
