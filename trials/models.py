"""Trial configuration: trials, sites, arms, the visit schedule, who holds which role."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from trials.audit import audit_trackers
from trials.choices import (
    CTCAE_VERSIONS,
    SITE_ROLES,
    Analyte,
    AnswerType,
    Assessment,
    Blinding,
    CriterionKind,
    DoseForm,
    Frequency,
    Phase,
    RegimenType,
    Role,
    SexScope,
    TrialStatus,
)


def site_scope(user, trial: str = "trial", site: str = "site") -> Exists:
    """The one scoping rule for clinical data (DESIGN.md, "Who uses it").

    A row is in a user's scope when the user holds a membership of the row's trial that
    covers the row's site: a membership for that site, or one for all sites (site null).
    `trial` and `site` are the lookups from the scoped row to its trial and site.
    """
    return Exists(
        Membership.objects.filter(user_id=user.pk, trial=OuterRef(trial)).filter(
            Q(site__isnull=True) | Q(site=OuterRef(site))
        )
    )


def roles_held(user) -> frozenset[str]:
    """The roles a user holds in any trial, read once per user object (one per request):
    the admin asks for every model on every page."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_edc_roles_held", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(user_id=user.pk).values_list("role", flat=True)
        )
        user._edc_roles_held = cached
    return cached


def roles_at(user, trial_id: int, site_id: int) -> frozenset[str]:
    """The roles a user holds for one site of one trial (memberships for that site or for
    all sites), read once per user object and site."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_edc_roles_at", {})
    key = (trial_id, site_id)
    if key not in cache:
        cache[key] = frozenset(
            Membership.objects.filter(user_id=user.pk, trial_id=trial_id)
            .filter(Q(site__isnull=True) | Q(site_id=site_id))
            .values_list("role", flat=True)
        )
    return cache[key]


def can_enter_data(user, trial_id: int, site_id: int) -> bool:
    """Site coordinators and investigators enter data at their sites (DESIGN.md roles);
    monitors, data managers and the others read."""
    return bool(roles_at(user, trial_id, site_id) & set(SITE_ROLES))


def configurable_trial_ids(user) -> frozenset[int]:
    """Ids of the trials a user may configure, read once per user object (one per request):
    every inline of the trial page asks four times."""
    cached = getattr(user, "_edc_configurable_trial_ids", None)
    if cached is None:
        cached = frozenset(Trial.objects.configurable_by(user).values_list("pk", flat=True))
        user._edc_configurable_trial_ids = cached
    return cached


class TrialQuerySet(models.QuerySet):
    def for_user(self, user):
        """Trials in which the user holds any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.filter(user_id=user.pk, trial=OuterRef("pk"))))

    def configurable_by(self, user):
        """Trials the user may configure in the admin (study coordinator role)."""
        if user.is_superuser:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(
                Membership.objects.filter(
                    user_id=user.pk, trial=OuterRef("pk"), role=Role.STUDY_COORDINATOR
                )
            )
        )

    def unblinded_for(self, user):
        """Trials whose allocations the user may see: open-label, or the unblinded role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(blinding=Blinding.OPEN)
            | Exists(
                Membership.objects.filter(
                    user_id=user.pk, trial=OuterRef("pk"), role=Role.UNBLINDED
                )
            )
        )


@pghistory.track(*audit_trackers())
class Trial(models.Model):
    code = models.SlugField(
        "trial code", max_length=40, unique=True, help_text="Short protocol code, e.g. LSER-ALS-01."
    )
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=4, choices=Phase.choices)
    indication = models.CharField(max_length=200)
    blinding = models.CharField(
        max_length=6,
        choices=Blinding.choices,
        default=Blinding.DOUBLE,
        help_text="In a blinded trial only unblinded users see a participant's arm.",
    )
    status = models.CharField(max_length=12, choices=TrialStatus.choices, default=TrialStatus.SETUP)
    ctcae_version = models.CharField(
        "CTCAE version",
        max_length=8,
        default="5.0",
        help_text="Version used for toxicity grades; stored next to every grade.",
    )
    # Renal safety signal (safety/signals.py): a creatinine result raises a signal when any
    # rule is met. Defaults from the L-serine protocols' renal monitoring (issue 4).
    signal_creatinine_ratio = models.DecimalField(
        "signal: creatinine at least this many times baseline",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1.01"))],
    )
    signal_egfr_drop_percent = models.DecimalField(
        "signal: eGFR down at least this % from baseline",
        max_digits=4,
        decimal_places=1,
        default=Decimal("30.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("99"))],
    )
    signal_egfr_below = models.DecimalField(
        "signal: eGFR below (mL/min/1.73 m²)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("60.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("150"))],
    )
    dose_modification_text = models.TextField(
        "dose-modification instruction shown with a renal signal",
        default="Reduce to the next lower dose level and repeat creatinine within 7 days.",
        help_text="What the protocol tells the site to do when a renal signal is raised.",
    )
    sites = models.ManyToManyField("Site", through="TrialSite", related_name="trials")

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        # Grades are computed by version: an unknown one could grade nothing.
        if self.ctcae_version not in CTCAE_VERSIONS:
            raise ValidationError(
                {"ctcae_version": f"Use one of the CTCAE versions {', '.join(CTCAE_VERSIONS)}."}
            )


@pghistory.track(*audit_trackers())
class Site(models.Model):
    number = models.CharField(
        max_length=3,
        unique=True,
        help_text='Two or three digits, e.g. "01"; it starts every subject number.',
        # digits only, so that "<site>-<NNN>" subject numbers stay unambiguous
        validators=[RegexValidator(r"^[0-9]{2,3}$", "Use two or three digits, e.g. 01.")],
    )
    name = models.CharField(max_length=200)
    principal_investigator = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{2,3}$"), name="site_number_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


@pghistory.track(*audit_trackers())
class TrialSite(models.Model):
    """A site taking part in a trial; holds the counter behind its subject numbers."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="trial_sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="trial_sites")
    last_subject_seq = models.PositiveIntegerField(
        default=0, editable=False, help_text="The last subject number issued at this site."
    )
    last_screening_seq = models.PositiveIntegerField(
        default=0, editable=False, help_text="The last screening number issued at this site."
    )

    class Meta:
        ordering = ["trial", "site"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "site"], name="trialsite_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trial} / site {self.site.number}"


