"""The generated access matrix (issue 6): every URL of the URL configuration, its parameters
filled with objects of site 01 of the seeded trial LSER-ALS-01, requested as every role, as
the coordinator of site 02, as an outsider and anonymously; by GET, and by POST (an empty
form) for every role that may not post there, which must be refused and change nothing in
the database.

The expected outcomes live in one table, MATRIX (view -> role -> outcome). A URL without a
row fails test_the_matrix_matches_the_urlconf, and so does a row whose URL is gone.
"""

from importlib import import_module

import pytest
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from meddra.models import MeddraRelease
from meddra.services import active_release
from participants.models import (
    CaseReportForm,
    EmergencyUnblinding,
    LockLevel,
    Participant,
    RandomizationList,
    VitalSigns,
)
from participants.services.randomization import participant_emergency_unblind
from participants.services.records import crf_save
from review.records import record_key as review_record_key
from review.services import query_raise
from review.services.locks import lock_apply
from safety.models import AdverseEvent, EndOfStudy, LabPanel, RenalSignal
from safety.services.records import end_of_study_record
from tests.factories import DEMO_USERNAMES
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
USERNAMES = DEMO_USERNAMES

OK, NOT_FOUND, FORBIDDEN, LOGIN, ADMIN_LOGIN, HOME, NOT_ALLOWED = (
    "200",
    "404",
    "403",
    "login",
    "admin-login",
    "home",
    "405",
)
ADMIN_HOME = "302 /admin/"
# In a POST cell: the role may post here. Not posted by this test (an empty form could do
# something real, e.g. enrol); the view's own tests post real forms.
USES = "uses"

# A cell is one outcome (for GET and POST alike) or a pair (GET outcome, POST outcome).
READS = (OK, FORBIDDEN)  # reads the page, may not post to it
ENTERS = (OK, USES)  # reads the page and posts to it
POSTS = (NOT_ALLOWED, USES)  # a POST-only view the role uses
NO_POST = (NOT_ALLOWED, FORBIDDEN)  # a POST-only view the role may not use


def _row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


# --- The objects of site 01 that fill a URL's parameters ----------------------------------


class Site01:
    """Objects of site 01 of LSER-ALS-01, looked up (or made, where the demo data has none)
    when a URL first names them. The participant is 01-001: the demo gives it adverse
    events, lab panels, an open renal signal, vital signs and a study drug exposure form."""

    @cached_property
    def participant(self):
        return Participant.objects.select_related("trial", "site").get(
            trial__code="LSER-ALS-01", subject_number="01-001"
        )

    @cached_property
    def site02_participant(self):
        return Participant.objects.get(trial__code="LSER-ALS-01", subject_number="02-001")

    @cached_property
    def visit(self):
        return self.participant.visits.get(definition__code="BL")

    def user(self, username):
        return get_user_model().objects.get(username=username)

    @cached_property
    def adverse_event(self):
        return AdverseEvent.objects.filter(participant=self.participant).earliest("pk")

    @cached_property
    def lab_panel(self):
        return LabPanel.objects.filter(participant=self.participant).earliest("pk")

    @cached_property
    def renal_signal(self):
        return RenalSignal.objects.open().get(participant=self.participant)

    @cached_property
    def vitals(self):
        return VitalSigns.objects.get(participant=self.participant, entered_in_error=False)

    @cached_property
    def record_key(self):
        return review_record_key(self.vitals)

    @cached_property
    def query(self):
        """A query on the vital signs (the demo data has none)."""
        return query_raise(
            participant=self.participant,
            record=self.vitals,
            field_name="",
            text="Please check.",
            user=self.user("monitor"),
        )

    @cached_property
    def lock(self):
        """An active lock of the vital signs form (the demo data has none)."""
        return lock_apply(
            trial=self.participant.trial,
            level=LockLevel.FORM,
            participant=self.participant,
            record=self.vitals,
            user=self.user("datamanager"),
        )

    def admin_object(self, model):
        """The object of `model` an admin page of it shows: one of site 01 of the trial."""
        found = self.__dict__.setdefault("_admin_objects", {})
        if model not in found:
            found[model] = self._admin_object(model)
        return found[model]

    def _admin_object(self, model):
        trial, site = self.participant.trial, self.participant.site
        known = {
            Trial: lambda: trial,
            Site: lambda: site,
            Participant: lambda: self.participant,
            get_user_model(): lambda: self.user("coordinator01"),
            RandomizationList: lambda: trial.randomization,
            MeddraRelease: active_release,
        }
        if model in known:
            return known[model]()
        fields = {f.name for f in model._meta.get_fields()}
        if "participant" in fields:
            found = model.objects.filter(participant=self.participant).order_by("pk").first()
            return found or self._made(model)
        if "site" in fields:
            return model.objects.filter(site=site).order_by("pk").first()
        if "trial" in fields:
            return model.objects.filter(trial=trial).order_by("pk").first()
        return self._made(model)

    def _made(self, model):
        """A record of a kind the demo data has none of; a clinical one made by the service
        that writes it."""
        today = timezone.localdate()
        if model is Group:
            return Group.objects.create(name="Readers")
        if model._meta.app_label == "axes":  # django-axes' login records
            extra = {"failures_since_start": 1} if model.__name__ == "AccessAttempt" else {}
            return model.objects.create(username="coordinator01", **extra)
        if issubclass(model, CaseReportForm):
            values = {"report_date": today}
            if model._meta.model_name == "alsfrsr":  # every item scored (5a: no gastrostomy)
                values |= {f"q{i}": 4 for i in [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]} | {"q5a": 4}
            return crf_save(
                record=model(participant=self.participant, visit=self.visit),
                values=values,
                user=self.user("coordinator01"),
                expected_version=None,
            )
        if model is EndOfStudy:
            return end_of_study_record(
                participant=self.participant,
                values={"status": "COMPLETED", "end_date": today},
                user=self.user("coordinator01"),
            )
        if model is EmergencyUnblinding:
            participant_emergency_unblind(
                participant=self.participant, reason="Emergency.", user=self.user("investigator01")
            )
            return EmergencyUnblinding.objects.get(participant=self.participant)
        raise AssertionError(f"No site 01 {model._meta.label} to fill its admin URLs with")


