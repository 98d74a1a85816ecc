"""Definitions of every term the data uses, for the methodology page.

Each group pairs a set of choices (their labels are what readers see elsewhere) with one
definition per value; pages link a term to `methodology#<prefix>-<value>`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrivals.models import ArrivalCount
from policies.models import Policy, Stance


@dataclass(frozen=True)
class Term:
    anchor: str
    name: str
    definition: str


@dataclass(frozen=True)
class TermGroup:
    anchor: str
    title: str
    terms: list[Term]


DEFINITIONS: dict[str, tuple[str, type[models.TextChoices], dict[str, str]]] = {
    "category": (
        _("Policy categories"),
        Policy.Category,
        {
            "sanctuary": _(
                "A measure adopted by a legislature, council or executive that limits the use "
                "of local or state resources for federal immigration enforcement. “Sanctuary” "
                "has no legal definition; we use the category for measures whose text limits "
                "cooperation, whatever they are called."
            ),
            "detainer": _(
                "When a jail honors an ICE detainer, a request to hold a person beyond their "
                "release so immigration agents can take custody. Exceptions are recorded in "
                "words."
            ),
            "287g": _(
                "A memorandum of agreement between ICE and a state or local agency under "
                "section 287(g) of the Immigration and Nationality Act, which lets designated "
                "officers perform some immigration-enforcement functions. ICE signs one "
                "agreement per model, so an agency with two models has two records. Agreements "
                "come from ICE's published sheets of participating agencies; one missing from "
                "a newer sheet is recorded as ended on that sheet's date."
            ),
            "cooperation": _(
                "Other rules or stated practices on cooperation: ICE access to jails, sharing "
                "information, whether police ask about immigration status."
            ),
        },
    ),
    "direction": (
        _("Direction"),
        Policy.Direction,
        {
            "limits": _(
                "The measure restricts what local or state officers do for federal "
                "immigration enforcement."
            ),
            "expands": _(
                "The measure requires or adds to it: a state ban on sanctuary policies, a "
                "mandate to honor detainers or to join 287(g), or a 287(g) agreement itself."
            ),
            "neither": _(
                "A statement or rule that does neither, such as a pledge to follow federal law "
                "as it applies."
            ),
        },
    ),
    "stance": (
        _("Where a place stands"),
        Stance,
        {
            "limits": _(
                "At least one of the place's own laws, ordinances or written rules in effect "
                "limits cooperation with federal immigration enforcement, and none requires it."
            ),
            "expands": _(
                "At least one of its rules in effect requires or expands cooperation (a state "
                "ban on sanctuary policies, a detainer mandate), and none limits it. 287(g) "
                "agreements are counted separately."
            ),
            "mixed": _(
                "Rules in effect point both ways, e.g. a state that bans sanctuary policies "
                "but limits courthouse arrests."
            ),
            "none_in_effect": _(
                "The place's rules on record had not begun, or had ended, by the date shown."
            ),
            "none_found": _(
                "Research found no law or local policy on cooperation; the record says when "
                "it was checked and what was consulted. A finding, not a gap: places not yet "
                "researched say “not yet researched”. A city's page also shows the county "
                "and state rules that apply to it."
            ),
        },
    ),
    "status": (
        _("Status"),
        Policy.Status,
        {
            "proposed": _("Introduced or announced, not adopted. Never counted as in effect."),
            "in_effect": _(
                "Adopted and in force, as far as its sources say. Where its start date was "
                "never recorded, pages say so and count it as in effect from today only."
            ),
            "partly_enjoined": _(
                "Some provisions are blocked by a court; the rest is in force. The record's "
                "note says which parts."
            ),
            "enjoined": _("Blocked by a court; the end date is the date of the order."),
            "repealed": _("Withdrawn by the body that adopted it."),
            "superseded": _(
                "Replaced by a later law or order, also recorded; the end date is when the "
                "replacement took effect."
            ),
            "expired": _("Lapsed, terminated, or no longer listed by ICE."),
        },
    ),
    "detainer": (
        _("ICE detainer rules"),
        Policy.DetainerRule,
        {
            "never": _("The jail does not hold people on ICE detainers."),
            "judicial_warrant": _(
                "The jail holds a person on a detainer only when a judge has signed a warrant."
            ),
            "serious_offenses": _(
                "The jail honors detainers only for people charged with or convicted of listed "
                "serious offenses (California's TRUST Act of 2013, for example, allowed holds "
                "only after convictions for offenses it listed)."
            ),
            "always": _("The jail honors every ICE detainer it receives."),
        },
    ),
    "model": (
        _("287(g) models"),
        Policy.AgreementModel,
        {
            "jail_enforcement": _(
                "Officers identify and process removable people held in the agency's jails."
            ),
            "task_force": _(
                "Officers exercise limited immigration authority during their routine police "
                "duties."
            ),
            "warrant_service": _(
                "Officers serve ICE administrative warrants on people already in the agency's "
                "custody."
            ),
        },
    ),
    "measure": (
        _("Arrival measures"),
        ArrivalCount.Measure,
        {
            "new_arrivals": _(
                "Migrants a city or state says arrived, usually counted cumulatively since a "
                "start date (“since August 2022, as of March 2024”)."
            ),
            "bused": _(
                "People a sending state says it transported, such as Texas under Operation "
                "Lone Star. This is the sender's count, not the destination's."
            ),
            "in_shelter": _("People (or families, where stated) in shelters on a date."),
            "unauthorized_population": _(
                "An estimate of residents without legal status, as published."
            ),
        },
    ),
    "population": (
        _("Populations counted"),
        ArrivalCount.Population,
        {
            "migrants": _(
                "Migrants and asylum seekers: the people this tracker is about, whether "
                "newly arrived, bused by a sending state, sheltered by a city's migrant "
                "program, or estimated as a place's unauthorized immigrant population. Only "
                "these figures are headline or latest figures."
            ),
            "everyone_in_shelter": _(
                "Everyone a shelter system houses, migrants and others: a homeless-services "
                "agency's total, such as New York City's DHS shelters or Massachusetts' "
                "Emergency Assistance family shelters. Shown as its own series, never as a "
                "count of migrants."
            ),
        },
    ),
    "period": (
        _("Periods"),
        ArrivalCount.PeriodType,
        {
            "cumulative": _(
                "Everyone counted since a start date, as of the date the figure was stated. "
                "A later cumulative figure includes the people in an earlier one."
            ),
            "month": _("Arrivals in one calendar month."),
            "range": _("Arrivals between two dates."),
            "point": _("A count on one date, such as people in shelter that day."),
        },
    ),
    "qualifier": (
        _("Qualifiers"),
        ArrivalCount.Qualifier,
        {
            "exact": _("The source gives the number without a qualifier."),
            "about": _("The source says “about” or “around”: a rounded figure."),
            "nearly": _("The source says “nearly” or “almost”: the true figure is lower."),
            "more_than": _(
                "The source says “more than”: the true figure is higher. “More than 50,000” "
                "is shown as such, never as 50,000."
            ),
            "at_least": _("The source says “at least”: a floor, not an estimate."),
            "fewer_than": _("The source says “fewer than”: a ceiling."),
            "estimated": _("The source calls the figure an estimate."),
        },
    ),
}


def glossary() -> list[TermGroup]:
    """Every term group, each term named as pages show it and defined."""
    return [
        TermGroup(
            anchor=prefix,
            title=title,
            terms=[
                Term(anchor=f"{prefix}-{value}", name=label, definition=definitions[value])
                for value, label in choices.choices
            ],
        )
        for prefix, (title, choices, definitions) in DEFINITIONS.items()
    ]
