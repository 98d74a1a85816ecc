"""Paging that reads a page and the total count in one query."""

from math import ceil

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def page_number(number: object, *, per_page: int, count: int | None = None) -> int:
    """The page a reader's `?page=` asks for: 1 when it is not a number, the last page when
    it is past the end (once `count` is known)."""
    try:
        number = max(int(str(number)), 1)
    except ValueError:
        return 1
    if count is not None:
        number = min(number, max(ceil(count / per_page), 1))
    return number


def page_of_ids(
    ids: QuerySet, number: object, per_page: int, *, known_count: int | None = None
) -> Page:
    """Page `number` of a flat `values_list("pk", flat=True)` queryset, like
    `Paginator.get_page` (a bad number gives page 1, one past the end the last page), but
    with the total from `COUNT(*) OVER ()` on the page's own query instead of a second one.

    With `known_count` (remembered from an earlier page of the same rows) the page is a plain
    LIMIT query, which an index on the order can answer without reading every row."""
    paginator = Paginator(ids, per_page)
    number = page_number(number, per_page=per_page, count=known_count)
    start = (number - 1) * per_page
    if known_count is not None:
        paginator.count = known_count
        return Page(list(ids[start : start + per_page]), number, paginator)
    rows = list(
        ids.annotate(total_rows=Window(Count("pk"))).values_list("pk", "total_rows")[
            start : start + per_page
        ]
    )
    if not rows:
        # Past the end, or nothing matches: the paginator counts and picks the last page.
        return paginator.get_page(number)
    paginator.count = rows[0][1]  # a cached_property: set, it is not queried again
    return Page([pk for pk, _total in rows], number, paginator)
