from django.urls import path, register_converter

from tracker.feeds import updates_feed
from tracker.views import downloads, pages
from tracker.views.shared import DOWNLOAD_FORMATS


class DownloadFormat:
    """csv or json: any other ending is not a download, so the URL does not match (404)."""

    regex = "|".join(DOWNLOAD_FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadFormat, "download")

app_name = "tracker"

urlpatterns = [
    path("", pages.home, name="home"),
    path("jurisdictions/", pages.jurisdiction_list, name="jurisdiction-list"),
    path(
        "jurisdictions.<download:fmt>",
        downloads.jurisdiction_list_download,
        name="jurisdiction-list-download",
    ),
    path("jurisdictions/search/", pages.jurisdiction_search, name="jurisdiction-search"),
    path("jurisdictions/<slug:slug>/", pages.jurisdiction_detail, name="jurisdiction-detail"),
    path(
        "jurisdictions/<slug:slug>/figures.<download:fmt>",
        downloads.jurisdiction_figures_download,
        name="jurisdiction-figures-download",
    ),
    path("compare/", pages.compare, name="compare"),
    path("compare.<download:fmt>", downloads.compare_download, name="compare-download"),
    path("map/", pages.state_map, name="state-map"),
    path("map.<download:fmt>", downloads.state_map_download, name="state-map-download"),
    path("methodology/", pages.methodology, name="methodology"),
    path("updates/", pages.update_list, name="update-list"),
    path("updates/feed/", updates_feed, name="updates-feed"),
]
