from django import forms

from arrivals.models import ArrivalCount
from policies.forms import UploadForm
from policies.import_widgets import cited_sources
from policies.models import Jurisdiction, Source


class ShelterCensusForm(UploadForm):
    """A shelter census to import (arrivals.importers.shelter_census), with the place it counts,
    the source it comes from and the population its shelters house."""

    place = forms.SlugField(
        help_text="The place's address name, as in its page's address, e.g. il-chicago."
    )
    source = forms.CharField(
        max_length=500,
        help_text="The URL of the census's source, entered under Sources first (if several "
        "sources share the URL, add a space and the publication date, YYYY-MM-DD).",
    )
    population = forms.ChoiceField(
        choices=ArrivalCount.Population.choices,
        initial=ArrivalCount.Population.MIGRANTS,
        help_text="Who the listed shelters house: migrants and asylum seekers only, or everyone "
        "the city shelters.",
    )

    def clean_place(self) -> Jurisdiction:
        place = Jurisdiction.objects.filter(slug=self.cleaned_data["place"]).first()
        if place is None:
            raise forms.ValidationError("No place has this address name.")
        return place

    def clean_source(self) -> Source:
        try:
            [source] = cited_sources(Source, [self.cleaned_data["source"]])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return source
