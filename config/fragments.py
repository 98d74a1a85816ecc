"""Parts of pages shared by many addresses, cached by data version, language and release.

The page cache answers a repeated address, but each new address misses it once per data
version: every filter, sort order, page and as-of date, a tracking parameter, the same
parameters in another order, an embed framed with other options. Those addresses share most
of what they show (a place's records, an embed's body, the comparison table for a set of
filters and its rows, the home page's map and chart), so those parts are cached on their own
(`remembered`; `cached_fragments` fetches many rows in one round trip) and a new address
renders only its page's frame around them. Keys hold the data version, so any data change
moves every part to a new key at once, as it does pages; they also hold the release.
"""

import hashlib
from collections.abc import Callable, Hashable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from config.data_version import data_version


def _prefix(kind: str) -> str:
    return f"fragment:{settings.RELEASE}:{data_version().token}:{get_language()}:{kind}:"


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
    prefix = _prefix(kind)
    names = {key: f"{prefix}{key}" for key in keys}
    found = cache.get_many(list(names.values()))
    missing = [key for key in keys if names[key] not in found]
    if missing:
        fresh = {names[key]: str(html) for key, html in render(missing).items()}
        cache.set_many(fresh, timeout=seconds)
        found |= fresh
    # Each value was written by `render`, which escapes what it interpolates.
    return [mark_safe(found[names[key]]) for key in keys if names[key] in found]


def _value_key(kind: str, question: object) -> str:
    # The question may hold reader input (a search): hashed, it is a safe key of fixed length.
    return _prefix(kind) + hashlib.sha256(repr(question).encode()).hexdigest()


def recall(kind: str, question: object) -> object | None:
    """A value remembered for `question` under this data version, or None."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return None
    return cache.get(_value_key(kind, question))


def remember(kind: str, question: object, answer: object) -> None:
    if settings.FRAGMENT_CACHE_SECONDS:
        cache.set(_value_key(kind, question), answer, timeout=settings.FRAGMENT_CACHE_SECONDS)


def remembered[T](kind: str, question: object, work_out: Callable[[], T]) -> T:
    """The answer remembered for `question`, or `work_out()`'s, remembered for next time.

    `question` must name everything the answer depends on but the data, the language and the
    release, which every key holds. An exception in `work_out` (a 404) is not remembered."""
    answer = recall(kind, question)
    if answer is None:
        answer = work_out()
        remember(kind, question, answer)
    return answer
