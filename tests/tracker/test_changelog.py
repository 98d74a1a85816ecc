import datetime as dt
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.models import PublicChange
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
)
from tracker.changelog import change_lines, rebuild_public_changes, record_type_of

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def later(*records) -> None:
    """Date the records' next saves an hour on, so they are a separate edit, not a merge."""
    for record in records:
        record._history_date = timezone.now() + dt.timedelta(hours=1)


def entries_of(record) -> list[PublicChange]:
    record_type = record_type_of(type(record).history.model)
    changes = PublicChange.objects.filter(record_type=record_type, record_id=record.pk)
    return list(changes.order_by("changed_at", "id"))


def test_publishing_a_record_adds_one_entry_with_what_readers_see():
    policy = make_policy(title="Welcoming City Ordinance")

    [entry] = entries_of(policy)
    assert entry.kind == PublicChange.Kind.ADDED
    assert entry.record_label == "Welcoming City Ordinance"
    assert entry.jurisdiction_slug == policy.jurisdiction.slug
    # Creation and the sources set a moment later are one entry.
    assert entry.snapshot["sources"] == [f"City of Testville: {policy.sources.get().title}"]
    assert "notes" not in entry.snapshot and "external_id" not in entry.snapshot


def test_drafts_and_their_edits_never_reach_the_log():
    policy = make_policy(published=False, title="Draft ordinance")
    policy.title = "Draft ordinance, revised"
    policy.save()
    make_arrival_count(published=False)
    make_designation(published=False)

    assert not PublicChange.objects.exists()


def test_a_reader_visible_change_records_old_and_new_values_and_the_reason():
    policy = make_policy(status="in_effect", ended_on=None)
    later(policy)
    policy.status = "repealed"
    policy.ended_on = dt.date(2024, 5, 1)
    policy._change_reason = "Council repealed the ordinance on May 1, 2024."
    policy.save()

    entry = entries_of(policy)[-1]
    assert entry.kind == PublicChange.Kind.CHANGED
    assert entry.reason == "Council repealed the ordinance on May 1, 2024."
    assert entry.changes == [
        ["status", "in_effect", "repealed"],
        ["ended_on", None, "2024-05-01"],
    ]
    lines = {line.field: line for line in change_lines(entry)}
    assert (lines["status"].old, lines["status"].new) == ("In effect", "Repealed")
    assert lines["ended_on"].new == "May 1, 2024"


def test_internal_fields_do_not_make_an_entry():
    policy = make_policy()
    later(policy)
    policy.notes = "Called the clerk's office; nothing to change."
    policy.save()

    assert [entry.kind for entry in entries_of(policy)] == ["added"]


def test_an_edit_and_its_sources_change_are_one_entry():
    policy = make_policy()
    later(policy)
    newer = make_source(publisher="City Clerk")
    policy.title = "Welcoming City Ordinance (amended)"
    policy.save()
    policy.sources.set([newer])

    changed = entries_of(policy)[-1]
    assert [change[0] for change in changed.changes] == ["title", "sources"]
    assert changed.changes[1][2] == [f"City Clerk: {newer.title}"]
    assert len(entries_of(policy)) == 2


def test_an_edit_undone_within_the_minute_leaves_no_entry():
    figure = make_arrival_count(value=1000)
    later(figure)
    figure.value = 10000
    figure.save()
    figure.value = 1000
    figure.save()

    assert [entry.kind for entry in entries_of(figure)] == ["added"]


def test_withdrawing_or_deleting_a_published_record_is_logged_but_a_draft_deletion_is_not():
    withdrawn = make_designation()
    deleted = make_arrival_count()
    draft = make_policy(published=False)
    later(withdrawn, deleted, draft)
    withdrawn.published = False
    withdrawn.save()
    deleted_pk = deleted.pk
    deleted.delete()
    draft.delete()

    assert [e.kind for e in entries_of(withdrawn)] == ["added", "removed"]
    removed = PublicChange.objects.get(record_type="figure", record_id=deleted_pk, kind="removed")
    assert removed.jurisdiction_name == deleted.jurisdiction.display_name
    assert not PublicChange.objects.filter(record_type="policy").exists()


def test_rebuilding_from_history_is_idempotent_and_matches_the_live_log():
    policy = make_policy()
    later(policy)
    policy.title = "Renamed"
    policy.save()
    make_arrival_count()
    live = list(
        PublicChange.objects.order_by("record_type", "history_id").values_list(
            "record_type", "record_id", "kind", "changes"
        )
    )
    PublicChange.objects.all().delete()

    rebuild_public_changes()
    rebuild_public_changes()

    rebuilt = list(
        PublicChange.objects.order_by("record_type", "history_id").values_list(
            "record_type", "record_id", "kind", "changes"
        )
    )
    assert rebuilt == live


