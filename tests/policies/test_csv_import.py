import datetime as dt
import io

import pytest
import tablib
from django.db.models import F

from arrivals.models import ArrivalCount
from arrivals.resources import ArrivalCountResource
from policies.csv_import import csv_import
from policies.models import Jurisdiction, Policy, PublicChange
from policies.resources import JurisdictionResource, PolicyResource
from tests.factories import make_jurisdiction, make_source, make_state

pytestmark = pytest.mark.django_db

FIGURE_HEADER = (
    "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
    "sender,program,reported_by,source,notes,published"
)


@pytest.fixture
def places():
    illinois = make_state("IL", "Illinois")
    return {
        "chicago": make_jurisdiction(name="Chicago", state="IL", parent=illinois),
        "source": make_source(url="https://example.org/oemc"),
    }


def figures_csv(*rows: str) -> str:
    return "\n".join([FIGURE_HEADER, *rows]) + "\n"


GOOD_ROWS = (
    'il-chicago,new_arrivals,people,cumulative,2022-08-31,,11/1/2023,"20,000",exact,,,City OEMC,'
    "https://example.org/oemc,,true",
    "il-chicago,in_shelter,people,point,,,2024-01,15000,nearly,,,City of Chicago,"
    "https://example.org/oemc,peak,true",
    'il-chicago,bused,people,cumulative,2022-08,,1/29/2024,"31,200",at least,Texas,'
    "Operation Lone Star,Office of the Texas Governor,https://example.org/oemc,,true",
)


def test_good_file_is_imported_with_us_dates_separators_and_month_dates(places):
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS))

    assert report.ok, report.errors
    assert (report.created, report.updated, report.skipped) == (3, 0, 0)
    cumulative = ArrivalCount.objects.get(measure="new_arrivals")
    assert cumulative.value == 20000
    assert cumulative.as_of == dt.date(2023, 11, 1)
    shelter = ArrivalCount.objects.get(measure="in_shelter")
    assert (shelter.as_of, shelter.as_of_precision) == (dt.date(2024, 1, 1), "month")
    assert shelter.display_value == "nearly 15,000"
    bused = ArrivalCount.objects.get(measure="bused")
    assert bused.qualifier == "at_least"  # given by its label
    assert bused.period_display == "since August 2022, as of Jan. 29, 2024"


def test_a_file_with_one_bad_row_saves_nothing_and_names_the_row_and_field(places):
    bad_row = (
        "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2024-13-45,5000,exact,,,,"
        "https://example.org/oemc,,true"
    )
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS, bad_row))

    assert not report.ok
    assert ArrivalCount.objects.count() == 0
    [error] = report.errors
    assert (error.row, error.field) == (4, "as_of")
    assert str(error) == (
        "row 4 (line 5), field 'as_of': '2024-13-45' is not a date; use 2024-01-04 or "
        "1/4/2024 (or 2024-01 for a month)."
    )
    assert report.summary() == "1 error(s); nothing was saved."


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,lots,exact,,,,"
            "https://example.org/oemc,,true",
            "value",
            "'lots' is not a whole number.",
        ),
        (
            "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,-4,exact,,,,"
            "https://example.org/oemc,,true",
            "value",
            "-4 is negative; a count cannot be negative.",
        ),
        (
            "il-springfield,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,5,exact,,,,"
            "https://example.org/oemc,,true",
            "jurisdiction",
            "No jurisdiction with slug 'il-springfield'.",
        ),
        (
            "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,5,roughly,,,,"
            "https://example.org/oemc,,true",
            "qualifier",
            "'roughly' is not one of: exact, about, nearly, more_than, at_least, fewer_than, "
            "estimated.",
        ),
        (
            "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,5,exact,,,,"
            "https://example.org/missing,,true",
            "source",
            "No source with URL https://example.org/missing; add it under Sources first.",
        ),
        (
            "il-chicago,bused,people,cumulative,2023-08-31,,2023-01-01,5,exact,,,,"
            "https://example.org/oemc,,true",
            "period_start",
            "The period starts after its as-of date.",
        ),
    ],
)
def test_each_kind_of_bad_cell_is_reported_against_its_field(places, row, field, message):
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(GOOD_ROWS[0], row))

    assert ArrivalCount.objects.count() == 0
    assert any(e.row == 2 and e.field == field and e.message == message for e in report.errors), [
        str(e) for e in report.errors
    ]


