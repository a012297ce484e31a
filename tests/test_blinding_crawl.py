"""Blinding, systematically (DESIGN.md rule 4).

Every page and export a blinded role reaches by following links from its home page (and,
for the study coordinator, from the admin index) is searched for the arms: their names,
code labels and doses, read from the database, so that a new arm or a new page is covered
without editing this test. The same crawl as the unblinded pharmacist finds the arms where
they belong, which shows that the detector works. Error pages, form errors, stale-edit
messages and audit trails are checked on their own: a crawl following links reaches none.
"""

import html
import io
import re
from collections import deque
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from participants.choices import TakenWithFood
from participants.models import (
    Allocation,
    LockLevel,
    Participant,
    RandomizationSlot,
    StudyDrugExposure,
    VitalSigns,
)
from participants.services import crf_save, participant_emergency_unblind
from review.models import Query
from review.services.locks import lock_apply
from review.services.queries import query_raise
from safety.choices import Severity
from safety.models import AdverseEvent, LabPanel
from safety.services import adverse_event_save, lab_panel_save
from tests.factories import ParticipantFactory
from trials.audit import audit_reason
from trials.choices import RegimenType
from trials.models import Arm, Trial

pytestmark = pytest.mark.django_db

BLINDED_ROLES = ["coordinator", "investigator", "monitor", "data_manager", "study_coordinator"]

# How many pages of one kind the crawl opens (see `_kind`): every kind of page, per trial,
# without visiting every participant.
PER_KIND = 1
# Admin navigation state, dropped from links so that it doesn't multiply the pages.
DROPPED_PARAMS = ("_changelist_filters", "_facets")
# The trial's configuration in the admin: the study coordinator sets the arms up there
# (DESIGN.md, "Who uses it"); these pages are about the trial, not about a participant.
CONFIGURATION_PAGES = ("admin:trials_trial_", "admin:trials_arm_", "admin:trials_formulation_")

SITE_PAGES = {
    "trials:home",
    "participants:trial_participants",
    "participants:site_dashboard",
    "safety:participant_casebook",
    "participants:visit_detail",
    "participants:crf_edit[dosing]",
    "safety:adverse_event",
    "safety:visit_labs",
    "safety:lab_panel_edit",
    "safety:sae_listing",
    "review:audit_trail",
    "review:audit_trail[studydrugexposure]",
    "review:audit_trail[adverseevent]",
    "review:query_detail",
    "review:query_listing",
    "review:ae_listing",
    "review:ae_listing_export[csv]",
    "review:ae_listing_export[xlsx]",
    "review:lab_listing",
    "review:lab_listing_export[csv]",
    "review:lab_listing_export[xlsx]",
}
REVIEW_PAGES = {"review:monitor_home", "review:sdv_listing"}
ADMIN_PAGES = {
    "admin:index",
    "admin:participants_participant_changelist",
    "admin:participants_participant_change",
    "admin:participants_participant_history",
    "admin:participants_studydrugexposure_changelist",
    "admin:participants_studydrugexposure_change",
    "admin:participants_studydrugexposure_history",
    "admin:safety_adverseevent_changelist",
    "admin:safety_labresult_changelist",
}
# The kinds of page each crawl must reach, so that a broken link can't make it pass by
# crawling nothing.
REACHED = {
    "coordinator": SITE_PAGES,
    "investigator": SITE_PAGES | {"participants:emergency_unblind", "review:signature_sign"},
    "monitor": SITE_PAGES | REVIEW_PAGES,
    "data_manager": SITE_PAGES | REVIEW_PAGES | {"review:lock_list"},
    "study_coordinator": ADMIN_PAGES | SITE_PAGES,
}


# -- what would give an allocation away ---------------------------------------------------


def _number(value: Decimal) -> str:
    """A decimal without trailing zeros: 15000.00 -> "15000", 0.50 -> "0.5"."""
    return f"{value.normalize():f}"


