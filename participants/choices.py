from django.db import models


class ParticipantStatus(models.TextChoices):
    SCREENING = "screening", "Screening"
    SCREEN_FAILURE = "screen_failure", "Screen failure"
    ENROLLED = "enrolled", "Enrolled"
    ON_TREATMENT = "on_treatment", "On treatment"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class VisitStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"


class FormState(models.TextChoices):
    """A case report form's state at a visit, as the casebook shows it."""

    NOT_STARTED = "not_started", "Not started"
    INCOMPLETE = "incomplete", "Incomplete"
    COMPLETE = "complete", "Complete"
    OVERDUE = "overdue", "Overdue"


class TakenWithFood(models.TextChoices):
    """Whether the study drug was taken with meals, as the protocol literature advises
    (clinical.md s1: give with meals, for GI tolerability)."""

    YES = "yes", "Yes, with food"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
