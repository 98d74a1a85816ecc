"""Forms that check a reader's query share their fields between instances; forms that change
their fields per instance keep copies of their own."""

from django.utils import translation

from policies.forms import AsOfForm, ComparisonFilterForm, MapForm


def test_query_forms_share_fields_and_still_judge_each_query_on_its_own():
    texas = ComparisonFilterForm({"state": "TX", "sort": "-arrivals"})
    nowhere = ComparisonFilterForm({"state": "ZZ"})
    assert texas.fields["state"] is nowhere.fields["state"]
    assert texas.is_valid() and texas.to_filters().state == "TX"
    assert not nowhere.is_valid() and "state" in nowhere.errors
    assert 'value="TX" selected' in str(texas["state"])
    assert "selected" not in str(nowhere["state"]).replace('value="" selected', "")
    with translation.override("es"):
        assert "Todos los estados" in str(ComparisonFilterForm({})["state"])


def test_a_subclass_that_changes_its_fields_changes_only_its_own_copy():
    first, second = MapForm({}), MapForm({})
    assert first.fields["metric"] is not second.fields["metric"]
    first.fields["as_of"].label = "changed"
    assert second.fields["as_of"].label != "changed"
    assert AsOfForm().fields["as_of"].label != "changed"
    assert "metric" not in AsOfForm().fields


def test_checked_filters_judge_each_query_once_per_day_and_default_order(rf, monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from policies import forms

    checked = []
    real_full_clean = ComparisonFilterForm.full_clean
    monkeypatch.setattr(
        ComparisonFilterForm, "full_clean", lambda form: checked.append(1) or real_full_clean(form)
    )
    forms._checked_filters.cache_clear()
    texas = rf.get("/jurisdictions/", {"state": "TX", "q": "Hou"})
    assert forms.checked_filters(texas) == forms.checked_filters(texas)
    assert forms.checked_filters(texas).state == "TX" and len(checked) == 1
    assert forms.checked_filters(rf.get("/", {"state": "TX", "q": "Hou"})) is not None
    assert len(checked) == 1  # the same query's bytes, whatever the path

    plain, by_arrivals = rf.get("/"), rf.get("/")
    assert forms.checked_filters(plain).sort == "name"
    assert forms.checked_filters(by_arrivals, default_sort="-arrivals").sort == "-arrivals"

    assert forms.checked_filters(rf.get("/", {"state": "ZZ"})) is None
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    later = rf.get("/", {"as_of": tomorrow.isoformat()})
    assert forms.checked_filters(later) is None

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return tomorrow

    # The next day, the same address is judged again: that date is no longer in the future.
    monkeypatch.setattr(forms, "dt", SimpleNamespace(date=Tomorrow))
    assert forms.checked_filters(later).as_of == tomorrow


def test_checked_filters_read_the_query_as_django_does(rf):
    from policies.forms import checked_filters

    request = rf.get("/jurisdictions/?q=Do%C3%B1a+Ana&state=NM")
    assert checked_filters(request).q == request.GET["q"] == "Doña Ana"
