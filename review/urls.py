from django.urls import path

from review.views import audit, locks, signatures

app_name = "review"

urlpatterns = [
    path("trials/<slug:code>/review/locks/", locks.lock_list, name="lock_list"),
    path("trials/<slug:code>/review/locks/new/", locks.lock_add, name="lock_add"),
    path(
        "trials/<slug:code>/review/locks/<int:lock_pk>/release/",
        locks.lock_release_view,
        name="lock_release",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/audit/",
        audit.audit_trail,
        name="audit_trail",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/sign/",
        signatures.signature_sign_view,
        name="signature_sign",
    ),
]
