"""Lab panel entry and renal-signal closing: cleaning and layout, never saving.

The panel form is built from the analyte catalogue (safety/analytes.py): a value and a unit
select (the units the analyte is accepted in) per analyte of the panel. The service checks
the values against the catalogue's limits and says which field is wrong.
"""

from crispy_forms.helper import FormHelper
from django import forms

from participants.forms.base import DATE, REASON_HELP, ReportsHiddenErrors, date_checks
from participants.models import StudyDrugExposure, Visit
from safety import analytes
from safety.choices import SignalAction
from safety.models import AdverseEvent
from safety.services.labs import unit_field, value_field

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.actual_date or obj.target_date:%Y-%m-%d})"


class LabPanelForm(ReportsHiddenErrors, forms.Form):
    """One sample's results. Leaving an analyte empty is allowed (the panel is then
    incomplete); a value without a unit is not."""

    visit = VisitChoiceField(
        queryset=Visit.objects.none(), required=False, empty_label="Unscheduled"
    )
    report_date = forms.DateField(label="Collection date", widget=DATE)
    collection_time = forms.TimeField(label="Collection time", widget=TIME)
    lab_name = forms.CharField(label="Laboratory", max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason_for_change = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    def __init__(self, *args, participant, panel_code, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.panel = analytes.panel(panel_code)
        self.fields["visit"].queryset = (
            Visit.objects.in_casebook()
            .filter(participant=participant)
            .select_related("definition")
            .order_by("target_date")
        )
        self.analyte_rows = []
        results = {}
        if record is not None and record.pk:
            results = {r.analyte: r for r in record.results.all() if not r.entered_in_error}
            self.initial.update(
                visit=record.visit_id,
                report_date=record.report_date,
                collection_time=record.collection_time,
                lab_name=record.lab_name,
                version=record.version,
            )
        else:
            del self.fields["reason_for_change"]
        for test in self.panel.analytes:
            value_name, unit_name = value_field(test.code), unit_field(test.code)
            self.fields[value_name] = forms.DecimalField(
                label=test.name, required=False, max_digits=10, decimal_places=3, min_value=0
            )
            self.fields[unit_name] = forms.ChoiceField(
                label=f"{test.name} unit",
                choices=[(u, u or "(no unit)") for u in test.unit_names],
                required=False,
            )
            if test.code in results:
                self.initial[value_name] = results[test.code].value
                self.initial[unit_name] = results[test.code].unit
            self.analyte_rows.append((test, value_name, unit_name))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def bound_rows(self):
        """(catalogue entry, value field, unit field) for the template's table."""
        return [(test, self[v], self[u]) for test, v, u in self.analyte_rows]

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, ["report_date"])
        if not any(cleaned.get(v) is not None for _t, v, _u in self.analyte_rows):
            raise forms.ValidationError("Enter at least one result.")
        if "reason_for_change" in self.fields and not cleaned.get("reason_for_change", "").strip():
            self.add_error("reason_for_change", "Give the reason for this change.")
        return cleaned

    def values(self) -> dict:
        """{code: (value, unit)} for the analytes entered."""
        return {
            test.code: (self.cleaned_data[v], self.cleaned_data.get(u, ""))
            for test, v, u in self.analyte_rows
            if self.cleaned_data.get(v) is not None
        }

    def panel_fields(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("visit", "report_date", "collection_time", "lab_name")
        }


class SignalCloseForm(ReportsHiddenErrors, forms.Form):
    """What was done about a renal signal, with the evidence each action needs (the service
    refuses a missing one beside its field)."""

    action = forms.ChoiceField(
        label="What was done?", choices=SignalAction.choices, widget=forms.RadioSelect
    )
    adverse_event = forms.ModelChoiceField(
        queryset=AdverseEvent.objects.none(),
        required=False,
        label="Adverse event recorded",
        help_text="For “adverse event recorded”.",
    )
    exposure = forms.ModelChoiceField(
        queryset=StudyDrugExposure.objects.none(),
        required=False,
        label="Exposure form recording the dose change",
        help_text="For “dose changed”: an exposure form with “dose changed” answered yes.",
    )
    repeat_lab_date = forms.DateField(
        required=False, widget=DATE, label="Repeat lab scheduled for", help_text="For “repeat lab”."
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason / comment",
        help_text="Required for “not clinically significant”: say why.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, signal, **kwargs):
        super().__init__(*args, **kwargs)
        participant_id = signal.participant_id
        self.fields["adverse_event"].queryset = AdverseEvent.objects.filter(
            participant_id=participant_id, entered_in_error=False
        ).order_by("onset_date", "pk")
        self.fields["adverse_event"].label_from_instance = lambda ae: (
            f"{ae.verbatim_term} (onset {ae.onset_date:%Y-%m-%d})"
        )
        self.fields["exposure"].queryset = StudyDrugExposure.objects.filter(
            participant_id=participant_id, entered_in_error=False, dose_changed=True
        ).order_by("period_start", "pk")
        self.fields["exposure"].label_from_instance = lambda e: (
            f"Exposure {e.period_start:%Y-%m-%d} to {e.period_end:%Y-%m-%d}"
        )
        self.initial.setdefault("version", signal.version)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
