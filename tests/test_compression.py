"""Reader pages and embeds are gzipped as Django's gzip_page does it, at level 5."""

import gzip
import random

from django.http import HttpResponse
from django.test import RequestFactory

from config.compression import compress

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
