"""Reads of the review app that pages elsewhere build on (the monitor's home, dashboards).

Both functions do a constant number of SQL queries, whatever the trial's size, and see only
what the user's memberships cover (trials.models.site_ids_in_scope).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery

from review.choices import QueryAge, QueryStatus
from review.models import Query, SourceVerification
from review.models.queries import age_filter
from review.records import reviewable_models


def open_query_counts(user, trial) -> dict[str, dict[str, int]]:
    """Unresolved queries per site number, in one query:

        {"01": {"lt7": 2, "7to30": 0, "gt30": 1, "open": 3, "answered": 4}, ...}

    The age buckets (days since raised: under 7, 7 to 30, over 30; QueryAge) count OPEN
    queries, which wait for the site; "open" is their total; "answered" counts queries
    waiting for the monitor to close or reopen. Sites with no unresolved query are absent.
    The keys of the age buckets are the listing's `age` parameter values
    (review:query_listing ?site=01&status=open&age=gt30).
    """
    is_open = Q(status=QueryStatus.OPEN)
    rows = (
        Query.objects.for_user_in_trial(user, trial)
        .unresolved()
        .values(site_number=F("participant__site__number"))
        .annotate(
            open=Count("pk", filter=is_open),
            answered=Count("pk", filter=Q(status=QueryStatus.ANSWERED)),
            **{
                bucket.value: Count("pk", filter=is_open & age_filter(bucket))
                for bucket in QueryAge
            },
        )
        .order_by("site_number")
    )
    return {row.pop("site_number"): row for row in rows}


def _verified_version(model):
    content_type = ContentType.objects.get_for_model(model)
    return Subquery(
        SourceVerification.objects.filter(
            content_type=content_type, object_id=OuterRef("pk")
        ).values("verified_version")[:1],
        output_field=IntegerField(),
    )


def sdv_forms(user, trial, model):
    """The forms of one reviewable model that SDV covers, in the user's scope.

    Which forms: every saved form not entered in error, of a participant not entered in
    error, complete or not. An incomplete form is still source data a monitor can check
    against the chart, and AEs and the end of study have no "complete" flag.
    """
    return model.objects.for_user_in_trial(user, trial).filter(
        participant__entered_in_error=False, entered_in_error=False
    )


def verification_rows(user, trial, model):
    """sdv_forms annotated with `verified_version` (None when never verified)."""
    return sdv_forms(user, trial, model).annotate(verified_version=_verified_version(model))


def awaiting_verification(queryset):
    """Never verified, or changed since it was (verification cleared)."""
    return queryset.filter(Q(verified_version__isnull=True) | Q(version__gt=F("verified_version")))


def _verified_at_current_version(model):
    """A verification of the outer form at its current version or later: as
    awaiting_verification, as an EXISTS the database runs as one anti-join (the counts),
    where the annotation's subquery is run once per form (200 ms at 100,000, bench/)."""
    return Exists(
        SourceVerification.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            verified_version__gte=OuterRef("version"),
        )
    )


def forms_awaiting_verification(user, trial) -> dict[str, int]:
    """Forms awaiting source verification (never verified, or cleared by a later change)
    per site number, one query per reviewable model: {"01": 12, "02": 3}. Sites with none
    are absent."""
    counts: dict[str, int] = {}
    for model in reviewable_models():
        rows = (
            sdv_forms(user, trial, model)
            .filter(~_verified_at_current_version(model))
            .values(site_number=F("participant__site__number"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["site_number"]] = counts.get(row["site_number"], 0) + row["n"]
    return dict(sorted(counts.items()))