def sites_in_scope(user, trial):
    """The sites of `trial` the user's memberships cover, by number: the one scoping rule
    (`site_scope`) applied to the trial's sites (listing filters, the monitor's home)."""
    return Site.objects.filter(
        trial_sites__in=TrialSite.objects.filter(trial=trial).filter(site_scope(user))
    ).order_by("number")


def sites_in_scope_read(user, trial) -> list[Site]:
    """sites_in_scope as a list, read once per user object and trial (one request), as
    roles_held: the listings, their filters and the monitor's home share one query."""
    if not user.is_authenticated:
        return []
    cache = user.__dict__.setdefault("_edc_sites_in_scope", {})
    if trial.pk not in cache:
        cache[trial.pk] = list(sites_in_scope(user, trial))
    return cache[trial.pk]


def site_ids_in_scope(user, trial) -> list[int]:
    """The ids of the user's sites of the trial (sites_in_scope_read).

    The listings and counts of one trial filter on `site_id IN (these ids)`: the same rows as
    site_scope's correlated EXISTS, but the planner estimates a list of ids well, where it
    misjudged the EXISTS at trial scale and scanned and sorted whole tables (bench/README.md:
    the lab listing took 250 ms and more at 200,000 results)."""
    return [site.pk for site in sites_in_scope_read(user, trial)]


