"""Monitoring and data review (DESIGN.md "review"): what monitors, data managers and
investigators add on top of the clinical data, without changing it."""

from review.models.signatures import Signature, SignatureMeaning

__all__ = ["Signature", "SignatureMeaning"]
