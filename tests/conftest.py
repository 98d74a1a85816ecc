from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from config.cache import ResilientRedisCache
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_state,
)

SLOW_PATHS = ("browser", "test_proxy.py", "test_fuzz_query_strings.py", "test_query_budget.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browsers, the real nginx, property tests and the large dataset are marked slow, so a
    local loop can run `pytest --reuse-db -m "not slow"`; `make test` and CI run everything."""
    tests = Path(__file__).parent
    for item in items:
        relative = item.path.relative_to(tests).parts
        if relative[0] in SLOW_PATHS or relative[-1] in SLOW_PATHS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def chicago():
    """Chicago in Illinois with a policy, an arrival figure ("more than 50,000") and an
    outside designation: the place most tests read pages of."""
    city = make_jurisdiction(name="Chicago", parent=make_state("IL", "Illinois"))
    make_policy(jurisdiction=city, title="Welcoming City Ordinance")
    make_arrival_count(jurisdiction=city, value=50000, qualifier="more_than")
    make_designation(jurisdiction=city)
    return city


@pytest.fixture
def editor(django_user_model):
    """A staff member in the Editors group (created by a data migration)."""
    user = django_user_model.objects.create_user(
        username="editor", password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def commit_hooks_run_outside_transactions(monkeypatch):
    """Tests run inside the test case's transaction, which never commits: run an on_commit
    callback at once when only that transaction is open, as a real commit would just after
    the change. Callbacks registered inside a transaction of the code under test still wait
    for it (`django_capture_on_commit_callbacks` runs them in tests about commits)."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = BaseDatabaseWrapper.on_commit

    def on_commit(self, func, robust=False):
        if self.atomic_blocks and all(block._from_testcase for block in self.atomic_blocks):
            return func()
        return original(self, func, robust)

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks (imports) run when they are queued, inside the request that queues
    them; the browser test of imports runs a real worker instead."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached data version (rollbacks send no signals)."""
    ResilientRedisCache._down_until = 0.0  # a test's simulated outage ends with it
    cache.clear()
    # A request to /es/ leaves Spanish active in this thread, where reverse() would follow it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
