"""Vital signs and weight."""

from participants.forms.base import CrfForm
from participants.models import VitalSigns


class VitalSignsForm(CrfForm):
    plausible = {
        "weight_kg": (30, 200),
        "height_cm": (120, 220),
        "systolic_bp": (80, 200),
        "diastolic_bp": (40, 120),
        "heart_rate": (40, 140),
        "temperature_c": (35, 39.5),
    }

    class Meta:
        model = VitalSigns
        fields = [
            "report_date",
            "weight_kg",
            "height_cm",
            "systolic_bp",
            "diastolic_bp",
            "heart_rate",
            "temperature_c",
        ]

    def clean(self):
        # Cross-field rules first: a value they refuse is not also asked to be confirmed.
        sys_bp, dia_bp = self.cleaned_data.get("systolic_bp"), self.cleaned_data.get("diastolic_bp")
        if sys_bp is not None and dia_bp is not None and sys_bp <= dia_bp:
            self.add_error("diastolic_bp", "Diastolic pressure must be below systolic.")
        return super().clean()
