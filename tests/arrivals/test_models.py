import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from arrivals.models import ArrivalCount
from arrivals.services import arrivalcount_overlap_warning
from tests.factories import make_arrival_count, make_jurisdiction, make_source

pytestmark = pytest.mark.django_db


def validation_errors(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        make_arrival_count(**overrides)
    return error.value.message_dict


def test_figure_keeps_its_qualifier_when_shown():
    figure = make_arrival_count(value=50000, qualifier=ArrivalCount.Qualifier.MORE_THAN)
    assert figure.display_value == "more than 50,000"
    figure.qualifier, figure.unit = ArrivalCount.Qualifier.NEARLY, ArrivalCount.Unit.FAMILIES
    assert figure.display_value == "nearly 50,000 families"


def test_cumulative_period_reads_since_and_as_of():
    figure = make_arrival_count(
        period_start=dt.date(2022, 1, 1),
        period_start_precision="year",
        as_of=dt.date(2024, 11, 1),
        as_of_precision="month",
    )
    assert figure.period_display == "since 2022, as of November 2024"


def test_period_ending_before_it_starts_is_rejected():
    errors = validation_errors(
        period_type=ArrivalCount.PeriodType.RANGE,
        period_start=dt.date(2023, 5, 1),
        period_end=dt.date(2023, 4, 1),
        as_of=dt.date(2023, 6, 1),
    )
    assert errors["period_end"] == ["The period ends before it starts."]


def test_nothing_may_be_dated_after_the_as_of_date():
    errors = validation_errors(period_start=dt.date(2024, 1, 1), as_of=dt.date(2023, 11, 1))
    assert errors["period_start"] == ["The period starts after its as-of date."]
    errors = validation_errors(
        period_type=ArrivalCount.PeriodType.RANGE,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
        as_of=dt.date(2023, 6, 30),
    )
    assert errors["period_end"] == ["The period ends after its as-of date."]


def test_future_as_of_dates_and_negative_values_are_rejected():
    errors = validation_errors(as_of=dt.date.today() + dt.timedelta(days=2), value=-5)
    assert errors["as_of"] == ["The as-of date is in the future."]
    assert "A count cannot be negative." in errors["value"]


def test_bused_figures_name_their_sender():
    errors = validation_errors(measure=ArrivalCount.Measure.BUSED)
    assert errors["sender"] == ["A bused figure names the sending state, e.g. Texas."]


def test_a_month_runs_from_its_first_to_its_last_day():
    errors = validation_errors(
        period_type=ArrivalCount.PeriodType.MONTH,
        period_start=dt.date(2024, 2, 1),
        period_end=dt.date(2024, 2, 28),
        as_of=dt.date(2024, 3, 15),
    )
    assert errors["period_end"] == ["A month runs from its 1st to its last day."]
    leap_month = make_arrival_count(
        period_type=ArrivalCount.PeriodType.MONTH,
        period_start=dt.date(2024, 2, 1),
        period_end=dt.date(2024, 2, 29),
        as_of=dt.date(2024, 3, 15),
    )
    assert leap_month.period_display == "February 2024"


def test_overlapping_figures_of_the_same_place_measure_and_sender_are_found():
    chicago = make_jurisdiction(name="Chicago")
    earlier = make_arrival_count(jurisdiction=chicago, as_of=dt.date(2023, 11, 1))
    later = make_arrival_count(jurisdiction=chicago, as_of=dt.date(2024, 3, 12), value=36000)
    bused = make_arrival_count(
        jurisdiction=chicago, measure=ArrivalCount.Measure.BUSED, sender="Texas", value=31200
    )
    shelter_a = make_arrival_count(
        jurisdiction=chicago,
        measure=ArrivalCount.Measure.IN_SHELTER,
        period_type=ArrivalCount.PeriodType.POINT,
        period_start=None,
        as_of=dt.date(2024, 1, 12),
    )
    shelter_b = make_arrival_count(
        jurisdiction=chicago,
        measure=ArrivalCount.Measure.IN_SHELTER,
        period_type=ArrivalCount.PeriodType.POINT,
        period_start=None,
        as_of=dt.date(2024, 2, 13),
    )

    assert set(earlier.overlapping_figures()) == {later}
    assert set(bused.overlapping_figures()) == set()
    assert set(shelter_a.overlapping_figures()) == set()  # two dates, two separate counts
    assert shelter_b not in set(later.overlapping_figures())


def test_staff_get_an_overlap_warning_naming_the_other_figures():
    denver = make_jurisdiction(name="Denver", state="CO")
    texas_count = make_arrival_count(
        jurisdiction=denver,
        measure=ArrivalCount.Measure.BUSED,
        sender="Texas",
        value=16000,
        qualifier="at_least",
        source=make_source(publisher="New York Post"),
    )
    newsnation = make_arrival_count(
        jurisdiction=denver,
        measure=ArrivalCount.Measure.BUSED,
        sender="Texas",
        value=45000,
        qualifier="about",
        period_start=dt.date(2022, 1, 1),
        as_of=dt.date(2024, 11, 1),
    )
    warning = arrivalcount_overlap_warning(count=newsnation)
    assert "overlaps 1 other figure(s)" in warning
    assert "at least 16,000" in warning and "New York Post" in warning
    assert "never added" in warning
    assert arrivalcount_overlap_warning(count=make_arrival_count()) == ""
    assert texas_count in newsnation.overlapping_figures()


def test_a_figure_is_named_in_the_reader_language():
    figure = make_arrival_count(value=1200, measure=ArrivalCount.Measure.IN_SHELTER)
    with translation.override("es"):
        spanish, label = str(figure), str(ArrivalCount.Measure.IN_SHELTER.label)
    assert str(figure).endswith("1,200 (In shelter)")
    assert spanish.endswith(f"({label})") and label != "In shelter"
