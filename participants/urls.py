from django.urls import path

from participants.views import crfs, dashboard, enrolment, listing, randomization, visits

app_name = "participants"

P = "trials/<slug:code>/participants/<int:pk>/"
V = P + "visits/<int:visit_pk>/"

urlpatterns = [
    path("trials/<slug:code>/", listing.trial_participants, name="trial_participants"),
    path("trials/<slug:code>/dashboard/", dashboard.site_dashboard, name="site_dashboard"),
    path("trials/<slug:code>/screening/", enrolment.screening_create, name="screening_create"),
    path(
        "trials/<slug:code>/randomization/",
        randomization.randomization_list,
        name="randomization_list",
    ),
    path(
        "trials/<slug:code>/randomization/import/",
        randomization.randomization_import,
        name="randomization_import",
    ),
    path(P + "randomize/", randomization.randomize, name="randomize"),
    path(P + "unblind/", randomization.emergency_unblind, name="emergency_unblind"),
    path(P + "consent/", enrolment.consent_record, name="consent_record"),
    path(P + "enrol/", enrolment.enrol, name="enrol"),
    path(P + "baseline/", enrolment.baseline_set, name="baseline_set"),
    path(P + "visits/unscheduled/", visits.unscheduled_visit_add, name="unscheduled_visit_add"),
    path(V, visits.visit_detail, name="visit_detail"),
    path(V + "date/", visits.visit_date, name="visit_date"),
    path(V + "missed/", visits.visit_missed, name="visit_missed"),
    path(V + "forms/<slug:form_code>/", crfs.crf_edit, name="crf_edit"),
    path(
        V + "forms/<slug:form_code>/entered-in-error/",
        crfs.crf_entered_in_error,
        name="crf_entered_in_error",
    ),
]