def _amount(number: str, unit: str) -> str:
    """`number` not part of a longer one ("2.5" not in "12.5") nor of a word (a random
    token), then `unit` (a pattern)."""
    return r"(?<![\w.,])" + re.escape(number) + unit


MG = r"(?:\.0+)?\s?mg(?![/\w])"  # "15000 mg", "15000.00mg"; not "15000 mg/dL"


def arm_texts(arm: Arm) -> list[str]:
    """Regular expressions for what would give `arm` away on a page: its name, its regimen
    text, its code as a word (never inside a CSRF token or a longer code) and its dose as a
    page could write it (grams, mg, the stored mg per administration, mg/kg/day)."""
    texts = [
        re.escape(arm.name),
        re.escape(arm.regimen_text),
        r"(?<![\w.])" + re.escape(arm.code) + r"(?![\w]|\.\w)",
    ]
    if arm.regimen_type == RegimenType.FIXED:
        mg = arm.dose_mg
        texts += [
            _amount(_number(mg / 1000), r"\s?g(?![/\w])"),  # "7.5 g"; not "17.5 g", "7.5 g/dL"
            _amount(_number(mg), MG),
            _amount(f"{mg:,.0f}", MG),  # "15,000 mg"
            # the stored value as the admin, an export or an audit trail writes it
            _amount(_number(mg), r"\.0+(?!\d)"),
        ]
    else:
        texts.append(_amount(_number(arm.dose_mg_per_kg_day), r"(?:\.0+)?\s?mg/kg"))
    return texts


def stored_doses() -> list[str]:
    """The prescribed mg per administration stored on the exposure forms (derived from the
    arm, and for a weight-based arm from the weight), as an admin, export or trail would
    write it."""
    stored = StudyDrugExposure.objects.exclude(prescribed_mg_per_administration=None)
    return [
        _amount(_number(mg), rf"(?:\.0+(?!\d)|{MG})")
        for mg in set(stored.values_list("prescribed_mg_per_administration", flat=True))
    ]


class ArmDetector:
    """Every arm of every trial and every stored prescribed dose, read from the database,
    searched in one pass."""

    def __init__(self):
        self.arms = {
            f"{arm.trial.code} {arm.code}": re.compile("|".join(arm_texts(arm)), re.I)
            for arm in Arm.objects.select_related("trial")
        }
        assert self.arms, "no arms to look for"
        doses = stored_doses()
        assert doses, "no stored doses to look for"
        self.arms["a stored prescribed dose"] = re.compile("|".join(doses))
        self.any = re.compile("|".join(f"(?:{p.pattern})" for p in self.arms.values()), re.I)

    def __call__(self, text: str) -> list[str]:
        """What `text` gives away: ["<trial> <arm>: '<text found>'", ...]."""
        if not self.any.search(text):
            return []
        return [f"{arm}: {m.group(0)!r}" for arm, p in self.arms.items() if (m := p.search(text))]


# -- the crawl ----------------------------------------------------------------------------

LINK = re.compile(r"""<a\s[^>]*?href=["']([^"']+)["']""", re.I)