def test_reimporting_the_same_file_changes_nothing(places):
    text = figures_csv(*GOOD_ROWS)
    csv_import(resource=ArrivalCountResource(), text=text)
    before = list(ArrivalCount.objects.order_by("pk").values())
    history_before = ArrivalCount.history.count()

    report = csv_import(resource=ArrivalCountResource(), text=text)

    assert (report.created, report.updated, report.skipped) == (0, 0, 3)
    assert list(ArrivalCount.objects.order_by("pk").values()) == before
    assert ArrivalCount.history.count() == history_before


def test_dry_run_reports_without_saving(places):
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS), dry_run=True)
    assert report.ok and report.created == 3
    assert ArrivalCount.objects.count() == 0
    assert "would be imported" in report.summary()


def test_policy_import_requires_known_sources_and_reports_them_by_row(places):
    header = "jurisdiction,category,title,summary,direction,status,effective_on,sources,published"
    good = (
        "il-chicago,sanctuary,Welcoming City Ordinance,Limits city cooperation.,limits,"
        "in_effect,2012-09-12,https://example.org/oemc,true"
    )
    unknown_source = (
        "il-chicago,detainer,Detainer rule,Declines detainers.,limits,in_effect,1/4/2012,"
        "https://example.org/nowhere,true"
    )
    report = csv_import(resource=PolicyResource(), text=f"{header}\n{good}\n{unknown_source}\n")

    assert Policy.objects.count() == 0
    messages = {(e.row, e.field): e.message for e in report.errors}
    assert messages[(2, "sources")] == (
        "No source with URL https://example.org/nowhere; add it under Sources first."
    )
    assert messages[(2, "detainer_rule")] == "A detainer rule says when detainers are honored."

    report = csv_import(resource=PolicyResource(), text=f"{header}\n{good}\n")
    assert report.ok, report.errors
    policy = Policy.objects.get()
    assert list(policy.sources.all()) == [places["source"]]
    again = csv_import(resource=PolicyResource(), text=f"{header}\n{good}\n")
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)


def test_jurisdiction_import_matches_on_kind_state_and_name():
    make_state("IL", "Illinois")
    text = (
        "name,kind,state,geoid,parent,population,population_year\n"
        'Elgin,city,il,1723074,illinois,"112,456",2014\n'
    )
    first = csv_import(resource=JurisdictionResource(), text=text)
    second = csv_import(resource=JurisdictionResource(), text=text)

    assert first.ok and first.created == 1, first.errors
    assert second.skipped == 1
    elgin = Jurisdiction.objects.get(name="Elgin")
    assert (elgin.state, elgin.population, elgin.parent.name) == ("IL", 112456, "Illinois")


def test_unreadable_or_headerless_files_are_reported_not_raised(places):
    report = csv_import(resource=ArrivalCountResource(), text="value\n5\n")
    assert not report.ok
    assert "jurisdiction" in report.errors[0].message


def test_an_import_that_fails_halfway_leaves_the_database_exactly_as_before(places):
    from django.core.management import call_command

    def dump() -> str:
        out = io.StringIO()
        call_command("dumpdata", "policies", "arrivals", stdout=out)
        return out.getvalue()

    csv_import(resource=ArrivalCountResource(), text=figures_csv(GOOD_ROWS[0]))
    before = dump()
    rows = [GOOD_ROWS[1], GOOD_ROWS[2]] * 20 + [
        "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2024-03-12,-1,exact,,,,"
        "https://example.org/oemc,,true"
    ]
    changed = [row.replace(",15000,", ",15001,") for row in rows]
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*changed))

    assert not report.ok
    assert dump() == before


def test_exports_neutralise_formulas_and_reimport_unchanged(places):
    """Security review finding 7: admin exports carried live spreadsheet formulas."""
    from tests.factories import make_policy

    make_policy(
        jurisdiction=places["chicago"],
        title="+cmd|' /C calc'!A0",
        summary='=HYPERLINK("https://evil.example","click")',
        public_note="-2+3",
        sources=[places["source"]],
    )
    exported = PolicyResource().export().csv
    rows = exported.splitlines()
    assert "'+cmd|' /C calc'!A0" in exported and "'=HYPERLINK(" in exported
    assert ",'-2+3," in rows[1]

    report = csv_import(resource=PolicyResource(), text=exported)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.skipped) == (0, 0, 1)
    policy = Policy.objects.get()
    assert policy.summary.startswith("=HYPERLINK(") and policy.title.startswith("+cmd")


