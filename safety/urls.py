from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path(
        "trials/<slug:code>/participants/<str:subject_number>/",
        views.participant_casebook,
        name="participant_casebook",
    ),
]
