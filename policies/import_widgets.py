"""Lenient-in-what-they-read, strict-in-what-they-accept cells for CSV imports.

Dates accept ISO (2024-01-04) and US (1/4/2024) forms, and a month alone (2024-01, 1/2024) when
the resource records the precision; counts accept thousands separators ("50,000"). Anything else
raises ValueError with a message naming what was expected, which django-import-export reports
against the row and field.
"""

import datetime as dt
import re
from collections.abc import Iterable

from django.db import models
from import_export import widgets

from policies.models import DatePrecision

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
MONTH_PATTERNS = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
    re.compile(r"^(?P<month>\d{1,2})/(?P<year>\d{4})$"),
)
YEAR_PATTERN = re.compile(r"^(?P<year>\d{4})$")


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Parse a full date, a month or a year into (first day, precision). Raises ValueError."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-":  # 2024-01-04, as exports write them: no strptime
        try:
            return dt.date.fromisoformat(text), DatePrecision.DAY
        except ValueError:
            pass
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, date_format).date(), DatePrecision.DAY
        except ValueError:
            continue
    for pattern in MONTH_PATTERNS:
        if match := pattern.match(text):
            month, year = int(match["month"]), int(match["year"])
            if 1 <= month <= 12:
                return dt.date(year, month, 1), DatePrecision.MONTH
    if match := YEAR_PATTERN.match(text):
        return dt.date(int(match["year"]), 1, 1), DatePrecision.YEAR
    raise ValueError(
        f"'{text}' is not a date; use 2024-01-04 or 1/4/2024 (or 2024-01 for a month)."
    )


def parse_count(text: str) -> int:
    """Parse a whole, non-negative count written with or without separators. Raises ValueError."""
    cleaned = re.sub(r"[,\s_]", "", str(text))
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValueError(f"'{text}' is not a whole number.")
    number = int(cleaned)
    if number < 0:
        raise ValueError(f"{text} is negative; a count cannot be negative.")
    return number


class FlexibleDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_partial_date(str(value))[0]


class CountWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return parse_count(str(value))


class ChoiceWidget(widgets.CharWidget):
    """A choice given by its stored value or its label, in any case."""

    def __init__(
        self, choices: type[models.TextChoices], allow_blank: bool = False, default: str = ""
    ) -> None:
        super().__init__(allow_blank=allow_blank or bool(default))
        self.choices = choices
        self.default = default
        self.lookup = {
            name.lower(): value for value, label in choices.choices for name in (value, str(label))
        }

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.allow_blank:
                return self.default
            raise ValueError(f"This is required; use one of: {self.allowed()}.")
        try:
            return self.lookup[text.lower()]
        except KeyError:
            raise ValueError(f"'{text}' is not one of: {self.allowed()}.") from None

    def allowed(self) -> str:
        return ", ".join(self.choices.values)


class OptionalCodeWidget(widgets.CharWidget):
    """A code many records lack (a Census GEOID), unique where present: a blank cell is no
    code (NULL), never an empty code that a second blank row would collide with."""

    def clean(self, value, row=None, **kwargs) -> str | None:
        return str(value).strip() or None if value is not None else None