def test_two_rows_with_one_key_are_refused_naming_both_and_nothing_is_saved(places):
    # One row per shelter on one day: the shelter is only in the notes, not in the key.
    shelters = figures_csv(
        "il-chicago,in_shelter,people,point,,,2024-01-10,500,exact,,,City of Chicago,"
        "https://example.org/oemc,Shelter A,true",
        "il-chicago,in_shelter,people,point,,,2024-01-11,650,exact,,,City of Chicago,"
        "https://example.org/oemc,Shelter A,true",
        "il-chicago,in_shelter,people,point,,,1/10/2024,700,exact,,,City of Chicago,"
        "https://example.org/oemc,Shelter B,true",
    )

    for dry_run in (True, False):
        report = csv_import(resource=ArrivalCountResource(), text=shelters, dry_run=dry_run)

        [error] = report.errors
        assert error.row == 3
        assert "Row 1 has the same jurisdiction, measure, unit" in str(error)
        assert ArrivalCount.objects.count() == 0


def test_policies_with_one_key_twice_in_a_file_are_refused(places):
    header = "jurisdiction,category,title,summary,direction,status,sources,published"
    row = "il-chicago,sanctuary,Welcoming City Ordinance,{},limits,in_effect,https://example.org/oemc,true"
    text = "\n".join([header, row.format("Version one"), row.format("Version two")]) + "\n"

    report = csv_import(resource=PolicyResource(), text=text)

    assert [(error.row, error.field) for error in report.errors] == [(2, "")]
    assert "Row 1 has the same jurisdiction, category, title" in report.errors[0].message
    assert not Policy.objects.exists()


def test_an_unchanged_export_reimports_unchanged_when_sources_share_a_url(places):
    # Each of ICE's dated sheets is at one address: two sources, one URL.
    july, september = (
        make_source(url="https://www.ice.gov/287g", published_on=day, accessed_on=day)
        for day in (dt.date(2025, 7, 18), dt.date(2025, 9, 1))
    )
    policy = Policy.objects.create(
        jurisdiction=places["chicago"],
        category=Policy.Category.AGREEMENT_287G,
        title="287(g) task force agreement",
        summary="Listed by ICE.",
        direction=Policy.Direction.EXPANDS,
        status=Policy.Status.IN_EFFECT,
        agreement_model=Policy.AgreementModel.TASK_FORCE,
        agency="Chicago Police Department",
        published=True,
    )
    policy.sources.set([july, september])
    figure = ArrivalCount.objects.create(
        jurisdiction=places["chicago"],
        measure="new_arrivals",
        period_type="point",
        as_of=dt.date(2025, 9, 1),
        value=10,
        qualifier="exact",
        source=september,
        published=True,
    )

    for resource in (PolicyResource(), ArrivalCountResource()):
        exported = resource.export().csv
        assert "https://www.ice.gov/287g 2025-09-01" in exported
        report = csv_import(resource=resource, text=exported)
        assert report.ok, report.errors
        assert (report.created, report.updated) == (0, 0)

    assert set(policy.sources.all()) == {july, september}
    assert ArrivalCount.objects.get().source == september == figure.source


def test_a_url_several_sources_share_must_be_told_apart_by_date(places):
    for day in (dt.date(2025, 7, 18), dt.date(2025, 9, 1)):
        make_source(url="https://www.ice.gov/287g", published_on=day, accessed_on=day)
    text = figures_csv(
        "il-chicago,new_arrivals,people,point,,,2025-09-01,10,exact,,,,"
        "https://www.ice.gov/287g,,true"
    )

    report = csv_import(resource=ArrivalCountResource(), text=text)

    assert [error.field for error in report.errors] == ["source"]
    assert "Several sources have the URL https://www.ice.gov/287g (published 2025-07-18, " in (
        report.errors[0].message
    )
    assert not ArrivalCount.objects.exists()


def test_a_figure_overlapping_a_recorded_one_is_imported_and_flagged(places):
    csv_import(resource=ArrivalCountResource(), text=figures_csv(GOOD_ROWS[0]))
    overlapping = (
        'il-chicago,new_arrivals,people,cumulative,2023-01-01,,2024-03-12,"30,000",about,,,'
        "Another office,https://example.org/oemc,,true"
    )

    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(overlapping))

    assert report.ok and report.created == 1
    [warning] = report.warnings
    assert warning.startswith("Row 1: Chicago, IL: this figure's period overlaps 1 other")


