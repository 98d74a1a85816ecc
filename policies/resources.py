"""CSV import and export of jurisdictions, sources and policies (django-import-export).

Each resource lists its columns explicitly. Imports are idempotent: rows are matched on a
natural key (`import_id_fields`), unchanged rows are skipped, and a file with any invalid row
saves nothing (the import runs in one transaction).
"""

from itertools import batched

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q
from django.utils.encoding import force_str
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from import_export.widgets import ForeignKeyWidget

from policies.bulk import changes_batch
from policies.csv_import import CHANGES_LISTED
from policies.import_widgets import (
    ChoiceWidget,
    CountWidget,
    FlexibleDateWidget,
    OptionalCodeWidget,
    SourceListWidget,
    SourceWidget,
    StrictForeignKeyWidget,
    precision_fields_from_partial_dates,
)
from policies.models import (
    DatePrecision,
    Designation,
    Jurisdiction,
    NoPolicyFinding,
    Policy,
    Source,
)


def date_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, widget=FlexibleDateWidget())


def choice_field(name: str, choices, allow_blank: bool = False, default: str = "") -> fields.Field:
    widget = ChoiceWidget(choices, allow_blank=allow_blank, default=default)
    return fields.Field(attribute=name, widget=widget)


def precision_field(name: str) -> fields.Field:
    return choice_field(name, DatePrecision, default=DatePrecision.DAY)


def foreign_key_field(name: str, model, key: str, label: str) -> fields.Field:
    """A foreign key given by the related record's `key` field (a slug, a URL)."""
    return fields.Field(
        attribute=name, widget=StrictForeignKeyWidget(model, field=key, label=label)
    )


def jurisdiction_field() -> fields.Field:
    return foreign_key_field("jurisdiction", Jurisdiction, "slug", "jurisdiction")


def source_field() -> fields.Field:
    return fields.Field(attribute="source", widget=SourceWidget(Source))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def key_part(value: object) -> object:
    """A key cell as a dictionary key: a related record by its primary key."""
    return value.pk if isinstance(value, Model) else value


class KeyedInstanceLoader(BaseInstanceLoader):
    """The records a file's rows update, found by their natural key (`import_id_fields`, often
    several columns) in a few queries for the whole file instead of one per row:
    django-import-export's CachedInstanceLoader, for keys of several columns. Reads the keys
    `ValidatedResource.before_import` cleaned, searching by the resource's `key_lookup`: two key
    fields that narrow the search (an index's), the rest compared in memory."""

    chunk_size = 500

    def __init__(self, resource: "ValidatedResource", dataset=None) -> None:
        super().__init__(resource, dataset)
        model = resource._meta.model
        names = list(resource.get_import_id_fields())
        columns = [model._meta.get_field(resource.fields[n].attribute).attname for n in names]
        first, second = (names.index(name) for name in resource.key_lookup or names[:2])
        wanted = {tuple(map(key_part, key)) for key in resource.file_keys if key is not None}
        seconds: dict[object, set] = {}
        for key in wanted:
            seconds.setdefault(key[first], set()).add(key[second])
        # Related records a row compares (is it unchanged?) come with it, not a query each.
        related = [
            field.attribute
            for field in resource.get_import_fields()
            if isinstance(field.widget, ForeignKeyWidget)
        ]
        records = resource.get_queryset().select_related(*related).order_by()
        self.records: dict[tuple, list] = {}

        def second_among(others: set) -> Q:
            among = Q(**{f"{columns[second]}__in": others - {None}})
            if None in others:
                among |= Q(**{f"{columns[second]}__isnull": True})
            return among

        for chunk in batched(seconds.items(), self.chunk_size):
            matches = Q(
                *(Q(**{columns[first]: value}) & second_among(others) for value, others in chunk),
                _connector=Q.OR,
            )
            for record in records.filter(matches):
                key = tuple(getattr(record, column) for column in columns)
                if key in wanted:
                    self.records.setdefault(key, []).append(record)

    def instance_for(self, key: tuple) -> Model | None:
        found = self.records.get(tuple(map(key_part, key)), [])
        if len(found) > 1:
            model = self.resource._meta.model
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model._meta.object_name} -- it returned "
                f"{len(found)}!"
            )
        return found[0] if found else None


