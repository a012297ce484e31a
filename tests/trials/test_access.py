"""Every view, requested as every role, another site's coordinator, an outsider and an
anonymous visitor. One table of expected outcomes; a view added without a row here is
caught by test_every_url_has_a_row."""

import pytest
from django.urls import get_resolver, reverse

from participants.models import Allocation, Participant, RandomizationSlot, StudyDrugExposure
from trials.models import Membership, Site, Trial

pytestmark = pytest.mark.django_db

ROLES = [
    "coordinator",
    "investigator",
    "monitor",
    "data_manager",
    "unblinded_pharmacist",
    "study_coordinator",
    "other_site_coordinator",
    "outsider",
    "anonymous",
]

OK, NOT_FOUND, FORBIDDEN, LOGIN, ADMIN_LOGIN, HOME, NOT_ALLOWED = (
    "200",
    "404",
    "403",
    "login",
    "admin-login",
    "home",
    "405",
)


def _row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def _site01_participant():
    return Participant.objects.filter(trial__code="LSER-ALS-01", site__number="01").first()


def _site02_participant():
    return Participant.objects.filter(trial__code="LSER-ALS-01", site__number="02").first()


def _site01_ae():
    from safety.models import AdverseEvent

    return AdverseEvent.objects.filter(participant=_site01_participant()).first()


def _ae_url(name, *, event=True):
    """A site 01 adverse event page (`event=False`: the participant's page for a new one)."""

    def url():
        p = _site01_participant()
        extra = [_site01_ae().pk] if event else []
        return reverse(f"safety:{name}", args=[p.trial.code, p.pk, *extra])

    return url


def _site01_panel():
    from safety.models import LabPanel

    panel = LabPanel.objects.filter(participant=_site01_participant()).first()
    return panel.participant_id, panel.pk


def _site01_signal():
    from safety.models import RenalSignal

    signal = RenalSignal.objects.open().get(
        participant__trial__code="LSER-ALS-01", participant__site__number="01"
    )
    return signal.participant_id, signal.pk


def _site01_vitals():
    from participants.models import VitalSigns

    return VitalSigns.objects.filter(
        participant=_site01_participant(), entered_in_error=False
    ).first()


def _site01_query():
    """A query on a site 01 form (raised here: the demo data has none)."""
    from django.contrib.auth import get_user_model

    from review.models import Query
    from review.services import query_raise

    query = Query.objects.filter(participant=_site01_participant()).first()
    if query is None:
        record = _site01_vitals()
        query = query_raise(
            participant=record.participant,
            record=record,
            field_name="",
            text="Please check.",
            user=get_user_model().objects.get(username="monitor"),
        )
    return query


def _review_record_url(name):
    from review.records import record_key

    def url():
        record = _site01_vitals()
        p = record.participant
        if name == "review:query_raise":
            ct, pk = record_key(record)
            return reverse(name, args=[p.trial.code, p.pk]) + f"?ct={ct}&id={pk}"
        return reverse(name, args=[p.trial.code, p.pk, *record_key(record)])

    return url


def _casebook(participant):
    return reverse("safety:participant_casebook", args=[participant.trial.code, participant.pk])


ADMIN_STAFF_ONLY = dict(
    anonymous=ADMIN_LOGIN,
    coordinator=ADMIN_LOGIN,
    investigator=ADMIN_LOGIN,
    monitor=ADMIN_LOGIN,
    data_manager=ADMIN_LOGIN,
    outsider=ADMIN_LOGIN,
    other_site_coordinator=ADMIN_LOGIN,
)


def _p(name, *extra, participant=_site01_participant):
    def url():
        p = participant()
        return reverse(f"participants:{name}", args=[p.trial.code, p.pk, *extra])

    return url


def _visit_url(name, *extra, participant=_site01_participant):
    def url():
        p = participant()
        visit = p.visits.get(definition__code="BL")
        return reverse(f"participants:{name}", args=[p.trial.code, p.pk, visit.pk, *extra])

    return url


