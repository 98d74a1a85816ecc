from django.contrib import admin
from django.urls import include, path

from policies.embed_views import embed_code

admin.site.site_header = "Sanctuary Tracker staff"
admin.site.site_title = "Sanctuary Tracker staff"
admin.site.index_title = "Data desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("embed/", include("policies.embed_urls")),
    path("embed-code/", embed_code, name="embed-code"),
    path("", include("policies.urls")),
]