def test_updates_page_lists_changes_filters_by_place_and_escapes_staff_text(
    client, django_assert_max_num_queries
):
    chicago = make_jurisdiction(name="Chicago")
    denver = make_jurisdiction(name="Denver", state="CO")
    policy = make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    make_policy(jurisdiction=denver, title="Denver ordinance")
    make_policy(jurisdiction=chicago, title="Unpublished idea", published=False)
    later(policy)
    policy.summary = "Amended summary."
    policy._change_reason = '<script>alert("x")</script> typo fixed'
    policy.save()

    with django_assert_max_num_queries(4):
        response = client.get(reverse("tracker:update-list"), {"j": chicago.slug})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Welcoming City Ordinance" in page and "Amended summary." in page
    assert "Denver ordinance" not in page and "Unpublished idea" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; typo fixed" in page
    assert "<script>alert" not in page
    everywhere = client.get(reverse("tracker:update-list")).content.decode()
    assert "Denver ordinance" in everywhere


def test_updates_page_rejects_bad_filters_without_an_error_page(client):
    assert client.get(reverse("tracker:update-list"), {"j": "no-such-place"}).status_code == 404
    assert client.get(reverse("tracker:update-list"), {"j": "bad slug!"}).status_code == 400
    assert client.get(reverse("tracker:update-list"), {"page": 10**12}).status_code == 200


def test_jurisdiction_page_links_to_its_own_updates_and_feed(client):
    chicago = make_jurisdiction(name="Chicago")
    make_policy(jurisdiction=chicago)

    page = client.get(chicago.get_absolute_url()).content.decode()

    assert f'{reverse("tracker:update-list")}?j={chicago.slug}"' in page
    assert f'{reverse("tracker:updates-feed")}?j={chicago.slug}"' in page


def test_feed_is_atom_with_one_entry_per_change_and_a_per_place_filter(client):
    chicago = make_jurisdiction(name="Chicago")
    make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    make_arrival_count(value=51000, qualifier="more_than")

    response = client.get(reverse("tracker:updates-feed"), {"j": chicago.slug})

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Added: Welcoming City Ordinance (Chicago, IL)"]
    everything = ET.fromstring(client.get(reverse("tracker:updates-feed")).content)
    titles = [entry.find(f"{ATOM}title").text for entry in everything.findall(f"{ATOM}entry")]
    assert any("more than 51,000" in title for title in titles)
    ids = [entry.find(f"{ATOM}id").text for entry in everything.findall(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids) == 2


def test_updates_pages_link_to_the_next_page_of_the_same_place(client, settings):
    chicago = make_jurisdiction(name="Chicago")
    for number in range(55):  # more than one page (50 entries)
        make_policy(jurisdiction=chicago, title=f"Ordinance {number:02}")

    first = client.get(reverse("tracker:update-list"), {"j": chicago.slug}).content.decode()
    older = re.search(r'<a href="([^"]*)" rel="next">', first).group(1)
    second = client.get(reverse("tracker:update-list") + html.unescape(older))

    assert html.unescape(older) == f"?j={chicago.slug}&page=2"
    assert "page 2 of 2" in second.content.decode()


def test_a_bulk_import_is_one_entry_of_the_log_with_its_counts(client):
    from policies.importers.ice_287g import agreements_import_ice_287g
    from tests.factories import make_state

    alabama = make_state("AL", "Alabama")
    make_jurisdiction(name="Colbert County", kind="county", state="AL", parent=alabama)
    make_policy(title="An edit of its own")
    rows = [
        {
            "STATE": "ALABAMA",
            "LAW ENFORCEMENT AGENCY": f"Colbert County {name}",
            "TYPE": "County",
            "COUNTY": "Colbert County",
            "SUPPORT TYPE": "Task Force Model",
            "SIGNED": "2025-07-02",
        }
        for name in ("Sheriff's Office", "Jail", "Drug Task Force")
    ]
    agreements_import_ice_287g(rows=rows, sheet_date=dt.date(2025, 7, 18))

    page = html.unescape(client.get(reverse("tracker:update-list")).content.decode())
    assert "Import of ICE's 287(g) sheet of July 18, 2025" in page
    assert "3 added, 0 changed, 0 withdrawn." in page
    assert page.count('class="update update-batch"') == 1
    assert "An edit of its own" in page

    batch = PublicChange.objects.exclude(batch="").values_list("batch", flat=True).first()
    listed = client.get(reverse("tracker:update-list"), {"batch": batch}).content.decode()
    assert listed.count('class="update"') == 3
    assert client.get(reverse("tracker:update-list"), {"batch": "nope"}).status_code == 400

    feed = ET.fromstring(client.get(reverse("tracker:updates-feed")).content)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert "Import of ICE's 287(g) sheet of July 18, 2025: 3 added, 0 changed, 0 withdrawn" in (
        titles
    )
    assert len(titles) == 2


def test_withdrawing_a_record_never_shows_its_unpublished_text(client):
    """Security review finding 4: the "Removed" entry showed the draft title saved with it."""
    policy = make_policy(title="Published title", summary="Published summary.")
    later(policy)
    policy.published = False
    policy.title = "Draft title never published"
    policy.summary = "Draft summary."
    policy.save()

    removed = entries_of(policy)[-1]
    assert removed.kind == PublicChange.Kind.REMOVED
    assert removed.record_label == "Published title"
    assert "Draft" not in str(removed.snapshot)
    page = client.get(reverse("tracker:update-list")).content.decode()
    feed = client.get(reverse("tracker:updates-feed")).content.decode()
    assert "Draft title never published" not in page + feed
