import datetime as dt

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from policies.models import Policy

register = template.Library()


@register.filter
def in_effect_on(policy: Policy, day: dt.date) -> bool:
    return policy.is_in_effect_on(day)


@register.inclusion_tag("embed/_control.html", takes_context=True)
def embed_control(context, path: str, title: str, noun: str = "chart") -> dict:
    """An "Embed" control with a copyable snippet for the embed at `path`."""
    from policies.embed_views import embed_code_context

    return {
        "request": context["request"],
        "embed_noun": noun,
        "form": None,
        **embed_code_context(context["request"], path=path, title=title, options={}),
    }


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """This page in each other language: code, name and address (query string kept)."""
    request = context["request"]
    current = translation.get_language()
    return [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]


@register.simple_tag
def verified(day: dt.date | None) -> str:
    """ "last verified <date>" for a record's sources, or nothing when no access date is known.

    A tag rather than an included template: the comparison table shows one per row."""
    if day is None:
        return ""
    return format_html(
        '<span class="verified">{} <time datetime="{}">{}</time></span>',
        gettext("last verified"),
        day.isoformat(),
        date_format(day, "DATE_FORMAT"),
    )