def _visit_url_of(name, *extra, participant=_site01_participant):
    """As _visit_url, for a URL name with its namespace (another app's visit page)."""

    def url():
        p = participant()
        visit = p.visits.get(definition__code="BL")
        return reverse(name, args=[p.trial.code, p.pk, visit.pk, *extra])

    return url


def _lock_release_url():
    """The unlock page of an active lock of the site 01 participant (made here)."""
    from django.contrib.auth import get_user_model

    from participants.models import LockLevel
    from review.services.locks import lock_apply

    p = _site01_participant()
    lock = lock_apply(
        trial=p.trial,
        level=LockLevel.PARTICIPANT,
        participant=p,
        user=get_user_model().objects.get(username="datamanager"),
    )
    return reverse("review:lock_release", args=[p.trial.code, lock.pk])


def _audit_url():
    """The audit trail of a site 01 form."""
    from participants.models import VitalSigns
    from review.records import record_key

    p = _site01_participant()
    ct, object_id = record_key(VitalSigns.objects.filter(participant=p).first())
    return reverse("review:audit_trail", args=[p.trial.code, p.pk]) + f"?ct={ct}&id={object_id}"


# Data entry: a site's coordinators and investigators; other roles in scope read (403 on an
# entry page); out of scope is 404.
ENTRY = _row(
    FORBIDDEN,
    coordinator=OK,
    investigator=OK,
    other_site_coordinator=NOT_FOUND,
    outsider=NOT_FOUND,
    anonymous=LOGIN,
)
POST_ONLY = _row(NOT_ALLOWED, anonymous=LOGIN)
READ_SITE01 = _row(OK, other_site_coordinator=NOT_FOUND, outsider=NOT_FOUND, anonymous=LOGIN)
# The randomization list: unblinded users only; to everyone else it does not exist.
UNBLINDED_ONLY = _row(NOT_FOUND, unblinded_pharmacist=OK, anonymous=LOGIN)
UNBLINDED_ADMIN = _row(FORBIDDEN, unblinded_pharmacist=OK, **ADMIN_STAFF_ONLY)

