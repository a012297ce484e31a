from django.db import models


class Phase(models.TextChoices):
    PHASE_1 = "1", "Phase I"
    PHASE_1_2 = "1/2", "Phase I/II"
    PHASE_2 = "2", "Phase II"
    PHASE_2A = "2a", "Phase IIa"
    PHASE_3 = "3", "Phase III"


class Blinding(models.TextChoices):
    OPEN = "open", "Open label"
    SINGLE = "single", "Single blind"
    DOUBLE = "double", "Double blind"


class TrialStatus(models.TextChoices):
    SETUP = "setup", "In set-up"
    RECRUITING = "recruiting", "Recruiting"
    ACTIVE = "active", "Active, not recruiting"
    CLOSED = "closed", "Closed"


class Frequency(models.TextChoices):
    """CDISC EXDOSFRQ terms for the administrations a day."""

    QD = "QD", "Once daily"
    BID = "BID", "Twice daily"
    TID = "TID", "Three times daily"
    QID = "QID", "Four times daily"


class RegimenType(models.TextChoices):
    FIXED = "fixed", "Fixed dose per administration"
    WEIGHT_BASED = "weight", "Weight-based (mg/kg/day)"


class DoseForm(models.TextChoices):
    """CDISC EXDOSFRM-like dose forms for oral L-serine (clinical.md s1: powder, capsule,
    gummy). POWDER and CAPSULE are CDISC terms; CDISC has no gummy (its nearest is
    "TABLET, CHEWABLE"), so GUMMY is a sponsor term."""

    POWDER = "POWDER", "Powder (sachet or scoop)"
    CAPSULE = "CAPSULE", "Capsule"
    GUMMY = "GUMMY", "Gummy"


class Role(models.TextChoices):
    SITE_COORDINATOR = "site_coordinator", "Site coordinator"
    INVESTIGATOR = "investigator", "Investigator"
    MONITOR = "monitor", "Monitor (CRA)"
    DATA_MANAGER = "data_manager", "Data manager"
    UNBLINDED = "unblinded", "Unblinded pharmacist / statistician"
    STUDY_COORDINATOR = "study_coordinator", "Study coordinator"


# Roles whose scope is one site; the others may be given all sites of the trial.
SITE_ROLES = (Role.SITE_COORDINATOR, Role.INVESTIGATOR)


class Assessment(models.TextChoices):
    """What a visit definition says is due at the visit."""

    VITALS = "vitals", "Vital signs and weight"
    LABS = "labs", "Safety labs"
    AE_REVIEW = "ae_review", "Adverse event review"
    DOSING = "dosing", "Study drug exposure"
    ALSFRS_R = "alsfrs_r", "ALSFRS-R"
    FVC = "fvc", "FVC"
    PK = "pk", "Pharmacokinetic samples"
    GENOTYPE = "genotype", "Genotype"
    END_OF_STUDY = "end_of_study", "End of study"


class Sex(models.TextChoices):
    """CDISC SEX."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"


class SexScope(models.TextChoices):
    """A reference range applies to one sex or to both."""

    BOTH = "B", "Both"
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class Analyte(models.TextChoices):
    """CDISC LBTESTCD of every safety-lab analyte in the catalogue (safety/analytes.py holds
    each one's panel, units and limits). BUN and urea are one test reported two ways."""

    CREAT = "CREAT", "Creatinine"
    BUN = "BUN", "Blood urea nitrogen"
    UREA = "UREA", "Urea"
    HGB = "HGB", "Haemoglobin"
    HCT = "HCT", "Haematocrit"
    WBC = "WBC", "White cell count"
    NEUT = "NEUT", "Neutrophils"
    LYM = "LYM", "Lymphocytes"
    PLAT = "PLAT", "Platelets"
    RBC = "RBC", "Red cell count"
    ALT = "ALT", "Alanine aminotransferase"
    AST = "AST", "Aspartate aminotransferase"
    ALP = "ALP", "Alkaline phosphatase"
    BILI = "BILI", "Total bilirubin"
    ALB = "ALB", "Albumin"
    SODIUM = "SODIUM", "Sodium"
    K = "K", "Potassium"
    CL = "CL", "Chloride"
    BICARB = "BICARB", "Bicarbonate"
    GLUC = "GLUC", "Glucose"
    CA = "CA", "Calcium"
    PH = "PH", "Urine pH"
    SPGRAV = "SPGRAV", "Urine specific gravity"
    PROTCRT = "PROTCRT", "Urine protein/creatinine ratio"
    ALBCREAT = "ALBCREAT", "Urine albumin/creatinine ratio"


class CriterionKind(models.TextChoices):
    """CDISC IECAT."""

    INCLUSION = "INCLUSION", "Inclusion"
    EXCLUSION = "EXCLUSION", "Exclusion"


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", "Yes / no"
    NUMBER = "number", "Number"
    AGE = "age", "Age in years (computed from the date of birth)"


# The CTCAE versions whose grading rules the app knows (safety/renal.py, safety/ctcae.py).
CTCAE_VERSIONS = ("5.0", "6.0")
