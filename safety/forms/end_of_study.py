"""Safety data-entry forms: cleaning and layout (crispy-forms), never saving."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms

from participants.forms.base import DATE, REASON_HELP, ReportsHiddenErrors, date_checks
from safety.choices import EndOfStudyStatus
from safety.models import AdverseEvent, EndOfStudy


class AdverseEventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.verbatim_term} (onset {obj.onset_date:%Y-%m-%d})"


class EndOfStudyForm(ReportsHiddenErrors, forms.ModelForm):
    """Completed or withdrawn, when, why. The adverse event list holds this participant's
    own live events only; the model says which reason needs which field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason_for_change = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    class Meta:
        model = EndOfStudy
        fields = [
            "status",
            "end_date",
            "withdrawal_reason",
            "adverse_event",
            "reason_detail",
            "last_dose_date",
        ]
        field_classes = {"adverse_event": AdverseEventChoiceField}
        widgets = {
            "status": forms.RadioSelect,
            "end_date": DATE,
            "last_dose_date": DATE,
            "reason_detail": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.fields["adverse_event"].queryset = AdverseEvent.objects.filter(
            participant=participant, entered_in_error=False
        ).order_by("onset_date", "pk")
        self.fields["status"].choices = EndOfStudyStatus.choices  # no blank radio button
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["reason_for_change"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save end of study"))
        self.helper.layout = Layout(
            *[Field(name) for name in self._meta.fields],
            *([Field("reason_for_change")] if "reason_for_change" in self.fields else []),
            Field("version"),
        )

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, ["end_date", "last_dose_date"])
        baseline = self.participant.baseline_date
        for name in ("end_date", "last_dose_date"):
            value = cleaned.get(name)
            if value and baseline and value < baseline and name not in self.errors:
                self.add_error(name, f"This date is before baseline ({baseline:%Y-%m-%d}).")
        if "reason_for_change" in self.fields and not cleaned.get("reason_for_change", "").strip():
            self.add_error("reason_for_change", "Give the reason for this change.")
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}