# URL parameter -> its value, by name, for every URL of the project. A parameter named the
# same in two places means the same object; the admin's `object_id` is per model (below).
PARAMS = {
    "code": lambda s: s.participant.trial.code,
    "pk": lambda s: s.participant.pk,
    "visit_pk": lambda s: s.visit.pk,
    "form_code": lambda s: "vitals",
    "ae_pk": lambda s: s.adverse_event.pk,
    "panel": lambda s: "RENAL",
    "panel_pk": lambda s: s.lab_panel.pk,
    "signal_pk": lambda s: s.renal_signal.pk,
    "query_pk": lambda s: s.query.pk,
    "ct": lambda s: s.record_key[0],
    "object_id": lambda s: s.record_key[1],
    "lock_pk": lambda s: s.lock.pk,
    # the admin's
    "app_label": lambda s: "participants",
    "id": lambda s: s.user("coordinator01").pk,
    "content_type_id": lambda s: ContentType.objects.get_for_model(Participant).pk,
}
# Views whose URL needs more than its parameters (a query string), and variants of a view
# (the key's "(...)" part) with their own parameters.
URL_EXTRAS = {
    "review:query_raise": {"query": lambda s: f"ct={s.record_key[0]}&id={s.record_key[1]}"},
    "review:audit_trail": {"query": lambda s: f"ct={s.record_key[0]}&id={s.record_key[1]}"},
    "review:audit_trail (participant)": {},
    "review:ae_listing (filtered)": {"query": lambda s: "site=01&new=true"},
    "review:ae_listing_export": {"query": lambda s: "format=csv"},
    "review:ae_listing_export (xlsx)": {"query": lambda s: "format=xlsx"},
    "review:lab_listing_export": {"query": lambda s: "format=csv"},
    "review:lab_listing_export (xlsx)": {"query": lambda s: "format=xlsx"},
    "meddra:llt_search": {"query": lambda s: "q=nau"},
    "participants:crf_edit (exposure)": {"form_code": lambda s: "dosing"},
    "participants:crf_edit (ALSFRS-R)": {"form_code": lambda s: "alsfrs_r"},
    "participants:crf_edit (PK)": {"form_code": lambda s: "pk"},
    "safety:participant_casebook (site 02)": {"pk": lambda s: s.site02_participant.pk},
    "safety:end_of_study (site 02)": {"pk": lambda s: s.site02_participant.pk},
    "admin:app_list (trials)": {"app_label": lambda s: "trials"},
    "admin:app_list (auth)": {"app_label": lambda s: "auth"},
    "review:query_detail": {"post": {"action": "answer"}},
    "review:query_detail (close)": {"post": {"action": "close"}},
    "admin:view_on_site": {"object_id": lambda s: s.participant.pk},
    "admin:autocomplete": {
        "query": lambda s: "app_label=trials&model_name=membership&field_name=user&term=coord"
    },
}