def page_text(response) -> str:
    """What a person reads in a response: the page, or the cells of a CSV or XLSX export."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            "\t".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = body.decode()
    return html.unescape(text) if "html" in content_type else text


def _kind(path: str, query: str) -> tuple[str, tuple]:
    """(label, kind) of a URL. The label names the page: its url name, with the form code
    of a visit form, the format of an export and the record type of an audit trail or a
    query. The kind adds the trial and leaves out ids, filters and lab panels, so that one
    participant, listing or panel stands for all."""
    match = resolve(path)
    params = dict(parse_qsl(query, keep_blank_values=True))
    record_type = params.get("ct", "")
    if record_type.isdigit():
        record_type = ContentType.objects.get_for_id(int(record_type)).model
    chosen = (match.kwargs.get("form_code"), params.get("format"), record_type)
    label = match.view_name + "".join(f"[{v}]" for v in chosen if v)
    return label, (label, match.kwargs.get("code"))


def _link(href: str, base: str) -> str | None:
    """The same-origin GET link `href` as path?query, or None for what is not followed."""
    parts = urlsplit(urljoin(f"http://testserver{base}", html.unescape(href)))
    if parts.scheme != "http" or parts.netloc != "testserver":
        return None
    if "logout" in parts.path or parts.path.startswith(("/static/", "/accounts/")):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in DROPPED_PARAMS])
    return f"{parts.path}?{query}" if query else parts.path


def crawl(client, start: list[str]) -> dict[str, tuple[str, str]]:
    """Follow links breadth first from `start`, PER_KIND pages of a kind, redirects too;
    returns {url: (label, text)} for every page answered 200."""
    pages, seen, opened = {}, set(start), {}
    todo = deque(start)
    while todo:
        url = todo.popleft()
        path, _, query = url.partition("?")
        try:
            label, kind = _kind(path, query)
        except Resolver404:
            continue
        if opened.get(kind, 0) >= PER_KIND:
            continue
        opened[kind] = opened.get(kind, 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302):
            hrefs = [response["Location"]]
        elif response.status_code == 200:
            text = page_text(response)
            pages[url] = (label, text)
            hrefs = LINK.findall(text) if "html" in response["Content-Type"] else []
        else:
            continue
        for href in hrefs:
            target = _link(href, url)
            if target and target not in seen:
                seen.add(target)
                todo.append(target)
    return pages


def crawl_as(client, user) -> dict[str, tuple[str, str]]:
    """The crawl from the home page, and the admin index for staff."""
    client.force_login(user)
    return crawl(client, ["/"] + (["/admin/"] if user.is_staff else []))


def about_a_participant(label: str, text: str, subjects: re.Pattern) -> bool:
    """Every page is, but the trial's configuration in the admin when it names no
    participant."""
    return not label.startswith(CONFIGURATION_PAGES) or bool(subjects.search(text))


def subject_numbers() -> re.Pattern:
    numbers = Participant.objects.exclude(subject_number="").values_list("subject_number")
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for (n,) in numbers) + r")\b")


# -- data worth crawling ------------------------------------------------------------------


def first_randomized(code: str, site: str = "01") -> Participant:
    return (
        Participant.objects.filter(trial__code=code, site__number=site, allocation__isnull=False)
        .select_related("trial", "site", "allocation")
        .order_by("subject_number")
        .first()
    )


def _exposure(p: Participant, user) -> StudyDrugExposure:
    """The participant's exposure form at baseline, new if need be (with a weight first, for
    a weight-based arm): the first dosing form a crawl opens is a saved one."""
    baseline = p.visits.get(definition__code="BL")
    exposure = StudyDrugExposure.objects.filter(visit=baseline).first()
    if exposure is not None:
        return exposure
    if not VitalSigns.objects.filter(participant=p, weight_kg__isnull=False).exists():
        crf_save(
            record=VitalSigns(participant=p, visit=baseline),
            values={"report_date": baseline.actual_date, "weight_kg": Decimal("70.0")},
            user=user,
            expected_version=None,
        )
    return crf_save(
        record=StudyDrugExposure(participant=p, visit=baseline),
        values={
            "report_date": baseline.actual_date,
            "period_start": baseline.actual_date,
            "period_end": baseline.actual_date,
            "kit_number": f"K{p.site.number}-0202",
            "formulation": p.trial.formulations.first(),
            "titration_step": 1,
            "doses_taken": 1,
            "doses_missed": 0,
            "taken_with_food": TakenWithFood.YES,
        },
        user=user,
        expected_version=None,
    )


def _seed(p: Participant, monitor) -> None:
    """Give a randomized participant an exposure form, an AE, a lab panel and a query."""
    user = get_user_model().objects.get(username=f"coordinator{p.site.number}")
    baseline = p.visits.get(definition__code="BL")
    exposure = _exposure(p, user)
    if not AdverseEvent.objects.filter(participant=p).exists():
        adverse_event_save(
            participant=p,
            user=user,
            values={
                "verbatim_term": "Nausea",
                "llt_code": 10028813,  # Nausea, demo MedDRA subset
                "onset_date": baseline.actual_date,
                "ongoing": True,
                "severity": Severity.MILD,
                "ctcae_grade": 1,
                "relationship": "POSSIBLE",
                "action_taken": "DOSE NOT CHANGED",
                "outcome": "NOT RECOVERED/NOT RESOLVED",
            },
        )
    if not LabPanel.objects.filter(participant=p).exists():
        lab_panel_save(
            panel_record=LabPanel(
                participant=p, visit=baseline, panel="RENAL", report_date=baseline.actual_date
            ),
            values={"CREAT": (Decimal("0.9"), "mg/dL")},
            user=user,
        )
    if not Query.objects.filter(participant=p).exists():
        query_raise(
            participant=p,
            record=exposure,
            field_name="doses_taken",
            text="Please check the doses taken against the diary.",
            user=monitor,
        )
    # Changes after the first save, so that trails and the query show what changed: for a
    # weight-based arm a new weight changes the stored dose, which stays hidden.
    if p.allocation.arm.regimen_type == RegimenType.WEIGHT_BASED:
        vitals = VitalSigns.objects.get(participant=p, visit=baseline)
        crf_save(
            record=vitals,
            values={"weight_kg": vitals.weight_kg + 10},
            user=user,
            expected_version=vitals.version,
            reason="Weighed again",
        )
    dose = exposure.prescribed_mg_per_administration
    exposure = crf_save(
        record=exposure,
        values={"kit_number": f"{exposure.kit_number}-R"},
        user=user,
        expected_version=exposure.version,
        reason="Kit relabelled",
    )
    weight_based = p.allocation.arm.regimen_type == RegimenType.WEIGHT_BASED
    assert (exposure.prescribed_mg_per_administration != dose) == weight_based


@pytest.fixture(scope="module", autouse=True)
def crawl_data(django_db_setup, django_db_blocker):
    """In every trial, the first randomized participant of each site has an exposure form,
    an AE, a lab panel and a query (the demo has some of these, not all); site 01's was
    unblinded in an emergency, and a visit at site 02 is locked. Made once for the module
    and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        monitor = get_user_model().objects.get(username="monitor")
        with audit_reason("Blinding crawl test data"):
            for trial in Trial.objects.all():
                for site in trial.sites.all():
                    p = first_randomized(trial.code, site.number)
                    assert p is not None, f"no randomized participant at {trial.code} {site}"
                    _seed(p, monitor)
            participant_emergency_unblind(
                participant=first_randomized(trial.code),
                reason="Anaphylaxis: treating physician needs the arm",
                user=get_user_model().objects.get(username="investigator01"),
            )
            lock_apply(
                trial=trial,
                level=LockLevel.VISIT,
                participant=p,
                visit=p.visits.get(definition__code="SCR"),
                user=get_user_model().objects.get(username="datamanager"),
                reason="Screening visit cleaned",
            )
        yield
        transaction.set_rollback(True)


