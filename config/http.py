from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django-htmx's middleware leaves it, for type hints in views."""

    htmx: HtmxDetails


def healthz(request: HttpRequest) -> HttpResponse:
    """A fixed answer for load balancers, and the benchmark's floor for a Django view."""
    return HttpResponse("ok\n", content_type="text/plain")