def url_names() -> dict[str, list[str]]:
    """Every named URL of the project (admin included) -> the names of its parameters."""
    names = {}

    def walk(patterns, namespace="", params=()):
        for p in patterns:
            here = (*params, *p.pattern.regex.groupindex)
            if hasattr(p, "url_patterns"):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, here)
            elif p.name:
                names[f"{namespace}{p.name}"] = list(here)

    walk(get_resolver().url_patterns)
    return names


def admin_models() -> dict[str, type]:
    """URL name prefix ("admin:trials_site_") -> the admin-registered model."""
    return {f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry}


def build_url(view: str, s: Site01) -> str:
    name = view.split(" (")[0]
    extras = URL_EXTRAS.get(view, {})
    kwargs = {}
    for param in url_names()[name]:
        fill = extras.get(param, PARAMS[param])
        kwargs[param] = fill(s)
    model = next((m for prefix, m in admin_models().items() if name.startswith(prefix)), None)
    if model is not None and "object_id" in kwargs:
        kwargs["object_id"] = s.admin_object(model).pk
    url = reverse(name, kwargs=kwargs)
    if "query" in extras:
        url += "?" + extras["query"](s)
    return url


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
        if location == reverse("trials:home"):
            return HOME
        return f"302 {location}"
    return str(response.status_code)


