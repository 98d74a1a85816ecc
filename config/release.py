"""A name for this version of the code, part of every cached page's and fragment's key.

Cached pages and fragments hold HTML written by the templates and code of the release that
stored them, and refer to its hashed static files. With the release in their keys a deploy
starts from cold pages instead of serving the old HTML until the data next changes. The data
version is shared by all releases: during a rolling deploy an edit saved by a server still on
the old release must reach the pages of the new one.
Set RELEASE (for example to the commit hash) where the deploy knows it; otherwise the release
is a digest of the files that shape a response.
"""

import hashlib
from pathlib import Path

# package-lock.json pins the front-end files copied into static/vendor.
SHAPING_PATHS = (
    "config", "policies", "arrivals", "templates", "static", "locale", "package-lock.json"
)  # fmt: skip
SHAPING_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".svg", ".json", ".po"}
SKIPPED_DIRECTORIES = {"__pycache__", "vendor"}


def source_digest(root: Path, paths: tuple[str, ...] = SHAPING_PATHS) -> str:
    """A short digest of the names and contents of the files that shape a response."""
    digest = hashlib.sha256()
    for top in (root / name for name in paths):
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            relative = path.relative_to(root)
            if path.suffix not in SHAPING_SUFFIXES or SKIPPED_DIRECTORIES & set(relative.parts):
                continue
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
