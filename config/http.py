from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django-htmx's middleware leaves it, for type hints in views."""

    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    """Whether htmx asked for the swap target only: HX-Request is "true" and the request is
    not a history restore. Header values as django-htmx reads them ("true" exactly)."""
    meta = request.META
    return (
        meta.get("HTTP_HX_REQUEST") == "true"
        and meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one the nearest of `TRUSTED_PROXY_COUNT` trusted proxies
    saw (the last hops of X-Forwarded-For are theirs; earlier ones anyone can write), else
    the connecting address."""
    count = settings.TRUSTED_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if count and len(hops) >= count:
        return hops[-count]
    return request.META.get("REMOTE_ADDR")


def healthz(request: HttpRequest) -> HttpResponse:
    """A fixed answer for load balancers, and the benchmark's floor for a Django view."""
    return HttpResponse("ok\n", content_type="text/plain")
