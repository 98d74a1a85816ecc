import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation


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
def empty_cache():
    """Each test starts with no cached pages or data version (rollbacks send no signals)."""
    from django.core.cache import cache

    from config.data_version import forget_data_version
    from config.fragments import forget_recent_parts
    from config.page_cache import forget_recent_headers

    cache.clear()
    forget_data_version()
    forget_recent_parts()
    forget_recent_headers()
    # A request to /es/ leaves Spanish active in this thread, where reverse() would follow it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
    forget_data_version()
    forget_recent_parts()
    forget_recent_headers()
