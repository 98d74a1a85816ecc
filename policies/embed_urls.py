from django.urls import path

from policies import embed_views

app_name = "embed"

urlpatterns = [
    path("jurisdictions/", embed_views.embed_jurisdiction_table, name="jurisdiction-table"),
    path(
        "jurisdictions/<slug:slug>/", embed_views.embed_jurisdiction_card, name="jurisdiction-card"
    ),
    path(
        "jurisdictions/<slug:slug>/chart/",
        embed_views.embed_jurisdiction_chart,
        name="jurisdiction-chart",
    ),
    path("compare/", embed_views.embed_compare_chart, name="compare-chart"),
    path("map/", embed_views.embed_state_map, name="state-map"),
]
