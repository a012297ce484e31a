"""The monitors' adverse event listing: every event at the user's sites, filtered, sorted,
paged on the server, marked reviewed by monitors, and exported as filtered.

No arm, allocation or dose appears here or in the export, whoever asks (DESIGN.md rule 4):
the listing is the same for blinded and unblinded roles.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, CharField, Q, Value, When
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from meddra.models import MeddraRelease, Soc
from participants.views.access import trial_for
from review.exports import csv_response, xlsx_response
from review.filters import DEFAULT_SORT, SORTS, AdverseEventFilter
from review.models import AdverseEventReviewMark
from review.paging import CappedPaginator, querystring
from review.services import adverse_event_mark_reviewed
from safety.models import SERIOUS_CRITERIA, AdverseEvent
from trials.choices import Role
from trials.models import Membership

PAGE_SIZE = 50
# openpyxl writes some 50,000 cells a second: beyond this many rows the XLSX would take
# longer than a proxy waits; CSV streams any number.
XLSX_MAX_ROWS = 20_000


# (header, sort key or None) of the listing's columns, in order.
COLUMNS = [
    ("Site", "site"),
    ("Subject", "subject"),
    ("Verbatim term", None),
    ("PT", "pt"),
    ("SOC", "soc"),  # drawn under the PT, in the PT's column
    ("Onset", "onset"),
    ("End", None),
    ("Grade", "grade"),
    ("Serious", None),
    ("Relationship", None),
    ("Action taken", None),
    ("Outcome", None),
    ("Last changed", "changed"),
]


def adverse_events_for(user, trial):
    """The events of `trial` in the user's scope, in the casebook, newest onset first."""
    return (
        AdverseEvent.objects.for_user_in_trial(user, trial)
        .in_casebook()
        .filter(participant__entered_in_error=False)
        .order_by(*SORTS[DEFAULT_SORT])
    )


def _filterset(request, trial) -> AdverseEventFilter:
    data = request.GET.copy()
    if data.get("sort") not in SORTS:
        data.pop("sort", None)  # an unknown sort falls back to the default, silently
    return AdverseEventFilter(
        data, queryset=adverse_events_for(request.user, trial), request=request, trial=trial
    )


def _is_monitor(user, trial) -> bool:
    return Membership.objects.filter(user_id=user.pk, trial=trial, role=Role.MONITOR).exists()


@dataclass
class Row:
    event: AdverseEvent
    mark: AdverseEventReviewMark | None
    overdue: bool

    @property
    def review_status(self) -> str:
        if self.mark is None:
            return "new"
        if self.mark.reviewed_version < self.event.version:
            return "changed"
        return "reviewed"


@login_required
def ae_listing(request, code):
    """Every adverse event at the user's sites of the trial, with the monitor's marks."""
    trial = trial_for(request, code)
    filterset = _filterset(request, trial)
    valid = filterset.is_valid()
    events = (
        filterset.qs.select_related("participant__site") if valid else AdverseEvent.objects.none()
    )
    page = CappedPaginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    marks = {
        mark.adverse_event_id: mark
        for mark in AdverseEventReviewMark.objects.filter(
            reviewer_id=request.user.pk, adverse_event_id__in=[e.pk for e in page]
        )
    }
    now = timezone.now()
    rows = [Row(e, marks.get(e.pk), e.sae_overdue(now)) for e in page]
    sort = filterset.form.cleaned_data.get("sort") if valid else None
    sort = sort or DEFAULT_SORT
    headers = []
    for label, key in COLUMNS:
        if key is None:
            headers.append({"label": label})
            continue
        # newest or highest first on the first click for dates and grades
        first = f"-{key}" if key in ("onset", "grade", "changed") else key
        target = (key if sort == f"-{key}" else f"-{key}") if sort.lstrip("-") == key else first
        headers.append(
            {
                "label": label,
                "url": "?" + querystring(request, sort=target),
                "sorted": "desc" if sort == f"-{key}" else "asc" if sort == key else "",
            }
        )
    query = querystring(request)
    return render(
        request,
        "review/ae_listing.html",
        {
            "trial": trial,
            "title": "Adverse event listing",
            "filter": filterset,
            "page": page,
            "rows": rows,
            "headers": headers,
            "query": query,
            "sort": sort,
            "can_mark": _is_monitor(request.user, trial),
            "mark_url": reverse("review:ae_mark_reviewed", args=[trial.code]),
            "soc_names": _soc_names(),
            "export_csv": reverse("review:ae_listing_export", args=[trial.code])
            + "?"
            + querystring(request, format="csv"),
            "export_xlsx": reverse("review:ae_listing_export", args=[trial.code])
            + "?"
            + querystring(request, format="xlsx"),
        },
    )


def _soc_names() -> list[str]:
    """The active MedDRA release's SOC names, offered as the SOC filter's suggestions."""
    return list(
        Soc.objects.filter(release__in=MeddraRelease.objects.filter(active=True))
        .order_by("name")
        .values_list("name", flat=True)
    )


def _parse_events(values) -> dict[int, int]:
    """ "<id>:<version>" pairs posted by the listing, as {id: version}."""
    events = {}
    for value in values:
        event_id, _, version = value.partition(":")
        if not (event_id.isdigit() and version.isdigit()):
            raise ValidationError("The page sent an adverse event it can't name: reload it.")
        events[int(event_id)] = int(version)
    return events


