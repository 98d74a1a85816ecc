import datetime as dt
from functools import lru_cache

from django import forms
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.html import format_html, format_html_join
from policies.comparison import DEFAULT_SORT, NO_RECORD, SORTS, ComparisonFilters
from policies.geography import STATE_NAMES
from policies.models import Jurisdiction, Policy

MAX_SHEET_BYTES = 5 * 1024 * 1024


class Ice287gImportForm(forms.Form):
    sheet = forms.FileField(
        help_text="ICE's '287(g) Participating Agencies' sheet saved as CSV, columns as ICE "
        "publishes them (STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE, SIGNED, ...)."
    )
    sheet_date = forms.DateField(
        help_text="The date ICE gave the sheet. Agreements missing from it are ended on this date."
    )
    preview = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Show what would change without saving. Untick to record the sheet.",
    )

    def clean_sheet_date(self) -> dt.date:
        sheet_date = self.cleaned_data["sheet_date"]
        if sheet_date > dt.date.today():
            raise forms.ValidationError("The sheet date is in the future.")
        return sheet_date

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("sheet")
        if upload is None:
            return cleaned
        if upload.size > MAX_SHEET_BYTES:
            raise forms.ValidationError({"sheet": "The file is larger than 5 MB."})
        raw = upload.read()
        try:
            cleaned["sheet_text"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            cleaned["sheet_text"] = raw.decode("cp1252", errors="replace")
        return cleaned


EARLIEST_AS_OF = dt.date(1990, 1, 1)


def html_attributes(attrs: dict) -> str:
    """Attributes as Django's forms template writes them: in order, True bare, False omitted."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class PlainSelect(forms.Select):
    """A <select> written in Python. Django renders each option through its own template;
    the table's filters have about 90 options, a tenth of an uncached table page's time."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        attributes = html_attributes(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)


class PlainInputMixin:
    """An <input> written in Python, as Django's template for it writes it."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', shown) if shown is not None else "",
            html_attributes(widget["attrs"]),
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainDateInput(PlainInputMixin, forms.DateInput):
    pass


class PlainCheckboxInput(PlainInputMixin, forms.CheckboxInput):
    pass


class PlainHiddenInput(PlainInputMixin, forms.HiddenInput):
    pass


class PlainLabelsMixin:
    """Labels written in Python: Django renders each one through a template, and the table's
    filter form is shown on every uncached table and home page."""

    def render(self, template_name=None, context=None, renderer=None):
        if template_name != self.template_name_label or context is None:
            return super().render(template_name, context, renderer)
        if not context["use_tag"]:
            return conditional_escape(context["label"])
        tag = context["tag"]
        return format_html(
            "<{}{}>{}</{}>", tag, html_attributes(context["attrs"]), context["label"], tag
        )


class _SharedFields(dict):
    def __deepcopy__(self, memo) -> dict:
        return dict(self)


def shares_fields[F: type[forms.BaseForm]](form_class: F) -> F:
    """A form that only checks a reader's query: its instances share their fields.

    Django deep-copies a form's fields for every instance, so that one instance may change its
    own (and a ChoiceField's widget normalizes its choices again as it is copied): for the
    table's filters, about 90 choices with translatable labels, that copying was two thirds of
    the time spent checking a query. These forms never change their fields after the class is
    defined. A subclass gets fields of its own, copied as usual."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


def _choices(blank_label: str, choices, *extra) -> list[tuple[str, str]]:
    return [("", blank_label), *choices, *extra]


class AsOfField(forms.DateField):
    """A date no earlier than 1990 and not in the future, written YYYY-MM-DD."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault("label", _("As of"))
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value and not EARLIEST_AS_OF <= value <= dt.date.today():
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and today."),
                code="range",
                params={"earliest": f"{EARLIEST_AS_OF:%Y-%m-%d}"},
            )


@shares_fields
class ComparisonFilterForm(PlainLabelsMixin, forms.Form):
    """The comparison table's query string. Unknown values are refused with a 400."""

    q = forms.CharField(
        required=False, max_length=100, label=_("Search by name"), widget=PlainTextInput
    )
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        widget=PlainSelect,
        choices=_choices(
            _("All states"), sorted(STATE_NAMES.items(), key=lambda code_name: code_name[1])
        ),
    )
    kind = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        label=_("Kind"),
        choices=_choices(_("All kinds"), Jurisdiction.Kind.choices),
    )
    direction = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        label=_("Has a policy that"),
        choices=_choices(_("Any direction"), Policy.Direction.choices),
    )
    detainer = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        label=_("Detainer rule"),
        choices=_choices(
            _("Any"), Policy.DetainerRule.choices, (NO_RECORD, _("No detainer rule recorded"))
        ),
    )
    model = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        label=_("287(g) model"),
        choices=_choices(
            _("Any"), Policy.AgreementModel.choices, (NO_RECORD, _("No 287(g) agreement"))
        ),
    )
    figures = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        label=_("Arrival figures"),
        choices=[("", _("Any")), ("yes", _("With arrival figures")), ("no", _("Without"))],
    )
    all = forms.BooleanField(
        required=False, label=_("Include places with no records"), widget=PlainCheckboxInput
    )
    as_of = AsOfField(widget=PlainDateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS],
        widget=PlainHiddenInput,
    )

    def __init__(self, *args, default_sort: str = DEFAULT_SORT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_sort = default_sort

    def to_filters(self) -> ComparisonFilters:
        data = self.cleaned_data
        return ComparisonFilters(
            q=data["q"].strip(),
            state=data["state"],
            kind=data["kind"],
            direction=data["direction"],
            detainer=data["detainer"],
            model=data["model"],
            figures=data["figures"],
            include_all=data["all"],
            as_of=data["as_of"],
            sort=data["sort"] or self.default_sort,
        )


@lru_cache(maxsize=1024)
def _checked_filters(
    raw_query: bytes, default_sort: str, today: dt.date
) -> ComparisonFilters | None:
    form = ComparisonFilterForm(QueryDict(raw_query), default_sort=default_sort)
    return form.to_filters() if form.is_valid() else None


def checked_filters(
    request: HttpRequest, *, default_sort: str = DEFAULT_SORT
) -> ComparisonFilters | None:
    """The table's filters from the request's query, or None if the form refuses it.

    A story's readers ask for the same few addresses over and over; each query is checked
    once per process and day (dates after today are refused) rather than field by field on
    every request. The key is the query's bytes, as Django reads request.GET from them."""
    raw_query = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    return _checked_filters(raw_query, default_sort, dt.date.today())


@shares_fields
class AsOfForm(forms.Form):
    as_of = AsOfField()


class CompareForm(forms.Form):
    """Two to six jurisdictions by slug: `?j=il-chicago&j=co-denver`."""

    j = forms.MultipleChoiceField(required=False, label="Jurisdictions")
    as_of = AsOfField()

    MIN, MAX = 2, 6

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any slug is acceptable to the field; existence is checked in clean_j with one query.
        self.fields["j"].valid_value = lambda value: bool(value)

    def clean_j(self) -> list[Jurisdiction]:
        slugs = list(dict.fromkeys(slug.strip() for slug in self.cleaned_data["j"] if slug.strip()))
        if any("\x00" in slug or len(slug) > 220 for slug in slugs):
            raise forms.ValidationError("That is not a jurisdiction's address.")
        if len(slugs) > self.MAX:
            raise forms.ValidationError(f"Compare at most {self.MAX} jurisdictions.")
        found = {j.slug: j for j in Jurisdiction.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise forms.ValidationError(
                _("Unknown jurisdiction: %(slugs)s."), params={"slugs": ", ".join(missing)}
            )
        return [found[slug] for slug in slugs]


@shares_fields
class EmbedOptionsForm(forms.Form):
    """How an embed looks: theme, and whether its header and footer show."""

    theme = forms.ChoiceField(
        required=False,
        choices=[("auto", _("Follow the host page")), ("light", _("Light")), ("dark", _("Dark"))],
    )
    header = forms.ChoiceField(required=False, choices=[("1", _("Show")), ("0", _("Hide"))])
    footer = forms.ChoiceField(required=False, choices=[("1", _("Show")), ("0", _("Hide"))])

    def options(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "theme": data.get("theme") or "auto",
            "show_header": data.get("header") != "0",
            "show_footer": data.get("footer") != "0",
        }


class EmbedCodeForm(EmbedOptionsForm):
    """Options of the embed-code generator, for one embed path."""

    path = forms.CharField(max_length=1000, widget=forms.HiddenInput)
    title = forms.CharField(max_length=300, widget=forms.HiddenInput)
    height = forms.IntegerField(
        required=False,
        min_value=150,
        max_value=4000,
        label=_("Fixed height in pixels (for sites that remove scripts)"),
    )

    def clean_path(self) -> str:
        path = self.cleaned_data["path"]
        language = translation.get_language_from_path(path)
        unprefixed = path.removeprefix(f"/{language}") if language else path
        if not unprefixed.startswith("/embed/") or "//" in path or "\\" in path:
            raise forms.ValidationError(_("Not an embed address."))
        return path


class MapForm(AsOfForm):
    """The map's parameters: what to count and on which date (today by default)."""

    metric = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from policies.selectors import MAP_METRICS

        self.fields["metric"].choices = list(MAP_METRICS.items())

    def clean_metric(self) -> str:
        return self.cleaned_data["metric"] or "state_law"

    def clean_as_of(self) -> dt.date:
        return self.cleaned_data["as_of"] or dt.date.today()


class UpdatesForm(forms.Form):
    """Filters of the updates and corrections log and its feed."""

    j = forms.SlugField(required=False, max_length=220, label=_("Jurisdiction"))
    batch = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        required=False,
        label=_("Import"),
        error_messages={"invalid": _("An import is named by 32 hexadecimal characters.")},
    )
