from django.urls import path

from safety.views import adverse_events, casebook, labs

app_name = "safety"

urlpatterns = [
    path(
        "trials/<slug:code>/participants/<int:pk>/",
        casebook.participant_casebook,
        name="participant_casebook",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/end-of-study/",
        casebook.end_of_study,
        name="end_of_study",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/adverse-events/<int:ae_pk>/",
        adverse_events.adverse_event,
        name="adverse_event",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/adverse-events/new/",
        adverse_events.adverse_event_add,
        name="adverse_event_add",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/adverse-events/<int:ae_pk>/edit/",
        adverse_events.adverse_event_edit,
        name="adverse_event_edit",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/adverse-events/<int:ae_pk>/entered-in-error/",
        adverse_events.adverse_event_entered_in_error,
        name="adverse_event_entered_in_error",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/adverse-events/<int:ae_pk>/dose-change/",
        adverse_events.adverse_event_dose_change,
        name="adverse_event_dose_change",
    ),
    path("trials/<slug:code>/safety/saes/", adverse_events.sae_listing, name="sae_listing"),
    path(
        "trials/<slug:code>/participants/<int:pk>/visits/<int:visit_pk>/labs/",
        labs.visit_labs,
        name="visit_labs",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/labs/<slug:panel>/add/",
        labs.lab_panel_add,
        name="lab_panel_add",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/labs/panels/<int:panel_pk>/",
        labs.lab_panel_edit,
        name="lab_panel_edit",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/labs/panels/<int:panel_pk>/entered-in-error/",
        labs.lab_panel_entered_in_error,
        name="lab_panel_entered_in_error",
    ),
    path(
        "trials/<slug:code>/participants/<int:pk>/renal-signals/<int:signal_pk>/close/",
        labs.renal_signal_close_view,
        name="renal_signal_close",
    ),
]
