"""Cached pages, and what readers get when Redis or the database is down."""

import datetime as dt
import os
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_arrival_count, make_source

pytestmark = pytest.mark.django_db


def test_a_data_change_reaches_cached_pages_at_once(client, chicago):
    url = chicago.get_absolute_url()
    assert "More than 50,000" in client.get(url).content.decode()
    make_arrival_count(jurisdiction=chicago, value=61000, qualifier="about")
    assert "About 61,000" in client.get(url).content.decode()


def test_a_data_change_reaches_the_parts_the_home_page_keeps_at_once(client, chicago):
    assert "More than 50,000" in client.get("/").content.decode()
    assert "More than 50,000" in client.get("/?state=IL").content.decode()  # the part reused
    make_arrival_count(jurisdiction=chicago, value=61000, qualifier="about")
    assert "About 61,000" in client.get("/?state=IL").content.decode()


def test_drafts_never_enter_the_cache(client, chicago):
    make_arrival_count(jurisdiction=chicago, value=777777, published=False)
    assert "777,777" not in client.get(chicago.get_absolute_url()).content.decode()


def test_staff_pages_never_enter_the_cache(editor_client, client, chicago):
    url = reverse("admin:policies_jurisdiction_changelist")
    assert editor_client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, not the editor's copy


def test_embed_links_name_the_host_that_was_asked(client, chicago, settings):
    # Its embed snippets and links are absolute, built from the host that was asked.
    settings.ALLOWED_HOSTS = ["testserver", "tracker.example"]
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    assert 'href="http://testserver/jurisdictions/' in client.get(url).content.decode()
    other = client.get(url, HTTP_HOST="tracker.example").content.decode()
    assert 'href="http://tracker.example/jurisdictions/' in other and "testserver" not in other


def test_revalidation_is_answered_from_the_data_version_without_a_query(
    client, chicago, django_assert_num_queries
):
    for url in (
        reverse("embed:jurisdiction-chart", args=[chicago.slug]),
        chicago.get_absolute_url(),
        reverse("tracker:home"),
    ):
        etag = client.get(url)["ETag"]
        with (
            mock.patch("tracker.views.embeds.render", side_effect=AssertionError("rendered")),
            mock.patch("tracker.views.pages.render", side_effect=AssertionError("rendered")),
            django_assert_num_queries(0),
        ):
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


REDIS_DOWN = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
    }
}


def test_pages_are_served_from_the_database_when_redis_is_down(client, chicago, caplog):
    with override_settings(CACHES=REDIS_DOWN):
        assert type(caches["default"]).__name__ == "ResilientRedisCache"
        for url in ("/", chicago.get_absolute_url(), "/embed/jurisdictions/il-chicago/chart/"):
            assert client.get(url).status_code == 200, url
    assert "Redis cache unavailable" in caplog.text


def test_database_down_gives_a_plain_503_with_retry_after_then_recovers(client, chicago):
    url = chicago.get_absolute_url()
    failure = OperationalError("could not connect to server: Connection refused")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=failure):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/plain")
    assert "Traceback" not in response.content.decode()
    assert client.get(url).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement timeout")
def test_a_hung_database_gives_a_quick_503_not_a_held_worker(client, chicago):
    """Security review finding 5: a hung database held every worker for gunicorn's 30 s."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")
    hang = "SELECT pg_sleep(5)"
    real_execute = CursorWrapper.execute

    def hung(self, sql, params=None):
        real_execute(self, hang)
        return real_execute(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", hung):
        response = client.get(chicago.get_absolute_url() + "?as_of=2024-01-02")
    assert response.status_code == 503 and response["Retry-After"] == "30"


def test_production_settings_bound_how_long_the_database_may_take(monkeypatch):
    import importlib

    from config import settings as project_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://tracker@db.example:5432/tracker")
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "5s")
    reloaded = importlib.reload(project_settings)
    try:
        options = reloaded.DATABASES["default"]["OPTIONS"]
        assert options == {"connect_timeout": 5, "options": "-c jit=off -c statement_timeout=5s"}
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_an_uncommitted_edit_does_not_move_the_data_version(
    client, chicago, django_capture_on_commit_callbacks
):
    """#17: the version was bumped inside the editing transaction, so a reader rendering in
    between stored the old data under the new version for an hour."""
    from django.db import transaction

    from policies.data_version import data_version

    before = data_version().token
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        make_arrival_count(jurisdiction=chicago, value=99999)
        assert data_version().token == before  # a reader now still sees the old version
    assert callbacks
    assert data_version().token != before


def test_the_data_version_expires_with_redis_too(monkeypatch):
    """Security review finding 3: with Redis the version never expired, so a change saved
    during a Redis outage was never seen; pages cached before it came back as current."""
    import importlib

    from config import settings as project_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.DATA_VERSION_SECONDS == 30
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_a_withdrawal_saved_during_a_cache_outage_reaches_readers_once_the_version_expires(
    client, chicago
):
    """Security review finding 3, end to end (local-memory cache, whose clock can be moved)."""
    import time as real_time

    from django.core.cache.backends.locmem import LocMemCache

    from policies import data_version as module

    if not isinstance(caches["default"], LocMemCache):
        pytest.skip("moves the local-memory cache's clock")
    figure = chicago.arrival_counts.get()
    page = chicago.get_absolute_url()
    assert figure.display_value.capitalize() in client.get(page).content.decode()
    stale = module.data_version().token

    with mock.patch.object(module.cache, "set"), mock.patch.object(module.cache, "delete"):
        figure.published = False  # saved while the cache cannot record the new version
        figure.save()
    assert module.data_version().token == stale  # the outage's cost, bounded by the expiry

    later = real_time.time() + 31
    with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later):
        assert module.data_version().token != stale
        assert figure.display_value.capitalize() not in client.get(page).content.decode()


def test_a_new_version_outlives_its_copy_in_the_cache(client, chicago):
    """Review of #17: a bumped version lived only in the cache; when it expired it was worked
    out again from MAX(updated_at) and COUNT(*), which a change of a policy's sources (or a
    deploy's migrate) moves neither, so ETags from before the change answered 304 again."""
    from policies.data_version import CACHE_KEY

    url = chicago.get_absolute_url()
    before = client.get(url)["ETag"]
    chicago.policies.get().sources.add(make_source(publisher="City Clerk"))
    after = client.get(url)["ETag"]
    assert after != before
    caches["default"].delete(CACHE_KEY)  # the cached copy expired
    assert client.get(url)["ETag"] == after
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200


def test_a_page_of_today_is_a_new_version_each_day(client, chicago):
    """Review of #17: pages without an as-of date show today's records, but their ETag did
    not name the day, so after midnight yesterday's copy was revalidated as current."""
    from django.utils import timezone

    url = chicago.get_absolute_url()
    today = client.get(url)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        again = client.get(url, headers={"If-None-Match": today["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != today["ETag"]


def test_a_deploys_migrate_gives_every_page_a_new_version(client, chicago):
    """Pages rendered by the code before a deploy are revalidated into new ones."""
    from django.core.management.sql import emit_post_migrate_signal

    url = chicago.get_absolute_url()
    before = client.get(url)["ETag"]
    emit_post_migrate_signal(0, False, "default")
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis cache backend")
def test_redis_reads_share_one_client():
    """Each read made a redis-py client, which cost half a round trip, on every request."""
    backend = caches.create_connection("default")
    made = mock.Mock(wraps=backend._cache._client)
    with mock.patch.object(backend._cache, "_client", made):
        for _ in range(3):
            backend.get("anything")
            backend.set("anything", 1)
    assert made.call_count == 1
