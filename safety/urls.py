from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path(
        "trials/<slug:code>/participants/<int:pk>/",
        views.participant_casebook,
        name="participant_casebook",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/end-of-study/",
        views.end_of_study,
        name="end_of_study",
    ),
]
