from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django-htmx's middleware leaves it, for type hints in views."""

    htmx: HtmxDetails
