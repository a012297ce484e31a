"""ALSFRS-R and FVC forms."""

from crispy_forms.layout import Field, Fieldset, Layout
from django import forms

from participants import alsfrs
from participants.forms.base import CrfForm
from participants.models import AlsfrsR, Fvc

NOT_SCORED = "Not scored (the other version of item 5 applies)"


class AlsfrsRForm(CrfForm):
    """The 12 items as radio buttons with their anchors, grouped by domain. Exactly one of
    5a/5b, and 0-4 per item, are the model's rules: their messages come back beside the
    items. The total and subscores are computed on save and shown above the form."""

    class Meta:
        model = AlsfrsR
        fields = ["report_date", *alsfrs.ITEM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in alsfrs.ITEM_FIELDS:
            field = self.fields[name]
            field.widget = forms.RadioSelect()
            choices = alsfrs.item_choices(name)
            field.choices = [("", NOT_SCORED), *choices] if name in ("q5a", "q5b") else choices
        field_count = len(self._meta.fields)
        self.helper.layout = Layout(
            Field("report_date"),
            *[
                Fieldset(title, *[Field(n) for n in names])
                for title, names in (
                    ("Bulbar", ("q1", "q2", "q3")),
                    ("Fine motor: score 5a or 5b, not both", ("q4", "q5a", "q5b", "q6")),
                    ("Gross motor", ("q7", "q8", "q9")),
                    ("Respiratory", ("q10", "q11", "q12")),
                )
            ],
            *self.helper.layout.fields[field_count:],
        )

    @staticmethod
    def page_context(*, participant, visit, record, user) -> dict:
        """The stored total and subscores of the saved form."""
        if record is None or record.total is None:
            return {}
        return {"derived_template": "participants/_alsfrs_scores.html", "scores": record}


class FvcForm(CrfForm):
    # Usual ranges in ALS trials: eligibility needs >= 60 % predicted (clinical.md s1) and
    # FVC falls as the disease progresses; below 30 % is respiratory failure territory, a
    # value worth a second look at the source.
    plausible = {"fvc_litres": (0.5, 6), "percent_predicted": (30, 150)}

    class Meta:
        model = Fvc
        fields = [
            "report_date",
            "fvc_litres",
            "percent_predicted",
            "reference_equation",
            "reference_equation_other",
            "acceptable_trials",
        ]
