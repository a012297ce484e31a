"""Clinical records in the admin: read-only, scoped, with their audit trail.

Data are entered and corrected on the site pages, where every change carries a reason;
the admin shows them to study coordinators. Allocations and the randomization list are shown
to unblinded users only.
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP

from participants.models import (
    Allocation,
    AlsfrsR,
    EmergencyUnblinding,
    Fvc,
    Genotype,
    Participant,
    PkSample,
    RandomizationList,
    RandomizationSlot,
    StudyDrugExposure,
    Visit,
    VitalSigns,
)
from trials.admin import AuditHistoryMixin, is_study_coordinator
from trials.choices import Role
from trials.models import Arm, Trial, roles_held


class ClinicalReadOnlyAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """A clinical model in the admin: the model's own `for_user` scope, view-only."""

    def get_queryset(self, request):
        return self.model.objects.for_user(request.user)

    def lookup_allowed(self, lookup, value, request=None):
        # The admin takes any filter on a model's own fields from the URL; one on a blinded
        # field (?prescribed_mg_per_administration=15000) would sort participants by arm
        # through the rows it keeps. Refused: a 400, like any lookup the admin doesn't offer.
        if lookup.split(LOOKUP_SEP, 1)[0] in getattr(self.model, "blinded_fields", ()):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return is_study_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_study_coordinator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(ClinicalReadOnlyAdmin):
    list_display = [
        "screening_number",
        "subject_number",
        "trial",
        "site",
        "status",
        "sex",
        "consent_date",
    ]
    list_filter = [
        ("trial", admin.RelatedOnlyFieldListFilter),
        ("site", admin.RelatedOnlyFieldListFilter),
        "status",
    ]
    search_fields = ["subject_number", "screening_number"]
    list_select_related = ["trial", "site"]
    # No allocation here, not even the randomization number's arm: this page is seen by
    # blinded study coordinators.
    fields = [
        "trial",
        "site",
        "screening_number",
        "subject_number",
        "sex",
        "date_of_birth",
        "screening_date",
        "eligible",
        "consent_date",
        "consent_version",
        "status",
        "status_reason",
        "baseline_date",
        "version",
        "entered_in_error",
        "entered_in_error_reason",
    ]


@admin.register(Visit)
class VisitAdmin(ClinicalReadOnlyAdmin):
    list_display = ["participant", "name", "target_date", "actual_date", "status"]
    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "status",
    ]
    search_fields = ["participant__subject_number"]
    list_select_related = ["participant", "definition"]


class CrfReadOnlyAdmin(ClinicalReadOnlyAdmin):
    """A case report form: listed by participant and visit, filtered by trial and site."""

    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "complete",
    ]
    search_fields = ["participant__subject_number"]
    list_select_related = ["participant", "visit__participant", "visit__definition"]


@admin.register(AlsfrsR)
class AlsfrsRAdmin(CrfReadOnlyAdmin):
    list_display = ["participant", "visit", "report_date", "total", "scoring_version", "complete"]


@admin.register(Fvc)
class FvcAdmin(CrfReadOnlyAdmin):
    list_display = [
        "participant",
        "visit",
        "report_date",
        "fvc_litres",
        "percent_predicted",
        "reference_equation",
    ]


@admin.register(PkSample)
class PkSampleAdmin(CrfReadOnlyAdmin):
    list_display = [
        "participant",
        "visit",
        "plasma_collected_at",
        "last_dose_at",
        "plasma_l_serine",
        "csf_l_serine",
    ]


@admin.register(Genotype)
class GenotypeAdmin(CrfReadOnlyAdmin):
    list_display = ["participant", "visit", "report_date", "assay", "complete"]


@admin.register(VitalSigns)
class VitalSignsAdmin(CrfReadOnlyAdmin):
    list_display = ["participant", "visit", "report_date", "weight_kg", "complete"]


