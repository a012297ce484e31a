"""Monitoring and data review (DESIGN.md "review"): what monitors, data managers and
investigators add on top of the clinical data, without changing it."""

from review.models.queries import Query, QueryMessage, QueryQuerySet
from review.models.review_marks import AdverseEventReviewMark
from review.models.signatures import Signature, SignatureMeaning
from review.models.verification import SourceVerification

__all__ = [
    "AdverseEventReviewMark",
    "Query",
    "QueryMessage",
    "QueryQuerySet",
    "Signature",
    "SignatureMeaning",
    "SourceVerification",
]