@pghistory.track(*audit_trackers())
class Arm(models.Model):
    """A treatment arm and its regimen: a fixed dose per administration, or mg/kg/day.

    Blinding (DESIGN.md rule 4): sites see the prescribed dose in formulation units, never
    in mg. In a blinded trial with fixed-dose arms of different strengths, units computed
    from mg would give the arm away (1 sachet vs 30), so the pharmacy dispenses matched
    kits: every arm takes the same number of kit units per administration, each unit
    holding that arm's dose. `units_per_administration` states that count; `Arm.clean`
    requires it for a fixed-dose arm of a blinded trial, and `blinded_regimen_conflicts`
    (used by the admin forms, which see all arms at once) requires every arm of a blinded
    trial to look the same to a site. Weight-based arms carry no kit count: a placebo arm
    configured at the same nominal mg/kg/day gives the same units by itself.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="arms")
    code = models.CharField(
        max_length=20, help_text="CDISC ARMCD, e.g. LS15; seen by unblinded users only."
    )
    name = models.CharField(max_length=200, help_text="CDISC ARM, e.g. L-serine 15 g BID.")
    regimen_type = models.CharField(
        max_length=6, choices=RegimenType.choices, default=RegimenType.FIXED
    )
    dose_mg = models.DecimalField(
        "dose per administration (mg)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Fixed regimen only: e.g. 15000 for 15 g.",
    )
    frequency = models.CharField(
        max_length=3,
        choices=Frequency.choices,
        blank=True,
        help_text="Fixed regimen only: administrations a day.",
    )
    dose_mg_per_kg_day = models.DecimalField(
        "dose (mg/kg/day)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Weight-based regimen only: e.g. 400.",
    )
    doses_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weight-based regimen only: the daily dose split into N."
    )
    units_per_administration = models.PositiveSmallIntegerField(
        "kit units per administration",
        null=True,
        blank=True,
        help_text="Fixed regimen, matched kits of a blinded trial: units taken per "
        "administration, the same in every arm (each unit holds this arm's dose).",
    )
    is_placebo = models.BooleanField("placebo", default=False)
    allocation_ratio = models.PositiveSmallIntegerField(
        default=1, help_text="Relative weight in the randomization list (1 for equal arms)."
    )

    class Meta:
        ordering = ["trial", "code"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "code"], name="arm_code_unique_per_trial"),
            models.CheckConstraint(
                name="arm_regimen_complete",
                condition=(
                    Q(
                        # NULL > 0 is NULL, which a CHECK accepts: say "not null" too.
                        regimen_type=RegimenType.FIXED,
                        dose_mg__isnull=False,
                        dose_mg__gt=0,
                        frequency__in=Frequency.values,
                        dose_mg_per_kg_day__isnull=True,
                        doses_per_day__isnull=True,
                    )
                    | Q(
                        regimen_type=RegimenType.WEIGHT_BASED,
                        dose_mg_per_kg_day__isnull=False,
                        dose_mg_per_kg_day__gt=0,
                        doses_per_day__isnull=False,
                        doses_per_day__gte=1,
                        dose_mg__isnull=True,
                        frequency="",
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(allocation_ratio__gte=1), name="arm_allocation_ratio_positive"
            ),
            models.CheckConstraint(
                condition=Q(units_per_administration__isnull=True)
                | Q(regimen_type=RegimenType.FIXED, units_per_administration__gte=1),
                name="arm_kit_units_fixed_only",
                violation_error_message="Kit units per administration are for fixed regimens.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} {self.code}"

    def clean(self):
        errors = {}
        if self.regimen_type == RegimenType.FIXED:
            if not self.dose_mg:
                errors["dose_mg"] = "A fixed regimen needs the dose per administration."
            if not self.frequency:
                errors["frequency"] = "A fixed regimen needs the frequency."
            if self.dose_mg_per_kg_day is not None:
                errors["dose_mg_per_kg_day"] = "Leave empty for a fixed regimen."
            if self.doses_per_day is not None:
                errors["doses_per_day"] = "Leave empty for a fixed regimen."
        else:
            if not self.dose_mg_per_kg_day:
                errors["dose_mg_per_kg_day"] = "A weight-based regimen needs mg/kg/day."
            if not self.doses_per_day:
                errors["doses_per_day"] = "A weight-based regimen needs the doses a day."
            if self.dose_mg is not None:
                errors["dose_mg"] = "Leave empty for a weight-based regimen."
            if self.frequency:
                errors["frequency"] = "Leave empty for a weight-based regimen."
            if self.units_per_administration is not None:
                errors["units_per_administration"] = (
                    "Leave empty for a weight-based regimen: units follow from the weight."
                )
        if (
            self.regimen_type == RegimenType.FIXED
            and self.units_per_administration is None
            and self.trial_id
            and self.trial.blinding != Blinding.OPEN
        ):
            errors["units_per_administration"] = (
                "In a blinded trial a fixed-dose arm is dispensed as matched kits: give the "
                "kit units per administration (the same in every arm)."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def regimen_text(self) -> str:
        """The regimen in words, e.g. "15 g BID" or "400 mg/kg/day in 3 doses"."""
        if self.regimen_type == RegimenType.FIXED:
            grams = self.dose_mg / 1000
            amount = f"{grams.normalize():f} g" if self.dose_mg >= 100 else f"{self.dose_mg} mg"
            return f"{amount} {self.frequency}"
        return f"{self.dose_mg_per_kg_day.normalize():f} mg/kg/day in {self.doses_per_day} doses"


def blinded_regimen_conflicts(blinding: str, arms) -> list[str]:
    """Why a blinded trial's arms would look different to a site, or [] when they don't.

    A blinded user sees the prescribed units and administrations a day (participants
    exposure form), so in a blinded trial every arm must give the same: one regimen type;
    fixed-dose arms the same kit units and frequency; weight-based arms the same nominal
    mg/kg/day and doses a day (a placebo arm at the active arm's nominal dose).
    """
    if blinding == Blinding.OPEN:
        return []
    arms = list(arms)
    if len({arm.regimen_type for arm in arms}) > 1:
        return ["In a blinded trial all arms need the same regimen type (fixed or weight-based)."]
    problems = []
    fixed = {
        (a.units_per_administration, a.frequency)
        for a in arms
        if a.regimen_type == RegimenType.FIXED
    }
    if len(fixed) > 1:
        problems.append(
            "In a blinded trial every fixed-dose arm needs the same kit units per "
            "administration and the same frequency, or sites could tell the arms apart."
        )
    weight = {
        (a.dose_mg_per_kg_day, a.doses_per_day)
        for a in arms
        if a.regimen_type == RegimenType.WEIGHT_BASED
    }
    if len(weight) > 1:
        problems.append(
            "In a blinded trial every weight-based arm needs the same nominal mg/kg/day and "
            "doses a day (configure a placebo arm at the active arm's nominal dose), or "
            "sites could tell the arms apart by the units."
        )
    return problems


@pghistory.track(*audit_trackers())
class Formulation(models.Model):
    """A dose form of the study drug in a trial and its unit (a 1 g gummy, a 0.5 g scoop).

    Weight-based doses are rounded to whole units of the formulation
    (participants/dosing.py). For the matched kits of a blinded fixed-dose trial the arm's
    kit units are the count, and `unit_mg` is the nominal content on the label.
    `__str__` never names the amount: it is shown to blinded sites.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="formulations")
    kind = models.CharField("dose form", max_length=10, choices=DoseForm.choices)
    unit_name = models.CharField(
        max_length=30, help_text='One unit as the participant counts it: "sachet", "gummy".'
    )
    unit_mg = models.DecimalField(
        "L-serine per unit (mg)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="E.g. 1000 for a 1 g gummy, 500 for a 0.5 g scoop.",
    )

    class Meta:
        ordering = ["trial", "kind", "unit_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "kind", "unit_name"], name="formulation_unique_per_trial"
            ),
            models.CheckConstraint(
                condition=Q(unit_mg__gt=0),
                name="formulation_unit_mg_positive",
                violation_error_message="A unit must hold more than 0 mg.",
            ),
        ]

    def __str__(self) -> str:
        form = self.get_kind_display().split(" (")[0]  # "Powder", "Gummy"
        return form if self.unit_name.lower() == form.lower() else f"{form} ({self.unit_name})"


