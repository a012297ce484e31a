from django.contrib import admin

from participants.admin import ClinicalReadOnlyAdmin
from safety.models import AdverseEvent, EndOfStudy, LabResult


@admin.register(AdverseEvent)
class AdverseEventAdmin(ClinicalReadOnlyAdmin):
    list_display = [
        "participant",
        "verbatim_term",
        "pt_name",
        "onset_date",
        "ongoing",
        "ctcae_grade",
        "serious",
    ]
    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "serious",
        "ctcae_grade",
        "ongoing",
    ]
    search_fields = ["participant__subject_number", "verbatim_term", "pt_name"]
    list_select_related = ["participant"]


@admin.register(LabResult)
class LabResultAdmin(ClinicalReadOnlyAdmin):
    list_display = [
        "participant",
        "analyte",
        "value",
        "unit",
        "standard_value",
        "flag",
        "collected_at",
    ]
    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "analyte",
        "flag",
    ]
    search_fields = ["participant__subject_number"]
    list_select_related = ["participant"]


@admin.register(EndOfStudy)
class EndOfStudyAdmin(ClinicalReadOnlyAdmin):
    list_display = ["participant", "status", "end_date", "withdrawal_reason", "adverse_event"]
    list_filter = [
        ("participant__trial", admin.RelatedOnlyFieldListFilter),
        ("participant__site", admin.RelatedOnlyFieldListFilter),
        "status",
        "withdrawal_reason",
    ]
    search_fields = ["participant__subject_number"]
    list_select_related = ["participant", "adverse_event__participant"]
