import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.hashable import make_hashable
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from policies.geography import STATE_CODES, STATE_NAMES


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: a date known only to the month is stored as its 1st."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def format_partial_date(value: dt.date | None, precision: str = DatePrecision.DAY) -> str:
    """A date as precisely as it is known, in the reader's language: "Nov. 19, 2024",
    "November 2024" or "2024" ("19 de noviembre de 2024", "noviembre de 2024" in Spanish)."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


def _choice_display(record: models.Model, field: models.Field):
    """Django 6.1's `Model._get_FIELD_display`, translating only the label it returns: Django's
    hashes each (value, label) pair of the field's choices on every call, and hashing a lazy
    label translates it, so every label of the field was translated for each value shown (a
    place's page asked for 400). Check it against Django's on upgrades."""
    value = getattr(record, field.attname)
    try:
        label = dict(field.flatchoices).get(value, value)
    except TypeError:  # an unhashable value or choice (a list): made hashable, as Django does
        labels = {make_hashable(choice): label for choice, label in field.flatchoices}
        label = labels.get(make_hashable(value), value)
    return force_str(label, strings_only=True)


def choice_label(record: models.Model, name: str) -> str:
    """`record.get_<name>_display()` as `ChoiceLabelModel` gives it, for the history records that
    django-simple-history builds on Django's own Model (the public log labels thousands)."""
    return str(_choice_display(record, record._meta.get_field(name)))


def web_href(url: str) -> str:
    """`url` if it is an http(s) address, else "" (a `javascript:` URL never becomes a link)."""
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else ""


def validate_precise_date(value: dt.date | None, precision: str, field: str) -> dict[str, str]:
    """Errors for a partial date stored off the first day of its month or year."""
    if value is None:
        return {}
    if precision == DatePrecision.MONTH and value.day != 1:
        return {field: "A date known only to the month is stored as the 1st of that month."}
    if precision == DatePrecision.YEAR and (value.month, value.day) != (1, 1):
        return {field: "A date known only to the year is stored as January 1 of that year."}
    return {}


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


def stored_as_is(field: models.Field) -> type | None:
    """The Python type a Django field stores unchanged on PostgreSQL, if any: a str in a text
    field, an int, a bool, a date (not a datetime, which may need a time zone). Their
    preparation only checks the type; fields of other kinds or libraries have None."""
    target = field.target_field if field.is_relation else field
    if type(target).__module__ != "django.db.models.fields":
        return None
    kinds = (
        (models.DateTimeField, None),
        (models.DateField, dt.date),
        (models.BooleanField, bool),
        (models.IntegerField, int),
        (models.CharField, str),
        (models.TextField, str),
    )
    return next((python_type for kind, python_type in kinds if isinstance(target, kind)), None)


class CopyInsertQuerySet(models.QuerySet):
    """`bulk_create` by PostgreSQL's COPY, for the tables an import fills by the ten thousand
    (arrival figures, their history, the updates log). Django's INSERT builds and quotes every
    value in Python, then the server parses them; COPY streams the rows (measured in
    docs/benchmarks.md, imports). The primary keys are taken from the table's sequence first,
    so the records come back saved, with their keys, as from `bulk_create`. Values a field
    stores as they are (`stored_as_is`) skip its preparation, the rest go through it;
    expressions cannot be copied. Other databases, inserts that handle conflicts and tables
    with database defaults use Django's own."""

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, **conflicts):
        objs = list(objs)
        self._for_write = True
        connection = connections[self.db]
        options = self.model._meta
        fields = [field for field in options.concrete_fields if not field.generated]
        if (
            connection.vendor != "postgresql"
            or ignore_conflicts
            or any(conflicts.values())
            or any(field.has_db_default() for field in fields)
        ):
            return super().bulk_create(objs, batch_size, ignore_conflicts, **conflicts)
        if not objs:
            return objs
        _, without_key = self._prepare_for_bulk_create(objs)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        kinds = [(field, stored_as_is(field)) for field in fields]

        def database_value(field: models.Field, python_type: type | None, obj: models.Model):
            value = field.pre_save(obj, True)
            if python_type and (value is None or type(value) is python_type):
                return value
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"COPY cannot insert an expression ({field.name}={value!r}).")
            return field.get_db_prep_save(value, connection)

        with (
            transaction.atomic(using=self.db, savepoint=False),
            connection.cursor() as cursor,
            connection.wrap_database_errors,
        ):
            if without_key:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(options.db_table), options.pk.column, len(without_key)],
                )
                for obj, (key,) in zip(without_key, cursor.fetchall(), strict=True):
                    obj.pk = key
            statement = f"COPY {quote(options.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for obj in objs:
                    copy.write_row([database_value(f, kind, obj) for f, kind in kinds])
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.db
        return objs


