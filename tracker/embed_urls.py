from django.urls import path

from tracker.views import embeds

app_name = "embed"

urlpatterns = [
    path("jurisdictions/", embeds.embed_jurisdiction_table, name="jurisdiction-table"),
    path("jurisdictions/<slug:slug>/", embeds.embed_jurisdiction_card, name="jurisdiction-card"),
    path(
        "jurisdictions/<slug:slug>/chart/",
        embeds.embed_jurisdiction_chart,
        name="jurisdiction-chart",
    ),
    path(
        "jurisdictions/<slug:slug>/timeline/",
        embeds.embed_jurisdiction_timeline,
        name="jurisdiction-timeline",
    ),
    path("compare/", embeds.embed_compare_chart, name="compare-chart"),
    path("map/", embeds.embed_state_map, name="state-map"),
]
