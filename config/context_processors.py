"""What every page's frame links to, worked out once per language instead of on each page."""

from functools import cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

SITE_LINKS = {
    "home": "policies:home",
    "jurisdiction_list": "policies:jurisdiction-list",
    "compare": "policies:compare",
    "state_map": "policies:state-map",
    "methodology": "policies:methodology",
    "updates": "policies:update-list",
}


@cache  # a few languages and, in practice, one script prefix
def _site_links(language: str, script_prefix: str) -> dict[str, str]:
    return {name: reverse(view) for name, view in SITE_LINKS.items()}


def site_links(request: HttpRequest) -> dict:
    """`site_links`: the addresses of the site's main pages in the active language. Reversing
    them in each page's header and footer was a third of the time spent on its frame."""
    return {"site_links": _site_links(get_language(), get_script_prefix())}
