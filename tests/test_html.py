"""config.html writes what Django's format_html and format_html_join write."""

import datetime as dt
from html import unescape

import pytest
from django.utils import html as django_html
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from config import html

ARGUMENTS = [
    "plain",
    "<script>alert(\"x\")</script> & 'quotes'",
    '"><img src=x onerror=alert(1)>',
    mark_safe("<b>already safe</b>"),
    gettext_lazy("Sanctuary law"),
    1234,
    None,
    dt.date(2024, 1, 31),
    "",
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("argument", ARGUMENTS, ids=repr)
def test_each_argument_is_escaped_as_django_escapes_it(argument, language):
    template = '<a href="{}" title="{}">{}</a>'
    with translation.override(language):
        ours = html.format_html(template, argument, argument, argument)
        assert ours == django_html.format_html(template, argument, argument, argument)
    assert isinstance(ours, SafeString)


def test_joined_rows_are_what_django_joins():
    rows = [(argument, index) for index, argument in enumerate(ARGUMENTS)]
    for separator in ("; ", mark_safe("<br>"), " & "):
        ours = html.format_html_join(separator, "<li>{} ({})</li>", rows)
        assert ours == django_html.format_html_join(separator, "<li>{} ({})</li>", rows)
        assert isinstance(ours, SafeString)


def test_in_ascii_writes_other_characters_as_references_html_reads_back():
    from config.html import in_ascii

    markup = '<p title="Doña Ana — “sanctuary”">Más de 50\u00a0000 → 2024…</p>'
    written = in_ascii(markup)
    assert written.isascii()
    assert unescape(written) == markup


@pytest.mark.django_db
def test_shared_parts_of_an_english_page_are_sent_as_ascii(client):
    from tests.factories import make_arrival_count, make_jurisdiction, make_source, make_state

    place = make_jurisdiction(
        name="Doña Ana County", kind="county", state="NM", parent=make_state("NM", "New Mexico")
    )
    make_arrival_count(
        jurisdiction=place, value=1200, source=make_source(publisher="Gobernación — Oficina")
    )
    for url in ("/", "/jurisdictions/?all=on", "/embed/jurisdictions/?state=NM&all=on"):
        page = client.get(url).content.decode()
        assert page.isascii(), url
        assert "Doña Ana County" in unescape(page), url
    # A place's own page names it in its title, outside the shared part, as written.
    page = client.get(place.get_absolute_url()).content.decode()
    assert "<title>Doña Ana County" in page and "Gobernaci&#243;n &#8212; Oficina" in page
