from django.urls import path

from review.views import queries, verification

app_name = "review"

P = "trials/<slug:code>/participants/<int:pk>/"

urlpatterns = [
    path(P + "queries/new/", queries.query_raise_page, name="query_raise"),
    path(P + "queries/<int:query_pk>/", queries.query_detail, name="query_detail"),
    path(
        P + "records/<int:ct>/<int:object_id>/verify/",
        verification.record_verify_page,
        name="record_verify",
    ),
    path("trials/<slug:code>/review/queries/", queries.query_listing, name="query_listing"),
    path("trials/<slug:code>/review/verification/", verification.sdv_listing, name="sdv_listing"),
]
