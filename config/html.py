"""Django's format_html and format_html_join, for HTML written in Python loops.

Django's versions pass every argument through `conditional_escape` and `escape`, each wrapped
by `keep_lazy` to check its arguments for lazy translations first. For the comparison table's
rows (about 500 calls and 2,000 arguments a page) that checking cost as much as the escaping.
These escape the same characters (`html.escape`, as Django's `escape` does), leave HTML marked
safe as it is, and turn lazy translations into text at once, as formatting them would.
"""

import html
from collections.abc import Iterable

from django.utils.safestring import SafeString


def _escaped(value: object) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_html(format_string: str, *args: object) -> SafeString:
    """`format_string` (HTML) with each of `args` escaped unless marked safe."""
    return SafeString(format_string.format(*map(_escaped, args)))


def format_html_join(separator: str, format_string: str, rows: Iterable[tuple]) -> SafeString:
    """`format_html(format_string, *row)` for each row, joined by `separator` (HTML)."""
    return SafeString(_escaped(separator).join(format_html(format_string, *row) for row in rows))


def in_ascii(markup: str) -> str:
    """HTML `markup` with each character outside ASCII written as a character reference
    (`&#241;`), which HTML reads as the character itself in text and in attribute values.

    For parts that are cached and then put into many pages. A page is built as one string and
    sent as UTF-8. If all of it is ASCII, encoding it is a copy of its bytes (2 us for the home
    page's 196 KB at ten times our data); one character outside ASCII anywhere, and the whole
    page is encoded character by character (100 us), and one beyond Latin-1 also makes every
    join of its pieces two bytes a character. Not for text inside
    <script> or <style>, where references are not read: the only such text, json_script's,
    is ASCII already (Django writes JSON with \\u escapes)."""
    return markup.encode("ascii", "xmlcharrefreplace").decode("ascii")
