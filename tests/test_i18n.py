"""The reader interface in English (/) and Spanish (/es/); staff's text stays as entered."""

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)
from tracker.glossary import DEFINITIONS

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def chicago():
    illinois = make_state("IL", "Illinois")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    make_policy(
        jurisdiction=chicago,
        title="Welcoming City Ordinance",
        category="sanctuary",
        effective_on=dt.date(2006, 3, 1),
        sources=[make_source(publisher="City Clerk", accessed_on=dt.date(2025, 6, 9))],
    )
    make_arrival_count(
        jurisdiction=chicago,
        value=51000,
        qualifier="more_than",
        as_of=dt.date(2024, 11, 20),
        source=make_source(publisher="NewsNation"),
    )
    make_designation(jurisdiction=chicago, designated_on=dt.date(2025, 8, 5))
    return chicago


def spanish(name: str, *args) -> str:
    with translation.override("es"):
        return reverse(name, args=args)


def english(name: str, *args) -> str:
    # A request leaves its language active in the test's thread; reverse() would follow it.
    with translation.override("en"):
        return reverse(name, args=args)


def test_spanish_pages_live_under_es_and_say_so(client, chicago):
    response = client.get("/es/")

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert '<html lang="es" ' in page
    assert "Políticas santuario y llegadas de migrantes, lugar por lugar" in page
    assert "Sanctuary policies and migrant arrivals" not in page


def test_each_page_links_to_itself_in_the_other_language_keeping_the_filters(client, chicago):
    english_page = client.get(english("tracker:jurisdiction-list"), {"state": "IL"})
    spanish_page = client.get(spanish("tracker:jurisdiction-list"), {"state": "IL"})

    assert 'href="/es/jurisdictions/?state=IL" hreflang="es" lang="es"' in (
        english_page.content.decode()
    )
    assert 'href="/jurisdictions/?state=IL" hreflang="en" lang="en"' in (
        spanish_page.content.decode()
    )


def test_spanish_table_filters_and_swaps_in_spanish_with_staff_text_as_entered(client, chicago):
    url = spanish("tracker:jurisdiction-list")

    page = html.unescape(client.get(url, {"state": "IL"}).content.decode())
    fragment = client.get(url, {"state": "IL", "sort": "-arrivals"}, headers=HTMX)

    assert "Política propia de cooperación" in page  # column header
    assert "Todos los estados" in page  # filter choice
    assert "Aplicar filtros" in page
    assert "1 jurisdicción" in page
    body = html.unescape(fragment.content.decode())
    assert "<html" not in body and "Más de 51\xa0000" in body
    assert "Chicago" in body and "Cifra de llegadas más reciente" in body
    assert 'href="/es/jurisdictions/il-chicago/"' in body


def test_chicago_in_spanish_has_local_dates_numbers_and_terms_linked(client, chicago):
    page = html.unescape(
        client.get(spanish("tracker:jurisdiction-detail", chicago.slug)).content.decode()
    )

    assert "Más de 51\xa0000" in page
    assert "5 de agosto de 2025" in page
    assert "verificado por última vez el" in page and "9 de junio de 2025" in page
    assert "Ley, ordenanza u orden ejecutiva sobre cooperación" in page
    assert "Welcoming City Ordinance" in page  # staff's title is not translated
    assert 'href="https://example.org/' in page  # sources still cited
    assert 'href="/es/methodology/#category-sanctuary"' in page
    assert 'href="/es/updates/?j=il-chicago"' in page


def test_spanish_feed_is_labelled_spanish(client, chicago):
    response = client.get(spanish("tracker:updates-feed"), {"j": chicago.slug})

    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    title = feed.find("{http://www.w3.org/2005/Atom}title").text
    assert title == "Sanctuary Tracker: actualizaciones y correcciones de Chicago, IL"
    entry = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert entry.text.startswith("Añadido: ")


@pytest.mark.parametrize("how", ["prefix", "parameter"])
def test_embeds_take_the_language_from_the_prefix_or_a_lang_parameter(client, chicago, how):
    if how == "prefix":
        response = client.get(spanish("embed:jurisdiction-card", chicago.slug))
    else:
        url = english("embed:jurisdiction-card", chicago.slug)
        response = client.get(url, {"lang": "es"})

    page = html.unescape(response.content.decode())
    assert response["Content-Language"] == "es"
    assert '<html lang="es"' in page
    assert "Cifras de llegadas (la más reciente de cada tipo)" in page
    assert "vista interactiva completa" in page


