"""Writes of the review app (STYLE.md: `<entity>_<action>`, keyword-only, atomic)."""

from review.services.queries import (
    can_answer,
    can_review,
    query_answer,
    query_close,
    query_raise,
    query_reopen,
)
from review.services.review_marks import adverse_event_mark_reviewed
from review.services.verification import can_verify, record_verify

__all__ = [
    "adverse_event_mark_reviewed",
    "can_answer",
    "can_review",
    "can_verify",
    "query_answer",
    "query_close",
    "query_raise",
    "query_reopen",
    "record_verify",
]
