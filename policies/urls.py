from django.urls import path, register_converter

from config.page_cache import cached_for_readers
from policies import views
from policies.feeds import UpdatesFeed


class DownloadFormat:
    """csv or json: any other ending is not a download, so the URL does not match (404)."""

    regex = "|".join(views.DOWNLOAD_FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadFormat, "download")
updates_feed = cached_for_readers(UpdatesFeed())

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction-list"),
    path(
        "jurisdictions.<download:fmt>",
        views.jurisdiction_list_download,
        name="jurisdiction-list-download",
    ),
    path("jurisdictions/search/", views.jurisdiction_search, name="jurisdiction-search"),
    path("jurisdictions/<slug:slug>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path(
        "jurisdictions/<slug:slug>/figures.<download:fmt>",
        views.jurisdiction_figures_download,
        name="jurisdiction-figures-download",
    ),
    path("compare/", views.compare, name="compare"),
    path("compare.<download:fmt>", views.compare_download, name="compare-download"),
    path("map/", views.state_map, name="state-map"),
    path("map.<download:fmt>", views.state_map_download, name="state-map-download"),
    path("methodology/", views.methodology, name="methodology"),
    path("updates/", views.update_list, name="update-list"),
    path("updates/feed/", updates_feed, name="updates-feed"),
]