def test_unknown_lang_parameter_is_ignored(client, chicago):
    url = english("embed:jurisdiction-card", chicago.slug)

    response = client.get(url, {"lang": "xx"})

    assert response.status_code == 200 and response["Content-Language"] == "en"


def test_embed_code_generator_accepts_spanish_embed_addresses(client, chicago):
    path = spanish("embed:jurisdiction-chart", chicago.slug)

    response = client.get(spanish("embed-code"), {"path": path, "title": "Cifras"})

    assert response.status_code == 200
    assert f"src=&quot;http://testserver{path}&quot;" in response.content.decode()


def test_spanish_chart_has_spanish_labels_and_number_separators(client, chicago):
    page = client.get(spanish("tracker:jurisdiction-detail", chicago.slug)).content.decode()

    figure = re.search(r'id="jurisdiction-chart-data" type="application/json">(.*?)</script>', page)
    data = figure.group(1)
    # The panel's measure and population.
    assert '"text": "Nuevas llegadas, acumulado \\u2014 Migrantes y solicitantes de asilo"' in data
    # The latest figure as stated, at the line's end, with Spanish grouping.
    assert re.search(r'"name": "end-label", [^}]*"text": "m\\u00e1s de \d+\\u00a0\d{3}"', data)
    assert '"separators": ",\\u00a0"' in data
    assert "<caption>Cifras de llegadas: Chicago, IL</caption>" in page


def test_methodology_defines_every_term_in_both_languages(client):
    for url in (english("tracker:methodology"), spanish("tracker:methodology")):
        page = client.get(url).content.decode()
        for prefix, (_title, choices, definitions) in DEFINITIONS.items():
            assert set(definitions) == set(choices.values), prefix
            for value in choices.values:
                assert f'id="{prefix}-{value}"' in page, (url, prefix, value)


def test_term_links_on_a_jurisdiction_page_reach_a_definition(client, chicago):
    page = client.get(english("tracker:jurisdiction-detail", chicago.slug)).content.decode()
    methodology = client.get(english("tracker:methodology")).content.decode()

    anchors = set(re.findall(r'href="/methodology/#([\w-]+)"', page))
    assert {"category-sanctuary", "status-in_effect", "direction-limits"} <= anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in methodology, anchor


def test_the_spanish_catalogue_is_complete():
    for path in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        missing = [
            message.id
            for message in catalog
            if message.id and (message.fuzzy or not all(message.string or [None]))
        ]
        assert not missing, f"{path}: untranslated or fuzzy: {missing[:5]}"


def test_table_terms_link_to_their_definitions(client):
    county = make_jurisdiction(name="Cook County", kind="county")
    make_policy(
        jurisdiction=county,
        category="detainer",
        title="Detainer ordinance",
        detainer_rule="judicial_warrant",
    )
    make_policy(jurisdiction=county, title="Sanctuary ordinance")

    fragment = client.get(english("tracker:jurisdiction-list"), headers=HTMX).content.decode()

    assert 'href="/methodology/#detainer-judicial_warrant"' in fragment
    assert 'href="/methodology/#stance-limits"' in fragment


def test_language_comes_from_the_address_only_so_caches_are_not_split_by_it(client, chicago):
    url = english("embed:jurisdiction-card", chicago.slug)

    response = client.get(url, headers={"Accept-Language": "es"})

    assert response["Content-Language"] == "en"
    assert "accept-language" not in response.get("Vary", "").lower()


def test_the_frame_follows_each_request_language(client, chicago):
    for _ in range(2):
        english_page = html.unescape(client.get("/").content.decode())
        spanish_page = html.unescape(client.get("/es/").content.decode())
        assert '<a href="/jurisdictions/">Compare all places</a>' in english_page
        assert "How we count" in english_page and "Cómo contamos" not in english_page
        assert f'<a href="{spanish("tracker:jurisdiction-list")}">' in spanish_page
        assert "Cómo contamos" in spanish_page and "Actualizaciones y correcciones" in spanish_page
        assert "Compare all places" not in spanish_page and "How we count" not in spanish_page
