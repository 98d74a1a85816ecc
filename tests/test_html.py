"""config.html writes what Django's format_html and format_html_join write."""

import datetime as dt

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
