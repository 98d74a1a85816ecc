"""What makes a view embeddable in other sites' pages.

Every other page stays unframeable (X-Frame-Options: DENY, frame-ancestors 'none'). An embed
sends no X-Frame-Options and a CSP whose frame-ancestors is EMBED_ALLOWED_ORIGINS (any site by
default); it is cacheable by browsers and shared caches for EMBED_MAX_AGE seconds, with an
ETag and Last-Modified from the data version, so revalidation is answered 304 without a query.
"""

import hashlib
from contextlib import nullcontext
from functools import wraps
from html import escape

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from config.compression import compressed
from config.data_version import data_version


def _etag(request, *args, **kwargs) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
    return f"{data_version().token}-{path}"


def _last_modified(request, *args, **kwargs):
    return data_version().changed_at


def embed_csp() -> dict:
    return {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_ALLOWED_ORIGINS or ["*"]}


def embeddable(form: type | None = None):
    """Frameable by other sites, publicly cacheable, revalidated by the data version.

    `form` is the view's parameter form: an address it refuses gets its 400, never a 304."""

    def valid(request) -> bool:
        # condition() asks for the ETag and Last-Modified separately: check the form once.
        if not hasattr(request, "_embed_parameters_valid"):
            request._embed_parameters_valid = form is None or form(request.GET).is_valid()
        return request._embed_parameters_valid

    def etag(request, *args, **kwargs) -> str | None:
        return _etag(request) if valid(request) else None

    def last_modified(request, *args, **kwargs):
        return _last_modified(request) if valid(request) else None

    def decorator(view):
        return _embeddable(view, condition(etag_func=etag, last_modified_func=last_modified))

    return decorator


def _embeddable(view, conditional_on):
    # Embeds carry no secret (no session, no CSRF token), so compressing them is safe.
    conditional = compressed(conditional_on(view))

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # ?lang=es works like the /es/ prefix, for hosts that build embed URLs themselves.
        language = request.GET.get("lang")
        if language not in dict(settings.LANGUAGES):
            language = None  # the address decides, as for every other page
        with translation.override(language) if language else nullcontext():
            response = conditional(request, *args, **kwargs)
        if language:
            response["Content-Language"] = language
        response.xframe_options_exempt = True
        response._csp_config = embed_csp()
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=settings.EMBED_MAX_AGE)
        else:
            # An error is never revalidated into a cacheable 304.
            for validator in ("ETag", "Last-Modified"):
                if validator in response:
                    del response[validator]
        return response

    return wrapped


def embed_snippet(*, src: str, title: str, height: int, script_url: str, fixed: bool) -> str:
    """The HTML a newsroom pastes into an article.

    By default the iframe sizes itself through our small script; with `fixed` (for hosts that
    strip scripts) it keeps `height` and scrolls inside if the content is taller.
    """
    attributes = (
        f'src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
        f'loading="lazy" style="border:0;width:100%;max-width:100%;"'
    )
    if fixed:
        return f'<iframe {attributes} scrolling="auto"></iframe>'
    return (
        f"<iframe {attributes} data-sanctuary-tracker></iframe>\n"
        f'<script src="{escape(script_url)}" async></script>'
    )
