"""The reader site's query forms: every page, embed and download parses its query string
with one of these, so a bad parameter is a 400 with the field named, never a 500."""

import datetime as dt
from collections.abc import Callable

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from policies.geography import STATE_NAMES
from policies.models import Jurisdiction, Policy
from tracker.comparison import DEFAULT_SORT, NO_RECORD, SORTS, ComparisonFilters
from tracker.maps import DEFAULT_METRIC, MAP_METRICS, METRIC_ALIASES

EARLIEST_AS_OF = dt.date(1990, 1, 1)


def _fixed(choices: list[tuple[str, str]]) -> Callable[[], list[tuple[str, str]]]:
    """`choices` as a callable: a form deep-copies its fields' choices each time it is made
    (on every request, 304s included), and a callable is copied as itself."""
    return lambda: choices


def _choices(blank_label: str, choices, *extra) -> Callable[[], list[tuple[str, str]]]:
    return _fixed([("", blank_label), *choices, *extra])


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


class ComparisonFilterForm(forms.Form):
    """The comparison table's query string. Unknown values are refused with a 400."""

    q = forms.CharField(required=False, max_length=100, label=_("Search by name"))
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        choices=_choices(
            _("All states"), sorted(STATE_NAMES.items(), key=lambda code_name: code_name[1])
        ),
    )
    kind = forms.ChoiceField(
        required=False,
        label=_("Kind"),
        choices=_choices(_("All kinds"), Jurisdiction.Kind.choices),
    )
    direction = forms.ChoiceField(
        required=False,
        label=_("Has a policy that"),
        choices=_choices(_("Any direction"), Policy.Direction.choices),
    )
    detainer = forms.ChoiceField(
        required=False,
        label=_("Detainer rule"),
        choices=_choices(
            _("Any"), Policy.DetainerRule.choices, (NO_RECORD, _("No detainer rule recorded"))
        ),
    )
    model = forms.ChoiceField(
        required=False,
        label=_("287(g) model"),
        choices=_choices(
            _("Any"), Policy.AgreementModel.choices, (NO_RECORD, _("No 287(g) agreement"))
        ),
    )
    figures = forms.ChoiceField(
        required=False,
        label=_("Arrival figures"),
        choices=_choices(_("Any"), [("yes", _("With arrival figures")), ("no", _("Without"))]),
    )
    all = forms.BooleanField(required=False, label=_("Include places with no records"))
    as_of = AsOfField()
    sort = forms.ChoiceField(
        required=False,
        choices=_fixed([(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]),
        widget=forms.HiddenInput,
    )

    def to_filters(self, *, default_sort: str = DEFAULT_SORT) -> ComparisonFilters:
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
            sort=data["sort"] or default_sort,
        )


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


class CompareChartForm(CompareForm):
    """An embedded chart of one or more jurisdictions."""

    def clean_j(self) -> list[Jurisdiction]:
        chosen = super().clean_j()
        if not chosen:
            raise forms.ValidationError(_("Name at least one jurisdiction, e.g. ?j=il-chicago."))
        return chosen


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

    # Older addresses' metric names are accepted too, and read as their successor.
    metric = forms.ChoiceField(
        required=False, choices=[*MAP_METRICS.items(), *((old, old) for old in METRIC_ALIASES)]
    )

    def clean_metric(self) -> str:
        metric = self.cleaned_data["metric"] or DEFAULT_METRIC
        return METRIC_ALIASES.get(metric, metric)

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
