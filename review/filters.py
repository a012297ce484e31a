"""Filters of the monitors' listings (django-filter), read from GET parameters so that a
filtered listing is a link a monitor can keep, share and export."""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from meddra.models import Pt
from review.models import AdverseEventReviewMark
from safety.choices import Relationship
from trials.models import Site, sites_in_scope

# Causality counted as "related to study drug" in listings. AEREL has no CDISC codelist
# (safety/choices.py); the convention of CDISC ADaM's ADAE (AREL / "related" flags in
# sponsor SAPs) and of the WHO-UMC causality scale, which the protocol's sponsor list
# follows, is that possible, probable and definite count as related (a "reasonable
# possibility" in ICH E2A terms), unlikely and not related do not.
RELATED = (Relationship.POSSIBLE, Relationship.PROBABLE, Relationship.DEFINITE)

# sort parameter -> ORDER BY; each ends with the primary key so pages never overlap.
SORTS = {
    "site": ("participant__site__number", "participant__subject_number", "-onset_date", "-pk"),
    "-site": ("-participant__site__number", "participant__subject_number", "-onset_date", "-pk"),
    "subject": ("participant__subject_number", "-onset_date", "-pk"),
    "-subject": ("-participant__subject_number", "-onset_date", "-pk"),
    "onset": ("onset_date", "pk"),
    "-onset": ("-onset_date", "-pk"),
    # each of these and its reverse walk one index of safety.AdverseEvent (its Meta)
    "grade": (F("ctcae_grade").asc(nulls_first=True), "onset_date", "pk"),
    "-grade": (F("ctcae_grade").desc(nulls_last=True), "-onset_date", "-pk"),
    "pt": ("pt_name", "-onset_date", "-pk"),
    "-pt": ("-pt_name", "onset_date", "pk"),
    "soc": ("soc_name", "pt_name", "-onset_date", "-pk"),
    "-soc": ("-soc_name", "-pt_name", "onset_date", "pk"),
    "changed": ("updated_at", "pk"),
    "-changed": ("-updated_at", "-pk"),
}
DEFAULT_SORT = "-onset"


def style_widgets(form) -> None:
    """Bootstrap's classes on a filter form's widgets. The listings draw their filter forms
    field by field with these, not with crispy-forms: its templates took some 45 ms a page
    for eight fields (bench/)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


class OnlyTrueFilter(django_filters.BooleanFilter):
    """A checkbox sent as `name=true`: filters when ticked, does nothing otherwise (an
    unticked box means "all", not "false")."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput(attrs={"value": "true"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # With `method`, django-filter calls the method instead (FilterMethod), which
        # then checks the value itself (`if not value: return queryset`).
        if value is not True:
            return qs
        return qs.filter(**{self.field_name: True})


class DateInput(forms.DateInput):
    input_type = "date"


class AdverseEventFilter(django_filters.FilterSet):
    """The adverse event listing's filters. Needs `request` (the user's sites and marks)
    and `trial`."""

    site = django_filters.ModelChoiceFilter(
        field_name="participant__site",
        to_field_name="number",
        queryset=Site.objects.none(),
        label="Site",
        empty_label="All sites",
    )
    subject = django_filters.CharFilter(
        field_name="participant__subject_number", lookup_expr="icontains", label="Subject"
    )
    pt = django_filters.CharFilter(method="filter_pt", label="Preferred term")
    soc = django_filters.CharFilter(
        field_name="soc_name", lookup_expr="icontains", label="System organ class"
    )
    min_grade = django_filters.ChoiceFilter(
        field_name="ctcae_grade",
        lookup_expr="gte",
        choices=[(str(g), f"≥ {g}") for g in range(1, 6)],
        empty_label="Any grade",
        label="CTCAE grade",
    )
    onset_after = django_filters.DateFilter(
        field_name="onset_date", lookup_expr="gte", label="Onset from", widget=DateInput
    )
    onset_before = django_filters.DateFilter(
        field_name="onset_date", lookup_expr="lte", label="Onset to", widget=DateInput
    )
    serious = OnlyTrueFilter(field_name="serious", label="Serious")
    sae_overdue = OnlyTrueFilter(method="filter_sae_overdue", label="SAE report overdue")
    related = OnlyTrueFilter(method="filter_related", label="Related")
    ongoing = OnlyTrueFilter(field_name="ongoing", label="Ongoing")
    new = OnlyTrueFilter(method="filter_new", label="New or changed since my review")
    sort = django_filters.ChoiceFilter(
        choices=[(key, key) for key in SORTS], method="sort_by", label="Sort", empty_label=None
    )

    def __init__(self, *args, request, trial, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.trial = trial
        # The user's sites of this trial: a site outside them is not a valid choice.
        self.filters["site"].queryset = sites_in_scope(request.user, trial)
        self.form.fields["site"].queryset = self.filters["site"].queryset
        style_widgets(self.form)
        self.form.fields["soc"].widget.attrs["list"] = "soc-names"
        self.form.fields["pt"].widget.attrs["placeholder"] = "name or code"

    def filter_pt(self, queryset, name, value):
        """A MedDRA PT code (8 digits) or part of the PT's name."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(pt_code=int(value))
        # The PTs of every loaded MedDRA release whose name holds the text, then the events
        # by PT code (ae_pt_code_idx): a PT keeps its code across releases, and an event
        # stores the code and name it was coded with. Matching the events' names directly
        # read every event (bench/: 170 ms at 100,000).
        codes = Pt.objects.filter(name__icontains=value).values_list("code", flat=True)
        return queryset.filter(pt_code__in=sorted(set(codes)))

    def filter_related(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(relationship__in=RELATED)

    def filter_sae_overdue(self, queryset, name, value):
        # As AdverseEventQuerySet.sae_report_overdue: serious, not reported, past due.
        if not value:
            return queryset
        return queryset.filter(
            serious=True, sae_reported_at__isnull=True, sae_report_due_at__lt=timezone.now()
        )

    def filter_new(self, queryset, name, value):
        """Events the user has no mark on, or whose version moved past the mark (in SQL)."""
        if not value:
            return queryset
        return queryset.filter(~Exists(reviewed_at_current_version(self.request.user)))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])


def reviewed_at_current_version(user):
    """The user's mark on the outer adverse event, at its current version or later."""
    return AdverseEventReviewMark.objects.filter(
        adverse_event=OuterRef("pk"), reviewer_id=user.pk, reviewed_version__gte=OuterRef("version")
    )
