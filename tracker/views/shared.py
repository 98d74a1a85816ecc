"""What reader pages, embeds and downloads share: how they are cached, their query forms and
their 400 page.

Caching is HTTP's: a reader page may be kept by browsers and shared caches (nginx, a CDN) for
PAGE_MAX_AGE seconds, then revalidated with its ETag or Last-Modified, both taken from the data
version, so an unchanged page costs the origin a 304 and no query (`reader_page`).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe
from django.views.decorators.http import condition

from config.http import wants_fragment
from policies.data_version import data_version
from policies.models import DataVersion, Jurisdiction
from tracker import maps

DOWNLOAD_FORMATS = ("csv", "json")
# Parameters an address may carry besides its form's fields: paging, and the ones embed hosts
# add (pym.js's, and "lang" from older snippets).
EXTRA_PARAMETERS = frozenset(
    {"page", "lang", "childId", "initialWidth", "parentTitle", "parentUrl"}
)  # fmt: skip


def query_form[F: forms.Form](request: HttpRequest, form_class: type[F]) -> F:
    """The request's query checked by `form_class`, once per request: the cache validators
    and the view both ask for it."""
    checked = request.__dict__.setdefault("_query_forms", {})
    if form_class not in checked:
        checked[form_class] = form_class(request.GET)
        checked[form_class].is_valid()
    return checked[form_class]


def rendered_part(request: HttpRequest, name: str, template: str, context, *key) -> str:
    """`template` rendered with `context()`, kept in Django's cache under `name`, the data
    version, the language, the site asked (parts may hold absolute links) and `key`
    (everything else the part depends on): for parts that many addresses share and that are
    slow to draw. A data change moves every key at once."""
    site = request.build_absolute_uri("/")
    version = request_data_version(request).token
    full_key = ":".join(map(str, ("part", name, version, translation.get_language(), site, *key)))
    return mark_safe(  # rendered by the template, which escapes what it shows
        cache.get_or_set(
            full_key,
            lambda: render_to_string(template, context(), request=request),
            timeout=settings.PART_CACHE_SECONDS,
        )
    )


def map_drawing(request: HttpRequest, *, day: dt.date, metric: str, in_embed: bool = False) -> str:
    """The map with its legend and its table (tracker/_map.html) for `metric` on `day`: one
    part for the map page, its swaps, its embeds and the home page, which draw the same map
    (thousands of shapes on a large dataset)."""

    def context() -> dict:
        return {**maps.map_context(day=day, metric=metric), "in_embed": in_embed}

    return rendered_part(request, "map", "tracker/_map.html", context, metric, day, in_embed)


def request_data_version(request: HttpRequest) -> DataVersion:
    """The data version, read once per request (ETag and Last-Modified both ask)."""
    if "_data_version" not in request.__dict__:
        request._data_version = data_version()
    return request._data_version


def place_or_404(selector: Callable[..., Jurisdiction], **lookup) -> Jurisdiction:
    """The jurisdiction a selector finds (`selectors.jurisdiction_with_records`, ...), or 404."""
    try:
        return selector(**lookup)
    except Jurisdiction.DoesNotExist:
        raise Http404("No jurisdiction with that address.") from None


def bad_request(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """A 400 that says which parameter was wrong and why."""
    problems = [
        f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
        for field, messages in form.errors.items()
    ]
    body = render_to_string("bad_request.html", {"problems": problems}, request=request)
    return HttpResponse(body, status=400)


def _without(request: HttpRequest, names: set[str]) -> HttpResponse:
    """A redirect to the request's address without the parameters `names`; each such address
    is a reader's own, so shared caches do not keep the redirect."""
    kept = request.GET.copy()
    for name in names:
        kept.pop(name)
    query = kept.urlencode()
    response = HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
    patch_cache_control(response, private=True, max_age=settings.PAGE_MAX_AGE)
    return response


def reader_page(
    form_class: type[forms.Form] | None = None,
    *,
    max_age: str = "PAGE_MAX_AGE",
    also_known: Iterable[str] = (),
):
    """Decorate a public GET view: cacheable by everyone for the `max_age` setting's seconds,
    revalidated by the data version, varying with htmx's headers.

    `form_class` checks the view's query: an address it refuses gets its 400, never a 304.
    An address with parameters no form reads (utm_source, fbclid, a cache-buster) is
    redirected to the same address without them, so every click on a shared link reaches
    the one cached copy and made-up parameters cannot fill a shared cache; `also_known`
    names more parameters the view understands."""
    known = EXTRA_PARAMETERS | set(also_known) | set(form_class.base_fields if form_class else ())

    def current_etag(request: HttpRequest) -> str:
        # Pages without an as-of date show today's records, so each day is a new version;
        # the swap target and the whole page are two representations of one address. The
        # signature ties the ETag to the address it was sent for (see `validators_apply`).
        if "_etag" not in request.__dict__:
            variant = "f" if wants_fragment(request) else "p"
            version = f"{request_data_version(request).token}-{timezone.localdate()}-{variant}"
            address = f"{version}|{request.get_full_path()}"
            digest = salted_hmac("reader-page-etag", address, algorithm="sha256").hexdigest()
            request._etag = f'"{version}-{digest[:16]}"'
        return request._etag

    def validators_apply(request: HttpRequest) -> bool:
        # Only a conditional request can be answered 304 before the view runs, so only then
        # must the query be checked first (the view checks it anyway, once: query_form).
        # Except when the client holds the current ETag: it was sent for this address with
        # a 200 (never with an error), and a query's validity changes only with the data
        # version, the day or a deploy (whose `migrate` bumps the version), all in the ETag.
        meta = request.META
        if "HTTP_IF_NONE_MATCH" not in meta and "HTTP_IF_MODIFIED_SINCE" not in meta:
            return True
        if form_class is None:
            return True
        held = parse_etags(meta.get("HTTP_IF_NONE_MATCH", ""))
        if current_etag(request) in (tag.removeprefix("W/") for tag in held):
            return True
        return query_form(request, form_class).is_valid()

    def etag(request: HttpRequest, *args, **kwargs) -> str | None:
        return current_etag(request) if validators_apply(request) else None

    def last_modified(request: HttpRequest, *args, **kwargs) -> dt.datetime | None:
        if not validators_apply(request):
            return None
        midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
        return max(request_data_version(request).changed_at, midnight)

    def decorator(view):
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if unknown := set(request.GET) - known:
                return _without(request, unknown)
            response = conditional(request, *args, **kwargs)
            # The proxy compresses (deploy/nginx.conf): its copies differ by Accept-Encoding.
            patch_vary_headers(
                response, ("HX-Request", "HX-History-Restore-Request", "Accept-Encoding")
            )
            if response.status_code not in (200, 304):
                # An error is never revalidated into a cacheable 304.
                for validator in ("ETag", "Last-Modified"):
                    if validator in response:
                        del response[validator]
            elif response.has_header("Cache-Control"):
                pass  # the view said how this answer may be kept
            elif settings.SESSION_COOKIE_NAME in request.COOKIES:
                # A member of staff's copy is never kept by a shared cache.
                patch_cache_control(response, private=True, max_age=getattr(settings, max_age))
            else:
                patch_cache_control(
                    response,
                    public=True,
                    max_age=getattr(settings, max_age),
                    stale_while_revalidate=settings.PAGE_STALE_SECONDS,
                )
            return response

        return wrapped

    return decorator