class ChoiceLabelModel(models.Model):
    """A model whose `get_FOO_display()` translates only the label it returns: `_choice_display`."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field):
        return _choice_display(self, field)


class CopyInsertModel(models.Model):
    """A base for history models (django-simple-history's `bases`) written in bulk."""

    objects = CopyInsertQuerySet.as_manager()

    class Meta:
        abstract = True


class JurisdictionQuerySet(models.QuerySet):
    def states(self):
        return self.filter(kind=Jurisdiction.Kind.STATE)


class Jurisdiction(ChoiceLabelModel):
    class Kind(models.TextChoices):
        STATE = "state", _("State")
        COUNTY = "county", _("County")
        CITY = "city", _("City")
        OTHER = "other", _("Other (e.g. consolidated city-county)")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(
        "state (USPS code)",
        max_length=2,
        choices=[(code, code) for code in STATE_CODES],
        help_text="Two-letter postal code, e.g. IL. A state's own code for a state.",
    )
    geoid = models.CharField(
        "Census GEOID",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{2,12}$", "A Census GEOID is 2 to 12 digits.")],
        help_text="State FIPS (2 digits), county FIPS (5) or place GEOID (7).",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The county or state this place belongs to.",
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "state"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "state", "name"], name="jurisdiction_unique_kind_state_name"
            )
        ]
        # The comparison table's orders by name and by state (then name, then id): a page of
        # the table reads 50 index entries instead of sorting every place.
        indexes = [
            models.Index(fields=["name", "id"], name="jurisdiction_name_order"),
            models.Index(fields=["state", "name", "id"], name="jurisdiction_state_order"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.unique_slug(self.build_slug())
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # By URL name, the Django way: the reader site (tracker) serves it, and this app does
        # not import it.
        return reverse("tracker:jurisdiction-detail", kwargs={"slug": self.slug})

    def unique_slug(self, base: str) -> str:
        taken = set(
            Jurisdiction.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    @property
    def ancestors(self) -> list["Jurisdiction"]:
        """The county and state this place lies in, nearest first (reads `parent` chains that
        selectors fetch with select_related)."""
        found, place = [], self.parent
        while place is not None and len(found) < 3:
            found.append(place)
            place = place.parent
        return found

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.STATE:
            return self.name
        return f"{self.name}, {self.state}"

    def build_slug(self) -> str:
        if self.kind == self.Kind.STATE:
            return slugify(self.name)
        base = slugify(f"{self.state} {self.name}")
        # A county keeps a kind word in its slug so it never collides with a city of its name
        # ("Carson City" the city and the county-equivalent).
        county_words = ("county", "parish", "borough", "area", "municipality")
        if self.kind == self.Kind.COUNTY and not base.endswith(county_words):
            return f"{base}-county"
        return base

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == self.Kind.STATE and self.state and self.name:
            expected = STATE_NAMES.get(self.state)
            if expected and expected != self.name:
                errors["name"] = f"The state with code {self.state} is named {expected}."
        if self.population is not None and self.population_year is None:
            errors["population_year"] = "Give the year the population figure refers to."
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = "A jurisdiction cannot be its own parent."
            elif self.kind == self.Kind.STATE:
                errors["parent"] = "A state has no parent jurisdiction."
            elif self.parent.state != self.state:
                errors["parent"] = (
                    f"The parent is in {self.parent.state}, but this jurisdiction is in "
                    f"{self.state}."
                )
            elif self.parent.kind not in (self.Kind.STATE, self.Kind.COUNTY, self.Kind.OTHER):
                errors["parent"] = "The parent must be a county or a state."
        if errors:
            raise ValidationError(errors)


class Source(ChoiceLabelModel):
    """A document that records cite: a law, a press release, a dataset, a news report."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Government or court document")
        NEWS = "news", _("News organisation")
        REFERENCE = "reference", _("Reference work")
        ADVOCACY = "advocacy", _("Advocacy group")
        BLOG = "blog", _("Blog or aggregator")

    # A record whose only sources are of these kinds is shown as unconfirmed.
    WEAK_KINDS = (Kind.BLOG,)

    publisher = models.CharField(max_length=200, help_text="Who published it, e.g. NewsNation.")
    title = models.CharField(max_length=300, blank=True)
    url = models.URLField("URL", max_length=500)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default="",
        help_text="What kind of publisher: readers see it next to the citation.",
    )
    published_on = models.DateField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    accessed_on = models.DateField(
        null=True, blank=True, help_text="When we last read it; the basis of 'last verified'."
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "-published_on"]

    def __str__(self) -> str:
        parts = [self.publisher]
        if self.title:
            parts.append(self.title)
        if self.published_on:
            parts.append(self.published_display)
        return " — ".join(parts)

    @property
    def published_display(self) -> str:
        return format_partial_date(self.published_on, self.published_precision)

    @property
    def is_weak(self) -> bool:
        return self.kind in self.WEAK_KINDS

    @property
    def href(self) -> str:
        """The URL for a link, checked again when drawn: only http(s) ever reaches an href,
        whatever a bad import or an old row may hold."""
        return web_href(self.url)

    def clean(self) -> None:
        errors = validate_precise_date(self.published_on, self.published_precision, "published_on")
        if self.published_on and self.accessed_on and self.accessed_on < self.published_on:
            errors["accessed_on"] = "A source cannot be read before it was published."
        if errors:
            raise ValidationError(errors)


def policy_start() -> Coalesce:
    """When a policy took hold: effective, else signed, else adopted, else first listed (in
    SQL; `Policy.starts_on` in Python)."""
    return Coalesce("effective_on", "signed_on", "adopted_on", "first_listed_on")


class PolicyQuerySet(PublishedQuerySet):
    def with_start(self):
        """Annotate `began_on`: when the policy took hold (`policy_start`)."""
        return self.annotate(began_on=policy_start())

    def in_effect_on(self, day: dt.date):
        """Policies in force on `day`: started on or before it and not ended by it (the end date
        is the first day it was no longer in force: a repeal's effective date, a court order's
        date, the first ICE sheet that no longer lists an agreement).

        A policy whose start was never recorded counts from today on when its status says it
        is in force and `day` is today or later: pages label it
        "date not recorded" rather than leave it out. A policy with an ending status but no
        end date recorded is never counted."""
        started = Q(began_on__lte=day)
        if day >= timezone.localdate():
            started |= Q(began_on__isnull=True, status__in=Policy.CURRENT_STATUSES)
        return (
            self.with_start()
            .exclude(status=Policy.Status.PROPOSED)
            .exclude(status__in=Policy.ENDED_STATUSES, ended_on__isnull=True)
            .filter(started)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        )

    def stances(self):
        """Only the records that say where a place stands: laws, ordinances, detainer and
        cooperation rules. 287(g) agreements are counted on their own."""
        return self.exclude(category=Policy.Category.AGREEMENT_287G).filter(
            direction__in=(Policy.Direction.LIMITS, Policy.Direction.EXPANDS)
        )


class Policy(ChoiceLabelModel):
    class Category(models.TextChoices):
        SANCTUARY = "sanctuary", _("Law, ordinance or executive order on cooperation")
        DETAINER = "detainer", _("ICE detainer rule")
        AGREEMENT_287G = "287g", _("287(g) agreement")
        COOPERATION = "cooperation", _("Other cooperation rule (jail access, information sharing)")

    class Direction(models.TextChoices):
        LIMITS = "limits", _("Limits cooperation with federal immigration enforcement")
        EXPANDS = (
            "expands",
            _("Requires or expands cooperation with federal immigration enforcement"),
        )
        NEITHER = "neither", _("Neither limits nor expands cooperation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_EFFECT = "in_effect", _("In effect")
        PARTLY_ENJOINED = "partly_enjoined", _("Partly enjoined by a court, otherwise in effect")
        ENJOINED = "enjoined", _("Enjoined by a court")
        REPEALED = "repealed", _("Repealed")
        SUPERSEDED = "superseded", _("Superseded by a later rule")
        EXPIRED = "expired", _("Expired or ended")

    class DetainerRule(models.TextChoices):
        NEVER = "never", _("Never honored")
        JUDICIAL_WARRANT = "judicial_warrant", _("Honored only with a judicial warrant")
        SERIOUS_OFFENSES = "serious_offenses", _("Honored for listed serious offenses")
        ALWAYS = "always", _("Always honored")

    class AgreementModel(models.TextChoices):
        JAIL_ENFORCEMENT = "jail_enforcement", _("Jail enforcement")
        TASK_FORCE = "task_force", _("Task force")
        WARRANT_SERVICE = "warrant_service", _("Warrant service officer")

    CURRENT_STATUSES = (Status.IN_EFFECT, Status.PARTLY_ENJOINED)
    ENDED_STATUSES = (Status.ENJOINED, Status.REPEALED, Status.SUPERSEDED, Status.EXPIRED)
    AGREEMENT_FIELDS = ("agreement_model", "agency", "signed_on", "first_listed_on", "agency_ori")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="policies"
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    title = models.CharField(
        max_length=300, help_text="The official name, e.g. California Values Act."
    )
    legal_reference = models.CharField(
        max_length=300,
        blank=True,
        help_text="Bill, ordinance or order number and code citation, e.g. SB 54 (2017).",
    )
    summary = models.TextField(help_text="Neutral, factual: what the policy does, not a verdict.")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    adopted_on = models.DateField(null=True, blank=True)
    adopted_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    effective_on = models.DateField(null=True, blank=True)
    effective_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="The first day it was no longer in force: repealed, expired, enjoined.",
    )
    detainer_rule = models.CharField(
        max_length=16,
        choices=DetainerRule.choices,
        blank=True,
        help_text="Required for detainer rules; for a law or ordinance, the rule it sets, if any.",
    )
    detainer_exceptions = models.TextField(
        blank=True, help_text="The exceptions to the detainer rule, in words."
    )
    agreement_model = models.CharField(
        "287(g) model",
        max_length=16,
        choices=AgreementModel.choices,
        blank=True,
        help_text="287(g) only. ICE signs one agreement per model, so one record per model.",
    )
    agency = models.CharField(
        max_length=200, blank=True, help_text="287(g) only: the agency that signed."
    )
    signed_on = models.DateField(null=True, blank=True, help_text="287(g) only.")
    first_listed_on = models.DateField(
        null=True,
        blank=True,
        help_text="287(g) only: the oldest ICE sheet recorded that lists it. Where the signing "
        "date is unknown, it counts as in effect from this date.",
    )
    agency_ori = models.CharField(
        "agency ORI",
        max_length=9,
        blank=True,
        help_text="287(g) only: the agency's FBI identifier, which stays the same when ICE "
        "renames the agency.",
    )
    document_url = models.URLField(
        "agreement document URL", max_length=500, blank=True, help_text="e.g. ICE's MOA PDF."
    )
    external_id = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="Key of the row this record was imported from, so re-imports update it.",
    )
    sources = models.ManyToManyField(Source, related_name="policies")
    public_note = models.TextField(
        blank=True,
        help_text="Shown to readers: what is unconfirmed, where sources disagree, court history.",
    )
    published = models.BooleanField(default=False, help_text="Drafts are visible to staff only.")
    notes = models.TextField("internal notes", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[sources])
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["jurisdiction__name", "category", "title"]
        indexes = [
            models.Index(fields=["jurisdiction", "category"], name="policy_place_category"),
            # The map's time control starts at the earliest start: read from this index, not
            # from every policy.
            models.Index(
                policy_start(), condition=Q(published=True), name="policy_published_start"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="policy_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.jurisdiction})"

    @property
    def starts_on(self) -> dt.date | None:
        """When it took hold (`policy_start` in SQL)."""
        return self.effective_on or self.signed_on or self.adopted_on or self.first_listed_on

    @property
    def last_verified(self) -> dt.date | None:
        """The newest of its sources' access dates (reads prefetched sources)."""
        return max((s.accessed_on for s in self.sources.all() if s.accessed_on), default=None)

    @property
    def sets_stance(self) -> bool:
        """A law, ordinance or rule that limits or requires cooperation (287(g) agreements are
        counted on their own): the records `PolicyQuerySet.stances` selects."""
        return self.category != self.Category.AGREEMENT_287G and self.direction in (
            self.Direction.LIMITS,
            self.Direction.EXPANDS,
        )

    @property
    def document_href(self) -> str:
        return web_href(self.document_url)

    @property
    def newest_source_date(self) -> dt.date | None:
        """The newest publication date among its sources (reads prefetched sources): for a
        287(g) agreement, the newest ICE sheet that lists it."""
        return max((s.published_on for s in self.sources.all() if s.published_on), default=None)

    @property
    def is_unconfirmed(self) -> bool:
        """Cited by no source, or only by blogs or aggregators (reads prefetched sources)."""
        return all(source.is_weak for source in self.sources.all())

    def is_in_effect_on(self, day: dt.date) -> bool:
        """Python twin of `PolicyQuerySet.in_effect_on`."""
        start = self.starts_on
        if self.status == self.Status.PROPOSED:
            return False
        if self.status in self.ENDED_STATUSES and self.ended_on is None:
            return False
        if start is None:
            started = day >= timezone.localdate() and self.status in self.CURRENT_STATUSES
        else:
            started = start <= day
        return started and (self.ended_on is None or self.ended_on > day)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        errors |= validate_precise_date(self.adopted_on, self.adopted_precision, "adopted_on")
        errors |= validate_precise_date(self.effective_on, self.effective_precision, "effective_on")
        start = self.starts_on
        if self.ended_on and start and self.ended_on < start:
            errors["ended_on"] = "The end date is before the policy took effect."
        if self.ended_on and self.status in (self.Status.PROPOSED, *self.CURRENT_STATUSES):
            errors["status"] = (
                f"A policy with an end date cannot be '{self.get_status_display()}'; "
                "choose enjoined, repealed, superseded or expired, or clear the end date."
            )
        if self.category == self.Category.DETAINER and not self.detainer_rule:
            errors["detainer_rule"] = "A detainer rule says when detainers are honored."
        if self.category == self.Category.AGREEMENT_287G and (
            self.detainer_rule or self.detainer_exceptions
        ):
            errors["detainer_rule"] = "A 287(g) agreement sets no detainer rule of its own."
        if self.detainer_exceptions and not self.detainer_rule:
            errors["detainer_exceptions"] = "Exceptions need the detainer rule they qualify."
        if self.category == self.Category.AGREEMENT_287G:
            if not self.agreement_model:
                errors["agreement_model"] = "A 287(g) agreement names its model."
            if not self.agency:
                errors["agency"] = "A 287(g) agreement names the agency that signed it."
        elif any(getattr(self, name) for name in self.AGREEMENT_FIELDS):
            errors["agreement_model"] = (
                "Only 287(g) agreements have a model, a signing agency and a signing date."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def timeline(self) -> list[tuple[dt.date | None, str, str]]:
        """Events of this policy as (date, label, formatted date), oldest first. A policy in
        force whose start was never recorded has one undated event, so it never vanishes."""
        if self.starts_on is None and self.status != self.Status.PROPOSED:
            undated = [(None, gettext("Took effect"), gettext("Date not recorded"))]
        else:
            undated = []
        events = [
            (self.adopted_on, gettext("Adopted"), self.adopted_precision),
            (self.signed_on, gettext("Agreement signed"), DatePrecision.DAY),
            (
                None if self.signed_on else self.first_listed_on,
                gettext("First listed on ICE's sheet of participating agencies"),
                DatePrecision.DAY,
            ),
            (self.effective_on, gettext("Took effect"), self.effective_precision),
            (self.ended_on, self.get_status_display() if self.ended_on else "", DatePrecision.DAY),
        ]
        dated = sorted(
            (day, label, format_partial_date(day, precision))
            for day, label, precision in events
            if day is not None
        )
        return undated + dated


class NoPolicyFinding(ChoiceLabelModel):
    """A researched "none found": no law or local policy on cooperation with federal immigration
    enforcement was found for a place when it was checked. A finding, not a missing record:
    pages say "none found (checked <date>)" instead of a blank."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="no_policy_findings"
    )
    checked_on = models.DateField(help_text="When the research was done.")
    summary = models.TextField(help_text="Shown to readers: what was checked.")
    sources = models.ManyToManyField(
        Source, related_name="no_policy_findings", help_text="Pages consulted."
    )
    published = models.BooleanField(default=False, help_text="Drafts are visible to staff only.")
    notes = models.TextField("internal notes", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[sources])
    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = "“no policy found” finding"
        ordering = ["jurisdiction__name", "-checked_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "checked_on"], name="finding_unique_per_place_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"No policy found: {self.jurisdiction} (checked {self.checked_on})"

    @property
    def last_verified(self) -> dt.date:
        return self.checked_on


class Stance(models.TextChoices):
    """Where a place stands, from its own published rules in effect (287(g) aside)."""

    LIMITS = "limits", _("Limits cooperation")
    EXPANDS = "expands", _("Requires cooperation")
    MIXED = "mixed", _("Both limits and requires cooperation in part")
    NONE_IN_EFFECT = "none_in_effect", _("No rule in effect on that date")
    NONE_FOUND = "none_found", _("No policy found")

    @classmethod
    def of(cls, *, policies, findings, day: dt.date) -> str | None:
        """Python twin of `tracker.columns.LiveColumns.stance`, over published records."""
        rules = [policy for policy in policies if policy.sets_stance]
        directions = {policy.direction for policy in rules if policy.is_in_effect_on(day)}
        limits = Policy.Direction.LIMITS in directions
        expands = Policy.Direction.EXPANDS in directions
        if limits and expands:
            return cls.MIXED
        if limits:
            return cls.LIMITS
        if expands:
            return cls.EXPANDS
        if findings:
            return cls.NONE_FOUND
        return cls.NONE_IN_EFFECT if rules else None


class Designation(ChoiceLabelModel):
    """A label an outside body put on a jurisdiction, e.g. the Justice Department's 2025 list."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="designations"
    )
    designated_by = models.CharField(
        max_length=200, help_text="The body, e.g. U.S. Department of Justice."
    )
    list_name = models.CharField(
        max_length=300, blank=True, help_text="The list or action, e.g. the EO 14287 list."
    )
    label = models.CharField(
        max_length=200, help_text="The words used, e.g. sanctuary jurisdiction."
    )
    designated_on = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="designations")
    disputed = models.BooleanField(
        default=False, help_text="The jurisdiction disputes the designation."
    )
    dispute_note = models.TextField(blank=True, help_text="What the jurisdiction said, cited.")
    published = models.BooleanField(default=False, help_text="Drafts are visible to staff only.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-designated_on", "designated_by"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "designated_by", "label", "designated_on"],
                name="designation_unique_per_body_label_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.label} ({self.designated_by}, {self.designated_on})"

    @property
    def last_verified(self) -> dt.date | None:
        return self.source.accessed_on

    def clean(self) -> None:
        if self.dispute_note and not self.disputed:
            raise ValidationError({"disputed": "Tick 'disputed' when there is a dispute note."})


class PublicChange(ChoiceLabelModel):
    """One entry of the public "Updates and corrections" log, derived from a record's history.

    Written by `tracker.changelog` whenever a published record is added, changed in a field
    readers see, or withdrawn; drafts and internal fields never produce an entry. Values are
    kept raw (choice codes, ISO dates) so each language can word them; places and sources are
    kept by name, so an entry outlives the records it describes.
    """

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    class RecordType(models.TextChoices):
        POLICY = "policy", _("Policy")
        FIGURE = "figure", _("Arrival figure")
        DESIGNATION = "designation", _("Outside designation")

    changed_at = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    record_type = models.CharField(max_length=12, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    record_label = models.CharField(max_length=300)
    # By slug and name, not a foreign key: the log keeps entries of places later deleted.
    jurisdiction_slug = models.SlugField(max_length=220)
    jurisdiction_name = models.CharField(max_length=220)
    # The record's reader-visible fields after the change, and [[field, old, new], ...].
    snapshot = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    history_user_id = models.BigIntegerField(null=True, blank=True)
    # The history row it came from, so rebuilding the log from history is idempotent.
    history_id = models.BigIntegerField()
    # A bulk import's entries share a batch and are listed as one entry ("Import of ICE's
    # sheet of July 18, 2025: 276 added, 15 changed"); "" for a single edit.
    batch = models.CharField(max_length=32, blank=True, default="")
    batch_label = models.CharField(max_length=300, blank=True, default="")

    objects = CopyInsertQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["-changed_at", "-id"], name="publicchange_newest"),
            models.Index(
                fields=["jurisdiction_slug", "-changed_at"], name="publicchange_place_newest"
            ),
            models.Index(fields=["record_type", "record_id"], name="publicchange_record"),
            models.Index(fields=["batch", "-id"], name="publicchange_batch"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "history_id"], name="publicchange_unique_history_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.record_label} ({self.jurisdiction_name})"


class DataVersion(models.Model):
    """The one row that says which version of the reader-visible data is current (see
    policies.data_version): replaced after every committed change, never edited by hand."""

    ONLY = 1

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ImportJob(ChoiceLabelModel):
    """One file staff uploaded to import: checked and previewed by a background task, imported
    by another once staff confirm, and kept as the record of who imported what and when."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked: waiting for confirmation"
        REFUSED = "refused", "Refused: nothing imported"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed: nothing imported"

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    importer = models.CharField(
        max_length=200,
        help_text="The function that reads the file (dotted path; see policies.tasks).",
    )
    model = models.CharField(
        max_length=100,
        help_text="The records the file holds, as app_label.model_name: confirming the import "
        "needs the permission to add them.",
    )
    subject = models.CharField(max_length=100, help_text="What the file holds, e.g. 'policies'.")
    options = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the uploaded file.")
    text = models.TextField(help_text="The file's text, decoded.")
    row_count = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Lists by heading, e.g. the rows that would change or the agreements a sheet would end.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.subject}, {self.uploaded_at:%Y-%m-%d %H:%M})"

    # A check or import still running after this long has most likely lost its worker.
    STALLED_AFTER = dt.timedelta(minutes=15)

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def stalled(self) -> bool:
        started = self.confirmed_at or self.uploaded_at
        return self.running and timezone.now() - started > self.STALLED_AFTER

    @property
    def confirmable(self) -> bool:
        return self.status == self.Status.CHECKED
