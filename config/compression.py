"""gzip for reader pages and embeds, at a level chosen for pages rendered on demand.

Django's `gzip_page` compresses at level 6. For a page rendered on a cache miss, compressing
was a third of its time under load (a large place's page: 186 KB of HTML, 1.55 ms at level 6
in one process). Level 5 takes about a third less time for 2-3% more bytes (measured on the
home page, the table, a place's page and a chart embed); cache hits send the copy compressed
once. Reader pages and embeds carry no secret (no session, no CSRF token), so compressing them
is safe from BREACH-style attacks and needs no random padding.

A page that misses the page cache is mostly parts shared with other addresses (see
`config.fragments`), so most of its bytes were compressed before, for another page. Each
process keeps those parts compressed (`note_shared_part`) and splices them into the page's
gzip stream: the page's own bytes are compressed up to each part and flushed to a byte
boundary; the part's blocks follow, compressed alone and ended the same way; the page's bytes
after it are compressed by a new deflater, which may refer back only to what the reader has
decoded by then. The result is one ordinary gzip member, as pigz writes it. The home page's miss
spent 40% of its time compressing 114 KB, of which 100 KB are shared parts.
"""

import gzip
import struct
import threading
import zlib
from collections import OrderedDict
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

LEVEL = 5
SHORTEST = 200  # bytes; shorter bodies are not worth compressing


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header allows gzip: listed (or "*") with a q-value above 0.
    "gzip;q=0" refuses it."""
    qualities = {}
    for coding in header.split(","):
        name, *parameters = (part.strip() for part in coding.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[name.lower()] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


SPLICE_SHORTEST = 8192
# Bytes after a part below which its deflater gets no dictionary (a page's closing tags).
DICTIONARY_SHORTEST = 1024
COMPRESSED_PARTS_BYTES = 16 * 1024 * 1024  # per process
# gzip's header with no name and no time (as gzip.compress(mtime=0) writes it), and the
# raw deflate stream that goes inside it.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
RAW_DEFLATE = -zlib.MAX_WBITS
WINDOW = 1 << zlib.MAX_WBITS  # how far back deflate may refer: 32 KB
SHARED_PARTS = "_shared_parts"


class _CompressedParts:
    """Shared parts this process compressed last, by their text: (UTF-8 bytes, deflated),
    up to `budget` bytes of both (a place's records are up to 180 KB at ten times our data)."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._bytes = 0
        self._parts: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> tuple[bytes, bytes]:
        with self._lock:
            if (found := self._parts.get(text)) is not None:
                self._parts.move_to_end(text)
                return found
        encoded = text.encode()
        deflater = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW_DEFLATE)
        found = encoded, deflater.compress(encoded) + deflater.flush(zlib.Z_SYNC_FLUSH)
        with self._lock:
            if text not in self._parts:
                self._parts[text] = found
                self._bytes += _size(found)
            while self._bytes > self._budget and len(self._parts) > 1:
                self._bytes -= _size(self._parts.popitem(last=False)[1])
        return found


def _size(part: tuple[bytes, bytes]) -> int:
    return len(part[0]) + len(part[1])


_compressed_parts = _CompressedParts(COMPRESSED_PARTS_BYTES)


def note_shared_part(request: HttpRequest, text: str) -> None:
    """`text` (a part shared by many pages) is in the page answering `request`."""
    if len(text) >= SPLICE_SHORTEST:
        request.__dict__.setdefault(SHARED_PARTS, []).append(text)


def _find(content: bytes, part: bytes) -> tuple[int, int]:
    """Where `part` first lies in `content`, (start, end), or (-1, -1). Looking for its first
    bytes and comparing the rest is quicker than looking for all of it at once."""
    head = part[:64]
    start = content.find(head)
    while start >= 0:
        if content[start : start + len(part)] == part:
            return start, start + len(part)
        start = content.find(head, start + 1)
    return -1, -1


def _splices(request: HttpRequest, content: bytes) -> list[tuple[int, int, bytes]]:
    """Where the request's shared parts lie in `content`: (start, end, deflated), in order,
    not overlapping (a part inside a longer one is compressed with it)."""
    spans = []
    for text in sorted(request.__dict__.get(SHARED_PARTS, ()), key=len, reverse=True):
        encoded, deflated = _compressed_parts.get(text)
        start, end = _find(content, encoded)
        if start >= 0 and all(end <= other[0] or start >= other[1] for other in spans):
            spans.append((start, end, deflated))
    return sorted(spans)


def _deflater_for(length: int):
    """A raw deflater for `length` bytes with no more window and memory than they need.

    Setting up the full 32 KB window took 66 us, more than compressing a page's last few
    hundred bytes (its closing tags and footer); sized to them, 10 us for the same output."""
    bits = min(max((length - 1).bit_length(), 9), zlib.MAX_WBITS)
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -bits, memLevel=max(bits - 7, 1))


def _gzip(request: HttpRequest, content: bytes) -> bytes:
    spans = _splices(request, content)
    if not spans:
        return gzip.compress(content, compresslevel=LEVEL, mtime=0)
    deflater = _deflater_for(spans[0][0])
    stream = [GZIP_HEADER]
    done = 0
    for index, (start, end, deflated) in enumerate(spans):
        stream += [deflater.compress(content[done:start]), deflater.flush(zlib.Z_SYNC_FLUSH)]
        stream.append(deflated)
        done = end
        following = (spans[index + 1][0] if index + 1 < len(spans) else len(content)) - done
        if following < DICTIONARY_SHORTEST:
            deflater = _deflater_for(following)
            continue
        # What follows a part often repeats it (an embed's sources name its chart's): the
        # next deflater is given the window before it, which the reader has just decoded, as
        # its dictionary. 11% fewer bytes for a chart embed, for 0.1 ms.
        window = content[max(0, done - WINDOW) : done]
        deflater = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW_DEFLATE, zdict=window)
    stream += [deflater.compress(content[done:]), deflater.flush(zlib.Z_FINISH)]
    stream.append(struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF))
    return b"".join(stream)


def compress(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response` gzipped if the reader accepts it and it gets shorter, as Django does it:
    `Vary: Accept-Encoding`, and a strong ETag made weak (RFC 9110, 8.8.1)."""
    if response.streaming or len(response.content) < SHORTEST:
        return response
    if response.has_header("Content-Encoding"):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if not accepts_gzip(request.headers.get("Accept-Encoding", "")):
        return response
    body = _gzip(request, response.content)
    if len(body) >= len(response.content):
        return response
    response.content = body
    response["Content-Length"] = str(len(body))
    if (etag := response.get("ETag")) and etag.startswith('"'):
        response["ETag"] = "W/" + etag
    response["Content-Encoding"] = "gzip"
    return response


def compressed(view):
    """The view's responses compressed with `compress`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return compress(request, view(request, *args, **kwargs))

    return wrapped
