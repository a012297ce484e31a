"""Study drug exposure: what was dispensed and taken; the prescribed regimen is derived.

The page shows the prescribed regimen in two ways (DESIGN.md rule 4): an unblinded user
sees the arm and the dose in mg; a blinded user sees only the kit number, the units, the
unit name and the administrations a day, which are the same in every arm of a blinded
trial (trials.models.blinded_regimen_conflicts). The arm is loaded for unblinded users
only, so nothing about it can reach a blinded page.
"""

from decimal import Decimal

from django import forms

from participants import dosing
from participants.forms.base import CrfForm
from participants.models import Allocation, StudyDrugExposure
from trials.models import Formulation, Trial

# Compliance below this is unusual enough to be checked against the source (a diary, a
# returned-kit count) before it is saved; it is allowed with the confirming tick.
LOW_COMPLIANCE_PERCENT = Decimal(50)

TIMES_A_DAY = {1: "once a day", 2: "twice a day"}


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f} mg"


def prescribed_regimen(record, participant, *, unblinded: bool) -> dict:
    """What the page shows about the prescribed regimen, already worded, so that the
    template can't show a blinded user more than this: for blinded users the kit, units
    and administrations a day; for unblinded users also the arm and the mg."""
    shown: dict = {"saved": bool(record and record.prescribed_units_per_administration)}
    if shown["saved"]:
        per_day = record.administrations_per_day
        units = dosing.unit_label(
            record.formulation.unit_name, record.prescribed_units_per_administration
        )
        shown["kit_number"] = record.kit_number
        shown["dose_text"] = (
            f"{units} per administration, {TIMES_A_DAY.get(per_day, f'{per_day} times a day')}"
        )
        if record.weight_kg_used is not None:
            shown["weight_text"] = f"{record.weight_kg_used} kg"
        if record.compliance_percent is not None:
            shown["compliance_text"] = f"{record.compliance_percent} %"
    if unblinded:
        allocation = (
            Allocation.objects.filter(participant=participant).select_related("arm").first()
        )
        if allocation is not None:
            arm = allocation.arm
            shown["arm_text"] = f"{arm.code} · {arm.name} ({arm.regimen_text})"
        if shown["saved"]:
            mg = record.prescribed_mg_per_administration
            shown["mg_text"] = (
                f"{_mg(mg)} per administration, {_mg(mg * record.administrations_per_day)} a day"
            )
            shown["rule_version"] = record.dosing_rule_version
    return shown


class StudyDrugExposureForm(CrfForm):
    class Meta:
        model = StudyDrugExposure
        fields = [
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
        ]
        widgets = {
            "taken_with_food": forms.RadioSelect,
            "dose_change_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant, visit, **kwargs):
        super().__init__(*args, participant=participant, visit=visit, **kwargs)
        self.fields["formulation"].queryset = Formulation.objects.filter(
            trial_id=participant.trial_id
        )
        self.fields["taken_with_food"].choices = self.fields["taken_with_food"].choices[1:]

    def clean(self):
        cleaned = super().clean()
        taken, missed = cleaned.get("doses_taken"), cleaned.get("doses_missed")
        if taken is not None and missed is not None:
            compliance = dosing.compliance_percent(taken, missed)
            if compliance is not None and compliance < LOW_COMPLIANCE_PERCENT:
                self.implausible.append("doses_missed")
                if not cleaned.get("confirm_implausible"):
                    self.add_error(
                        "doses_missed",
                        f"Compliance would be {compliance} %, below the usual "
                        f"{LOW_COMPLIANCE_PERCENT} %. Check the counts; if they are right, "
                        "tick the confirmation below and save again.",
                    )
        return cleaned

    @staticmethod
    def page_context(*, participant, visit, record, user) -> dict:
        unblinded = Trial.objects.unblinded_for(user).filter(pk=participant.trial_id).exists()
        return {
            "derived_template": "participants/_exposure_prescribed.html",
            "prescribed": prescribed_regimen(record, participant, unblinded=unblinded),
        }
