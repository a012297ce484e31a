"""Source data verification: the monitor's mark on a form, and the SDV listing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, DateField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from participants.services import StaleEdit
from participants.views.access import participant_for, trial_for
from review.forms import VerificationFilterForm, VerifyForm
from review.models import SourceVerification
from review.records import label_for, page_url, record_for, record_url, reviewable_models
from review.selectors import awaiting_verification, verification_rows
from review.services import can_verify, record_verify
from safety.models import AdverseEvent, EndOfStudy, LabPanel

LISTING_PAGE_SIZE = 50


@login_required
@require_POST
def record_verify_page(request, code, pk, ct, object_id):
    """POST: mark the form source-verified at the version the page showed (monitors)."""
    participant = participant_for(request, code, pk)
    record = record_for(ct, object_id, participant)
    back = record_url(record, code)
    if not can_verify(request.user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Only the site's monitors mark source data verified.")
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not verified: reload the form and try again.")
        return redirect(back)
    try:
        record_verify(
            record=record, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleEdit:
        messages.error(
            request, "Not verified: the form changed after you opened it. Check it again."
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Source verified.")
    return redirect(back)


def _mark_field(model, name: str, output_field):
    content_type = ContentType.objects.get_for_model(model)
    return Subquery(
        SourceVerification.objects.filter(
            content_type=content_type, object_id=OuterRef("pk")
        ).values(name)[:1],
        output_field=output_field,
    )


def _rows(user, trial, model, *, site: str, status: str):
    """One model's rows of the listing, as plain values with the same columns for every
    model (they are combined with UNION ALL, sorted and paginated in SQL)."""
    rows = verification_rows(user, trial, model)
    if site:
        rows = rows.filter(participant__site__number=site)
    if status == "awaiting":
        rows = awaiting_verification(rows)
    elif status == "verified":
        rows = rows.filter(version=F("verified_version"))
    elif status == "cleared":
        rows = rows.filter(version__gt=F("verified_version"))
    elif status == "not_verified":
        rows = rows.filter(verified_version__isnull=True)
    has_visit = any(f.name == "visit" for f in model._meta.concrete_fields)
    if model is AdverseEvent:
        detail, when = F("verbatim_term"), F("onset_date")
    elif model is LabPanel:
        detail, when = F("panel"), F("report_date")
    elif model is EndOfStudy:
        detail, when = Value(""), F("end_date")
    else:
        detail, when = Value(""), F("report_date")
    return rows.annotate(
        row_ct=Value(ContentType.objects.get_for_model(model).pk, IntegerField()),
        row_pk=F("pk"),
        row_participant=F("participant_id"),
        site_number=F("participant__site__number"),
        subject=Coalesce(
            NullIf(F("participant__subject_number"), Value("")),
            F("participant__screening_number"),
        ),
        row_visit=F("visit_id") if has_visit else Value(None, IntegerField()),
        visit_name=F("visit__definition__name") if has_visit else Value(None, CharField()),
        detail=Coalesce(detail, Value(""), output_field=CharField()),
        row_date=when,
        row_version=F("version"),
        mark_version=F("verified_version"),
        changed_at=F("updated_at"),
        verified_at=_mark_field(model, "verified_at", DateField()),
        verified_by=_mark_field(model, "verified_by__username", CharField()),
    ).values(
        "row_ct",
        "row_pk",
        "row_participant",
        "site_number",
        "subject",
        "row_visit",
        "visit_name",
        "detail",
        "row_date",
        "row_version",
        "mark_version",
        "changed_at",
        "verified_at",
        "verified_by",
    )


def _describe(row: dict, code: str) -> dict:
    """The row's form name, page and status, from its values (no query per row), by the
    rules of review/records.py."""
    model = ContentType.objects.get_for_id(row["row_ct"]).model_class()
    label = label_for(
        model,
        verbatim_term=row["detail"],
        panel=row["detail"],
        report_date=row["row_date"],
        visit_name=row["visit_name"],
    )
    url = page_url(
        model,
        code,
        participant_id=row["row_participant"],
        pk=row["row_pk"],
        visit_id=row["row_visit"],
    )
    if row["mark_version"] is None:
        status = "Not verified"
    elif row["row_version"] > row["mark_version"]:
        status = f"Cleared (version {row['mark_version']} → {row['row_version']})"
    else:
        status = "Verified"
    return {**row, "label": label, "url": url, "status": status}


@login_required
def sdv_listing(request, code):
    """The trial's forms and their source verification, at the sites the user sees:
    ?site=01&status=awaiting|verified|cleared|not_verified; by site, subject and date,
    one page of LISTING_PAGE_SIZE rows, a fixed number of queries (one UNION ALL)."""
    trial = trial_for(request, code)
    form = VerificationFilterForm(request.GET or None)
    site = status = ""
    if form.is_valid():
        site, status = form.cleaned_data["site"].strip(), form.cleaned_data["status"]
    parts = [
        _rows(request.user, trial, model, site=site, status=status) for model in reviewable_models()
    ]
    combined = (
        parts[0]
        .union(*parts[1:], all=True)
        .order_by("site_number", "subject", "row_date", "row_ct", "row_pk")
    )
    page = Paginator(combined, LISTING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/sdv_listing.html",
        {
            "trial": trial,
            "form": form,
            "page": page,
            "rows": [_describe(row, code) for row in page],
            "title": "Source data verification",
        },
    )