class NoDiff:
    """django-import-export's row diff, left out: it exports every field of every row twice to
    build an HTML diff for its own preview page, which imports here do not show (the import
    job's page lists the rows that change). Unchanged rows are still found by `skip_row`."""

    def __init__(self, resource, instance, new) -> None:
        pass

    def compare_with(self, resource, instance) -> None:
        pass

    def as_html(self) -> list:
        return []


class RowResultNamedLater(RowResult):
    """A row's result that names its record (`str()`) only if the import's report lists it, as
    the first CHANGES_LISTED rows that change are (`ValidatedResource.after_import_row`):
    naming every figure of a large file was a measurable share of its import."""

    def add_instance_info(self, instance) -> None:
        if instance is not None:
            self.object_id = getattr(instance, "pk", None)
            self.instance_to_name = instance


class ValidatedResource(resources.ModelResource):
    """Shared behaviour: full model validation, partial dates that set their precision, and
    one entry in the public updates log for the whole import."""

    partial_dates: tuple[tuple[str, str], ...] = ()
    file_refused = False  # set by `before_import`
    choices_read: set[str] = set()  # set by `before_import`
    _key_cells: dict[str, object] = {}  # the row's key values by attribute (`get_instance`)
    # Two key fields an index can search by (`KeyedInstanceLoader`); the first two by default.
    key_lookup: tuple[str, str] | None = None

    def import_data(self, dataset, **kwargs):
        plural = self._meta.model._meta.verbose_name_plural
        source = kwargs.get("file_name") or "a CSV file"
        with changes_batch(f"Import of {plural} from {source}"):
            return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        self._rows_by_key: dict[tuple, int] = {}  # the first row of the file with each key
        self._rows_named = 0
        self._key_attributes = [self.fields[n].attribute for n in self.get_import_id_fields()]
        self.file_keys: list[tuple | None] = []
        found = [str(header).strip() for header in dataset.headers or []]
        needed = [self.fields[name].column_name for name in self.get_import_id_fields()]
        missing = [column for column in needed if column not in found]
        # A file in another layout gets one error, this one, not another for each row.
        self.file_refused = bool(missing)
        if missing:
            plural = self._meta.model._meta.verbose_name_plural
            raise ValueError(
                f"This is not a file of {plural}: it has the columns "
                f"{', '.join(found) or '(none)'}, and an import of {plural} needs "
                f"{', '.join(needed)} (missing: {', '.join(missing)}). The columns it reads "
                "are listed on this page; the README describes each format."
            )
        # The places and sources the file names, read once (not once a row and cell).
        for field in self.get_import_fields():
            if hasattr(field.widget, "prefetch") and field.column_name in dataset.headers:
                field.widget.prefetch(dataset[field.column_name])
        # A choice read from a cell is one of the field's choices (ChoiceWidget refuses any
        # other): the model's validation need not look it up again on every row.
        self.choices_read = {
            field.attribute
            for field in self.get_import_fields()
            if isinstance(field.widget, ChoiceWidget) and field.column_name in dataset.headers
        }
        for values in dataset.dict:
            row = dict(values)
            self.normalise_row(row)
            key, errors = self._clean_key(row)
            self.file_keys.append(None if errors else key)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for field in self.get_import_fields():
            if hasattr(field.widget, "forget"):
                field.widget.forget()

    def normalise_row(self, row: dict) -> None:
        """What a cell means before it is read."""
        # Undo the export's neutralisation (below), so an exported file re-imports unchanged.
        for column, value in row.items():
            if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
                row[column] = value[1:]
        precision_fields_from_partial_dates(row, self.partial_dates)

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number")
        self.normalise_row(row)

    def get_row_result_class(self):
        return RowResultNamedLater

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        instance = row_result.__dict__.pop("instance_to_name", None)
        changed = row_result.import_type in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        )
        if instance is not None and changed and self._rows_named < CHANGES_LISTED:
            self._rows_named += 1
            try:
                row_result.object_repr = force_str(instance)
            except Exception:  # as django-import-export: a row is not refused for its name
                row_result.object_repr = ""
        if progress := kwargs.get("progress"):
            progress(kwargs["row_number"])

    def export_field(self, field, instance, **kwargs):
        """Every exported cell safe to open in a spreadsheet: text a spreadsheet would run as a
        formula gets a leading apostrophe. django-import-export's own setting only strips a
        leading "=", and loses it."""
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def _clean_key(self, row: dict) -> tuple[tuple | None, dict[str, list[ValidationError]]]:
        """The row's key cells, cleaned (None when a key column is missing), and their errors."""
        errors: dict[str, list[ValidationError]] = {}
        key = []
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                key.append(field.clean(row))
            except ValueError as error:
                errors[field.attribute] = [ValidationError(str(error))]
        complete = len(key) == len(self.get_import_id_fields())
        return (tuple(key) if complete else None), errors

    def get_instance(self, instance_loader, row):
        # The key `before_import` read from this row, unless it had a bad or missing cell (or
        # the file was refused before its rows were read).
        read = self._row_number <= len(self.file_keys)
        key = self.file_keys[self._row_number - 1] if read else None
        errors = {}
        self._key_cells = {}
        if key is None:
            key, errors = self._clean_key(row)
        # A bad cell in a key column would otherwise surface as an exception without its field;
        # report it, with the row's other bad cells, as a validation error.
        if errors:
            try:
                self.import_instance(self.init_instance(row), row)
            except ValidationError as error:
                for name, messages in error.error_dict.items():
                    errors.setdefault(name, messages)
            raise ValidationError(errors)
        if key is None:  # a key column is missing: every row is new
            self._repeated_key = ""
            return None
        self._repeated_key = self._row_with_the_same_key(key)
        self._key_cells = dict(zip(self._key_attributes, key, strict=True))
        return instance_loader.instance_for(key)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The row's key cells were read before its record was looked up: set what they gave
        # (django-import-export would read each again). A key value is never a many-to-many.
        if field.attribute in self._key_cells:
            value = self._key_cells[field.attribute]
            if value is not None or field.saves_null_values:
                setattr(instance, field.attribute, value)
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def _row_with_the_same_key(self, key: tuple) -> str:
        """Two rows with one key would be one record, the later silently overwriting the
        earlier (a shelter census with a row per shelter became one figure per day): say so,
        and `validate_instance` refuses the row with its other errors."""
        names = self.get_import_id_fields()
        first = self._rows_by_key.setdefault(key, self._row_number)
        if first == self._row_number:
            return ""
        columns = ", ".join(self.fields[name].column_name for name in names)
        return (
            f"Row {first} has the same {columns}: two rows would be one record, the later "
            "overwriting the earlier. Give each row its own values, or remove one of them."
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self._repeated_key:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(self._repeated_key))
        if self._meta.clean_model_instances:
            try:
                self.full_clean(instance, exclude=set(errors), validate_unique=validate_unique)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, instance, *, exclude: set[str], validate_unique: bool, **options) -> None:
        exclude = exclude | self.choices_read
        instance.full_clean(exclude=exclude, validate_unique=validate_unique, **options)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self.file_refused or super().skip_row(
            instance, original, row, import_validation_errors
        )

    def get_diff_class(self):
        return NoDiff

    def get_import_fields(self):
        # django-import-export builds this list again on every call, several times a row.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = KeyedInstanceLoader


