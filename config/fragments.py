"""Parts of pages shared by many addresses, cached by data version, language and release.

The page cache answers a repeated address, but each new address misses it once per data
version: every filter, sort order, page and as-of date, a tracking parameter, the same
parameters in another order, an embed framed with other options. Those addresses share most
of what they show (a place's records, an embed's body, the comparison table for a set of
filters and its rows, the home page's map and chart), so those parts are cached on their own
(`remembered`; `cached_fragments` fetches many rows in one round trip) and a new address
renders only its page's frame around them. Keys hold the data version, so any data change
moves every part to a new key at once, as it does pages; they also hold the release.

So what is stored under a key never changes, and each process keeps the parts it used last in
its own memory (`RECENT_PARTS` of them), in front of the shared cache: with Redis, a page
assembled from parts would otherwise spend more time on round trips than on rendering. They
are dropped as soon as the data version changes.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from config.compression import note_shared_part
from config.data_version import data_version
from config.html import in_ascii

RECENT_PARTS = 500


class RecentValues:
    """The values (parts, a page's headers) this process used last, for one data version,
    newest last."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._token = ""
        self._values: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def _follow(self, token: str) -> None:
        if token != self._token:  # the data changed: every value held is for older data
            self._values.clear()
            self._token = token

    def get_many(self, token: str, names: Iterable[str]) -> dict[str, object]:
        with self._lock:
            self._follow(token)
            found = {}
            for name in names:
                if name in self._values:
                    self._values.move_to_end(name)
                    found[name] = self._values[name]
            return found

    def put_many(self, token: str, values: dict[str, object]) -> None:
        with self._lock:
            self._follow(token)
            for name, value in values.items():
                self._values[name] = value
                self._values.move_to_end(name)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_recent = RecentValues(RECENT_PARTS)


def forget_recent_parts() -> None:
    """Empty this process's copies (as `cache.clear()` empties the shared cache)."""
    _recent.clear()


def _get_many(token: str, names: list[str]) -> dict[str, object]:
    found = _recent.get_many(token, names)
    if missing := [name for name in names if name not in found]:
        shared = cache.get_many(missing)
        _recent.put_many(token, shared)
        found |= shared
    return found


def _set_many(token: str, parts: dict[str, object]) -> None:
    cache.set_many(parts, timeout=settings.FRAGMENT_CACHE_SECONDS)
    _recent.put_many(token, parts)


def _prefix(kind: str, token: str) -> str:
    return f"fragment:{settings.RELEASE}:{token}:{get_language()}:{kind}:"


def cached_fragments(
    kind: str, keys: Sequence[Hashable], render: Callable[[list], dict[Hashable, str]]
) -> list[SafeString]:
    """The fragments of `kind` for `keys`, in order; `render` writes those the cache lacks.

    `render` gets the missing keys and returns their HTML by key; a key it leaves out (a record
    deleted meanwhile) is left out of the answer."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        fresh = render(list(keys))
        return [mark_safe(fresh[key]) for key in keys if key in fresh]
    token = data_version().token
    prefix = _prefix(kind, token)
    names = {key: f"{prefix}{key}" for key in keys}
    found = _get_many(token, list(names.values()))
    missing = [key for key in keys if names[key] not in found]
    if missing:
        fresh = {names[key]: str(html) for key, html in render(missing).items()}
        _set_many(token, fresh)
        found |= fresh
    # Each value was written by `render`, which escapes what it interpolates.
    return [mark_safe(found[names[key]]) for key in keys if names[key] in found]


def _value_key(kind: str, question: object, token: str) -> str:
    # The question may hold reader input (a search): hashed, it is a safe key of fixed length.
    return _prefix(kind, token) + hashlib.sha256(repr(question).encode()).hexdigest()


def recall(kind: str, question: object) -> object | None:
    """A value remembered for `question` under this data version, or None. The value is
    shared with later callers in this process: read it, do not change it."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return None
    token = data_version().token
    key = _value_key(kind, question, token)
    return _get_many(token, [key]).get(key)


def remember(kind: str, question: object, answer: object) -> None:
    if settings.FRAGMENT_CACHE_SECONDS:
        token = data_version().token
        _set_many(token, {_value_key(kind, question, token): answer})


def remembered[T](
    request: HttpRequest, kind: str, question: object, work_out: Callable[[], T]
) -> T:
    """The answer remembered for `question`, or `work_out()`'s, remembered for next time.

    `question` must name everything the answer depends on but the data, the language, the
    release and the site asked (scheme and host: parts show embed code and links with
    absolute addresses), which every key holds. An exception in `work_out` (a 404) is not
    remembered."""
    question = (request.build_absolute_uri("/"), question)
    answer = recall(kind, question)
    if answer is None:
        answer = work_out()
        remember(kind, question, answer)
    if settings.FRAGMENT_CACHE_SECONDS:
        for part in answer.values() if isinstance(answer, dict) else (answer,):
            if isinstance(part, str):
                note_shared_part(request, part)
    return answer


def render_part(template_name: str, context: dict, request: HttpRequest) -> str:
    """A part for many pages, rendered from `template_name` and written in ASCII (see
    config.html.in_ascii), so the pages that hold it stay quick to encode."""
    return in_ascii(render_to_string(template_name, context, request=request))
