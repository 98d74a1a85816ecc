from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction-list"),
    path(
        "jurisdictions.<str:fmt>",
        views.jurisdiction_list_download,
        name="jurisdiction-list-download",
    ),
    path("jurisdictions/search/", views.jurisdiction_search, name="jurisdiction-search"),
    path("jurisdictions/<slug:slug>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path(
        "jurisdictions/<slug:slug>/figures.<str:fmt>",
        views.jurisdiction_figures_download,
        name="jurisdiction-figures-download",
    ),
    path("compare/", views.compare, name="compare"),
    path("compare.<str:fmt>", views.compare_download, name="compare-download"),
    path("map/", views.state_map, name="state-map"),
    path("map.<str:fmt>", views.state_map_download, name="state-map-download"),
    path("methodology/", views.methodology, name="methodology"),
]
