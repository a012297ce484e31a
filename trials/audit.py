"""Who, when, from where and why: the context stored with every audit event.

The database triggers of django-pghistory write an event for every insert, update and
delete on a tracked table, whatever issued it (ORM save, bulk update, raw SQL). This module
attaches the context those events carry: the user, the request path and client address
(middleware), and the reason for change (services, through `audit_reason`).
"""

import uuid
from contextlib import contextmanager

import pghistory
from django.conf import settings
from pghistory import runtime as pghistory_runtime
from pghistory.middleware import HistoryMiddleware


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only when a trusted proxy sets it."""
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware plus the client address and the username."""

    def get_context(self, request):
        context = super().get_context(request)
        context["ip"] = client_ip(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        return context


@contextmanager
def audit_reason(reason: str, *, user=None):
    """Attach a reason for change (and, outside a request, the user) to the events written
    inside the block. 21 CFR 11.10(e): changes must not obscure what was recorded before,
    and the reason is kept with them.

    Inside an enclosing context (a request's, or an outer `audit_reason`) the block gets a
    context of its own that inherits the enclosing metadata (user, url, ip). pghistory
    would otherwise merge the reason into the enclosing context, whose one database row
    all events of the request share and which is rewritten with the latest metadata: every
    write of the request, before and after the block, would show the last reason and user.
    """
    context = {"reason": reason}
    if user is not None:
        context["user"] = user.pk
        context["username"] = user.get_username()
    enclosing = getattr(pghistory_runtime._tracker, "value", None)
    if enclosing is None:
        with pghistory.context(**context):
            yield
        return
    # pghistory has no public API for a nested context with its own row: swap the
    # thread's current context (read by the execute hook the enclosing context installed)
    # for the block, then put the enclosing one back.
    pghistory_runtime._tracker.value = pghistory_runtime.Context(
        id=uuid.uuid4(), metadata={**enclosing.metadata, **context}
    )
    try:
        yield
    finally:
        pghistory_runtime._tracker.value = enclosing


def audit_trackers() -> tuple:
    """Fresh trackers for one model: insert, update and delete events, by trigger.

    A tracker instance binds to the model it tracks, so each model needs its own.
    """
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def history_for(obj, *, hidden_fields=()) -> list[dict]:
    """The audit trail of one record, oldest first: what changed, who, when, why, from where.

    Reads the events pghistory's triggers wrote for this row (not for related rows, so the
    history of a participant never carries its allocation). `hidden_fields` are left out
    of what is shown (blinded derived values such as a fixed dose in mg); they stay stored.
    """
    from pghistory.models import Events

    rows = []
    for event in Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"):
        context = event.pgh_context or {}
        if event.pgh_label == "insert":
            changes = [(field, None, value) for field, value in sorted(event.pgh_data.items())]
        else:
            changes = [
                (field, old, new) for field, (old, new) in sorted((event.pgh_diff or {}).items())
            ]
        changes = [change for change in changes if change[0] not in hidden_fields]
        rows.append(
            {
                "at": event.pgh_created_at,
                "action": event.pgh_label,
                "user": context.get("username") or context.get("user"),
                "reason": context.get("reason", ""),
                "url": context.get("url", ""),
                "ip": context.get("ip", ""),
                "changes": changes,
            }
        )
    return rows