class SourceResource(ValidatedResource):
    kind = choice_field("kind", Source.Kind)
    published_on = date_field("published_on")
    published_precision = precision_field("published_precision")
    accessed_on = date_field("accessed_on")
    partial_dates = (("published_on", "published_precision"),)

    class Meta(ValidatedResource.Meta):
        model = Source
        import_id_fields = ("url", "published_on")
        fields = (
            "publisher",
            "title",
            "url",
            "published_on",
            "published_precision",
            "accessed_on",
            "kind",
            "notes",
        )


class JurisdictionResource(ValidatedResource):
    kind = choice_field("kind", Jurisdiction.Kind)
    parent = foreign_key_field("parent", Jurisdiction, "slug", "parent jurisdiction")
    population = fields.Field(attribute="population", widget=CountWidget())
    geoid = fields.Field(attribute="geoid", widget=OptionalCodeWidget())

    class Meta(ValidatedResource.Meta):
        model = Jurisdiction
        import_id_fields = ("kind", "state", "name")
        fields = (
            "name",
            "kind",
            "state",
            "geoid",
            "parent",
            "population",
            "population_year",
            "slug",
        )
        export_order = fields

    def normalise_row(self, row: dict) -> None:
        super().normalise_row(row)
        if row.get("state"):
            row["state"] = str(row["state"]).strip().upper()


