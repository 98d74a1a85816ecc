"""The data version: one value that changes whenever reader-visible data changes.

The generation key of djangoproject.com's dashboard: reader pages and embeds take their ETag and
Last-Modified from it, so a shared cache revalidates with a 304 that needs no query, and parts
kept in Django's cache are keyed by it. Any committed save or delete of a tracked record (the
reader site connects them, in tracker/apps.py), an import, a revert or a deploy's `migrate`
replaces it: in its row of the database (so it never
goes back, whatever happens to the cache) and then in the cache, which every process reads.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from policies.models import DataVersion

# Named for the shape of what it holds: a process of an older release reads no other shape.
CACHE_KEY = "sanctuary-tracker:data-version:row"


def data_version() -> DataVersion:
    """The current version, from the cache; from its row when the cache has none (it expires
    after DATA_VERSION_SECONDS, so a bump the cache missed, during a Redis outage or in
    another process's local memory, is seen within that time)."""
    version = cache.get(CACHE_KEY)
    if version is None:
        version, _created = DataVersion.objects.get_or_create(
            pk=DataVersion.ONLY, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
        )
        cache.set(CACHE_KEY, version, timeout=settings.DATA_VERSION_SECONDS)
    return version


def bump_data_version(**_signal_kwargs) -> None:
    """Record that committed data changed. Call it after the commit (`data_changed` does):
    a version bumped inside a transaction would let a reader render the data from before the
    commit and keep it under the new version."""
    version, _created = DataVersion.objects.update_or_create(
        pk=DataVersion.ONLY, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )
    cache.set(CACHE_KEY, version, timeout=settings.DATA_VERSION_SECONDS)


def data_changed(**_signal_kwargs) -> None:
    """Signal handler for saves and deletes: bump the version once the change is committed."""
    transaction.on_commit(bump_data_version)


def connect_data_version(model: type[models.Model]) -> None:
    """Bump the version after every committed save or delete of a `model` record."""
    post_save.connect(data_changed, sender=model, dispatch_uid=f"bump-save-{model}")
    post_delete.connect(data_changed, sender=model, dispatch_uid=f"bump-delete-{model}")
