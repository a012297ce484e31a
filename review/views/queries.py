"""Query pages: raise a query from a form, the query's thread with the actions the user's
role allows, and the trial's query listing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from participants.views.access import attach_errors, participant_for, trial_for
from review.choices import QueryStatus
from review.forms import (
    QueryAnswerForm,
    QueryCloseForm,
    QueryFilter,
    QueryRaiseForm,
    QueryReopenForm,
)
from review.models import Query, QueryMessage
from review.models.queries import queryable_fields
from review.records import record_for, record_label, record_url
from review.services import (
    can_answer,
    can_review,
    query_answer,
    query_close,
    query_raise,
    query_reopen,
)

LISTING_PAGE_SIZE = 50


def _int_param(request, name: str) -> int:
    try:
        return int(request.GET.get(name, ""))
    except ValueError as exc:
        raise Http404(f"No such {name}.") from exc


@login_required
def query_raise_page(request, code, pk):
    """GET: the question form for a form of the participant (?ct=&id=&field=); POST raises
    the query. Monitors and data managers only."""
    participant = participant_for(request, code, pk)
    if not can_review(request.user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Only the trial's monitors and data managers raise queries.")
    record = record_for(_int_param(request, "ct"), _int_param(request, "id"), participant)
    form = QueryRaiseForm(
        request.POST or None,
        model=type(record),
        initial={"field_name": request.GET.get("field", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            query = query_raise(
                participant=participant,
                record=record,
                field_name=form.cleaned_data["field_name"],
                text=form.cleaned_data["text"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Query raised; the site sees it on the form.")
            return redirect("review:query_detail", code, participant.pk, query.pk)
    return render(
        request,
        "review/query_raise.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "record": record,
            "record_label": record_label(record),
            "record_url": record_url(record, code),
            "form": form,
            "title": "Raise a query",
        },
    )


# action -> (form, service); the service checks the role (PermissionDenied: 403).
ACTIONS = {
    "answer": (QueryAnswerForm, query_answer),
    "close": (QueryCloseForm, query_close),
    "reopen": (QueryReopenForm, query_reopen),
}


def _offered_forms(query, *, answerer: bool, reviewer: bool) -> dict:
    """The action forms the page shows: answer an open query (site); close an unresolved
    one or reopen a resolved one (monitor, data manager)."""
    offered = {}
    if answerer and query.status == QueryStatus.OPEN:
        offered["answer"] = QueryAnswerForm(query=query)
    if reviewer and query.is_unresolved:
        offered["close"] = QueryCloseForm(query=query)
    if reviewer and query.status != QueryStatus.OPEN:
        offered["reopen"] = QueryReopenForm(query=query)
    return offered


@login_required
def query_detail(request, code, pk, query_pk):
    """The query's thread; POST (action=answer|close|reopen) takes a step."""
    participant = participant_for(request, code, pk)
    query = get_object_or_404(
        Query.objects.select_related("raised_by", "closed_by"), participant=participant, pk=query_pk
    )
    query.participant = participant
    record = record_for(query.content_type_id, query.object_id, participant)
    answerer = can_answer(request.user, participant.trial_id, participant.site_id)
    reviewer = can_review(request.user, participant.trial_id, participant.site_id)
    offered = _offered_forms(query, answerer=answerer, reviewer=reviewer)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404("No such action.")
        allowed = {"answer": answerer, "close": reviewer, "reopen": reviewer}
        if not allowed[action]:
            raise PermissionDenied("Your role at this site can't do this to a query.")
        form_class, service = ACTIONS[action]
        form = form_class(request.POST, query=query)
        offered[action] = form
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                service(
                    query=query,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    **values,
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Query {query.pk}: {action} saved.")
                return redirect("review:query_detail", code, participant.pk, query.pk)
    return render(
        request,
        "review/query_detail.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "query": query,
            "thread": QueryMessage.objects.filter(query=query).select_related("author"),
            "record_label": record_label(record),
            "record_url": record_url(record, code),
            "record": record,
            "field_label": dict(queryable_fields(type(record))).get(query.field_name, ""),
            "offered": offered,
            "title": f"Query {query.pk}",
        },
    )


@login_required
def query_listing(request, code):
    """The trial's queries at the sites the user sees, oldest first; filters
    ?site=01&status=open|answered|closed|unresolved&age=lt7|7to30|gt30&subject=...;
    one page of LISTING_PAGE_SIZE rows, a fixed number of queries."""
    trial = trial_for(request, code)
    queries = (
        Query.objects.for_user(request.user)
        .filter(trial=trial, participant__entered_in_error=False)
        .select_related("participant__site", "raised_by")
        .order_by("raised_at", "pk")
    )
    filterset = QueryFilter(request.GET or None, queryset=queries)
    page = Paginator(filterset.qs, LISTING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/query_listing.html",
        {"trial": trial, "filter": filterset, "page": page, "title": "Queries"},
    )
