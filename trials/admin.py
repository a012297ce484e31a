"""The admin for study coordinators: trial set-up, scoped by membership.

Who may do what here comes from the Membership roles, not from Django's model permissions:
a study coordinator configures the trials they coordinate; clinical records are read-only
in the admin (data entry goes through the site pages with a reason for change); only
unblinded users see allocations.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse

from trials.audit import audit_reason, history_for
from trials.choices import Assessment, Role
from trials.models import (
    Arm,
    EligibilityCriterion,
    Formulation,
    Membership,
    ReferenceRange,
    Site,
    Trial,
    TrialSite,
    VisitDefinition,
    blinded_regimen_conflicts,
    configurable_trial_ids,
    roles_held,
)

admin.site.site_header = "L-serine EDC administration"
admin.site.site_title = "EDC admin"
admin.site.index_title = "Trial configuration"


def is_study_coordinator(user) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or Role.STUDY_COORDINATOR in roles_held(user)


# Trials whose configuration is frozen because a data manager locked the trial: callables
# returning the ids of locked trials, filled by participants' AppConfig.ready() (locks live
# in participants, which trials never imports).
LOCKED_TRIAL_SOURCES: list = []


def locked_trial_ids(request) -> frozenset[int]:
    """Ids of locked trials, read once per request (the admin asks for every inline)."""
    cached = getattr(request, "_edc_locked_trial_ids", None)
    if cached is None:
        cached = frozenset().union(*(source() for source in LOCKED_TRIAL_SOURCES))
        request._edc_locked_trial_ids = cached
    return cached


def site_in_locked_trial(request, site_id) -> bool:
    locked = locked_trial_ids(request)
    return bool(locked) and TrialSite.objects.filter(site_id=site_id, trial_id__in=locked).exists()


class AuditHistoryMixin:
    """Replaces the admin's "History" page by the audit trail of the record."""

    object_history_template = "admin/audit_history.html"

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # outside the user's scope, or no such record
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit trail: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            # Derived values that would unblind (e.g. a fixed dose in mg) stay out of the
            # trail shown here; the database keeps them.
            "history": history_for(obj, hidden_fields=getattr(obj, "blinded_fields", ())),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


class ReasonForChangeForm(forms.ModelForm):
    """An admin form that asks why, once the record exists (DESIGN.md rule 2)."""

    reason_for_change = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you change this record; kept in its audit trail.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not (cleaned.get("reason_for_change") or "").strip():
            self.add_error("reason_for_change", "Give a reason for this change.")
        return cleaned


class ReasonForChangeAdminMixin:
    """Shows the reason field on change pages and attaches it to the audit events."""

    form = ReasonForChangeForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "reason_for_change"]})
            for name, opts in fieldsets
        ]
        if obj is not None:
            fieldsets.append(("Reason for change", {"fields": ["reason_for_change"]}))
        return fieldsets

    def _reason(self, form, change):
        if change:
            return form.cleaned_data["reason_for_change"].strip()
        return f"Created in the admin ({self.opts.verbose_name})"

    def save_model(self, request, obj, form, change):
        with audit_reason(self._reason(form, change), user=request.user):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with audit_reason(self._reason(form, change), user=request.user):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        with audit_reason(f"Deleted in the admin ({self.opts.verbose_name})", user=request.user):
            super().delete_model(request, obj)


