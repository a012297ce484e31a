"""Choices of the review app."""

from django.db import models


class QueryStatus(models.TextChoices):
    """A data clarification query's state: raised by a monitor or data manager (OPEN),
    answered by the site (ANSWERED), accepted (CLOSED). Answered and closed queries can be
    reopened, which puts them back to OPEN."""

    OPEN = "OPEN", "Open"
    ANSWERED = "ANSWERED", "Answered"
    CLOSED = "CLOSED", "Closed"


class QueryMessageKind(models.TextChoices):
    RAISED = "RAISED", "Raised"
    ANSWERED = "ANSWERED", "Answered"
    CLOSED = "CLOSED", "Closed"
    REOPENED = "REOPENED", "Reopened"


class QueryAge(models.TextChoices):
    """Age buckets of open queries, in days since raised (the listing's `age` parameter)."""

    UNDER_7 = "lt7", "Under 7 days"
    FROM_7_TO_30 = "7to30", "7 to 30 days"
    OVER_30 = "gt30", "Over 30 days"


class VerificationStatus(models.TextChoices):
    """A record's source data verification, computed by comparing versions."""

    NOT_VERIFIED = "not_verified", "Not verified"
    VERIFIED = "verified", "Source verified"
    CLEARED = "cleared", "Verification cleared"