# -- the crawl, per role ------------------------------------------------------------------


@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_a_blinded_role_sees_no_arm_on_any_page_it_can_reach(client, request, role):
    detector = ArmDetector()
    pages = crawl_as(client, request.getfixturevalue(role))
    missing = REACHED[role] - {label for label, _ in pages.values()}
    assert not missing, f"the crawl as {role} never reached {sorted(missing)}"
    subjects = subject_numbers()
    leaked = {
        url: found
        for url, (label, text) in pages.items()
        if about_a_participant(label, text, subjects) and (found := detector(text))
    }
    assert leaked == {}, f"{role} sees an arm: {leaked}"


def test_the_same_crawl_as_the_unblinded_pharmacist_finds_the_arms(client, unblinded_pharmacist):
    detector = ArmDetector()
    pages = crawl_as(client, unblinded_pharmacist)
    found = {}
    for label, text in pages.values():
        found.setdefault(label, set()).update(detector(text))
    for label in (
        "safety:participant_casebook",
        "participants:crf_edit[dosing]",
        "participants:randomization_list",
        "admin:participants_allocation_changelist",
    ):
        assert found.get(label), f"the pharmacist's {label} shows no arm"
    # both trials' arms, and the dose in mg on the exposure form
    hits = {hit.split(":")[0] for hits in found.values() for hit in hits}
    for code in Trial.objects.values_list("code", flat=True):
        assert any(hit.startswith(f"{code} ") for hit in hits), code
    assert "a stored prescribed dose" in hits


