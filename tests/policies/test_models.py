import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.utils import translation
from django.utils.translation import trans_real

from policies.models import (
    ChoiceLabelModel,
    DatePrecision,
    Jurisdiction,
    Policy,
    format_partial_date,
)
from tests.factories import make_jurisdiction, make_policy, make_source, make_state

pytestmark = pytest.mark.django_db


def error_messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


def test_jurisdiction_is_unique_by_kind_state_and_name():
    make_jurisdiction(name="Aurora", state="CO")
    make_jurisdiction(name="Aurora", state="IL")
    other = make_jurisdiction(name="Aurora", state="CO", kind=Jurisdiction.Kind.OTHER)
    assert other.slug == "co-aurora-2"
    with pytest.raises(IntegrityError):
        Jurisdiction.objects.create(name="Aurora", state="CO", kind="city", slug="other-slug")


def test_jurisdiction_slugs_separate_cities_from_counties_of_the_same_name():
    city = make_jurisdiction(name="Carson City", state="NV")
    county = make_jurisdiction(name="Carson City", state="NV", kind=Jurisdiction.Kind.COUNTY)
    parish = make_jurisdiction(name="Orleans Parish", state="LA", kind=Jurisdiction.Kind.COUNTY)
    assert (city.slug, county.slug, parish.slug) == (
        "nv-carson-city",
        "nv-carson-city-county",
        "la-orleans-parish",
    )
    assert make_state("CO", "Colorado").slug == "colorado"


def test_parent_in_another_state_is_rejected_with_a_clear_message():
    colorado = make_state("CO", "Colorado")
    city = Jurisdiction(name="Gary", kind="city", state="IN", parent=colorado)
    with pytest.raises(ValidationError) as error:
        city.full_clean()
    assert error_messages(error.value, "parent") == [
        "The parent is in CO, but this jurisdiction is in IN."
    ]


def test_state_name_must_match_its_code():
    with pytest.raises(ValidationError) as error:
        Jurisdiction(name="Ilinois", kind="state", state="IL").full_clean()
    assert error_messages(error.value, "name") == ["The state with code IL is named Illinois."]


def test_population_needs_its_year():
    with pytest.raises(ValidationError) as error:
        Jurisdiction(name="Elgin", kind="city", state="IL", population=114000).full_clean()
    assert "population_year" in error.value.message_dict


def test_month_precision_dates_are_stored_on_the_first():
    source = make_source(
        published_on=dt.date(2024, 11, 1), published_precision="month", accessed_on=None
    )
    assert source.published_display == "November 2024"
    source.published_on = dt.date(2024, 11, 20)
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "stored as the 1st" in error_messages(error.value, "published_on")[0]


@pytest.mark.parametrize(
    ("day", "precision", "shown"),
    [
        (dt.date(2024, 11, 19), DatePrecision.DAY, "Nov. 19, 2024"),
        (dt.date(2024, 5, 2), DatePrecision.DAY, "May 2, 2024"),
        (dt.date(2024, 11, 1), DatePrecision.MONTH, "November 2024"),
        (dt.date(2014, 1, 1), DatePrecision.YEAR, "2014"),
        (None, DatePrecision.DAY, ""),
    ],
)
def test_partial_dates_are_shown_as_precisely_as_known(day, precision, shown):
    assert format_partial_date(day, precision) == shown


def test_policy_ending_before_it_started_is_rejected():
    policy = make_policy()
    policy.status = Policy.Status.REPEALED
    policy.ended_on = dt.date(2019, 12, 31)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert error_messages(error.value, "ended_on") == [
        "The end date is before the policy took effect."
    ]


def test_policy_with_an_end_date_cannot_be_in_effect():
    policy = make_policy()
    policy.ended_on = dt.date(2024, 1, 1)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    message = error_messages(error.value, "status")[0]
    assert "choose enjoined, repealed, superseded or expired" in message


def test_detainer_rule_needs_its_rule_and_287g_agreements_cannot_have_one():
    with pytest.raises(ValidationError) as error:
        make_policy(category=Policy.Category.DETAINER)
    assert error_messages(error.value, "detainer_rule") == [
        "A detainer rule says when detainers are honored."
    ]
    with pytest.raises(ValidationError) as error:
        make_policy(
            category=Policy.Category.AGREEMENT_287G,
            agreement_model="task_force",
            agency="Sheriff's Office",
            direction="expands",
            detainer_rule=Policy.DetainerRule.ALWAYS,
        )
    assert error_messages(error.value, "detainer_rule") == [
        "A 287(g) agreement sets no detainer rule of its own."
    ]


