from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("trials/<slug:code>/", views.trial_participants, name="trial_participants"),
]
