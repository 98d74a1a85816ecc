"""The code a newsroom pastes to embed a chart, map, table, card or timeline in an article."""

import hashlib
from html import escape
from urllib.parse import urlencode

from django.http import HttpRequest
from django.templatetags.static import static


def embed_snippet(*, src: str, title: str, height: int, script_url: str, fixed: bool) -> str:
    """The HTML a newsroom pastes into an article, as text (the page escapes it to show it).

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


DEFAULT_HEIGHTS = {"chart": 560, "map": 440, "card": 440, "table": 560, "timeline": 480}


def embed_kind(path: str) -> str:
    """chart, map, card, timeline or table, from an embed path."""
    route = path.split("?")[0]
    if route.endswith("/timeline/"):
        return "timeline"
    if route.endswith("/chart/") or route == "/embed/compare/":
        return "chart"
    if route == "/embed/map/":
        return "map"
    if route == "/embed/jurisdictions/":
        return "table"
    return "card"


def embed_code_context(request: HttpRequest, *, path: str, title: str, options: dict) -> dict:
    """The snippet for `path` with the chosen options, and what the generator form shows."""
    query = {}
    if options.get("theme") and options["theme"] != "auto":
        query["theme"] = options["theme"]
    for part in ("header", "footer"):
        if options.get(part) == "0":
            query[part] = "0"
    separator = "&" if "?" in path else "?"
    src = request.build_absolute_uri(path + (separator + urlencode(query) if query else ""))
    height = options.get("height")
    snippet = embed_snippet(
        src=src,
        title=f"{title} (Sanctuary Tracker)",
        height=height or DEFAULT_HEIGHTS[embed_kind(path)],
        script_url=request.build_absolute_uri(static("js/embed.js")),
        fixed=bool(height),
    )
    code_id = "embed-" + hashlib.sha256(path.encode()).hexdigest()[:10]
    return {
        "snippet": snippet,
        "embed_path": path,
        "embed_title": title,
        "code_id": code_id,
        # The embed as the snippet shows it, previewed beside the code.
        "preview": {"src": src, "height": height or DEFAULT_HEIGHTS[embed_kind(path)]},
        "fixed_height": bool(height),
    }
