import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Answer 503 with Retry-After, not a traceback, while the database cannot be reached.

    Django drops a broken connection at the end of the request and opens a new one for the
    next, so pages recover by themselves when the database is back.
    """

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        response = HttpResponse(
            "Sanctuary Tracker is briefly unavailable. Please try again in a minute.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class PathLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus its `Vary: Accept-Language`.

    The language comes only from the address (/es/...; English without a prefix), never from
    the browser's headers, so the header would only split shared caches (a CDN in front of an
    embed) into one copy per Accept-Language value, all identical.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if response.has_header("Vary"):
            kept = [
                header.strip()
                for header in response["Vary"].split(",")
                if header.strip().lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
