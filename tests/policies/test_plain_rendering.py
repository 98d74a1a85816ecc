"""The filter form's fields are written in Python, as Django's templates write them (but for
the line breaks between a select's options)."""

import re

import pytest
from django import forms
from django.utils import translation

from policies.forms import ComparisonFilterForm

QUERIES = [
    {},
    {"q": 'Chi"cago <b>', "state": "IL", "kind": "city", "all": "on", "as_of": "2024-01-01"},
    {"q": "x" * 101, "state": "ZZ", "as_of": "not a date", "sort": "-arrivals"},
    {"model": "no_record", "figures": "yes", "detainer": "judicial_warrant"},
]


def between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html))


class DjangoRendered(ComparisonFilterForm):
    def render(self, template_name=None, context=None, renderer=None):
        return forms.Form.render(self, template_name, context, renderer)


def django_widget(widget: forms.Widget) -> forms.Widget:
    django_class = next(c for c in type(widget).__mro__ if c.__module__ == "django.forms.widgets")
    widget.__class__ = django_class
    return widget


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("query", QUERIES)
def test_each_field_and_label_is_the_html_django_would_write(query, language):
    with translation.override(language):
        plain = ComparisonFilterForm(query)
        reference = DjangoRendered(query)
        for field in reference.fields.values():
            field.widget = django_widget(field.widget)
        plain.is_valid(), reference.is_valid()
        for name in plain.fields:
            assert between_tags(plain[name]) == between_tags(reference[name]), name
            assert plain[name].label_tag() == reference[name].label_tag(), name
