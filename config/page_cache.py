"""Whole-response caching (and compression) for reader pages, fragments, downloads and embeds.

Views opt in with `cached_for_readers`; `ReaderPageCacheMiddleware` looks up only their URLs,
stores what they answer and serves repeats before sessions, CSRF, authentication and the view
run, already compressed and with the headers the inner middleware added (CSP, framing, Vary,
ETag). A repeat that carries a matching If-None-Match or If-Modified-Since is answered 304
from the stored headers alone, which each process also keeps for the addresses it answered
last: the revalidations of a viral embed, its most frequent request, then read no cache.

Each stored copy carries the data version it was rendered from, so any data change (admin save
or delete, import, revert) makes every copy stale at once; nothing needs to be deleted. The key
holds the release, so a deploy never serves pages written by the code it replaced.

A stale copy is replaced by the first request that asks for it. While that request renders,
others asking for the same address get the stale copy, for at most PAGE_STALE_SECONDS after
the change (stale-while-revalidate): when staff edit during a rush of readers, one request per
address renders instead of every request at once. Its max-age is shortened by the time since
the change, so no reader keeps it past EMBED_MAX_AGE.

Reader pages show only published records and nothing that depends on who asks, so one cached
copy serves everyone; views that are not marked (the admin, anything with a form that posts)
are never stored. For the same reason (no session, no CSRF token) compressing them is safe
from BREACH-style attacks.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.http import parse_http_date_safe

from config.compression import accepts_gzip, compressed
from config.data_version import DataVersion, data_version
from config.fragments import RecentValues
from config.http import wants_fragment

MARK = "cache_for_readers"
BODY_HEADERS = {"Content-Length", "Content-Type", "Content-Encoding"}
RECENT_HEADERS = 2000
_recent_headers = RecentValues(RECENT_HEADERS)


def forget_recent_headers() -> None:
    """Empty this process's copies of stored headers (as `cache.clear()` empties the cache)."""
    _recent_headers.clear()


def cached_for_readers(view):
    """Let the reader cache store this view's successful answers (compressed when asked)."""
    view = compressed(view)
    # functools.wraps copies this attribute to every decorator applied on top.
    setattr(view, MARK, True)
    return view


def _cacheable_view(request: HttpRequest) -> bool:
    return _cacheable_path(settings.ROOT_URLCONF, request.path_info)


# Resolving took a sixth of a cache hit. A path's view never changes while the URLconf does not
# (hence its name in the key); the paths asked are the readers' choice, hence a bounded memo.
@functools.lru_cache(maxsize=4096)
def _cacheable_path(urlconf: str, path: str) -> bool:
    # Language-prefixed URLs (/es/...) resolve only with their language active, and this runs
    # before LocaleMiddleware has activated it.
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            return getattr(resolve(path, urlconf).func, MARK, False)
    except Resolver404:
        return False


def _keys(request: HttpRequest) -> tuple[str, str]:
    """Where the response's headers and its whole (headers, body) are stored."""
    fragment = wants_fragment(request)
    gzip = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    # Embed snippets and links out of embeds are absolute: they name the host that was asked.
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    path = hashlib.sha256(address.encode()).hexdigest()
    key = f"page:{settings.RELEASE}:{int(fragment)}{int(gzip)}:{path}"
    return f"{key}:headers", key


def _conditional(request: HttpRequest) -> bool:
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def _storable(response: HttpResponse) -> bool:
    """Only a successful answer meant for everyone: not one marked private or no-store, nor one
    that varies with the reader's cookies (a staff member's session)."""
    control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and "cookie" not in response.get("Vary", "").lower()
    )


def _stored_headers(key: str, token: str) -> tuple[str, dict] | None:
    """The (data version token, headers) stored under `key`: this process's copy when it
    holds one for `token`, else the shared cache's (kept here if current)."""
    if (stored := _recent_headers.get_many(token, [key]).get(key)) is not None:
        return stored
    stored = cache.get(key)
    if stored is not None and stored[0] == token:
        _recent_headers.put_many(token, {key: stored})
    return stored


