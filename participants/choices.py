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