class CitingResource(ValidatedResource):
    """A record citing several sources by URL in a `sources` column."""

    sources = fields.Field(attribute="sources", widget=SourceListWidget(Source))

    def import_instance(self, instance, row, **kwargs):
        # Many-to-many cells are only read after the row is saved; check the sources first so a
        # missing one is reported against its row and field like any other error.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.error_dict
        if "sources" in row:
            try:
                self.fields["sources"].clean(row)
            except ValueError as error:
                errors["sources"] = [ValidationError(str(error))]
        if errors:
            raise ValidationError(errors)


class PolicyResource(CitingResource):
    jurisdiction = jurisdiction_field()
    category = choice_field("category", Policy.Category)
    direction = choice_field("direction", Policy.Direction)
    status = choice_field("status", Policy.Status)
    adopted_on = date_field("adopted_on")
    adopted_precision = precision_field("adopted_precision")
    effective_on = date_field("effective_on")
    effective_precision = precision_field("effective_precision")
    ended_on = date_field("ended_on")
    signed_on = date_field("signed_on")
    detainer_rule = choice_field("detainer_rule", Policy.DetainerRule, allow_blank=True)
    agreement_model = choice_field("agreement_model", Policy.AgreementModel, allow_blank=True)
    partial_dates = (("adopted_on", "adopted_precision"), ("effective_on", "effective_precision"))

    class Meta(ValidatedResource.Meta):
        model = Policy
        import_id_fields = ("jurisdiction", "category", "title")
        fields = (
            "jurisdiction",
            "category",
            "title",
            "legal_reference",
            "summary",
            "direction",
            "status",
            "adopted_on",
            "adopted_precision",
            "effective_on",
            "effective_precision",
            "ended_on",
            "detainer_rule",
            "detainer_exceptions",
            "agreement_model",
            "agency",
            "signed_on",
            "document_url",
            "sources",
            "public_note",
            "published",
            "notes",
        )
        export_order = fields


class NoPolicyFindingResource(CitingResource):
    jurisdiction = jurisdiction_field()
    checked_on = date_field("checked_on")

    class Meta(ValidatedResource.Meta):
        model = NoPolicyFinding
        import_id_fields = ("jurisdiction", "checked_on")
        fields = ("jurisdiction", "checked_on", "summary", "sources", "published", "notes")
        export_order = fields


class DesignationResource(ValidatedResource):
    jurisdiction = jurisdiction_field()
    designated_on = date_field("designated_on")
    source = source_field()

    class Meta(ValidatedResource.Meta):
        model = Designation
        import_id_fields = ("jurisdiction", "designated_by", "label", "designated_on")
        fields = (
            "jurisdiction",
            "designated_by",
            "list_name",
            "label",
            "designated_on",
            "source",
            "disputed",
            "dispute_note",
            "published",
        )
        export_order = fields
