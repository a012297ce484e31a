from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("trials.auth_urls")),
    path("admin/", admin.site.urls),
    path("", include("trials.urls")),
    path("", include("participants.urls")),
    path("", include("safety.urls")),
    path("", include("meddra.urls")),
    path("", include("review.urls")),
]
