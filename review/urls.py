from django.urls import path

from review.views import (
    adverse_events,
    audit,
    labs,
    locks,
    monitor,
    queries,
    signatures,
    verification,
)

app_name = "review"

P = "trials/<slug:code>/participants/<int:pk>/"
T = "trials/<slug:code>/"

urlpatterns = [
    path(T + "monitor/", monitor.monitor_home, name="monitor_home"),
    path(P + "queries/new/", queries.query_raise_page, name="query_raise"),
    path(P + "queries/<int:query_pk>/", queries.query_detail, name="query_detail"),
    path(
        P + "records/<int:ct>/<int:object_id>/verify/",
        verification.record_verify_page,
        name="record_verify",
    ),
    path(T + "review/queries/", queries.query_listing, name="query_listing"),
    path(T + "review/verification/", verification.sdv_listing, name="sdv_listing"),
    path(T + "review/adverse-events/", adverse_events.ae_listing, name="ae_listing"),
    path(
        T + "review/adverse-events/export/",
        adverse_events.ae_listing_export,
        name="ae_listing_export",
    ),
    path(
        T + "review/adverse-events/mark-reviewed/",
        adverse_events.ae_mark_reviewed,
        name="ae_mark_reviewed",
    ),
    path(T + "review/labs/", labs.lab_listing, name="lab_listing"),
    path(T + "review/labs/export/", labs.lab_listing_export, name="lab_listing_export"),
    path(T + "review/locks/", locks.lock_list, name="lock_list"),
    path(T + "review/locks/new/", locks.lock_add, name="lock_add"),
    path(T + "review/locks/<int:lock_pk>/release/", locks.lock_release_view, name="lock_release"),
    path(P + "audit/", audit.audit_trail, name="audit_trail"),
    path(P + "sign/", signatures.signature_sign_view, name="signature_sign"),
]
