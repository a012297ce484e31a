"""`{% record_panels record %}`: the panels other apps add to a clinical record's page."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from participants.views.records import RECORD_PANELS

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context, record):
    """Render each registered panel for `record` (nothing for a record not saved yet)."""
    request = context.get("request")
    if record is None or record.pk is None or request is None:
        return ""
    parts = []
    for panel in RECORD_PANELS:
        panel_context = panel(request, record)
        if panel_context:
            parts.append(render_to_string(panel_context["template"], panel_context, request))
    # Each part is a rendered template (escaped as it rendered): safe to join as HTML.
    return mark_safe("".join(parts))  # noqa: S308