@admin.register(StudyDrugExposure)
class StudyDrugExposureAdmin(CrfReadOnlyAdmin):
    """Read-only; never the prescribed mg, which would unblind a fixed-dose arm (the admin
    is for study coordinators, who are blinded), nor in the audit trail (`blinded_fields`)."""

    list_display = [
        "participant",
        "visit",
        "report_date",
        "kit_number",
        "formulation",
        "prescribed_units_per_administration",
        "administrations_per_day",
        "compliance_percent",
        "complete",
    ]
    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "complete",
    ]
    search_fields = ["participant__subject_number", "kit_number"]
    list_select_related = ["participant", "visit__definition", "visit__participant", "formulation"]
    fields = [
        "participant",
        "visit",
        "report_date",
        "period_start",
        "period_end",
        "kit_number",
        "formulation",
        "titration_step",
        "doses_taken",
        "doses_missed",
        "taken_with_food",
        "dose_changed",
        "dose_change_reason",
        "weight_kg_used",
        "prescribed_units_per_administration",
        "administrations_per_day",
        "dosing_rule_version",
        "compliance_percent",
        "complete",
        "version",
        "entered_in_error",
        "entered_in_error_reason",
    ]


def is_unblinded(user) -> bool:
    return user.is_active and user.is_staff and Role.UNBLINDED in roles_held(user)


class ArmListFilter(admin.RelatedFieldListFilter):
    """Arms with their trial in one query (an arm's name includes its trial's code)."""

    def field_choices(self, field, request, model_admin):
        arms = Arm.objects.filter(trial__in=Trial.objects.unblinded_for(request.user))
        return [(arm.pk, str(arm)) for arm in arms.select_related("trial")]


@admin.register(Allocation)
class AllocationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """Visible to unblinded users only (DESIGN.md rule 4), for their trials."""

    list_display = ["participant", "randomization_number", "arm", "allocated_at", "allocated_by"]
    list_filter = [("participant__trial", admin.RelatedOnlyFieldListFilter), ("arm", ArmListFilter)]
    search_fields = ["participant__subject_number", "randomization_number"]
    list_select_related = ["participant", "arm", "allocated_by"]

    def get_queryset(self, request):
        return Allocation.objects.for_user(request.user)

    def has_module_permission(self, request):
        return is_unblinded(request.user)

    def has_view_permission(self, request, obj=None):
        return is_unblinded(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnblindedReadOnlyAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """Unblinded data (it names arms): unblinded users only, for their trials, view-only."""

    def get_queryset(self, request):
        return self.model.objects.for_user(request.user)

    def has_module_permission(self, request):
        return is_unblinded(request.user)

    def has_view_permission(self, request, obj=None):
        return is_unblinded(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RandomizationList)
class RandomizationListAdmin(UnblindedReadOnlyAdmin):
    list_display = ["trial", "source", "factor_name", "seed", "created_at", "created_by"]
    list_select_related = ["trial", "created_by"]


@admin.register(RandomizationSlot)
class RandomizationSlotAdmin(UnblindedReadOnlyAdmin):
    list_display = [
        "randomization_number",
        "trial",
        "site",
        "factor_level",
        "block",
        "sequence",
        "arm",
        "participant",
        "taken_at",
    ]
    list_filter = [
        ("trial", admin.RelatedOnlyFieldListFilter),
        ("site", admin.RelatedOnlyFieldListFilter),
        ("arm", ArmListFilter),
    ]
    search_fields = ["randomization_number", "participant__subject_number"]
    list_select_related = ["trial", "site", "arm__trial", "participant"]


@admin.register(EmergencyUnblinding)
class EmergencyUnblindingAdmin(ClinicalReadOnlyAdmin):
    """The records carry no arm: study coordinators see them, and so do unblinded users."""

    list_display = ["participant", "unblinded_at", "unblinded_by", "reason"]
    list_filter = [("participant__trial", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["participant", "unblinded_by"]

    def has_module_permission(self, request):
        return is_study_coordinator(request.user) or is_unblinded(request.user)

    def has_view_permission(self, request, obj=None):
        return is_study_coordinator(request.user) or is_unblinded(request.user)
