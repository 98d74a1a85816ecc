"""Small builders for test records: `make_<model>(**overrides)` with valid defaults."""

import datetime as dt
from itertools import count

from arrivals.models import ArrivalCount
from policies.bulk import bulk_write
from policies.models import (
    Designation,
    Jurisdiction,
    NoPolicyFinding,
    Policy,
    PublicChange,
    Source,
)

_sequence = count(1)


def make_jurisdiction(**overrides) -> Jurisdiction:
    number = next(_sequence)
    fields = {
        "name": f"Testville {number}",
        "kind": Jurisdiction.Kind.CITY,
        "state": "IL",
    }
    fields.update(overrides)
    jurisdiction = Jurisdiction(**fields)
    jurisdiction.full_clean()
    jurisdiction.save()
    return jurisdiction


def make_state(code: str = "IL", name: str = "Illinois", **overrides) -> Jurisdiction:
    existing = Jurisdiction.objects.filter(kind=Jurisdiction.Kind.STATE, state=code).first()
    if existing:
        return existing
    return make_jurisdiction(name=name, kind=Jurisdiction.Kind.STATE, state=code, **overrides)


def make_source(**overrides) -> Source:
    number = next(_sequence)
    fields = {
        "publisher": "City of Testville",
        "title": f"Report {number}",
        "url": f"https://example.org/report-{number}",
        "published_on": dt.date(2024, 1, 15),
        "accessed_on": dt.date(2024, 2, 1),
        "kind": Source.Kind.OFFICIAL,
    }
    fields.update(overrides)
    source = Source(**fields)
    source.full_clean()
    source.save()
    return source


def make_policy(*, sources: list[Source] | None = None, **overrides) -> Policy:
    fields = {
        "jurisdiction": overrides.pop("jurisdiction", None) or make_jurisdiction(),
        "category": Policy.Category.SANCTUARY,
        "title": f"Welcoming ordinance {next(_sequence)}",
        "summary": "Limits the use of city resources for federal immigration enforcement.",
        "direction": Policy.Direction.LIMITS,
        "status": Policy.Status.IN_EFFECT,
        "effective_on": dt.date(2020, 1, 1),
        "published": True,
    }
    fields.update(overrides)
    policy = Policy(**fields)
    policy.full_clean()
    policy.save()
    policy.sources.set(sources or [make_source()])
    return policy


def make_arrival_count(**overrides) -> ArrivalCount:
    fields = {
        "jurisdiction": overrides.pop("jurisdiction", None) or make_jurisdiction(),
        "measure": ArrivalCount.Measure.NEW_ARRIVALS,
        "period_type": ArrivalCount.PeriodType.CUMULATIVE,
        "period_start": dt.date(2022, 8, 31),
        "as_of": dt.date(2023, 11, 1),
        "value": 20000,
        "qualifier": ArrivalCount.Qualifier.EXACT,
        "source": overrides.pop("source", None) or make_source(),
        "published": True,
    }
    fields.update(overrides)
    figure = ArrivalCount(**fields)
    figure.full_clean()
    figure.save()
    return figure


def make_designation(**overrides) -> Designation:
    fields = {
        "jurisdiction": overrides.pop("jurisdiction", None) or make_jurisdiction(),
        "designated_by": "U.S. Department of Justice",
        "label": "Sanctuary jurisdiction",
        "designated_on": dt.date(2025, 8, 5),
        "source": overrides.pop("source", None) or make_source(),
        "published": True,
    }
    fields.update(overrides)
    designation = Designation(**fields)
    designation.full_clean()
    designation.save()
    return designation


def delete_every_record() -> None:
    """Empty the data tables, their history and the updates log: the clean-up of data a
    module-scoped fixture wrote, which no test's rollback removes, so that the next module
    (the log's tests, say) starts from nothing."""
    with bulk_write():
        for model in (ArrivalCount, Designation, Policy, NoPolicyFinding):
            model.objects.all().delete()
        # Parents are protected: remove places from the bottom up.
        for kinds in (["city", "other"], ["county"], ["state"]):
            Jurisdiction.objects.filter(kind__in=kinds).delete()
        Source.objects.all().delete()
        for model in (ArrivalCount, Designation, Policy, NoPolicyFinding, Jurisdiction, Source):
            model.history.all().delete()
        PublicChange.objects.all().delete()
