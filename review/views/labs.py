"""The monitors' renal lab listing and its export.

Every renal-panel result (creatinine, BUN, urea) at the sites in the user's scope, with the
values derived from creatinine (eGFR, KDIGO GFR category, AKI stage, CTCAE grade, change
from baseline) and the open renal signal. No arm and no dose: nothing here needs them, so
blinded and unblinded users see the same page (DESIGN.md rule 4).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import render

from participants.views.access import trial_for
from review.exports import csv_response, xlsx_response
from review.lab_filters import RENAL_ANALYTES, LabResultFilter
from review.paging import CappedPaginator, querystring
from safety.models import LabResult
from trials.choices import SITE_ROLES
from trials.models import Membership, sites_in_scope_read

PAGE_SIZE = 50
EXPORT_CHUNK = 2000

# The `sort` whitelist: parameter -> ORDER BY. Anything else falls back to the default:
# the newest results first (an index walk: `lab_collected_idx`). Open signals stand out in
# the rows, and the "Open signal" filter (the monitor's home links to it) lists only them.
SORTS = {
    "site": ("participant__site__number", "participant__subject_number", "-collected_at"),
    "-site": ("-participant__site__number", "participant__subject_number", "-collected_at"),
    "subject": ("participant__subject_number", "-collected_at"),
    "-subject": ("-participant__subject_number", "-collected_at"),
    "collected": ("collected_at",),
    "-collected": ("-collected_at",),
    "analyte": ("analyte", "-collected_at"),
    "grade": (F("ctcae_grade").asc(nulls_first=True), "-collected_at"),
    "-grade": (F("ctcae_grade").desc(nulls_last=True), "-collected_at"),
    "egfr": (F("egfr").asc(nulls_last=True), "-collected_at"),
    "-egfr": (F("egfr").desc(nulls_last=True), "-collected_at"),
    "aki": (F("aki_stage").asc(nulls_first=True), "-collected_at"),
    "-aki": (F("aki_stage").desc(nulls_last=True), "-collected_at"),
    "ratio": (F("creatinine_ratio").asc(nulls_last=True), "-collected_at"),
    "-ratio": (F("creatinine_ratio").desc(nulls_last=True), "-collected_at"),
}
DEFAULT_SORT = ("-collected_at",)

EXPORT_COLUMNS = [
    ("participant__site__number", "Site"),
    ("participant__subject_number", "Subject"),
    ("collected_at", "Collected"),
    ("analyte", "Analyte (LBTESTCD)"),
    ("value", "Result as reported (LBORRES)"),
    ("unit", "Unit as reported (LBORRESU)"),
    ("standard_value", "Result, standard unit (LBSTRESN)"),
    ("standard_unit", "Standard unit (LBSTRESU)"),
    ("reference_low", "Reference low"),
    ("reference_high", "Reference high"),
    ("flag", "Flag (LBNRIND)"),
    ("ctcae_grade", "CTCAE grade"),
    ("ctcae_version", "CTCAE version"),
    ("egfr", "eGFR (mL/min/1.73 m2)"),
    ("egfr_equation", "eGFR equation"),
    ("egfr_not_computed", "eGFR not computed because"),
    ("kdigo_gfr_category", "KDIGO GFR category"),
    ("aki_stage", "KDIGO AKI stage"),
    ("is_baseline", "Baseline"),
    ("creatinine_ratio", "Creatinine / baseline"),
    ("egfr_change_percent", "eGFR change from baseline (%)"),
    ("renal_signal__status", "Renal signal"),
]


def renal_results(request, trial):
    """(filterset, ordered queryset) of the renal results the request asks for."""
    results = LabResult.objects.for_user_in_trial(request.user, trial).filter(
        participant__entered_in_error=False,
        entered_in_error=False,
        # A panel entered in error marks its results too (lab_panel_mark_entered_in_error),
        # so entered_in_error=False on the result is enough: no join with the panel.
        analyte__in=RENAL_ANALYTES,
    )
    site_numbers = [site.number for site in sites_in_scope_read(request.user, trial)]
    filterset = LabResultFilter(request.GET, queryset=results, site_numbers=site_numbers)
    order = SORTS.get(request.GET.get("sort", ""), DEFAULT_SORT)
    # The trailing keys make the order total, so pages never repeat or skip a row.
    return filterset, filterset.qs.order_by(*order, "participant__subject_number", "pk")


@login_required
def lab_listing(request, code):
    """One page of PAGE_SIZE results, filters and sort kept across pages; fixed queries."""
    trial = trial_for(request, code)
    filterset, results = renal_results(request, trial)
    # The page's ids first, sorted on narrow rows; then its 50 rows with what they show. At
    # 200,000 results (bench/) sorting whole joined rows costs several times more.
    page = CappedPaginator(results.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    rows = LabResult.objects.select_related("participant__site", "renal_signal").in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids]
    # Sites where the user enters data: their open signals link to the close page.
    entry_site_ids = set(
        Membership.objects.filter(
            user_id=request.user.pk, trial=trial, role__in=SITE_ROLES
        ).values_list("site_id", flat=True)
    )
    return render(
        request,
        "review/lab_listing.html",
        {
            "trial": trial,
            "title": "Renal lab listing",
            "filter": filterset,
            "page": page,
            "sort": request.GET.get("sort", "") if request.GET.get("sort") in SORTS else "",
            "sorts": SORTS,
            "querystring": querystring(request),
            "sort_querystring": querystring(request, sort=None),
            "export_querystring": querystring(request, format=None),
            "entry_site_ids": entry_site_ids,
        },
    )


@login_required
def lab_listing_export(request, code):
    """The listing's rows, all pages, as CSV (streamed) or XLSX (?format=xlsx)."""
    trial = trial_for(request, code)
    export_format = request.GET.get("format", "csv")
    if export_format not in ("csv", "xlsx"):
        raise Http404("Export as csv or xlsx.")
    _filterset, results = renal_results(request, trial)
    fields, header = zip(*EXPORT_COLUMNS, strict=True)
    rows = results.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK)
    filename = f"{trial.code}-renal-labs"
    if export_format == "xlsx":
        return xlsx_response(header, rows, f"{filename}.xlsx", title="Renal labs")
    return csv_response(header, rows, f"{filename}.csv")
