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