def cell_texts(cells: Iterable[object]) -> set[str]:
    return {str(cell).strip() for cell in cells if cell is not None} - {""}


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural field, with an error that says what was not found.

    `prefetch` reads the records a file names in one query; `clean` then finds those in
    memory, and asks the database only for others (a place the same file creates)."""

    def __init__(self, model: type[models.Model], field: str, label: str) -> None:
        super().__init__(model, field=field)
        self.label = label
        self.known: dict[str, models.Model] = {}

    def prefetch(self, cells: Iterable[object]) -> None:
        wanted = cell_texts(cells)
        records = self.get_queryset(None, None).filter(**{f"{self.field}__in": wanted})
        self.known = {str(getattr(record, self.field)): record for record in records}

    def forget(self) -> None:
        self.known = {}

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        found = self.known.get(text)
        if found is None:
            found = self.get_queryset(text, row, **kwargs).filter(**{self.field: text}).first()
        if found is None:
            raise ValueError(f"No {self.label} with {self.field} '{text}'.")
        return found


def sources_by_url(model: type[models.Model], urls: Iterable[str]) -> dict[str, list]:
    by_url: dict[str, list] = {}
    for source in model.objects.filter(url__in=set(urls)):
        by_url.setdefault(source.url, []).append(source)
    return by_url


def cited_sources(
    model: type[models.Model], cited: list[str], known: dict[str, list] | None = None
) -> list[models.Model]:
    """The sources that cells name, in order: each by its URL, or by its URL, a space and its
    publication date where several sources share the URL (each of ICE's dated sheets is at one
    address). Raises ValueError naming every source not found or not told apart. `known`: the
    sources of some URLs, already read (`sources_by_url`)."""
    wanted = []
    for text in cited:
        url, _, day = text.partition(" ")
        try:
            wanted.append((url, dt.date.fromisoformat(day.strip()) if day.strip() else None))
        except ValueError:
            raise ValueError(f"'{day.strip()}' after {url} is not a date (YYYY-MM-DD).") from None
    known = known or {}
    urls = {url for url, _day in wanted}
    by_url = {url: known[url] for url in urls if url in known}
    if unread := urls - by_url.keys():
        by_url |= sources_by_url(model, unread)
    found, problems = [], []
    for (url, day), text in zip(wanted, cited, strict=True):
        matches = [s for s in by_url.get(url, []) if day is None or s.published_on == day]
        if len(matches) == 1:
            found.append(matches[0])
        elif not matches:
            problems.append(f"No source with URL {text}; add it under Sources first.")
        else:
            dates = ", ".join(sorted(str(s.published_on) for s in matches))
            problems.append(
                f"Several sources have the URL {url} (published {dates}): write the date after "
                f"the URL, e.g. '{url} {dates.split(', ')[-1]}'."
            )
    if problems:
        raise ValueError(" ".join(problems))
    return found


def source_key(source: models.Model) -> str:
    """What an export writes for a source: what `cited_sources` finds it by again."""
    return f"{source.url} {source.published_on}" if source.published_on else source.url


class PrefetchedSources:
    """`prefetch` reads the sources a file cites in one query, for `cited_sources`."""

    separator = "|"
    known: dict[str, list] = {}

    def prefetch(self, cells: Iterable[object]) -> None:
        cited = (text.strip() for cell in cell_texts(cells) for text in cell.split(self.separator))
        self.known = sources_by_url(self.model, (text.partition(" ")[0] for text in cited))

    def forget(self) -> None:
        self.known = {}


class SourceWidget(PrefetchedSources, widgets.ForeignKeyWidget):
    """One source, as `cited_sources` reads it."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        return cited_sources(self.model, [text], self.known)[0] if text else None

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else source_key(value)


class SourceListWidget(PrefetchedSources, widgets.ManyToManyWidget):
    """Sources as `cited_sources` reads them, separated by '|'."""

    def __init__(self, model: type[models.Model]) -> None:
        super().__init__(model, separator="|", field="url")

    def clean(self, value, row=None, **kwargs):
        cited = [text.strip() for text in str(value or "").split(self.separator) if text.strip()]
        if not cited:
            raise ValueError("Cite at least one source by its URL (several separated by '|').")
        found = cited_sources(self.model, cited, self.known)
        return self.model.objects.filter(pk__in=[s.pk for s in found])

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else self.separator.join(map(source_key, value.all()))


def precision_fields_from_partial_dates(
    row: dict, date_to_precision: Iterable[tuple[str, str]]
) -> None:
    """Where a date cell holds only a month or a year, fill in its precision column."""
    for date_column, precision_column in date_to_precision:
        text = str(row.get(date_column) or "").strip()
        if not text or row.get(precision_column):
            continue
        try:
            _day, precision = parse_partial_date(text)
        except ValueError:
            continue  # the date widget reports it against the row
        row[precision_column] = precision
