from django.urls import path

from review.views import adverse_events

app_name = "review"

urlpatterns = [
    path(
        "trials/<slug:code>/review/adverse-events/",
        adverse_events.ae_listing,
        name="ae_listing",
    ),
    path(
        "trials/<slug:code>/review/adverse-events/export/",
        adverse_events.ae_listing_export,
        name="ae_listing_export",
    ),
    path(
        "trials/<slug:code>/review/adverse-events/mark-reviewed/",
        adverse_events.ae_mark_reviewed,
        name="ae_mark_reviewed",
    ),
]
