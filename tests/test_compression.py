"""Reader pages and embeds are gzipped as Django's gzip_page does it, at level 5, with the
parts they share with other pages compressed once."""

import gzip
import random
import zlib

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config import compression
from config.compression import LEVEL, compress, note_shared_part
from tests.factories import make_arrival_count, make_jurisdiction, make_state

splices = compression._splices

PAGE = "<p>Sanctuary Tracker</p>" * 40


def _request(accept: str = "gzip, deflate, br"):
    return RequestFactory().get("/", headers={"Accept-Encoding": accept} if accept else {})


def test_a_page_is_gzipped_with_its_etag_made_weak():
    response = HttpResponse(PAGE, headers={"ETag": '"abc"'})
    response = compress(_request(), response)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).decode() == PAGE
    assert response["Content-Length"] == str(len(response.content))
    assert response["ETag"] == 'W/"abc"'
    assert "Accept-Encoding" in response["Vary"]


def test_a_reader_who_does_not_accept_gzip_gets_the_page_as_it_is():
    response = compress(_request(accept=""), HttpResponse(PAGE, headers={"ETag": '"abc"'}))
    assert response.content.decode() == PAGE and response["ETag"] == '"abc"'
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]  # a shared cache must keep both copies


def test_short_already_encoded_and_incompressible_bodies_are_left_alone():
    short = compress(_request(), HttpResponse("ok"))
    assert short.content == b"ok" and not short.has_header("Content-Encoding")
    encoded = HttpResponse(b"\x1f\x8b..." * 100, headers={"Content-Encoding": "br"})
    assert compress(_request(), encoded)["Content-Encoding"] == "br"
    incompressible = HttpResponse(random.Random(5).randbytes(1000))
    assert not compress(_request(), incompressible).has_header("Content-Encoding")


FRAME = "<!doctype html><title>Chicago</title><nav>{}</nav>"


def _page_with_parts(*parts: str) -> str:
    return "".join(FRAME.format(index) + part for index, part in enumerate(parts)) + "</html>"


def _rows(place: str, count: int) -> str:
    return "".join(f"<tr><th>{place} {row}</th><td>{row * 37}</td></tr>" for row in range(count))


def test_shared_parts_are_spliced_compressed_into_one_gzip_member():
    records, chart = _rows("Chicago", 400), _rows("Denver", 300)
    request = _request()
    for part in (records, chart):
        note_shared_part(request, part)
    page = _page_with_parts(records, chart)
    body = compress(request, HttpResponse(page)).content

    member = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip, checksum and length checked
    assert member.decompress(body).decode() == page
    assert member.eof and not member.unused_data  # one member, nothing after it
    # Each part's bytes were compressed once, alone, and are sent as they were.
    for part in (records, chart):
        deflater = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        assert deflater.compress(part.encode()) + deflater.flush(zlib.Z_SYNC_FLUSH) in body


def test_what_follows_a_part_may_refer_back_to_it():
    # An embed's sources repeat names and addresses its chart shows.
    chart = _rows("Chicago", 400)
    sources = "<ul>" + _rows("Chicago", 60) + "</ul>"
    request = _request()
    note_shared_part(request, chart)
    page = _page_with_parts(chart) + sources
    spliced = compress(request, HttpResponse(page)).content
    assert gzip.decompress(spliced).decode() == page
    assert len(spliced) < 1.05 * len(gzip.compress(page.encode(), LEVEL))


def test_another_page_with_the_same_part_decodes_to_its_own_text():
    records = _rows("Chicago", 400)
    for language in ("en", "es"):
        request = _request()
        note_shared_part(request, records)
        page = f'<html lang="{language}">' + records + f"<footer>{language}</footer>"
        assert gzip.decompress(compress(request, HttpResponse(page)).content).decode() == page


def test_a_part_is_found_after_an_earlier_copy_of_its_beginning():
    records = _rows("Chicago", 400)
    page = "<aside>" + records[:200] + "</aside>" + _page_with_parts(records)
    request = _request()
    note_shared_part(request, records)
    assert [(start, end) for start, end, _ in splices(request, page.encode())] == [
        (page.index(records, 100), page.index(records, 100) + len(records))
    ]


def test_parts_missing_from_the_page_or_inside_another_part_are_compressed_with_it():
    inner = _rows("Evanston", 300)
    outer = "<section>" + inner + _rows("Aurora", 300) + "</section>"
    absent, short = _rows("Denver", 300), "<p>short</p>"
    request = _request()
    for part in (inner, outer, absent, short):
        note_shared_part(request, part)
    page = _page_with_parts(outer, inner.replace("Evanston 1<", "Evanston one<"))
    assert gzip.decompress(compress(request, HttpResponse(page)).content).decode() == page


@pytest.mark.django_db
def test_a_page_with_its_parts_is_spliced_and_decodes_to_the_uncompressed_page(
    client, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(compression, "SPLICE_SHORTEST", 1)
    spliced = []

    def recording_splices(request, content):
        spliced.extend(found := splices(request, content))
        return found

    monkeypatch.setattr(compression, "_splices", recording_splices)
    illinois = make_state("IL", "Illinois")
    make_arrival_count(jurisdiction=make_jurisdiction(name="Chicago", parent=illinois))
    for path in ("/", "/jurisdictions/", "/jurisdictions/il-chicago/"):
        spliced.clear()
        plain = client.get(path).content
        body = client.get(path, headers={"Accept-Encoding": "gzip"}).content
        assert spliced, path
        assert gzip.decompress(body) == plain


def test_a_process_keeps_compressed_parts_within_its_budget():
    parts = compression._CompressedParts(budget=30_000)
    texts = [_rows(place, 200) for place in ("Chicago", "Denver", "Aurora", "Evanston")]
    for text in texts:
        encoded, deflated = parts.get(text)
        assert encoded == text.encode()
    assert parts._bytes <= 30_000
    assert list(parts._parts) == texts[-len(parts._parts) :]  # the newest are kept
    assert parts._bytes == sum(len(a) + len(b) for a, b in parts._parts.values())


@pytest.mark.parametrize("tail", [0, 1, 511, 512, 513, 1023, 1024, 5000, 40000])
def test_a_page_decodes_whole_whatever_the_length_before_and_after_its_part(tail):
    # The deflaters around a part are sized to the bytes they compress.
    records = _rows("Chicago", 400)
    text = _rows("Denver", 2000)
    for head in (0, 1, 600, 40000):
        request = _request()
        note_shared_part(request, records)
        page = text[:head] + records + text[:tail]
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert member.decompress(compress(request, HttpResponse(page)).content).decode() == page
        assert member.eof and not member.unused_data
