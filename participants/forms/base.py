"""Site data-entry forms: cleaning and layout (crispy-forms), never saving.

`CrfForm` is what every case report form shares (DESIGN.md rules 2, 3 and 6): the version
the user opened (optimistic locking), a reason for change once the form has been saved,
dates on or after consent and not in the future, and implausible values that need a
confirming tick. Impossible values are refused by the model's validators and constraints.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.models import Participant
from participants.services import check_clinical_date
from trials.choices import AnswerType, Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_HELP = "Required for any change after the first save; kept in the audit trail."


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", submit_label))
    return helper


class ReportsHiddenErrors:
    """Repeats an error of a hidden input (the version the user opened) for the whole form:
    no field shows it (crispy-forms draws no error beside a hidden input), and a refused
    form says why (DESIGN.md rule 6). Only a tampered or incomplete page sends a bad one."""

    HIDDEN_ERROR = "This page was incomplete or out of date: reload it and enter your change again."

    def clean(self):
        cleaned = super().clean()
        if any(name in self.fields and self.fields[name].widget.is_hidden for name in self.errors):
            self.add_error(None, self.HIDDEN_ERROR)
        return cleaned


def date_checks(form, participant: Participant, names) -> None:
    """Each named date, by the services' rule (`check_clinical_date`): on or after consent
    and not in the future. Checked here too so the message stands beside the field with
    the form's other errors."""
    for name in names:
        try:
            check_clinical_date(participant, form.cleaned_data.get(name), name)
        except ValidationError as exc:
            form.add_error(name, exc.message_dict[name])


