"""The updates and corrections log as an Atom feed, so newsrooms can follow changes."""

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from policies.models import Jurisdiction, PublicChange
from tracker import selectors
from tracker.changelog import change_lines, entry_title
from tracker.forms import UpdatesForm
from tracker.views.shared import reader_page

FEED_LENGTH = 50


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest) -> Jurisdiction | None:
        form = UpdatesForm(request.GET)
        # A malformed filter is ignored rather than answered with an error page a feed
        # reader cannot show; an unknown place is a 404.
        slug = form.cleaned_data["j"] if form.is_valid() else ""
        if not slug:
            return None
        place = Jurisdiction.objects.filter(slug=slug).first()
        if place is None:
            raise Http404("No jurisdiction with that address.")
        return place

    def title(self, place: Jurisdiction | None) -> str:
        if place is None:
            return _("Sanctuary Tracker: updates and corrections")
        return _("Sanctuary Tracker: updates and corrections for %(place)s") % {"place": place}

    def subtitle(self, place: Jurisdiction | None) -> str:
        return _(
            "Records added, changed or withdrawn, with what changed and the reason staff gave."
        )

    def link(self, place: Jurisdiction | None) -> str:
        url = reverse("tracker:update-list")
        return f"{url}?j={place.slug}" if place else url

    def items(self, place: Jurisdiction | None) -> list[PublicChange]:
        slug = place.slug if place else ""
        entries = list(selectors.public_changes(jurisdiction_slug=slug)[:FEED_LENGTH])
        counts = selectors.batch_counts(entries=entries, jurisdiction_slug=slug)
        for entry in entries:
            entry.batch_counts = counts.get(entry.batch)
        return entries

    def item_title(self, entry: PublicChange) -> str:
        if entry.batch_counts:
            return _("%(import)s: %(added)s added, %(changed)s changed, %(removed)s withdrawn") % {
                "import": entry.batch_label,
                "added": entry.batch_counts.get(PublicChange.Kind.ADDED, 0),
                "changed": entry.batch_counts.get(PublicChange.Kind.CHANGED, 0),
                "removed": entry.batch_counts.get(PublicChange.Kind.REMOVED, 0),
            }
        return f"{entry.get_kind_display()}: {entry_title(entry)} ({entry.jurisdiction_name})"

    def item_description(self, entry: PublicChange) -> str:
        if entry.batch_counts:
            return self.item_title(entry)
        return render_to_string(
            "tracker/_update_lines.html",
            {"entry": entry, "lines": change_lines(entry), "feed": True},
        )

    def item_link(self, entry: PublicChange) -> str:
        url = reverse("tracker:update-list")
        if entry.batch_counts:
            return f"{url}?batch={entry.batch}"
        return f"{url}?j={entry.jurisdiction_slug}#change-{entry.pk}"

    def item_guid(self, entry: PublicChange) -> str:
        return f"sanctuary-tracker-change-{entry.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry: PublicChange):
        return entry.changed_at

    def item_updateddate(self, entry: PublicChange):
        return entry.changed_at


# A reader page like any other: public, revalidated by the data version.
updates_feed = reader_page(UpdatesForm)(UpdatesFeed())
