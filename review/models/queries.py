"""Data clarification queries: a monitor or data manager asks the site about a form (or
one of its fields); the site answers, saying whether it changed the data; the monitor
closes the query or reopens it. The whole thread is kept (ICH E6(R3) 3.11.4: the sponsor's
data queries and the site's answers are part of the trial record)."""

import pghistory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from participants.models import Participant
from participants.models.core import ParticipantRecordQuerySet
from review.choices import QueryAge, QueryMessageKind, QueryStatus
from trials.audit import audit_trackers
from trials.models import Trial

# Upper bounds (days since raised) of the age buckets of open queries.
AGE_BUCKET_DAYS = {
    QueryAge.UNDER_7: (0, 7),
    QueryAge.FROM_7_TO_30: (7, 30),
    QueryAge.OVER_30: (30, None),
}


def age_filter(bucket: str, now=None) -> Q:
    """Queries raised within the bucket's range of days before `now` ([low, high) days)."""
    now = now or timezone.now()
    low, high = AGE_BUCKET_DAYS[QueryAge(bucket)]
    condition = Q(raised_at__lte=now - timezone.timedelta(days=low))
    if high is not None:
        condition &= Q(raised_at__gt=now - timezone.timedelta(days=high))
    return condition


class QueryQuerySet(ParticipantRecordQuerySet):
    """Scoped through the participant (for_user, for_user_in_trial), as its records."""

    def unresolved(self):
        """Open or answered: still waiting for the site or for the monitor."""
        return self.filter(status__in=[QueryStatus.OPEN, QueryStatus.ANSWERED])

    def on_record(self, record):
        content_type = ContentType.objects.get_for_model(type(record))
        return self.filter(content_type=content_type, object_id=record.pk)


@pghistory.track(*audit_trackers())
class Query(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="queries")
    # The form queried: a reviewable record (review/records.py).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    form_label = models.CharField(
        max_length=200, help_text="What the form was called when the query was raised."
    )
    field_name = models.CharField(
        max_length=64, blank=True, help_text="The field queried; blank for the whole form."
    )
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    record_version = models.PositiveIntegerField(help_text="The form's version when raised.")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = QueryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "queries"
        ordering = ["raised_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="query_record_idx"),
            models.Index(fields=["trial", "status", "raised_at"], name="query_trial_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=QueryStatus.CLOSED)
                | (Q(closed_by__isnull=False) & Q(closed_at__isnull=False)),
                name="query_closed_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Query {self.pk} on {self.participant_id}"

    @property
    def age_days(self) -> int:
        """Whole days since the query was raised."""
        return (timezone.now() - self.raised_at).days

    @property
    def is_unresolved(self) -> bool:
        return self.status in (QueryStatus.OPEN, QueryStatus.ANSWERED)


@pghistory.track(*audit_trackers())
class QueryMessage(models.Model):
    """One step of a query's thread: the question, an answer, closing, reopening."""

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=QueryMessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)
    record_version = models.PositiveIntegerField(help_text="The form's version at this step.")
    data_changed = models.BooleanField(
        default=False, help_text="The site says it changed the form's data to answer."
    )
    # The change, read from the form's audit trail (trials.audit.history_for) when the site
    # says it changed data: the reason(s) for change given on the form, and the versions.
    change_reason = models.TextField(blank=True)
    change_from_version = models.PositiveIntegerField(null=True, blank=True)
    change_to_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_changed=False) | Q(change_to_version__isnull=False),
                name="querymessage_change_has_versions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# Bookkeeping columns every record has; a query is about what the site entered.
_NOT_QUERYABLE = {"id", "participant", "version", "created_at", "updated_at", "complete"}


def queryable_fields(model) -> list[tuple[str, str]]:
    """(name, question text) of the fields of a form a query can name: the fields the site
    fills in, without bookkeeping columns, derived values (not editable) or the values a
    blinded user must not see (`blinded_fields`)."""
    hidden = set(getattr(model, "blinded_fields", ()))
    fields = []
    for field in model._meta.concrete_fields:
        if field.name in _NOT_QUERYABLE or field.name in hidden or not field.editable:
            continue
        if field.name == "visit" and hasattr(model, "form_code") and model.form_code:
            continue  # a visit CRF's visit is where it sits, not an answer
        label = str(field.verbose_name)
        fields.append((field.name, label[:1].upper() + label[1:]))
    return fields