class ScreeningForm(forms.Form):
    """Who is screened and their answers to the trial's criteria (one field per criterion;
    an age criterion is computed from the date of birth, not asked)."""

    site = forms.ModelChoiceField(queryset=None, empty_label=None)
    sex = forms.ChoiceField(choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(widget=DATE)
    screening_date = forms.DateField(widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, trial, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.trial = trial
        self.sites = list(sites)
        self.fields["site"].queryset = sites
        if len(self.sites) == 1:
            # A coordinator of one site screens there; nothing to choose.
            del self.fields["site"]
        self.criteria = list(trial.criteria.all())
        for criterion in self.criteria:
            label = f"{criterion.code} {criterion.text}"
            if criterion.answer_type == AnswerType.YES_NO:
                self.fields[criterion.code] = forms.TypedChoiceField(
                    label=label,
                    choices=[("yes", "Yes"), ("no", "No")],
                    coerce=lambda v: v == "yes",
                    widget=forms.RadioSelect,
                    help_text=f"{criterion.get_kind_display()} criterion.",
                )
            elif criterion.answer_type == AnswerType.NUMBER:
                self.fields[criterion.code] = forms.DecimalField(
                    label=f"{label} ({criterion.unit})" if criterion.unit else label,
                    max_digits=8,
                    decimal_places=2,
                    min_value=0,
                    help_text=f"{criterion.get_kind_display()} criterion: {criterion.bounds_text}.",
                )
        self.helper = _helper("Save screening")

    def clean(self):
        cleaned = super().clean()
        dob, screened = cleaned.get("date_of_birth"), cleaned.get("screening_date")
        today = timezone.localdate()
        if screened and screened > today:
            self.add_error("screening_date", "This date is in the future.")
        if dob and dob >= today:
            self.add_error("date_of_birth", "The date of birth must be in the past.")
        elif dob and screened and dob.year < screened.year - 120:
            self.add_error("date_of_birth", "That would make the person over 120 years old.")
        return cleaned

    def chosen_site(self):
        return self.cleaned_data.get("site") or self.sites[0]

    def answers(self) -> dict:
        return {c.code: self.cleaned_data.get(c.code) for c in self.criteria}


class ConsentForm(forms.Form):
    consent_date = forms.DateField(label="Date informed consent signed", widget=DATE)
    consent_version = forms.CharField(
        label="Consent form version", max_length=40, help_text='As printed on the form, e.g. "2.1".'
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.helper = _helper("Record consent")

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("consent_date")
        if value and value > timezone.localdate():
            self.add_error("consent_date", "This date is in the future.")
        elif value and value < self.participant.date_of_birth:
            self.add_error("consent_date", "This date is before the date of birth.")
        return cleaned


class BaselineForm(forms.Form):
    baseline_date = forms.DateField(
        label="Baseline date (day 1, first dose)",
        widget=DATE,
        help_text="The visit schedule's target dates and windows are computed from it.",
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.helper = _helper("Set baseline and create visits")

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, ["baseline_date"])
        return cleaned


class VisitDateForm(ReportsHiddenErrors, forms.Form):
    actual_date = forms.DateField(label="Date of the visit", widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason_for_change = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["version"].initial = visit.version
        if visit.actual_date is None:
            del self.fields["reason_for_change"]
        else:
            self.fields["actual_date"].initial = visit.actual_date
        self.helper = _helper("Save visit date")
        self.helper.form_id = "visit-date-form"

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.visit.participant, ["actual_date"])
        if "reason_for_change" in self.fields and not cleaned.get("reason_for_change", "").strip():
            self.add_error("reason_for_change", "Give the reason for this change.")
        return cleaned


class VisitMissedForm(ReportsHiddenErrors, forms.Form):
    missed_reason = forms.CharField(
        label="Why was the visit missed?", widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = visit.version
        self.helper = _helper("Mark visit missed")
        self.helper.form_id = "visit-missed-form"
        self.helper.inputs[0].field_classes = "btn btn-outline-danger"


class UnscheduledVisitForm(forms.Form):
    actual_date = forms.DateField(label="Date of the visit", widget=DATE)
    unscheduled_reason = forms.CharField(label="Reason for the visit", max_length=200)

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.helper = _helper("Add unscheduled visit")

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, ["actual_date"])
        return cleaned


class EnteredInErrorForm(forms.Form):
    entered_in_error_reason = forms.CharField(
        label="Why was this entered in error?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The record is hidden from the casebook; it and its history are kept.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = record.version


class CrfForm(ReportsHiddenErrors, forms.ModelForm):
    """The base of every case report form.

    Subclasses set `Meta.model`/`Meta.fields` and may set `plausible`: field -> (low, high),
    the usual range; a value outside it is kept only with the confirming tick.
    """

    plausible: dict[str, tuple] = {}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_implausible = forms.BooleanField(
        required=False,
        label="I have checked the unusual values flagged above against the source; they are "
        "correct.",
    )
    reason_for_change = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    def __init__(self, *args, participant, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.visit = visit
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        if not self.instance.pk:
            del self.fields["reason_for_change"]
            if "report_date" in self.fields and visit.actual_date:
                # the form's initial data (from the empty instance) wins over a field's
                self.initial.setdefault("report_date", None)
                self.initial["report_date"] = self.initial["report_date"] or visit.actual_date
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE
            if name in self.plausible:
                low, high = self.plausible[name]
                extra = f"Usual range {low}–{high}."
                field.help_text = f"{field.help_text} {extra}".strip()
        self.helper = _helper("Save form")
        self.helper.layout = Layout(
            *[Field(name) for name in self.layout_fields()],
            # The tick is offered once a save has been tried (it may have flagged values).
            *(
                [Div(Field("confirm_implausible"), css_class="confirm-implausible")]
                if self.is_bound
                else []
            ),
            *([Field("reason_for_change")] if "reason_for_change" in self.fields else []),
            Field("version"),
        )

    def layout_fields(self) -> list[str]:
        return list(self._meta.fields)

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, self._meta.model.clinical_date_fields)
        self.implausible = []
        for name, (low, high) in self.plausible.items():
            value = cleaned.get(name)
            if (
                value is not None
                and not (low <= value <= high)
                and name not in self.errors
                and self._possible(name, value)
            ):
                self.implausible.append(name)
        if self.implausible and not cleaned.get("confirm_implausible"):
            for name in self.implausible:
                low, high = self.plausible[name]
                self.add_error(
                    name,
                    f"{cleaned[name]} is outside the usual range ({low}–{high}). Check it; if "
                    "it is right, tick the confirmation below and save again.",
                )
        if "reason_for_change" in self.fields and not cleaned.get("reason_for_change", "").strip():
            self.add_error("reason_for_change", "Give the reason for this change.")
        return cleaned

    def _possible(self, name, value) -> bool:
        """An impossible value gets the model validator's message alone (after this clean),
        not an invitation to confirm it."""
        try:
            self._meta.model._meta.get_field(name).run_validators(value)
        except ValidationError:
            return False
        return True

    def values(self) -> dict:
        """The model fields to save, as cleaned."""
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}