def test_the_detector_finds_each_way_of_writing_a_dose():
    detector = ArmDetector()
    for text in ["L-serine 7.5 g BID", "take 15 g twice daily", "15000 mg", "7,500 mg"]:
        assert detector(text), text
    for text in ["2500.00", "'7500.0'", "PBO", "400 mg/kg/day", "400.00 mg/kg", "Arm LS15: x"]:
        assert detector(text), text
    for text in ["Hb 12.5 g/dL", "12.5 g", "1 sachet", "LS150", "7.55 g", 'value="x7Z15g"']:
        assert detector(text) == [], text
    subjects = subject_numbers()
    assert about_a_participant("admin:trials_arm_change", "Allocations: 01-002", subjects)
    assert not about_a_participant("admin:trials_arm_change", "Arm LS15, 2026-01-01", subjects)


# -- what a crawl can't reach: error pages, form errors, stale edits, audit trails --------


def _assert_blind(response, detector, *statuses):
    assert response.status_code in statuses, response.status_code
    found = detector(page_text(response))
    assert found == [], f"{response.request['PATH_INFO']} shows {found}"


def test_error_pages_never_name_the_arm(client, coordinator, monitor, study_coordinator):
    detector = ArmDetector()
    p = first_randomized("LSER-ALS-01")
    allocation = p.allocation
    slot = RandomizationSlot.objects.filter(trial=p.trial).first()
    audit = reverse("review:audit_trail", args=[p.trial.code, p.pk])
    allocation_ct = ContentType.objects.get_for_model(Allocation).pk
    for user in (coordinator, monitor):
        client.force_login(user)
        for url in [
            reverse("participants:emergency_unblind", args=[p.trial.code, p.pk]),
            reverse("participants:randomization_list", args=[p.trial.code]),
            reverse("participants:randomization_import", args=[p.trial.code]),
            f"{audit}?ct={allocation_ct}&id={allocation.pk}",
            reverse("safety:participant_casebook", args=[p.trial.code, 999999]),
        ]:
            _assert_blind(client.get(url), detector, 403, 404)
    client.force_login(study_coordinator)
    for url in [
        reverse("admin:participants_allocation_change", args=[allocation.pk]),
        reverse("admin:participants_allocation_changelist")
        + f"?arm__id__exact={allocation.arm_id}",
        reverse("admin:participants_randomizationslot_change", args=[slot.pk]),
        reverse("admin:participants_allocation_history", args=[allocation.pk]),
    ]:
        response = client.get(url, follow=True)
        _assert_blind(response, detector, 200, 403, 404)
    exposure = StudyDrugExposure.objects.filter(participant__trial=p.trial).first()
    response = client.post(
        reverse("admin:participants_studydrugexposure_change", args=[exposure.pk]),
        {"doses_taken": "-1"},
    )
    _assert_blind(response, detector, 403)