@pghistory.track(*audit_trackers())
class VisitDefinition(models.Model):
    """A scheduled visit: its day from baseline, its window and what is due at it."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="visit_definitions")
    code = models.CharField(max_length=20, help_text="Short code, e.g. M1.")
    name = models.CharField(max_length=100, help_text="As shown to sites, e.g. Month 1.")
    order = models.PositiveSmallIntegerField(help_text="Position in the schedule.")
    day_offset = models.IntegerField(
        "day from baseline", help_text="Target day relative to baseline (day 0); negative before."
    )
    window_before = models.PositiveSmallIntegerField(
        "window before (days)", default=0, help_text="Days before the target still in window."
    )
    window_after = models.PositiveSmallIntegerField(
        "window after (days)", default=0, help_text="Days after the target still in window."
    )
    assessments = ArrayField(
        models.CharField(max_length=20, choices=Assessment.choices),
        default=list,
        blank=True,
        help_text="The case report forms due at this visit.",
    )

    class Meta:
        ordering = ["trial", "order"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "code"], name="visitdef_code_unique"),
            models.UniqueConstraint(fields=["trial", "order"], name="visitdef_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} {self.name}"


@pghistory.track(*audit_trackers())
class EligibilityCriterion(models.Model):
    """One inclusion or exclusion criterion of a trial, asked on the screening form.

    A yes/no criterion is met by the answer it names (inclusion: usually yes; exclusion:
    usually no). A number is met when it lies within the bounds; an age criterion is a
    number the app computes from the date of birth at the screening date, never typed.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="criteria")
    kind = models.CharField(max_length=10, choices=CriterionKind.choices)
    order = models.PositiveSmallIntegerField(help_text="Position on the screening form.")
    code = models.CharField(max_length=20, help_text="Short code, e.g. IN01 (CDISC IETESTCD).")
    text = models.CharField(
        max_length=300, help_text="The question as the site sees it (CDISC IETEST)."
    )
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    required_answer = models.BooleanField(
        null=True,
        blank=True,
        help_text="Yes/no criteria: the answer that meets the criterion.",
    )
    lower = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    lower_inclusive = models.BooleanField(default=True, help_text="Met at the lower bound.")
    upper = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    upper_inclusive = models.BooleanField(default=True, help_text="Met at the upper bound.")
    unit = models.CharField(max_length=30, blank=True, help_text='E.g. "% predicted".')

    class Meta:
        ordering = ["trial", "order"]
        verbose_name_plural = "eligibility criteria"
        constraints = [
            models.UniqueConstraint(fields=["trial", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=~Q(answer_type=AnswerType.YES_NO) | Q(required_answer__isnull=False),
                name="criterion_yes_no_has_required_answer",
                violation_error_message="Say which answer meets a yes/no criterion.",
            ),
            models.CheckConstraint(
                condition=Q(answer_type=AnswerType.YES_NO)
                | Q(lower__isnull=False)
                | Q(upper__isnull=False),
                name="criterion_number_has_bound",
                violation_error_message="A number or age criterion needs a lower or upper bound.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def clean(self):
        if self.answer_type == AnswerType.YES_NO and self.required_answer is None:
            raise ValidationError({"required_answer": "Say which answer meets the criterion."})
        if self.answer_type != AnswerType.YES_NO and self.lower is None and self.upper is None:
            raise ValidationError({"lower": "Give a lower or an upper bound (or both)."})
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValidationError({"upper": "The upper bound is below the lower bound."})

    @property
    def bounds_text(self) -> str:
        """The rule in words, e.g. "18 to 85", "at least 60 % predicted", "below 3"."""
        from trials.eligibility import bounds_text

        return bounds_text(self)


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """Memberships the user may see: their own, and all in trials they configure."""
        if user.is_superuser:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user_id=user.pk) | Q(trial__in=Trial.objects.configurable_by(user)))


@pghistory.track(*audit_trackers())
class Membership(models.Model):
    """A person's role in a trial, at one site or (site empty) at all the trial's sites."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="memberships")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Empty means all sites of the trial (monitors, data managers, trial roles).",
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "trial", "site", "role"],
                name="membership_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in SITE_ROLES]) | Q(site__isnull=False),
                name="membership_site_role_has_site",
                violation_error_message="Site coordinators and investigators need a site.",
            ),
        ]

    def __str__(self) -> str:
        where = f"site {self.site.number}" if self.site_id else "all sites"
        return f"{self.user} - {self.get_role_display()} - {self.trial} ({where})"

    def clean(self):
        if (
            self.site_id
            and self.trial_id
            and not TrialSite.objects.filter(trial_id=self.trial_id, site_id=self.site_id).exists()
        ):
            raise ValidationError({"site": "This site does not take part in this trial."})
        if self.role in SITE_ROLES and not self.site_id:
            raise ValidationError({"site": "Site coordinators and investigators need a site."})


@pghistory.track(*audit_trackers())
class ReferenceRange(models.Model):
    """A site laboratory's normal range for an analyte, by sex and age band."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="reference_ranges")
    analyte = models.CharField(max_length=10, choices=Analyte.choices)
    sex = models.CharField(max_length=1, choices=SexScope.choices, default=SexScope.BOTH)
    age_from = models.PositiveSmallIntegerField(
        "age from (years)", default=18, help_text="First age of the band, inclusive."
    )
    age_to = models.PositiveSmallIntegerField(
        "age to (years)", default=120, help_text="Last age of the band, exclusive."
    )
    low = models.DecimalField("lower limit", max_digits=10, decimal_places=3)
    high = models.DecimalField("upper limit", max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=20, help_text='As the lab reports it, e.g. "mg/dL".')

    class Meta:
        ordering = ["site", "analyte", "sex", "age_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__gte=0) & Q(high__gt=models.F("low")),
                name="refrange_low_below_high",
                violation_error_message="The upper limit must be above the lower limit.",
            ),
            models.CheckConstraint(
                condition=Q(age_to__gt=models.F("age_from")),
                name="refrange_age_band_ordered",
                violation_error_message="The age band must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.site.number} {self.analyte} {self.get_sex_display()} "
            f"{self.age_from}-{self.age_to} y: {self.low}-{self.high} {self.unit}"
        )