@login_required
@require_POST
def ae_mark_reviewed(request, code):
    """Mark the posted events (one row, or the whole page) reviewed, each at the version
    that was shown, then back to the listing with its filters."""
    trial = trial_for(request, code)
    if not _is_monitor(request.user, trial):
        raise PermissionDenied("Only the trial's monitors mark adverse events reviewed.")
    back = reverse("review:ae_listing", args=[trial.code])
    query = request.POST.get("query", "")
    if query:
        back += "?" + query.replace("\n", "").replace("\r", "")
    try:
        events = _parse_events(request.POST.getlist("event"))
        if (
            AdverseEvent.objects.filter(pk__in=list(events))
            .exclude(participant__trial=trial)
            .exists()
        ):
            raise AdverseEvent.DoesNotExist("An adverse event of another trial.")
        marks = adverse_event_mark_reviewed(events=events, user=request.user)
    except AdverseEvent.DoesNotExist as exc:
        raise Http404("No such adverse event in your scope.") from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request, f"{len(marks)} adverse event{'s' if len(marks) != 1 else ''} marked reviewed."
    )
    return redirect(back)


# (header, value) of the export's columns: the listing's plus the MedDRA codes and version,
# the seriousness criteria and the SAE clock. CDISC AE variable names where there is one.
EXPORT_COLUMNS = [
    ("Site", "participant__site__number"),
    ("Subject (USUBJID)", "subject"),
    ("Verbatim term (AETERM)", "verbatim_term"),
    ("LLT code (AELLTCD)", "llt_code"),
    ("LLT (AELLT)", "llt_name"),
    ("PT code (AEPTCD)", "pt_code"),
    ("PT (AEDECOD)", "pt_name"),
    ("SOC code (AEBDSYCD)", "soc_code"),
    ("SOC (AEBODSYS)", "soc_name"),
    ("MedDRA version", "meddra_version"),
    ("Onset (AESTDTC)", "onset_date"),
    ("End (AEENDTC)", "end_date"),
    ("Ongoing (AEENRF)", "ongoing"),
    ("Severity (AESEV)", "severity"),
    ("CTCAE term", "ctcae_term"),
    ("CTCAE grade (AETOXGR)", "ctcae_grade"),
    ("CTCAE version", "ctcae_version"),
    ("Serious (AESER)", "serious"),
    *[(f"Criterion {code}", name) for name, code in SERIOUS_CRITERIA],
    ("Site aware of SAE", "site_aware_at"),
    ("SAE report due", "sae_report_due_at"),
    ("SAE reported", "sae_reported_at"),
    ("SAE report overdue", "sae_overdue"),
    ("Relationship (AEREL)", "relationship"),
    ("Action taken (AEACN)", "action_taken"),
    ("Outcome (AEOUT)", "outcome"),
    ("Last changed", "updated_at"),
    ("Version", "version"),
]


def _export_rows(queryset, *, text_times: bool):
    """The export's rows as tuples (values_list, no model instances), streamed in chunks.
    Booleans as Y/N (CDISC NY codelist); times in the trial's local time."""
    now = timezone.now()
    queryset = queryset.annotate(
        subject=Case(
            When(participant__subject_number="", then="participant__screening_number"),
            default="participant__subject_number",
            output_field=CharField(),
        ),
        sae_overdue=Case(
            When(
                Q(serious=True, sae_reported_at__isnull=True, sae_report_due_at__lt=now),
                then=Value("Y"),
            ),
            When(serious=True, then=Value("N")),
            default=Value(""),
            output_field=CharField(),
        ),
    )
    fields = [field for _, field in EXPORT_COLUMNS]
    for row in queryset.values_list(*fields).iterator(chunk_size=2000):
        out = []
        for value in row:
            if isinstance(value, bool):
                value = "Y" if value else "N"
            elif isinstance(value, datetime.datetime):
                value = timezone.localtime(value)
                if text_times:
                    value = value.strftime("%Y-%m-%d %H:%M")
            out.append(value)
        yield out


@login_required
def ae_listing_export(request, code):
    """The listing as filtered and sorted, every page of it: CSV (default, streamed) or XLSX
    (up to XLSX_MAX_ROWS events)."""
    trial = trial_for(request, code)
    filterset = _filterset(request, trial)
    if not filterset.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.form.errors.items())
        return HttpResponseBadRequest(f"Correct the listing's filters: {errors}")
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest("Choose format=csv or format=xlsx.")
    header = [label for label, _ in EXPORT_COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{trial.code}-adverse-events-{stamp}.{fmt}"
    if fmt == "xlsx":
        if filterset.qs.order_by()[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS:
            messages.error(
                request,
                f"More than {XLSX_MAX_ROWS:,} adverse events match: a spreadsheet that large "
                "takes minutes to build. Export them as CSV, or narrow the filters.",
            )
            listing = reverse("review:ae_listing", args=[trial.code])
            return redirect(listing + "?" + querystring(request, format=None))
        rows = _export_rows(filterset.qs, text_times=False)
        return xlsx_response(header, rows, filename, title="Adverse events")
    return csv_response(header, _export_rows(filterset.qs, text_times=True), filename)
