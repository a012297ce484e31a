"""Genotype of the stratification variants (clinical.md s1: variants reported to shift
total serine: rs1163251, rs715, rs477992, rs4947534, rs259842)."""

import pghistory
from django.db import models

from participants.choices import GenotypeCall
from participants.models.crf import CaseReportForm, one_per_visit
from trials.audit import audit_trackers
from trials.choices import Assessment

VARIANTS = ("rs1163251", "rs715", "rs477992", "rs4947534", "rs259842")


def _call(variant: str) -> models.CharField:
    return models.CharField(
        f"{variant} genotype", max_length=8, choices=GenotypeCall.choices, blank=True
    )


@pghistory.track(*audit_trackers())
class Genotype(CaseReportForm):
    """One call per variant, relative to the reference allele of the genome build the lab
    reports against (the alleles themselves are not in the reference we hold)."""

    form_code = Assessment.GENOTYPE
    required_for_complete = (*VARIANTS, "assay")

    rs1163251 = _call("rs1163251")
    rs715 = _call("rs715")
    rs477992 = _call("rs477992")
    rs4947534 = _call("rs4947534")
    rs259842 = _call("rs259842")
    assay = models.CharField(
        "assay or platform", max_length=200, blank=True, help_text="e.g. TaqMan, SNP array."
    )
    laboratory = models.CharField("genotyping laboratory", max_length=200, blank=True)

    class Meta:
        verbose_name = "genotype"
        verbose_name_plural = "genotypes"
        constraints = [one_per_visit("genotype")]
