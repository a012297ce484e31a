"""Adverse event forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse

from meddra.services import llt_lookup
from participants.forms.base import DATE, REASON_HELP, CrfForm, ReportsHiddenErrors, date_checks
from safety import ctcae
from safety.choices import CourseEntryKind, Severity
from safety.models import AdverseEvent, AdverseEventReview
from safety.models.adverse_events import SERIOUS_FIELDS


class AdverseEventReviewForm(CrfForm):
    """The visit's AE review: a yes/no question; the events go in the AE log."""

    class Meta:
        model = AdverseEventReview
        fields = ["report_date", "any_events", "comment"]
        widgets = {"any_events": forms.RadioSelect, "comment": forms.Textarea(attrs={"rows": 2})}

    @staticmethod
    def page_context(*, participant, visit, record, user) -> dict:
        """Answered yes: the page offers to report the event (linked to this visit)."""
        return {"derived_template": "safety/_ae_review_report.html"}


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SERIOUS_HELP = (
    "Serious: results in death, is life-threatening, requires or prolongs hospitalization, "
    "results in persistent disability, is a congenital anomaly, or is another important "
    "medical event (ICH E2A). The sponsor must have the report within 24 hours of the site "
    "learning of it."
)


class AdverseEventForm(ReportsHiddenErrors, forms.ModelForm):
    """Report or change an adverse event. The MedDRA term is chosen by type-ahead; the
    hidden `llt_code` is what is saved (the service copies the coding from the dictionary).
    The CTCAE grade choices carry the coded term's grade texts. On a change: whether it is
    a follow-up (the event evolved, as of a date) or a correction, and the reason."""

    llt_search = forms.CharField(
        label="MedDRA term (lowest level term)",
        required=False,
        help_text="Type at least two letters and choose the term from the list.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label="What is this change?",
        choices=[
            (CourseEntryKind.FOLLOW_UP, "Follow-up: the event evolved (kept in its course)"),
            (CourseEntryKind.CORRECTION, "Correction: what was entered before was wrong"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    as_of = forms.DateField(
        label="Follow-up as of",
        required=False,
        widget=DATE,
        help_text="The date the event changed (for a follow-up; not before onset).",
    )
    reason_for_change = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "verbatim_term",
            "llt_code",
            "onset_date",
            "end_date",
            "ongoing",
            "severity",
            "ctcae_grade",
            "serious",
            *SERIOUS_FIELDS,
            "site_aware_at",
            "sae_reported_at",
            "relationship",
            "action_taken",
            "outcome",
            "treatment",
        ]
        widgets = {
            "llt_code": forms.HiddenInput,
            "onset_date": DATE,
            "end_date": DATE,
            "severity": forms.RadioSelect,
            "ctcae_grade": forms.RadioSelect,
            "site_aware_at": DATETIME,
            "sae_reported_at": DATETIME,
            "treatment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        event = self.instance
        self.editing = event.pk is not None
        self.fields["llt_search"].widget.attrs.update(
            {
                "data-meddra-search": reverse("meddra:llt_search"),
                "data-meddra-target": "llt_code",
                "autocomplete": "off",
            }
        )
        self.fields["llt_search"].initial = event.llt_name
        self.fields["severity"].choices = Severity.choices
        self.fields["site_aware_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["sae_reported_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["serious"].help_text = SERIOUS_HELP
        self.fields["ctcae_grade"].choices = self.grade_choices()
        if self.editing:
            self.fields["version"].initial = event.version
            self.fields["kind"].required = True
        else:
            for name in ("kind", "as_of", "reason_for_change"):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_id = "adverse-event-form"
        self.helper.add_input(Submit("save", "Save adverse event"))
        coding = HTML(
            '<dl class="row small mb-3" id="meddra-coding">'
            '<dt class="col-sm-3">MedDRA PT</dt><dd class="col-sm-9" data-meddra-pt>'
            "{{ form.instance.pt_name|default:'—' }}</dd>"
            '<dt class="col-sm-3">MedDRA SOC</dt><dd class="col-sm-9" data-meddra-soc>'
            "{{ form.instance.soc_name|default:'—' }}</dd>"
            "{% if form.instance.meddra_version %}"
            '<dt class="col-sm-3">MedDRA version</dt><dd class="col-sm-9">'
            "{{ form.instance.meddra_version }}</dd>{% endif %}</dl>"
        )
        change = (
            [Fieldset("This change", "kind", "as_of", "reason_for_change")] if self.editing else []
        )
        self.helper.layout = Layout(
            *change,
            Fieldset("Event", "verbatim_term", "llt_search", "llt_code", coding),
            Fieldset("Dates", "onset_date", "end_date", "ongoing"),
            Fieldset(
                "Intensity",
                "severity",
                Div("ctcae_grade", css_id="ctcae-grade"),
                # static/js/meddra-typeahead.js lists the grade texts of a newly chosen
                # term here (the radio labels carry those of the term saved).
                HTML('<ol class="small ps-0 mb-3" data-ctcae-grades></ol>'),
            ),
            Fieldset("Seriousness", "serious", *SERIOUS_FIELDS, "site_aware_at", "sae_reported_at"),
            Fieldset("Study drug and outcome", "relationship", "action_taken", "outcome"),
            "treatment",
            "version",
        )

    def coded_term(self):
        """The CTCAE term of the coding shown: the submitted LLT if it is a known one,
        else the stored coding."""
        code = self.data.get("llt_code") if self.is_bound else self.instance.llt_code
        if code and str(code) != str(self.instance.llt_code or ""):
            term = llt_lookup(code)
            if term:
                return ctcae.term_for(llt_code=term["llt_code"], pt_code=term["pt_code"])
            return None
        return ctcae.term_for(llt_code=self.instance.llt_code, pt_code=self.instance.pt_code)

    def grade_choices(self) -> list:
        """Grade radio choices with the coded term's texts beside each; an uncoded or
        ungraded term gets plain grades 1-5."""
        term = self.coded_term()
        texts = ctcae.grade_texts(term)
        if not texts:
            return [("", "Not graded")] + [(g, f"Grade {g}") for g in range(1, 6)]
        return [("", "Not graded")] + [(g, f"Grade {g}: {text}") for g, text in texts.items()]

    def _kept_to_the_minute(self, name):
        """The page shows times to the minute (datetime-local): an unchanged time comes
        back without its seconds. Keep the stored time then, so that a save which did not
        touch it does not change it silently (DESIGN.md rule 2)."""
        value = self.cleaned_data.get(name)
        stored = getattr(self.instance, name, None) if self.instance.pk else None
        if value and stored and value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    def clean_site_aware_at(self):
        return self._kept_to_the_minute("site_aware_at")

    def clean_sae_reported_at(self):
        return self._kept_to_the_minute("sae_reported_at")

    def clean(self):
        cleaned = super().clean()
        date_checks(self, self.participant, ["onset_date", "end_date"])
        if self.editing:
            if cleaned.get("kind") == CourseEntryKind.FOLLOW_UP and not cleaned.get("as_of"):
                self.add_error("as_of", "Give the date of the follow-up (when it changed).")
            if not cleaned.get("reason_for_change", "").strip():
                self.add_error("reason_for_change", "Give the reason for this change.")
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}
