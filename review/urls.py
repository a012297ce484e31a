from django.urls import path  # noqa: F401 - the review pages add their paths here

app_name = "review"

urlpatterns = []
