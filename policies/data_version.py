"""The data version: one value that changes whenever reader-visible data changes.

The generation key of djangoproject.com's dashboard: reader pages and embeds take their ETag and
Last-Modified from it, so a shared cache revalidates with a 304 that needs no query. It lives in
the cache; any committed save or delete of a tracked model, an import, a revert or a deploy's
`migrate` replaces it.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

CACHE_KEY = "sanctuary-tracker:data-version"


@dataclass(frozen=True)
class DataVersion:
    token: str
    changed_at: dt.datetime


def _tracked_tables() -> list[str]:
    from arrivals.models import ArrivalCount
    from policies.models import Designation, Jurisdiction, NoPolicyFinding, Policy, Source

    models = (Jurisdiction, Source, Policy, NoPolicyFinding, Designation, ArrivalCount)
    return [model._meta.db_table for model in models]


def _from_database() -> DataVersion:
    """The newest change recorded in the data itself, for a cold cache."""
    parts = " UNION ALL ".join(
        f"SELECT MAX(updated_at) AS changed, COUNT(*) AS n FROM {table}"
        for table in _tracked_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(changed), SUM(n) FROM ({parts}) AS tracked")
        changed, rows = cursor.fetchone()
    if isinstance(changed, str):  # SQLite returns text from an aggregate over a union
        changed = dt.datetime.fromisoformat(changed)
    if changed is None:
        changed = timezone.now()
    elif timezone.is_naive(changed):
        changed = timezone.make_aware(changed, dt.UTC)
    return DataVersion(token=f"{changed.timestamp():.6f}-{rows}", changed_at=changed)


def data_version() -> DataVersion:
    version = cache.get(CACHE_KEY)
    if version is None:
        version = _from_database()
        cache.set(CACHE_KEY, version, timeout=settings.DATA_VERSION_SECONDS)
    return version


def bump_data_version(**_signal_kwargs) -> None:
    """Record that committed data changed. Call it after the commit (`data_changed` does):
    a version bumped inside a transaction would let a reader render the data from before the
    commit and keep it under the new version."""
    cache.set(
        CACHE_KEY,
        DataVersion(token=uuid.uuid4().hex, changed_at=timezone.now()),
        timeout=settings.DATA_VERSION_SECONDS,
    )


def data_changed(**_signal_kwargs) -> None:
    """Signal handler for saves and deletes: bump the version once the change is committed."""
    transaction.on_commit(bump_data_version)