class TrialConfigAdmin(ReasonForChangeAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Configuration rows that belong to a trial: editable by its study coordinators."""

    trial_path = "trial"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        trials = Trial.objects.configurable_by(request.user)
        return qs.filter(**{f"{self.trial_path}__in": trials}).distinct()

    def has_module_permission(self, request):
        return is_study_coordinator(request.user)

    def _allowed(self, request, obj):
        if not is_study_coordinator(request.user):
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def is_locked(self, request, obj) -> bool:
        """A row of a locked trial is read-only for everyone, superusers included."""
        if obj is None:
            return False
        trial_id = obj.pk if self.trial_path == "pk" else getattr(obj, f"{self.trial_path}_id")
        return trial_id in locked_trial_ids(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj) and not self.is_locked(request, obj)

    def has_add_permission(self, request):
        return is_study_coordinator(request.user)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj) and not self.is_locked(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "trial":
            kwargs["queryset"] = Trial.objects.configurable_by(request.user)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class KeyedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, redrawing a refused form without looking up a submitted value
    that is no key (e.g. " " from a garbled POST): Django's lookup raised on it, a 500. The
    field's own message ("Select a valid choice") then stands beside it."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(remote.field_name)

        def is_key(v) -> bool:
            try:
                key.to_python(v)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [v for v in value if is_key(v)], attr)


class AssessmentsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class VisitDefinitionInlineForm(forms.ModelForm):
    assessments = AssessmentsField(
        choices=Assessment.choices, required=False, help_text="Case report forms due at the visit."
    )

    class Meta:
        model = VisitDefinition
        fields = [
            "trial",
            "order",
            "code",
            "name",
            "day_offset",
            "window_before",
            "window_after",
            "assessments",
        ]


class VisitDefinitionForm(ReasonForChangeForm, VisitDefinitionInlineForm):
    """The visit definition's own page: the checkboxes plus a reason for change."""


class TrialInlineMixin:
    """Inlines of a trial: allowed to those who may configure the trial (the parent)."""

    def _allowed(self, request, obj):
        if not is_study_coordinator(request.user):
            return False
        return obj is None or obj.pk in configurable_trial_ids(request.user)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def _unlocked(self, request, obj):
        return self._allowed(request, obj) and (
            obj is None or obj.pk not in locked_trial_ids(request)
        )

    def has_change_permission(self, request, obj=None):
        return self._unlocked(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._unlocked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._unlocked(request, obj)


class ArmInlineFormSet(forms.BaseInlineFormSet):
    """Checks the arms together: in a blinded trial they must look alike to a site."""

    def clean(self):
        super().clean()
        arms = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for problem in blinded_regimen_conflicts(self.instance.blinding, arms):
            raise forms.ValidationError(problem)


class ArmInline(TrialInlineMixin, admin.TabularInline):
    model = Arm
    formset = ArmInlineFormSet
    extra = 0
    fields = [
        "code",
        "name",
        "regimen_type",
        "dose_mg",
        "frequency",
        "dose_mg_per_kg_day",
        "doses_per_day",
        "units_per_administration",
        "is_placebo",
        "allocation_ratio",
    ]


class FormulationInline(TrialInlineMixin, admin.TabularInline):
    model = Formulation
    extra = 0
    fields = ["kind", "unit_name", "unit_mg"]


class VisitDefinitionInline(TrialInlineMixin, admin.TabularInline):
    model = VisitDefinition
    form = VisitDefinitionInlineForm
    extra = 0
    fields = ["order", "code", "name", "day_offset", "window_before", "window_after", "assessments"]


class TrialSiteInline(TrialInlineMixin, admin.TabularInline):
    model = TrialSite
    extra = 0
    fields = ["site", "last_screening_seq", "last_subject_seq"]
    readonly_fields = ["last_screening_seq", "last_subject_seq"]
    verbose_name = "participating site"
    verbose_name_plural = "participating sites"


class EligibilityCriterionInline(TrialInlineMixin, admin.TabularInline):
    model = EligibilityCriterion
    extra = 0
    fields = [
        "order",
        "code",
        "kind",
        "text",
        "answer_type",
        "required_answer",
        "lower",
        "lower_inclusive",
        "upper",
        "upper_inclusive",
        "unit",
    ]


@admin.register(Trial)
class TrialAdmin(TrialConfigAdmin):
    trial_path = "pk"
    list_display = ["code", "title", "phase", "blinding", "status", "ctcae_version"]
    list_filter = ["status", "blinding", "phase"]
    search_fields = ["code", "title", "indication"]
    inlines = [
        TrialSiteInline,
        ArmInline,
        FormulationInline,
        VisitDefinitionInline,
        EligibilityCriterionInline,
    ]
    fieldsets = [
        (None, {"fields": ["code", "title", "phase", "indication", "status"]}),
        ("Blinding and grading", {"fields": ["blinding", "ctcae_version"]}),
        (
            "Renal safety signal",
            {
                "description": "A creatinine result raises a signal when any rule is met; "
                "the site then sees the instruction below.",
                "fields": [
                    "signal_creatinine_ratio",
                    "signal_egfr_drop_percent",
                    "signal_egfr_below",
                    "dose_modification_text",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return Trial.objects.configurable_by(request.user)

    def has_add_permission(self, request):
        # A new protocol is set up by the system administrator; its study coordinators
        # then configure it.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class ArmForm(ReasonForChangeForm):
    """One arm on its own page: checked against the trial's other arms (blinding)."""

    REGIMEN_FIELDS = (
        "regimen_type",
        "dose_mg",
        "frequency",
        "dose_mg_per_kg_day",
        "doses_per_day",
        "units_per_administration",
    )

    def clean(self):
        cleaned = super().clean()
        trial = cleaned.get("trial")
        if trial is not None:
            candidate = Arm(trial=trial, **{f: cleaned.get(f) for f in self.REGIMEN_FIELDS})
            others = trial.arms.exclude(pk=self.instance.pk)
            for problem in blinded_regimen_conflicts(trial.blinding, [*others, candidate]):
                self.add_error(None, problem)
        return cleaned


@admin.register(Arm)
class ArmAdmin(TrialConfigAdmin):
    form = ArmForm
    list_display = ["trial", "code", "name", "regimen_text", "is_placebo", "allocation_ratio"]
    list_filter = [("trial", admin.RelatedOnlyFieldListFilter), "regimen_type", "is_placebo"]
    search_fields = ["code", "name", "trial__code"]


@admin.register(VisitDefinition)
class VisitDefinitionAdmin(TrialConfigAdmin):
    form = VisitDefinitionForm
    list_display = ["trial", "order", "code", "name", "day_offset", "window_before", "window_after"]
    list_filter = [("trial", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "trial__code"]


@admin.register(Formulation)
class FormulationAdmin(TrialConfigAdmin):
    list_display = ["trial", "kind", "unit_name", "unit_mg"]
    list_filter = [("trial", admin.RelatedOnlyFieldListFilter), "kind"]
    search_fields = ["unit_name", "trial__code"]
    list_select_related = ["trial"]


class MembershipForm(ReasonForChangeForm):
    class Meta:
        model = Membership
        fields = ["user", "trial", "site", "role"]
        help_texts = {"role": "What the person does in this trial; one row per role and site."}


@admin.register(Membership)
class MembershipAdmin(TrialConfigAdmin):
    form = MembershipForm

    def is_locked(self, request, obj) -> bool:
        return False  # who holds a role is not trial data: a locked trial still gets staff

    list_display = ["user", "trial", "site", "role"]
    list_filter = [
        ("trial", admin.RelatedOnlyFieldListFilter),
        "role",
        ("site", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "trial__code"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "trial", "site"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            # Blinding: only the system administrator grants the unblinded role; a study
            # coordinator could otherwise unblind themselves.
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.UNBLINDED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role == Role.UNBLINDED and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role == Role.UNBLINDED and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class SiteConfigAdmin(TrialConfigAdmin):
    """Sites are shared between trials: visible when taking part in a configured trial,
    or in none yet (just added)."""

    site_path = "pk"

    def is_locked(self, request, obj) -> bool:
        """A site's configuration (its lab's reference ranges) is frozen while it takes part
        in a locked trial: the trial's lab results were graded against it."""
        if obj is None:
            return False
        site_id = obj.pk if self.site_path == "pk" else getattr(obj, f"{self.site_path}_id")
        return site_in_locked_trial(request, site_id)

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        trials = Trial.objects.configurable_by(request.user)
        sites = Site.objects.filter(trial_sites__trial__in=trials) | Site.objects.filter(
            trial_sites__isnull=True
        )
        return qs.filter(**{f"{self.site_path}__in": sites.values("pk")})


@admin.register(Site)
class SiteAdmin(SiteConfigAdmin):
    def is_locked(self, request, obj) -> bool:
        return False  # a site's name and investigator are shared with other trials

    list_display = ["number", "name", "principal_investigator"]
    search_fields = ["number", "name", "principal_investigator"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceRange)
class ReferenceRangeAdmin(SiteConfigAdmin):
    site_path = "site"
    list_display = ["site", "analyte", "sex", "age_from", "age_to", "low", "high", "unit"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter), "analyte", "sex"]
    search_fields = ["site__number", "site__name", "analyte"]
    list_select_related = ["site"]
    fieldsets = [
        (None, {"fields": ["site", "analyte", "unit"]}),
        ("Applies to", {"fields": ["sex", ("age_from", "age_to")]}),
        ("Range as the site lab reports it", {"fields": [("low", "high")]}),
    ]


# --- Users: study coordinators add accounts and give them roles; only the system
# administrator changes an existing account (a study coordinator resetting the
# pharmacist's password could otherwise read allocations).
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class EdcUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "is_staff"]

    def has_module_permission(self, request):
        return is_study_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_study_coordinator(request.user)

    def has_add_permission(self, request):
        return is_study_coordinator(request.user)

    def has_change_permission(self, request, obj=None):
        """A study coordinator manages the trial's people (DESIGN.md): adds accounts (Django's
        add view needs the change permission too) and edits their names, e-mail, active flag
        and password. Never a staff account or a superuser: resetting the unblinded
        pharmacist's password would let anyone with the admin read the allocations."""
        if request.user.is_superuser:
            return True
        if not is_study_coordinator(request.user):
            return False
        return obj is None or not (obj.is_staff or obj.is_superuser)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [(None, {"fields": ["username", "first_name", "last_name", "email", "is_active"]})]
