"""The filters of the monitors' renal lab listing and its export (django-filter).

GET parameters: site (site number, e.g. 01), subject (subject number), analyte (CDISC
LBTESTCD of a renal-panel analyte), abnormal ("true"), open_signal ("true"), min_grade
(CTCAE grade), collected_after and collected_before (dates, inclusive).
"""

import django_filters
from django import forms
from django.db.models import Q

from review.filters import style_widgets
from safety import analytes
from safety.choices import LabFlag, SignalStatus

# The renal panel's analytes (creatinine, BUN, urea): what the listing shows.
RENAL_ANALYTES = tuple(test.code for test in analytes.panel("RENAL").analytes)


def abnormal_q() -> Q:
    """A result a monitor looks at: outside the site lab's reference range (LBNRIND HIGH
    or LOW), or graded (CTCAE v5.0 "Creatinine increased" grade 1 or more, i.e. above ULN),
    or an acute kidney injury stage (KDIGO 2012 AKI stage 1 or more against baseline). A
    normal flag with no grade and no AKI stage is not abnormal."""
    return Q(flag__in=[LabFlag.HIGH, LabFlag.LOW]) | Q(ctcae_grade__gte=1) | Q(aki_stage__gte=1)


# A yes/no filter: blank means either ("Unknown" is what Django's NullBooleanSelect says).
ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class _DateInput(forms.DateInput):
    input_type = "date"


class LabResultFilter(django_filters.FilterSet):
    site = django_filters.ChoiceFilter(
        field_name="participant__site__number", label="Site", empty_label="All sites"
    )
    subject = django_filters.CharFilter(
        field_name="participant__subject_number", lookup_expr="iexact", label="Subject"
    )
    analyte = django_filters.ChoiceFilter(
        choices=[(code, analytes.analyte(code).name) for code in RENAL_ANALYTES],
        label="Analyte",
        empty_label="All renal analytes",
    )
    abnormal = django_filters.BooleanFilter(
        method="filter_abnormal", label="Abnormal", widget=forms.Select(choices=ANY_YES_NO)
    )
    open_signal = django_filters.BooleanFilter(
        method="filter_open_signal", label="Open signal", widget=forms.Select(choices=ANY_YES_NO)
    )
    min_grade = django_filters.ChoiceFilter(
        field_name="ctcae_grade",
        lookup_expr="gte",
        choices=[(str(g), f"Grade {g} or more") for g in range(1, 5)],
        label="CTCAE grade at least",
        empty_label="Any grade",
    )
    collected_after = django_filters.DateFilter(
        field_name="collected_at",
        lookup_expr="date__gte",
        label="Collected from",
        widget=_DateInput,
    )
    collected_before = django_filters.DateFilter(
        field_name="collected_at",
        lookup_expr="date__lte",
        label="Collected until",
        widget=_DateInput,
    )

    def __init__(self, *args, site_numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["site"].extra["choices"] = [(n, n) for n in site_numbers]
        style_widgets(self.form)

    def filter_abnormal(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(abnormal_q()) if value else queryset.exclude(abnormal_q())

    def filter_open_signal(self, queryset, name, value):
        if value is None:
            return queryset
        open_signal = Q(renal_signal__status=SignalStatus.OPEN)
        return queryset.filter(open_signal) if value else queryset.exclude(open_signal)
