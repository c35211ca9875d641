"""Template filters for the audit page: codes shown as plain Chinese labels (see audit.labels)."""

from django import template

from careledger.web import audit_labels as labels

register = template.Library()


@register.filter
def role_labels(codes: str) -> str:
    return labels.role_labels(codes)


@register.filter
def audit_object(event) -> str:
    return labels.object_label(event.object_type, event.object_id)


@register.filter
def detail_pairs(detail) -> list[tuple[str, str]]:
    return labels.detail_pairs(detail)
