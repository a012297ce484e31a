"""Pharmacokinetic samples form."""

from django import forms

from participants.forms.base import CrfForm
from participants.models import PkSample

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PkSampleForm(CrfForm):
    """Times and concentrations. The model checks that times are not in the future nor
    before consent and that the last dose precedes the samples (messages at the fields).

    Usual ranges, umol/L [check against the trial's assay]: fasting plasma L-serine is
    ~80-200 and rises several-fold for hours after an oral dose; plasma D-serine a few
    umol/L; plasma glycine ~150-450; CSF L-serine ~20-60, D-serine a few, glycine ~5-15.
    The ranges below are wider, so that only a likely typing or unit error asks the tick.
    A form saved without the last dose (or the pre-dose tick) counts as incomplete.
    """

    plausible = {
        "plasma_l_serine": (50, 1500),
        "plasma_d_serine": (0.2, 30),
        "plasma_glycine": (80, 1200),
        "csf_l_serine": (5, 300),
        "csf_d_serine": (0.2, 30),
        "csf_glycine": (1, 100),
    }

    class Meta:
        model = PkSample
        fields = [
            "report_date",
            "pre_dose",
            "last_dose_at",
            "plasma_collected_at",
            "plasma_l_serine",
            "plasma_d_serine",
            "plasma_glycine",
            "csf_collected_at",
            "csf_l_serine",
            "csf_d_serine",
            "csf_glycine",
        ]
        widgets = {
            "last_dose_at": DATETIME,
            "plasma_collected_at": DATETIME,
            "csf_collected_at": DATETIME,
        }
