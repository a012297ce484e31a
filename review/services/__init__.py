"""Writes of the review app (STYLE.md: `<entity>_<action>`, keyword-only, atomic)."""

from review.services.review_marks import adverse_event_mark_reviewed

__all__ = ["adverse_event_mark_reviewed"]
