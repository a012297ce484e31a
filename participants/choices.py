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


class FvcReferenceEquation(models.TextChoices):
    """The spirometry reference equation behind an FVC % predicted (clinical.md s4)."""

    GLI_2012 = "GLI-2012", "GLI-2012 (Quanjer 2012)"
    NHANES_III = "NHANES III", "NHANES III (Hankinson 1999)"
    ECSC_1993 = "ECSC 1993", "ECSC 1993 (Quanjer 1993)"
    OTHER = "OTHER", "Other (name it)"


class GenotypeCall(models.TextChoices):
    """A biallelic SNP genotype relative to the reference genome: clinical.md names the
    stratification variants but not their alleles, so the calls are generic."""

    REF_REF = "REF/REF", "ref/ref (homozygous reference)"
    REF_ALT = "REF/ALT", "ref/alt (heterozygous)"
    ALT_ALT = "ALT/ALT", "alt/alt (homozygous alternative)"
    NOT_DETERMINED = "ND", "Not determined"


class TakenWithFood(models.TextChoices):
    """Whether the study drug was taken with meals, as the protocol literature advises
    (clinical.md s1: give with meals, for GI tolerability)."""

    YES = "yes", "Yes, with food"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
