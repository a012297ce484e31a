"""What the review app adds to other apps' pages (registered in ReviewConfig.ready()):
the panel on every form page (its queries, its source verification), the casebook's open
queries and the dashboard's open query counts. Each does a fixed number of queries."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from participants.models import Participant
from review.choices import QueryAge, QueryMessageKind
from review.forms import VerifyForm
from review.models import Query, QueryMessage, SourceVerification
from review.models.queries import queryable_fields
from review.models.verification import verification_status
from review.records import is_reviewable, record_key
from review.selectors import open_query_counts
from review.services import can_answer, can_review, can_verify

LIST_LIMIT = 50


def _with_question(queries):
    """Annotate each query with its question (the raising message's text): one query for
    the list, however long."""
    question = QueryMessage.objects.filter(query=OuterRef("pk"), kind=QueryMessageKind.RAISED)
    return queries.annotate(question=Subquery(question.order_by("at", "pk").values("text")[:1]))


def record_panel(request, record) -> dict | None:
    """On a form's page: its open and answered queries (with the field each names, a link
    to the thread and to answer), a "Raise a query" button for monitors and data managers,
    and its source verification status with the monitor's "Mark source verified" button.
    Four queries: the participant, the user's roles, the queries, the verification mark."""
    if not is_reviewable(type(record)):
        return None
    participant = Participant.objects.select_related("trial").get(pk=record.participant_id)
    user = request.user
    content_type_id, object_id = record_key(record)
    fields = dict(queryable_fields(type(record)))
    queries = list(
        _with_question(
            Query.objects.filter(content_type_id=content_type_id, object_id=object_id)
            .unresolved()
            .select_related("raised_by")
            .order_by("raised_at", "pk")
        )
    )
    for query in queries:
        query.field_label = fields.get(query.field_name, "")
    mark = (
        SourceVerification.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("verified_by")
        .first()
    )
    trial_site = (user, participant.trial_id, participant.site_id)
    verifier = can_verify(*trial_site) and not getattr(record, "entered_in_error", False)
    return {
        "template": "review/_record_panel.html",
        "trial": participant.trial,
        "participant": participant,
        "record": record,
        "content_type_id": content_type_id,
        "queries": queries,
        "queried_fields": sorted({q.field_name for q in queries if q.field_name}),
        "can_raise": can_review(*trial_site),
        "can_answer": can_answer(*trial_site),
        "sdv": verification_status(record, mark),
        "verify_form": VerifyForm(initial={"version": record.version}) if verifier else None,
    }


def casebook_panel(request, participant) -> dict:
    """On the casebook: the participant's open and answered queries, oldest first. One
    query."""
    queries = _with_question(
        Query.objects.filter(participant=participant)
        .unresolved()
        .select_related("raised_by")
        .order_by("raised_at", "pk")
    )
    return {
        "template": "review/_casebook_queries.html",
        "trial": participant.trial,
        "participant": participant,
        "queries": list(queries[:LIST_LIMIT]),
        "now": timezone.now(),
    }


def dashboard_panel(request, trial, today) -> dict:
    """On the site dashboard: open queries by age and answered ones, per site the user
    sees, each count linking to the listing filtered. One query."""
    counts = open_query_counts(request.user, trial)
    return {
        "template": "review/_dashboard_queries.html",
        "trial": trial,
        "buckets": list(QueryAge),
        "sites": [
            (site, [(bucket.value, row[bucket.value]) for bucket in QueryAge], row["answered"])
            for site, row in sorted(counts.items())
        ],
    }