# name -> (url builder, expected outcome per role)
MATRIX = {
    "trials:home": (lambda: reverse("trials:home"), _row(OK, anonymous=LOGIN)),
    "participants:trial_participants": (
        lambda: reverse("participants:trial_participants", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "safety:participant_casebook (site 01)": (
        lambda: _casebook(_site01_participant()),
        _row(OK, other_site_coordinator=NOT_FOUND, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "safety:participant_casebook (site 02)": (
        lambda: _casebook(_site02_participant()),
        _row(
            OK, coordinator=NOT_FOUND, investigator=NOT_FOUND, outsider=NOT_FOUND, anonymous=LOGIN
        ),
    ),
    "participants:site_dashboard": (
        lambda: reverse("participants:site_dashboard", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "participants:screening_create": (
        lambda: reverse("participants:screening_create", args=["LSER-ALS-01"]),
        _row(
            FORBIDDEN,
            coordinator=OK,
            investigator=OK,
            other_site_coordinator=OK,
            outsider=NOT_FOUND,
            anonymous=LOGIN,
        ),
    ),
    "participants:consent_record": (_p("consent_record"), ENTRY),
    "participants:randomize": (_p("randomize"), ENTRY),
    "participants:emergency_unblind": (
        _p("emergency_unblind"),
        _row(
            FORBIDDEN,
            investigator=OK,
            other_site_coordinator=NOT_FOUND,
            outsider=NOT_FOUND,
            anonymous=LOGIN,
        ),
    ),
    "participants:randomization_list": (
        lambda: reverse("participants:randomization_list", args=["LSER-ALS-01"]),
        UNBLINDED_ONLY,
    ),
    "participants:randomization_import": (
        lambda: reverse("participants:randomization_import", args=["LSER-ALS-01"]),
        UNBLINDED_ONLY,
    ),
    "participants:enrol": (_p("enrol"), POST_ONLY),
    "participants:baseline_set": (_p("baseline_set"), ENTRY),
    "participants:unscheduled_visit_add": (_p("unscheduled_visit_add"), ENTRY),
    "participants:visit_detail": (_visit_url("visit_detail"), READ_SITE01),
    "participants:visit_date": (_visit_url("visit_date"), POST_ONLY),
    "participants:visit_missed": (_visit_url("visit_missed"), POST_ONLY),
    "participants:crf_edit": (_visit_url("crf_edit", "vitals"), READ_SITE01),
    "participants:crf_edit (exposure)": (_visit_url("crf_edit", "dosing"), READ_SITE01),
    "participants:crf_entered_in_error": (
        _visit_url("crf_entered_in_error", "vitals"),
        POST_ONLY,
    ),
    "participants:crf_edit (ALSFRS-R)": (_visit_url("crf_edit", "alsfrs_r"), READ_SITE01),
    "participants:crf_edit (PK)": (_visit_url("crf_edit", "pk"), READ_SITE01),
    "safety:end_of_study": (
        lambda: reverse("safety:end_of_study", args=["LSER-ALS-01", _site01_participant().pk]),
        READ_SITE01,
    ),
    "safety:end_of_study (site 02)": (
        lambda: reverse("safety:end_of_study", args=["LSER-ALS-01", _site02_participant().pk]),
        _row(
            OK, coordinator=NOT_FOUND, investigator=NOT_FOUND, outsider=NOT_FOUND, anonymous=LOGIN
        ),
    ),
    "safety:adverse_event": (
        lambda: reverse(
            "safety:adverse_event",
            args=["LSER-ALS-01", _site01_participant().pk, _site01_ae().pk],
        ),
        READ_SITE01,
    ),
    "safety:visit_labs": (_visit_url_of("safety:visit_labs"), READ_SITE01),
    "safety:adverse_event_add": (_ae_url("adverse_event_add", event=False), ENTRY),
    "safety:adverse_event_edit": (_ae_url("adverse_event_edit"), ENTRY),
    "safety:adverse_event_entered_in_error": (_ae_url("adverse_event_entered_in_error"), POST_ONLY),
    "safety:adverse_event_dose_change": (_ae_url("adverse_event_dose_change"), ENTRY),
    "safety:sae_listing": (
        lambda: reverse("safety:sae_listing", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "safety:lab_panel_add": (
        lambda: reverse(
            "safety:lab_panel_add", args=["LSER-ALS-01", _site01_participant().pk, "RENAL"]
        ),
        ENTRY,
    ),
    "safety:lab_panel_edit": (
        lambda: reverse("safety:lab_panel_edit", args=["LSER-ALS-01", *_site01_panel()]),
        READ_SITE01,
    ),
    "safety:lab_panel_entered_in_error": (
        lambda: reverse(
            "safety:lab_panel_entered_in_error", args=["LSER-ALS-01", *_site01_panel()]
        ),
        POST_ONLY,
    ),
    "safety:renal_signal_close": (
        lambda: reverse("safety:renal_signal_close", args=["LSER-ALS-01", *_site01_signal()]),
        ENTRY,
    ),
    "review:lab_listing": (
        lambda: reverse("review:lab_listing", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:lab_listing_export": (
        lambda: reverse("review:lab_listing_export", args=["LSER-ALS-01"]) + "?format=csv",
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:lab_listing_export (xlsx)": (
        lambda: reverse("review:lab_listing_export", args=["LSER-ALS-01"]) + "?format=xlsx",
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:query_raise": (
        _review_record_url("review:query_raise"),
        _row(
            FORBIDDEN,
            monitor=OK,
            data_manager=OK,
            other_site_coordinator=NOT_FOUND,
            outsider=NOT_FOUND,
            anonymous=LOGIN,
        ),
    ),
    "review:lock_list": (
        lambda: reverse("review:lock_list", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:lock_add": (lambda: reverse("review:lock_add", args=["LSER-ALS-01"]), POST_ONLY),
    "review:lock_release": (
        _lock_release_url,
        _row(FORBIDDEN, data_manager=OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:audit_trail": (_audit_url, READ_SITE01),
    "review:audit_trail (participant)": (
        lambda: reverse("review:audit_trail", args=["LSER-ALS-01", _site01_participant().pk]),
        READ_SITE01,
    ),
    "review:signature_sign": (
        lambda: reverse("review:signature_sign", args=["LSER-ALS-01", _site01_participant().pk]),
        _row(
            FORBIDDEN,
            investigator=OK,
            other_site_coordinator=NOT_FOUND,
            outsider=NOT_FOUND,
            anonymous=LOGIN,
        ),
    ),
    "review:query_detail": (
        lambda: reverse(
            "review:query_detail",
            args=["LSER-ALS-01", _site01_participant().pk, _site01_query().pk],
        ),
        READ_SITE01,
    ),
    "review:record_verify": (_review_record_url("review:record_verify"), POST_ONLY),
    "review:query_listing": (
        lambda: reverse("review:query_listing", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:sdv_listing": (
        lambda: reverse("review:sdv_listing", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    # The monitors' adverse event listing and its export: any role of the trial (scoped by
    # site); marking reviewed is POST only (monitors; others 403, tested in tests/review).
    "review:ae_listing": (
        lambda: reverse("review:ae_listing", args=["LSER-ALS-01"]),
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:ae_listing (filtered)": (
        lambda: reverse("review:ae_listing", args=["LSER-ALS-01"]) + "?site=01&new=true",
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:ae_listing_export": (
        lambda: reverse("review:ae_listing_export", args=["LSER-ALS-01"]) + "?format=csv",
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:ae_listing_export (xlsx)": (
        lambda: reverse("review:ae_listing_export", args=["LSER-ALS-01"]) + "?format=xlsx",
        _row(OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "review:ae_mark_reviewed": (
        lambda: reverse("review:ae_mark_reviewed", args=["LSER-ALS-01"]),
        POST_ONLY,
    ),
    "review:monitor_home": (
        lambda: reverse("review:monitor_home", args=["LSER-ALS-01"]),
        _row(FORBIDDEN, monitor=OK, data_manager=OK, outsider=NOT_FOUND, anonymous=LOGIN),
    ),
    "login": (lambda: reverse("login"), _row(HOME, anonymous=OK)),
    "logout": (lambda: reverse("logout"), _row(NOT_ALLOWED)),
    "password_change": (lambda: reverse("password_change"), _row(OK, anonymous=LOGIN)),
    "password_change_done": (lambda: reverse("password_change_done"), _row(OK, anonymous=LOGIN)),
    "admin:index": (lambda: reverse("admin:index"), _row(OK, **ADMIN_STAFF_ONLY)),
    "admin:trials_trial_changelist": (
        lambda: reverse("admin:trials_trial_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_trial_change": (
        lambda: reverse(
            "admin:trials_trial_change", args=[Trial.objects.get(code="LSER-ALS-01").pk]
        ),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_site_changelist": (
        lambda: reverse("admin:trials_site_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_site_history": (
        lambda: reverse("admin:trials_site_history", args=[Site.objects.get(number="01").pk]),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_membership_changelist": (
        lambda: reverse("admin:trials_membership_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_membership_add": (
        lambda: reverse("admin:trials_membership_add"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_arm_changelist": (
        lambda: reverse("admin:trials_arm_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_formulation_changelist": (
        lambda: reverse("admin:trials_formulation_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_visitdefinition_changelist": (
        lambda: reverse("admin:trials_visitdefinition_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:trials_referencerange_changelist": (
        lambda: reverse("admin:trials_referencerange_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_participant_changelist": (
        lambda: reverse("admin:participants_participant_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_participant_change": (
        lambda: reverse("admin:participants_participant_change", args=[_site01_participant().pk]),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_participant_history": (
        lambda: reverse("admin:participants_participant_history", args=[_site01_participant().pk]),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_visit_changelist": (
        lambda: reverse("admin:participants_visit_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_studydrugexposure_changelist": (
        lambda: reverse("admin:participants_studydrugexposure_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_studydrugexposure_change": (
        lambda: reverse(
            "admin:participants_studydrugexposure_change",
            args=[StudyDrugExposure.objects.get(participant=_site01_participant()).pk],
        ),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:safety_adverseevent_changelist": (
        lambda: reverse("admin:safety_adverseevent_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:safety_labresult_changelist": (
        lambda: reverse("admin:safety_labresult_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_alsfrsr_changelist": (
        lambda: reverse("admin:participants_alsfrsr_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_fvc_changelist": (
        lambda: reverse("admin:participants_fvc_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_pksample_changelist": (
        lambda: reverse("admin:participants_pksample_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_genotype_changelist": (
        lambda: reverse("admin:participants_genotype_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:safety_endofstudy_changelist": (
        lambda: reverse("admin:safety_endofstudy_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_vitalsigns_changelist": (
        lambda: reverse("admin:participants_vitalsigns_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_allocation_changelist": (
        lambda: reverse("admin:participants_allocation_changelist"),
        _row(FORBIDDEN, unblinded_pharmacist=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_allocation_change": (
        lambda: reverse(
            "admin:participants_allocation_change",
            args=[Allocation.objects.filter(participant=_site01_participant()).get().pk],
        ),
        _row(FORBIDDEN, unblinded_pharmacist=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:participants_randomizationlist_changelist": (
        lambda: reverse("admin:participants_randomizationlist_changelist"),
        UNBLINDED_ADMIN,
    ),
    "admin:participants_randomizationslot_changelist": (
        lambda: reverse("admin:participants_randomizationslot_changelist"),
        UNBLINDED_ADMIN,
    ),
    "admin:participants_randomizationslot_change": (
        lambda: reverse(
            "admin:participants_randomizationslot_change",
            args=[RandomizationSlot.objects.filter(participant=_site01_participant()).get().pk],
        ),
        UNBLINDED_ADMIN,
    ),
    "admin:participants_emergencyunblinding_changelist": (
        lambda: reverse("admin:participants_emergencyunblinding_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, unblinded_pharmacist=OK, **ADMIN_STAFF_ONLY),
    ),
    # The MedDRA term search: anyone holding a role in a trial (it holds no trial data).
    "meddra:llt_search": (
        lambda: reverse("meddra:llt_search") + "?q=nau",
        _row(OK, outsider=FORBIDDEN, anonymous=LOGIN),
    ),
    "admin:meddra_meddrarelease_changelist": (
        lambda: reverse("admin:meddra_meddrarelease_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
    "admin:auth_user_changelist": (
        lambda: reverse("admin:auth_user_changelist"),
        _row(FORBIDDEN, study_coordinator=OK, **ADMIN_STAFF_ONLY),
    ),
}


def _outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
        if location == reverse("trials:home"):
            return HOME
        return f"302 {location}"
    return str(response.status_code)


@pytest.fixture
def as_role(client, request):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", sorted(MATRIX))
def test_each_role_gets_the_expected_outcome(as_role, role, view):
    url_for, expected = MATRIX[view]
    client = as_role(role)
    assert _outcome(client.get(url_for())) == expected[role], f"{role} GET {view}"


def test_every_url_has_a_row():
    """A new project view must be added to the matrix (admin model pages are checked by
    model: every admin-registered model of ours has its changelist in the table)."""
    from django.contrib import admin

    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                if ns.startswith("admin:"):
                    continue
                walk(p.url_patterns, ns)
            elif p.name:
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    covered = {key.split(" (")[0] for key in MATRIX}
    assert names - covered == set()
    ours = {"trials", "participants", "safety", "meddra"}
    for model in admin.site._registry:
        if model._meta.app_label in ours:
            assert f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" in covered


def test_logout_by_post_ends_the_session(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert _outcome(client.get(reverse("trials:home"))) == LOGIN


def test_a_monitor_of_one_site_only_sees_that_site(client, monitor):
    Membership.objects.filter(user=monitor, site__number="02").delete()
    client.force_login(monitor)
    assert client.get(_casebook(_site02_participant())).status_code == 404
    body = client.get(reverse("participants:trial_participants", args=["LSER-ALS-01"])).content
    assert b"01-001" in body and b"02-001" not in body