def database_writes() -> dict[str, int]:
    """Rows inserted, updated or deleted per table by this test's transaction so far
    (PostgreSQL's own count: every table, attempts rolled back to a savepoint included),
    but for the sessions, which every request saves."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND relname <> 'django_session'"
        )
        return dict(cursor.fetchall())


@pytest.fixture
def clients(db, settings):
    """A logged-in test client per role (the outsider: an account with no role).

    Their sessions live in signed cookies, made here without a login: the access rules
    read `request.user` whatever the session store, and nine database logins per test
    (session, last_login, axes' access log) would double the module's time."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = {role: get_user_model().objects.get(username=name) for role, name in USERNAMES.items()}
    users["outsider"] = get_user_model().objects.create_user("outsider")
    made = {}
    for role in ROLES:
        made[role] = Client()
        if role in users:
            session = store()
            session[SESSION_KEY] = str(users[role].pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = users[role].get_session_auth_hash()
            session.save()
            made[role].cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return made


def _cell(expected):
    return expected if isinstance(expected, tuple) else (expected, expected)


def observe(view, clients) -> dict:
    """Each role's (GET outcome, POST outcome) for the view. A role posts only where the
    table refuses it the POST; all those POSTs together must change nothing."""
    url = build_url(view, Site01())
    data = URL_EXTRAS.get(view, {}).get("post", {})
    seen = {role: [outcome(clients[role].get(url))] for role in ROLES}
    before = database_writes()
    for role in ROLES:
        if _cell(MATRIX[view][role])[1] == USES:
            seen[role].append(USES)
        else:
            seen[role].append(outcome(clients[role].post(url, data)))
    assert database_writes() == before, f"a refused POST to {url} wrote to the database"
    return {role: tuple(answers) for role, answers in seen.items()}


# --- The table ---------------------------------------------------------------------------

OUT_OF_TRIAL = dict(outsider=NOT_FOUND, anonymous=LOGIN)
OUT_OF_SITE = dict(other_site_coordinator=NOT_FOUND, **OUT_OF_TRIAL)
# A POST-only view out of scope: the method is refused first, then the object is not found.
HIDDEN_POST = (NOT_ALLOWED, NOT_FOUND)
OUT_OF_SITE_POST = dict(other_site_coordinator=HIDDEN_POST, outsider=HIDDEN_POST, anonymous=LOGIN)

# A page of the trial for every role in it (listings, dashboards, exports: scoped by site
# inside, tests/trials/test_site_isolation.py); a POST reads it too and changes nothing.
TRIAL_PAGE = _row(OK, **OUT_OF_TRIAL)
# A page of site 01 that every role covering site 01 reads.
SITE01_PAGE = _row(OK, **OUT_OF_SITE)
# A site 01 form: its coordinator and investigator enter it; the others covering site 01
# read it and may not post.
SITE01_FORM = _row(READS, coordinator=ENTERS, investigator=ENTERS, **OUT_OF_SITE)
# A site 01 page for data entry only.
SITE01_ENTRY = _row(FORBIDDEN, coordinator=ENTERS, investigator=ENTERS, **OUT_OF_SITE)
# A POST-only action on site 01 data by its coordinator and investigator.
SITE01_ACTION = _row(NO_POST, coordinator=POSTS, investigator=POSTS, **OUT_OF_SITE_POST)
# The site 02 participant's pages: site 01's coordinator and investigator don't see them.
SITE02_PAGE = _row(OK, coordinator=NOT_FOUND, investigator=NOT_FOUND, **OUT_OF_TRIAL)


def _admin(**staff):
    """An admin page: the login page for anyone but staff (the pharmacist and the study
    coordinator); refused to staff unless said."""
    return _row(
        ADMIN_LOGIN, **({"unblinded_pharmacist": FORBIDDEN, "study_coordinator": FORBIDDEN} | staff)
    )


def _admin_model(name, **actions):
    """The rows of a model's five admin pages, "app_model" -> {action: row}."""
    return {f"admin:{name}_{action}": row for action, row in actions.items()}


def _config(name, **overrides):
    """Trial configuration: the study coordinator lists, adds, changes, deletes."""
    actions = {
        "changelist": _admin(study_coordinator=OK),
        "add": _admin(study_coordinator=ENTERS),
        "change": _admin(study_coordinator=ENTERS),
        "history": _admin(study_coordinator=OK),
        "delete": _admin(study_coordinator=ENTERS),
    }
    return _admin_model(name, **(actions | overrides))


def _read_only(name, *roles):
    """Records the admin shows, read-only, to `roles`."""
    return _admin_model(
        name,
        changelist=_admin(**dict.fromkeys(roles, OK)),
        add=_admin(),
        change=_admin(**dict.fromkeys(roles, READS)),
        history=_admin(**dict.fromkeys(roles, OK)),
        delete=_admin(),
    )


def _refused(name):
    """Models of Django's and axes' own admin: model permissions no EDC user holds."""
    return _admin_model(
        name, **dict.fromkeys(["changelist", "add", "change", "history", "delete"], _admin())
    )


CLINICAL = [
    "participants_participant",
    "participants_visit",
    "participants_alsfrsr",
    "participants_fvc",
    "participants_pksample",
    "participants_genotype",
    "participants_vitalsigns",
    "participants_studydrugexposure",
    "safety_adverseevent",
    "safety_labresult",
    "safety_endofstudy",
    "meddra_meddrarelease",
]
UNBLINDED = [
    "participants_allocation",
    "participants_randomizationlist",
    "participants_randomizationslot",
]

# view (URL name, and a variant in brackets) -> role -> outcome
MATRIX = {
    "trials:home": _row(OK, anonymous=LOGIN),
    "login": _row(HOME, anonymous=OK),
    # Logout is POST-only; any role may (its own test below).
    "logout": _row(POSTS),
    # Every user changes their own password (tests/trials/test_accounts.py).
    "password_change": _row(ENTERS, anonymous=LOGIN),
    "password_change_done": _row((OK, NOT_ALLOWED), anonymous=LOGIN),
    "participants:trial_participants": TRIAL_PAGE,
    "participants:site_dashboard": TRIAL_PAGE,
    # Screening: at one of the user's own sites (the form offers only those).
    "participants:screening_create": _row(
        FORBIDDEN,
        coordinator=ENTERS,
        investigator=ENTERS,
        other_site_coordinator=ENTERS,
        **OUT_OF_TRIAL,
    ),
    "participants:consent_record": SITE01_ENTRY,
    "participants:enrol": SITE01_ACTION,
    "participants:baseline_set": SITE01_ENTRY,
    "participants:randomize": SITE01_ENTRY,
    "participants:emergency_unblind": _row(FORBIDDEN, investigator=ENTERS, **OUT_OF_SITE),
    # The randomization list: unblinded users only; to everyone else it does not exist.
    "participants:randomization_list": _row(NOT_FOUND, unblinded_pharmacist=OK, anonymous=LOGIN),
    "participants:randomization_import": _row(
        NOT_FOUND, unblinded_pharmacist=ENTERS, anonymous=LOGIN
    ),
    "participants:unscheduled_visit_add": SITE01_ENTRY,
    "participants:visit_detail": SITE01_PAGE,
    "participants:visit_date": SITE01_ACTION,
    "participants:visit_missed": SITE01_ACTION,
    "participants:crf_edit": SITE01_FORM,
    "participants:crf_edit (exposure)": SITE01_FORM,
    "participants:crf_edit (ALSFRS-R)": SITE01_FORM,
    "participants:crf_edit (PK)": SITE01_FORM,
    "participants:crf_entered_in_error": SITE01_ACTION,
    "safety:participant_casebook": SITE01_PAGE,
    "safety:participant_casebook (site 02)": SITE02_PAGE,
    "safety:end_of_study": SITE01_FORM,
    "safety:end_of_study (site 02)": _row(
        READS,
        coordinator=NOT_FOUND,
        investigator=NOT_FOUND,
        other_site_coordinator=ENTERS,
        **OUT_OF_TRIAL,
    ),
    "safety:adverse_event": SITE01_PAGE,
    "safety:adverse_event_add": SITE01_ENTRY,
    "safety:adverse_event_edit": SITE01_ENTRY,
    "safety:adverse_event_entered_in_error": SITE01_ACTION,
    "safety:adverse_event_dose_change": SITE01_ENTRY,
    "safety:sae_listing": TRIAL_PAGE,
    "safety:visit_labs": SITE01_PAGE,
    "safety:lab_panel_add": SITE01_ENTRY,
    "safety:lab_panel_edit": SITE01_FORM,
    "safety:lab_panel_entered_in_error": SITE01_ACTION,
    "safety:renal_signal_close": SITE01_ENTRY,
    # The MedDRA term search: anyone holding a role in a trial (it holds no trial data).
    "meddra:llt_search": _row(
        (OK, NOT_ALLOWED), outsider=(FORBIDDEN, NOT_ALLOWED), anonymous=(LOGIN, NOT_ALLOWED)
    ),
    "review:monitor_home": _row(FORBIDDEN, monitor=OK, data_manager=OK, **OUT_OF_TRIAL),
    "review:ae_listing": TRIAL_PAGE,
    "review:ae_listing (filtered)": TRIAL_PAGE,
    "review:ae_listing_export": TRIAL_PAGE,
    "review:ae_listing_export (xlsx)": TRIAL_PAGE,
    # Marking events reviewed: monitors (in scope of each event, tested in tests/review).
    "review:ae_mark_reviewed": _row(NO_POST, monitor=POSTS, outsider=HIDDEN_POST, anonymous=LOGIN),
    "review:lab_listing": TRIAL_PAGE,
    "review:lab_listing_export": TRIAL_PAGE,
    "review:lab_listing_export (xlsx)": TRIAL_PAGE,
    "review:query_listing": TRIAL_PAGE,
    "review:sdv_listing": TRIAL_PAGE,
    "review:query_raise": _row(FORBIDDEN, monitor=ENTERS, data_manager=ENTERS, **OUT_OF_SITE),
    # A query's thread: the site answers (action=answer), monitors and data managers close
    # and reopen (action=close, the variant).
    "review:query_detail": _row(READS, coordinator=ENTERS, investigator=ENTERS, **OUT_OF_SITE),
    "review:query_detail (close)": _row(READS, monitor=ENTERS, data_manager=ENTERS, **OUT_OF_SITE),
    # Source verification: monitors.
    "review:record_verify": _row(NO_POST, monitor=POSTS, **OUT_OF_SITE_POST),
    # Locks: data managers lock and unlock; every role of the trial sees the list.
    "review:lock_list": TRIAL_PAGE,
    "review:lock_add": _row(NO_POST, data_manager=POSTS, outsider=HIDDEN_POST, anonymous=LOGIN),
    "review:lock_release": _row(FORBIDDEN, data_manager=ENTERS, **OUT_OF_TRIAL),
    "review:audit_trail": SITE01_PAGE,
    "review:audit_trail (participant)": SITE01_PAGE,
    "review:signature_sign": _row(FORBIDDEN, investigator=ENTERS, **OUT_OF_SITE),
    # --- the admin: staff only (the unblinded pharmacist, the study coordinator)
    "admin:index": _admin(unblinded_pharmacist=OK, study_coordinator=OK),
    "admin:app_list": _admin(unblinded_pharmacist=OK, study_coordinator=OK),
    "admin:app_list (trials)": _admin(unblinded_pharmacist=NOT_FOUND, study_coordinator=OK),
    "admin:app_list (auth)": _admin(unblinded_pharmacist=NOT_FOUND, study_coordinator=OK),
    "admin:autocomplete": _admin(
        unblinded_pharmacist=(FORBIDDEN, NOT_ALLOWED), study_coordinator=(OK, NOT_ALLOWED)
    ),
    "admin:jsi18n": _admin(
        unblinded_pharmacist=(OK, NOT_ALLOWED), study_coordinator=(OK, NOT_ALLOWED)
    ),
    "admin:login": _row(
        OK, unblinded_pharmacist=(ADMIN_HOME, OK), study_coordinator=(ADMIN_HOME, OK)
    ),
    "admin:logout": _row(ADMIN_HOME, unblinded_pharmacist=POSTS, study_coordinator=POSTS),
    "admin:password_change": _admin(unblinded_pharmacist=ENTERS, study_coordinator=ENTERS),
    "admin:password_change_done": _admin(
        unblinded_pharmacist=(OK, NOT_ALLOWED), study_coordinator=(OK, NOT_ALLOWED)
    ),
    # No model of ours has a page outside the admin to link to.
    "admin:view_on_site": _admin(unblinded_pharmacist=NOT_FOUND, study_coordinator=NOT_FOUND),
    **_config("trials_trial", add=_admin(), delete=_admin()),
    **_config("trials_arm"),
    **_config("trials_visitdefinition"),
    **_config("trials_formulation"),
    **_config("trials_membership"),
    **_config("trials_site", delete=_admin()),
    **_config("trials_referencerange"),
    # Users: a study coordinator adds site users and changes them (coordinator01 here), never
    # a staff account or a superuser (tests/trials/test_accounts.py); nobody deletes one.
    **_admin_model(
        "auth_user",
        changelist=_admin(study_coordinator=OK),
        add=_admin(study_coordinator=ENTERS),
        change=_admin(study_coordinator=ENTERS),
        history=_admin(study_coordinator=OK),
        delete=_admin(),
    ),
    "admin:auth_user_password_change": _admin(study_coordinator=ENTERS),
    **{
        view: row
        for name in CLINICAL
        for view, row in _read_only(name, "study_coordinator").items()
    },
    **{
        view: row
        for name in UNBLINDED
        for view, row in _read_only(name, "unblinded_pharmacist").items()
    },
    # Emergency unblinding records carry no arm: study coordinators and unblinded users.
    **_read_only("participants_emergencyunblinding", "study_coordinator", "unblinded_pharmacist"),
    **_refused("auth_group"),
    **_refused("axes_accessattempt"),
    **_refused("axes_accesslog"),
    **_refused("axes_accessfailurelog"),
}


@pytest.mark.parametrize("view", sorted(MATRIX))
def test_each_role_gets_the_expected_outcome(view, clients):
    expected = {role: _cell(MATRIX[view][role]) for role in ROLES}
    seen = observe(view, clients)
    wrong = {
        role: f"got {seen[role]}, expected {expected[role]}"
        for role in ROLES
        if seen[role] != expected[role]
    }
    assert wrong == {}, view


def test_the_matrix_matches_the_urlconf():
    """A new URL needs a row (a model newly in the admin brings five); a row, or its URL
    details, whose URL is gone goes too."""
    names = set(url_names())
    rows = {key.split(" (")[0] for key in MATRIX}
    assert names - rows == set(), "URLs without a row in MATRIX"
    assert rows - names == set(), "rows of MATRIX for URLs that no longer exist"
    assert set(URL_EXTRAS) - set(MATRIX) == set(), "URL_EXTRAS for views not in MATRIX"


def test_the_write_check_sees_a_write_rolled_back(db):
    """database_writes() sees a row written and rolled back, so a refused POST that wrote
    before refusing would fail the matrix."""
    before = database_writes()
    try:
        with transaction.atomic():
            Site01().participant.save()
            raise PermissionDenied
    except PermissionDenied:
        pass
    assert database_writes() != before


def test_logout_by_post_ends_the_session(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert outcome(client.get(reverse("trials:home"))) == LOGIN


def test_a_monitor_of_one_site_only_sees_that_site(client, monitor):
    Membership.objects.filter(user=monitor, site__number="02").delete()
    client.force_login(monitor)
    site02 = Site01().site02_participant
    casebook = reverse("safety:participant_casebook", args=[site02.trial.code, site02.pk])
    assert client.get(casebook).status_code == 404
    body = client.get(reverse("participants:trial_participants", args=["LSER-ALS-01"])).content
    assert b"01-001" in body and b"02-001" not in body
