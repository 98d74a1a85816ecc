from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Sanctuary Tracker staff"
admin.site.site_title = "Sanctuary Tracker staff"
admin.site.index_title = "Data desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("policies.urls")),
]