def test_emergency_unblinding_shows_the_arm_once_and_its_form_errors_never(
    client, investigator, data_manager
):
    detector = ArmDetector()
    p = first_randomized("LSER-ALS-01")
    url = reverse("participants:emergency_unblind", args=[p.trial.code, p.pk])
    client.force_login(investigator)
    _assert_blind(client.get(url), detector, 200)
    for data in ({"reason": "  ", "confirm": "on"}, {"reason": "Severe hypotension"}):
        response = client.post(url, data)
        _assert_blind(response, detector, 200)
        assert response.context["form"].errors
    # the page the investigator asked for names the arm: the detector sees it
    response = client.post(url, {"reason": "Severe hypotension", "confirm": "on"})
    assert detector(page_text(response))
    # and nowhere after: the casebook is blind again; the data manager's says that the
    # participant was unblinded, not to which arm
    casebook = reverse("safety:participant_casebook", args=[p.trial.code, p.pk])
    _assert_blind(client.get(casebook), detector, 200)
    client.force_login(data_manager)
    response = client.get(casebook)
    assert "Severe hypotension" in response.content.decode()
    _assert_blind(response, detector, 200)


@pytest.mark.parametrize(
    "model, lookup",
    [
        ("participant", "allocation__arm__id__exact"),
        ("participant", "allocation__arm__code"),
        ("studydrugexposure", "participant__allocation__arm__id__exact"),
        ("studydrugexposure", "prescribed_mg_per_administration__gte"),
        ("visit", "participant__allocation__arm__is_placebo__exact"),
    ],
)
def test_the_admin_refuses_to_filter_clinical_records_by_arm_or_dose(
    client, study_coordinator, model, lookup
):
    """A filter by arm would give allocations away by the rows it keeps."""
    client.force_login(study_coordinator)
    url = reverse(f"admin:participants_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?{lookup}=1").status_code == 400


def test_the_randomize_form_errors_never_name_the_arm(client, coordinator, site01_participant):
    detector = ArmDetector()
    new = ParticipantFactory(
        trial=site01_participant.trial, site=site01_participant.site, status="enrolled"
    )
    client.force_login(coordinator)
    for p in (new, site01_participant):
        url = reverse("participants:randomize", args=[p.trial.code, p.pk])
        for data in ({}, {"factor_level": "X/Y"}, {"factor_level": "C/T"}):
            _assert_blind(client.post(url, data), detector, 200)
    assert not Allocation.objects.filter(participant=new).exists()


@pytest.mark.parametrize("code", ["LSER-ALS-01", "LSER-HSAN1-01"])
def test_exposure_form_errors_never_name_the_arm_or_the_dose(client, coordinator, code):
    detector = ArmDetector()
    p = first_randomized(code)
    # the latest exposure form: on or after the AE's onset, so the dose change form takes it
    record = StudyDrugExposure.objects.filter(participant=p).latest("visit__target_date")
    url = reverse("participants:crf_edit", args=[code, p.pk, record.visit_id, "dosing"])
    event = p.adverse_events.first()
    dose_change = reverse("safety:adverse_event_dose_change", args=[code, p.pk, event.pk])
    base = {
        "version": record.version,
        "report_date": record.report_date.isoformat(),
        "period_start": record.period_start.isoformat(),
        "period_end": record.period_end.isoformat(),
        "kit_number": record.kit_number,
        "formulation": record.formulation_id,
        "titration_step": "1",
        "doses_taken": "1",
        "doses_missed": "0",
        "taken_with_food": TakenWithFood.YES,
        "reason_for_change": "Correction",
    }
    client.force_login(coordinator)
    for data in [
        {**base, "doses_taken": "-1"},
        {**base, "period_end": "2001-01-01"},
        {**base, "doses_taken": "900"},  # more than the period has
        {**base, "doses_missed": "9"},  # compliance too low: the confirmation asked for
        {**base, "formulation": "999999"},
        {**base, "dose_changed": "on", "dose_change_reason": ""},
    ]:
        for response in (
            client.post(url, data),
            client.post(dose_change, {**data, "visit": record.visit_id}),
        ):
            _assert_blind(response, detector, 200)
            assert response.context["form"].errors, data
    # a stale edit lists what changed since the form was opened, never the dose
    crf_save(
        record=record,
        values={"doses_taken": 0, "doses_missed": 1},
        user=coordinator,
        expected_version=record.version,
        reason="Diary recount",
    )
    response = client.post(url, base)  # the version the coordinator opened
    assert "someone changed this form" in response.content.decode()
    _assert_blind(response, detector, 200)
    record.refresh_from_db()
    assert record.doses_missed == 1  # nothing half-saved by the refused posts


