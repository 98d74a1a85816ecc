import datetime as dt

from django import template

from policies.models import Policy

register = template.Library()


@register.filter
def in_effect_on(policy: Policy, day: dt.date) -> bool:
    return policy.is_in_effect_on(day)
