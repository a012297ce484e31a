"""Genotype of the stratification variants."""

from participants.forms.base import CrfForm
from participants.models import Genotype
from participants.models.genotype import VARIANTS


class GenotypeForm(CrfForm):
    class Meta:
        model = Genotype
        fields = ["report_date", *VARIANTS, "assay", "laboratory"]