def test_a_query_form_error_on_an_exposure_form_never_names_the_dose(client, monitor):
    detector = ArmDetector()
    p = first_randomized("LSER-ALS-01")
    record = StudyDrugExposure.objects.filter(participant=p).first()
    ct = ContentType.objects.get_for_model(StudyDrugExposure).pk
    url = reverse("review:query_raise", args=[p.trial.code, p.pk]) + f"?ct={ct}&id={record.pk}"
    client.force_login(monitor)
    for data in [
        {"field_name": "prescribed_mg_per_administration", "text": "Is this right?"},
        {"field_name": "doses_taken", "text": ""},
    ]:
        response = client.post(url, data)
        _assert_blind(response, detector, 200)
        assert response.context["form"].errors, data


def test_a_dose_that_cant_be_computed_is_refused_without_the_dose(client, coordinator):
    """A weight-based dose with no weight on record: the message names the missing weight,
    not the arm nor an amount."""
    detector = ArmDetector()
    p = (
        Participant.objects.filter(
            trial__code="LSER-HSAN1-01", site__number="01", allocation__isnull=False
        )
        .exclude(pk__in=VitalSigns.objects.values("participant_id"))
        .first()
    )
    visit = p.visits.get(definition__code="BL")
    url = reverse("participants:crf_edit", args=[p.trial.code, p.pk, visit.pk, "dosing"])
    client.force_login(coordinator)
    response = client.post(
        url,
        {
            "report_date": visit.actual_date.isoformat(),
            "period_start": visit.actual_date.isoformat(),
            "period_end": visit.actual_date.isoformat(),
            "formulation": p.trial.formulations.first().pk,
            "taken_with_food": TakenWithFood.YES,
        },
    )
    assert "No weight is recorded" in response.content.decode()
    _assert_blind(response, detector, 200)
    assert not StudyDrugExposure.objects.filter(participant=p, visit=visit).exists()


@pytest.mark.parametrize("role", ["coordinator", "monitor", "data_manager", "study_coordinator"])
def test_audit_trails_of_randomized_and_dosed_records_never_name_the_arm(client, request, role):
    """The participant's own history (it was randomized), its visits, its exposure forms
    (whose stored mg per administration would name a fixed-dose arm) and its AEs."""
    detector = ArmDetector()
    client.force_login(request.getfixturevalue(role))
    for code in ("LSER-ALS-01", "LSER-HSAN1-01"):
        p = first_randomized(code)
        audit = reverse("review:audit_trail", args=[code, p.pk])
        urls = [audit, f"{audit}?visit={p.visits.get(definition__code='BL').pk}"]
        for record in [*StudyDrugExposure.objects.filter(participant=p), p.adverse_events.first()]:
            ct = ContentType.objects.get_for_model(type(record)).pk
            urls.append(f"{audit}?ct={ct}&id={record.pk}")
        for url in urls:
            response = client.get(url)
            assert response.context["rows"], url  # a trail with changes to show
            _assert_blind(response, detector, 200)


def test_the_admin_history_of_a_participant_and_its_exposure_never_names_the_arm(
    client, study_coordinator
):
    detector = ArmDetector()
    client.force_login(study_coordinator)
    for code in ("LSER-ALS-01", "LSER-HSAN1-01"):
        p = first_randomized(code)
        exposure = StudyDrugExposure.objects.filter(participant=p).first()
        for url in [
            reverse("admin:participants_participant_history", args=[p.pk]),
            reverse("admin:participants_participant_change", args=[p.pk]),
            reverse("admin:participants_studydrugexposure_history", args=[exposure.pk]),
            reverse("admin:participants_studydrugexposure_change", args=[exposure.pk]),
        ]:
            response = client.get(url)
            assert p.subject_number in response.content.decode(), url
            _assert_blind(response, detector, 200)
