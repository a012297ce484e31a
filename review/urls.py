from django.urls import path

from review.views import labs

app_name = "review"

urlpatterns = [
    path("trials/<slug:code>/review/labs/", labs.lab_listing, name="lab_listing"),
    path(
        "trials/<slug:code>/review/labs/export/",
        labs.lab_listing_export,
        name="lab_listing_export",
    ),
]
