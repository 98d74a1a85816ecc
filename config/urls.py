from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from config.http import healthz
from tracker.views.embeds import embed_code


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed name is only known once static files are collected.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


admin.site.site_header = "Sanctuary Tracker staff"
admin.site.site_title = "Sanctuary Tracker staff"
admin.site.index_title = "Data desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon, such as an embed opened alone.
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
]
# Reader pages and embeds in English at /..., in Spanish at /es/...: the language is in the
# URL, so a cached page, a shared link and an embed always show the same language.
urlpatterns += i18n_patterns(
    path("embed/", include("tracker.embed_urls")),
    path("embed-code/", embed_code, name="embed-code"),
    path("", include("tracker.urls")),
    prefix_default_language=False,
)