def test_a_state_law_may_set_the_detainer_rule_it_imposes():
    law = make_policy(
        title="California Values Act",
        detainer_rule=Policy.DetainerRule.SERIOUS_OFFENSES,
        detainer_exceptions="Transfers allowed after convictions for listed serious offenses.",
    )
    assert law.get_detainer_rule_display() == "Honored for listed serious offenses"


def test_287g_agreement_names_its_model_and_agency():
    with pytest.raises(ValidationError) as error:
        make_policy(category=Policy.Category.AGREEMENT_287G, direction="expands")
    assert set(error.value.message_dict) == {"agreement_model", "agency"}


def test_policies_in_effect_on_a_date():
    place = make_jurisdiction()
    repealed = make_policy(
        jurisdiction=place,
        effective_on=dt.date(2010, 1, 1),
        ended_on=dt.date(2015, 6, 30),
        status=Policy.Status.REPEALED,
    )
    current = make_policy(jurisdiction=place, effective_on=dt.date(2017, 10, 5))
    signed = make_policy(
        jurisdiction=place,
        category=Policy.Category.AGREEMENT_287G,
        direction=Policy.Direction.EXPANDS,
        effective_on=None,
        signed_on=dt.date(2025, 2, 1),
        agreement_model=Policy.AgreementModel.TASK_FORCE,
        agency="Testville Police Department",
    )
    make_policy(jurisdiction=place, status=Policy.Status.PROPOSED, effective_on=None)
    undated = make_policy(jurisdiction=place, effective_on=None)

    def in_effect(day):
        return set(Policy.objects.in_effect_on(day))

    assert in_effect(dt.date(2009, 12, 31)) == set()
    assert in_effect(dt.date(2015, 6, 29)) == {repealed}
    assert in_effect(dt.date(2015, 6, 30)) == set()  # the end date is its first day out of force
    assert in_effect(dt.date(2020, 1, 1)) == {current}
    assert in_effect(dt.date(2025, 2, 1)) == {current, signed}
    assert undated not in in_effect(dt.date(2025, 2, 1))
    assert all(p.is_in_effect_on(dt.date(2025, 2, 1)) for p in in_effect(dt.date(2025, 2, 1)))
    assert not repealed.is_in_effect_on(dt.date(2016, 1, 1))


def test_policy_timeline_lists_dated_events_in_order():
    policy = make_policy(
        adopted_on=dt.date(2024, 11, 1),
        adopted_precision=DatePrecision.MONTH,
        effective_on=dt.date(2024, 12, 20),
    )
    assert [(label, shown) for _day, label, shown in policy.timeline] == [
        ("Adopted", "November 2024"),
        ("Took effect", "Dec. 20, 2024"),
    ]


def test_a_choice_label_is_translated_alone():
    """get_FOO_display() translated every label of the field on each call: 400 calls and
    some 2,000 translations on a place's page."""
    policy = Policy(category=Policy.Category.DETAINER)
    with mock.patch.object(translation._trans, "gettext", wraps=trans_real.gettext) as translated:
        assert policy.get_category_display() == "ICE detainer rule"
    assert translated.call_count == 1
    with translation.override("es"):
        assert policy.get_category_display() == "Regla sobre órdenes de retención de ICE"
    assert Policy(category="retired").get_category_display() == "retired"


def test_choice_labels_are_djangos_for_every_choice_field():
    compared = 0
    for model in apps.get_models():
        if not issubclass(model, ChoiceLabelModel):
            continue
        for field in (field for field in model._meta.concrete_fields if field.choices):
            for value in [*(choice for choice, _label in field.flatchoices), None, "", "gone"]:
                record = model(**{field.attname: value})
                for language in ("en", "es"):
                    with translation.override(language):
                        ours = record._get_FIELD_display(field)
                        assert ours == models.Model._get_FIELD_display(record, field)
                        compared += 1
    assert compared > 100


def test_an_unhashable_choice_is_labelled_as_django_labels_it():
    field = SimpleNamespace(attname="value", flatchoices=[([1, 2], "A pair"), ("b", "B")])
    assert ChoiceLabelModel._get_FIELD_display(SimpleNamespace(value=[1, 2]), field) == "A pair"
    assert ChoiceLabelModel._get_FIELD_display(SimpleNamespace(value=[3]), field) == "[3]"
