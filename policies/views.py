from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from policies import selectors
from policies.models import Jurisdiction, Policy


def home(request: HttpRequest) -> HttpResponse:
    agreements = Policy.objects.published().filter(category=Policy.Category.AGREEMENT_287G)
    context = {
        "headline_figures": selectors.headline_figures(),
        "places": selectors.jurisdictions_with_records(),
        "agreement_totals": agreements.aggregate(
            total=Count("pk"),
            in_effect=Count("pk", filter=Q(status=Policy.Status.IN_EFFECT)),
            places=Count("jurisdiction", distinct=True),
        ),
    }
    return render(request, "policies/home.html", context)


def jurisdiction_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        jurisdiction = selectors.jurisdiction_with_records(slug=slug)
    except Jurisdiction.DoesNotExist:
        raise Http404("No jurisdiction with that address.") from None
    context = {
        "jurisdiction": jurisdiction,
        "figure_groups": selectors.figure_groups(figures=jurisdiction.published_figures),
        "children": selectors.jurisdiction_children(jurisdiction=jurisdiction)[:50],
    }
    return render(request, "policies/jurisdiction_detail.html", context)