def _not_modified(request: HttpRequest, headers: dict) -> HttpResponse | None:
    """A 304 from the stored headers alone, when the reader's copy is current.

    The comparison is written out (RFC 9110: If-None-Match compares weakly and, when sent,
    decides alone) because it runs on every revalidation of a viral embed."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        etag = headers.get("ETag")
        if etag is None:
            return None
        offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if "*" not in offered and etag.removeprefix("W/") not in offered:
            return None
    else:
        last_modified = parse_http_date_safe(headers.get("Last-Modified") or "")
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE") or "")
        if last_modified is None or since is None or last_modified > since:
            return None
    # The inner middleware does not run on a hit: keep its policy headers (CSP, framing).
    answer = HttpResponseNotModified()
    for header, value in headers.items():
        if header.title() not in BODY_HEADERS:
            answer[header] = value
    return answer


MAX_AGE = re.compile(r"max-age=(\d+)")


class _Copies:
    """Which stored copies of one address this request may serve.

    A copy of the current data version always; a stale one only soon after the change and
    while another request is rendering the address (the first to ask claims it)."""

    def __init__(self, key: str, version: DataVersion) -> None:
        self.key = key
        self.version = version
        self._serve_stale: bool | None = None

    def _seconds_since_change(self) -> float:
        return (timezone.now() - self.version.changed_at).total_seconds()

    def servable(self, token: str) -> bool:
        if token == self.version.token:
            return True
        if self._serve_stale is None:
            recent = 0 <= self._seconds_since_change() < settings.PAGE_STALE_SECONDS
            self._serve_stale = recent and not (
                cache.add(
                    f"{self.key}:rendering:{self.version.token}",
                    True,
                    timeout=settings.PAGE_STALE_SECONDS,
                )
            )
        return self._serve_stale

    def headers(self, token: str, headers: dict) -> dict:
        """The stored headers, with a stale copy's max-age counted from the data change."""
        control = headers.get("Cache-Control")
        if token == self.version.token or not control:
            return headers
        elapsed = int(self._seconds_since_change()) + 1

        def shortened(match: re.Match) -> str:
            return f"max-age={max(0, int(match[1]) - elapsed)}"

        return {**headers, "Cache-Control": MAX_AGE.sub(shortened, control)}


class ReaderPageCacheMiddleware:
    """Serve stored reader responses before the rest of the middleware stack runs.

    A revalidation (If-None-Match, If-Modified-Since) reads only the stored headers; each entry
    is a (data version token, ...) tuple."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or not settings.PAGE_CACHE_SECONDS
            or not _cacheable_view(request)
        ):
            return self.get_response(request)
        try:
            version = data_version()
        except DatabaseError:
            # A cold data version needs the database; let the view report it unavailable.
            return self.get_response(request)
        if not set(request.GET) <= settings.CACHEABLE_QUERY_PARAMETERS:
            return self.get_response(request)
        headers_key, key = _keys(request)
        copies = _Copies(key, version)
        if _conditional(request):
            stored = _stored_headers(headers_key, version.token)
            if stored is not None and copies.servable(stored[0]):
                headers = copies.headers(stored[0], stored[1])
                if answer := _not_modified(request, headers):
                    return answer
        stored = cache.get(key)
        if stored is not None and copies.servable(stored[0]):
            token, content, headers = stored
            return HttpResponse(content, headers=copies.headers(token, headers))
        response = self.get_response(request)
        if _storable(response):
            headers = (version.token, dict(response.headers))
            cache.set_many(
                {key: (version.token, response.content, headers[1]), headers_key: headers},
                timeout=settings.PAGE_CACHE_SECONDS,
            )
            _recent_headers.put_many(version.token, {headers_key: headers})
        return response