def test_a_corrected_figure_changes_only_what_its_row_changes_and_is_logged(places):
    csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS))
    corrected = ArrivalCount.objects.get(measure="in_shelter")
    untouched = list(ArrivalCount.objects.exclude(pk=corrected.pk).order_by("pk").values())
    # A day later: not merged into the entry of the figure's addition.
    PublicChange.objects.update(changed_at=F("changed_at") - dt.timedelta(days=1))

    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace(",15000,", ",15500,"), GOOD_ROWS[2]]
    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*rows))

    assert (report.created, report.updated, report.skipped) == (0, 1, 2)
    corrected.refresh_from_db()
    assert (corrected.value, corrected.qualifier, corrected.notes) == (15500, "nearly", "peak")
    assert list(ArrivalCount.objects.exclude(pk=corrected.pk).order_by("pk").values()) == untouched
    entry = PublicChange.objects.filter(record_id=corrected.pk).first()
    assert entry.kind == PublicChange.Kind.CHANGED
    assert entry.changes == [["value", 15000, 15500]]
    assert entry.record_label == "In shelter: 15,500"


def test_a_file_saved_in_several_batches_rebuilds_its_places_summaries_once(places, monkeypatch):
    evanston = make_jurisdiction(name="Evanston", state="IL", parent=places["chicago"].parent)
    rows = [
        f"{place.slug},in_shelter,people,point,,,2024-03-{day:02},{day * 100},exact,,,,"
        "https://example.org/oemc,,true"
        for place in (places["chicago"], evanston)
        for day in range(1, 6)
    ]
    monkeypatch.setattr(ArrivalCountResource._meta, "batch_size", 3)
    rebuilt = []
    monkeypatch.setattr("tracker.summaries.refresh_summaries", lambda ids: rebuilt.append(ids))

    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*rows))

    assert report.ok, report.errors
    assert rebuilt == [{places["chicago"].pk, evanston.pk}]


def test_a_file_saved_in_several_batches_updates_the_places_latest_figure(places, monkeypatch):
    rows = [
        f"il-chicago,in_shelter,people,point,,,2024-03-{day:02},{day * 100},exact,,,,"
        "https://example.org/oemc,,true"
        for day in range(1, 6)
    ]
    monkeypatch.setattr(ArrivalCountResource._meta, "batch_size", 2)

    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*rows))

    assert report.ok, report.errors
    summary = places["chicago"].summary
    assert summary.latest_figure.as_of == dt.date(2024, 3, 5)
    assert summary.latest_figure_value == 500


def test_the_report_names_the_first_rows_that_change_and_no_more(places, monkeypatch):
    csv_import(resource=ArrivalCountResource(), text=figures_csv(GOOD_ROWS[0]))
    monkeypatch.setattr("policies.csv_import.CHANGES_LISTED", 2)
    monkeypatch.setattr("policies.resources.CHANGES_LISTED", 2)

    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS))

    assert (report.created, report.skipped) == (2, 1)
    shelter, bused = (ArrivalCount.objects.get(measure=m) for m in ("in_shelter", "bused"))
    assert report.changes == [(2, "new", str(shelter)), (3, "new", str(bused))]
    assert str(shelter) == "Chicago, IL: nearly 15,000 (In shelter)"


def test_rows_past_those_the_report_lists_are_not_named(places, monkeypatch):
    monkeypatch.setattr("policies.resources.CHANGES_LISTED", 1)
    dataset = tablib.Dataset().load(figures_csv(*GOOD_ROWS), format="csv")

    result = ArrivalCountResource().import_data(dataset, dry_run=True)

    names = [row.object_repr for row in result.rows]
    assert names == ["Chicago, IL: 20,000 (New arrivals)", None, None]


def test_a_choice_column_whose_header_is_not_read_still_needs_a_value(places):
    header = "jurisdiction,category,title,summary,direction,status ,sources,published"
    row = (
        "il-chicago,sanctuary,Welcoming City,Limits.,limits,in_effect,https://example.org/oemc,true"
    )

    report = csv_import(resource=PolicyResource(), text=f"{header}\n{row}\n")

    assert [(error.row, error.field) for error in report.errors] == [(1, "status")]
    assert not Policy.objects.exists()


def test_a_corrected_figure_is_stamped_as_updated_and_keeps_its_other_fields(places):
    csv_import(resource=ArrivalCountResource(), text=figures_csv(*GOOD_ROWS))
    ArrivalCount.objects.update(updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    corrected = GOOD_ROWS[1].replace(",15000,", ",15250,")

    report = csv_import(resource=ArrivalCountResource(), text=figures_csv(corrected))

    assert (report.updated, report.created) == (1, 0)
    shelter = ArrivalCount.objects.get(measure="in_shelter")
    assert (shelter.value, shelter.notes, shelter.qualifier) == (15250, "peak", "nearly")
    assert shelter.updated_at.year > 2024
    untouched = ArrivalCount.objects.exclude(pk=shelter.pk)
    assert {figure.updated_at.year for figure in untouched} == {2024}
