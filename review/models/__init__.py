"""Monitoring and data review (DESIGN.md "review"): what monitors, data managers and
investigators add on top of the clinical data, without changing it."""

from review.models.review_marks import AdverseEventReviewMark

__all__ = ["AdverseEventReviewMark"]
