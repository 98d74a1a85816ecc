"""Whole-response caching (and compression) for reader pages, fragments, downloads and embeds.

The key holds the data version, so any data change (admin save or delete, import, revert)
moves every page to a new key at once; nothing needs to be deleted. Reader pages show only
published records and nothing that depends on who asks, so one cached copy serves everyone;
the admin is never cached. For the same reason (no session, no CSRF token) compressing them
is safe from BREACH-style attacks.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.gzip import gzip_page

from config.data_version import data_version

KEPT_HEADERS = ("Vary", "Content-Disposition")


def _key(request) -> str:
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{data_version().token}:{int(fragment)}:{path}"


def cached_for_readers(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            response = HttpResponse(
                stored["content"], status=stored["status"], content_type=stored["content_type"]
            )
            for header, value in stored["headers"]:
                response[header] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(
                key,
                {
                    "content": response.content,
                    "status": response.status_code,
                    "content_type": response["Content-Type"],
                    "headers": [(h, response[h]) for h in KEPT_HEADERS if h in response],
                },
                timeout=settings.PAGE_CACHE_SECONDS,
            )
        return response

    return gzip_page(wrapped)
