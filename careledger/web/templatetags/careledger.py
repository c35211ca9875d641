"""Template filters for personal data: phone and ID numbers are masked wherever they are listed (SEC-16)."""

from django import template

from careledger.roster.rules import mask_id_number, mask_phone

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(value: str | None) -> str:
    return mask_phone(str(value)) if value else ""


@register.filter(name="mask_id")
def mask_id_filter(value: str | None) -> str:
    return mask_id_number(str(value)) if value else ""


@register.filter(name="at")
def at_filter(items, index: int):
    """``items[index]``, or "" past its end (a table's header for a cell: ``headers|at:forloop.counter0``)."""
    try:
        return items[index]
    except (IndexError, TypeError, KeyError):
        return ""
