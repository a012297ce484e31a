"""Text that people type is escaped on every page that shows it.

Every free-text field of our models (CharField or TextField without choices) gets its own
hostile string, entered through the app's real forms (the site pages, and the admin for
the trial's configuration) as the role that enters it; then every page that shows such
text is fetched, by the roles that read it. No page may contain a hostile string as it
was typed; each must appear escaped on some page. A field added later fails
test_every_free_text_field_is_exercised until it is entered here or said not to be typed.
"""

import csv
import html
import io
import re

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from participants.form_states import forms_due
from participants.models import CRF_MODELS, Participant
from review.models import Query
from review.records import is_reviewable, record_key, record_url
from safety.models import AdverseEvent, LabPanel, RenalSignal
from tests.factories import (
    ArmFactory,
    MembershipFactory,
    TrialFactory,
    TrialSiteFactory,
    screened_participant,
)
from tests.html_forms import forms_on
from trials.choices import Role
from trials.models import ReferenceRange, Trial

pytestmark = pytest.mark.django_db

CODE = "LSER-ALS-01"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
APPS = ("trials", "participants", "safety", "review", "meddra")

# Free text no one types, with where it comes from.
NOT_TYPED = {
    "trials.Trial.code": "a slug: the admin refuses anything but letters, digits, - and _",
    "trials.Site.number": "two or three digits (database constraint)",
    "trials.Trial.ctcae_version": "one of the CTCAE versions the app grades by (Trial.clean)",
    "participants.Participant.screening_number": "numbered by the app",
    "participants.Participant.subject_number": "numbered by the app",
    "participants.Participant.status_reason": "composed from the criteria and end of study",
    "participants.AlsfrsR.scoring_version": "the app's rule version",
    "participants.StudyDrugExposure.dosing_rule_version": "the app's rule version",
    "participants.Lock.target_label": "composed from subject and visit names",
    "participants.Participant.entered_in_error_reason": "no page marks one entered in error",
    "participants.Visit.entered_in_error_reason": "no page marks one entered in error",
    "safety.EndOfStudy.entered_in_error_reason": "no page marks one entered in error",
    "safety.RenalSignal.entered_in_error_reason": "no page marks one entered in error",
    "participants.Allocation.randomization_number": "copied from the randomization list",
    "safety.AdverseEvent.llt_name": "copied from the MedDRA dictionary",
    "safety.AdverseEvent.pt_name": "copied from the MedDRA dictionary",
    "safety.AdverseEvent.soc_name": "copied from the MedDRA dictionary",
    "safety.AdverseEvent.meddra_version": "copied from the MedDRA dictionary",
    "safety.AdverseEvent.ctcae_term": "from the CTCAE table (safety/ctcae.py)",
    "safety.AdverseEvent.ctcae_version": "from the trial",
    "safety.LabResult.unit": "chosen from the analyte catalogue's units",
    "safety.LabResult.standard_unit": "from the analyte catalogue",
    "safety.LabResult.egfr_equation": "the app's rule version",
    "safety.LabResult.egfr_not_computed": "the app's message",
    "safety.LabResult.kdigo_gfr_category": "computed",
    "safety.LabResult.ctcae_version": "from the trial",
    "safety.LabResult.renal_rules_version": "the app's rule version",
    "safety.RenalSignal.reasons": "composed by the app from the thresholds",
    "safety.RenalSignal.instruction": "copied from the trial's dose_modification_text",
    "review.Query.form_label": "the form's name",
    "review.Query.field_name": "chosen from the form's fields",
    "review.QueryMessage.change_reason": "copied from the reasons for change",
    "review.Signature.printed_name": "the signer's name (auth first and last name, entered)",
    "meddra.MeddraRelease.version": "from the licensed distribution (load_meddra)",
    "meddra.MeddraRelease.language": "from the licensed distribution (load_meddra)",
    "meddra.MeddraRelease.loaded_by": "the loader's user name",
    "meddra.Soc.name": "from the licensed distribution (load_meddra)",
    "meddra.Soc.abbrev": "from the licensed distribution (load_meddra)",
    "meddra.Hlgt.name": "from the licensed distribution (load_meddra)",
    "meddra.Hlt.name": "from the licensed distribution (load_meddra)",
    "meddra.Pt.name": "from the licensed distribution (load_meddra)",
    "meddra.Llt.name": "from the licensed distribution (load_meddra)",
}


def free_text_fields() -> set[str]:
    """app.Model.field of every CharField and TextField without choices of our models."""
    found = set()
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, pghistory.models.Event):
                continue  # the history of the fields below
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField | models.TextField) and not field.choices:
                    found.add(f"{model._meta.label}.{field.name}")
    return found


class Hostile:
    """One hostile string per input, numbered, as long as the field allows."""

    def __init__(self):
        self.strings: dict[str, str] = {}

    def __call__(self, key: str, max_length: int | None = None) -> str:
        if key not in self.strings:
            n = len(self.strings) + 1
            long = f'<script>alert("x{n}")</script><img src=x onerror=alert({n})>'
            short = f"<img src=x onerror=alert({n})>"
            for text in (long, short, f"<script>{n}</script>", f"<b>{n}</b>"):
                if max_length is None or len(text) <= max_length:
                    break
            self.strings[key] = text
        return self.strings[key]

    def field(self, key: str) -> str:
        app_model, name = key.rsplit(".", 1)
        return self(key, apps.get_model(app_model)._meta.get_field(name).max_length)


def _errors(response) -> str:
    context = response.context or {}
    for name in ("form", "adminform", "date_form", "missed_form"):
        form = context.get(name)
        if form is not None:
            return str(getattr(form, "form", form).errors)
    return response.content.decode()[:2000]


def submit(client, page: str, expect=302, **values):
    """Fill the page's form that has these fields, as the page filled it, with `values`,
    and post it; the form must be saved (a redirect, unless the view shows a page)."""
    response = client.get(page)
    assert response.status_code == 200, page
    form = next(
        f for f in forms_on(response, page) if f.method == "post" and set(values) <= set(f.fields)
    )
    data = form.data(**values)
    posted = client.post(form.action, data)
    assert posted.status_code == expect, (page, _errors(posted))
    return posted


def _user(username):
    return get_user_model().objects.get(username=username)


def _at(name, *args, query=""):
    return reverse(name, args=[CODE, *args]) + query


def _saved(model, participant):
    return model.objects.filter(participant=participant, entered_in_error=False).first()


def _crf_page(record):
    return _at("participants:crf_edit", record.participant_id, record.visit_id, record.form_code)


def _visit_with(participant, code):
    """A visit of the participant, done, where the form `code` is due."""
    visits = participant.visits.filter(actual_date__isnull=False).select_related("definition")
    return next(v for v in visits.order_by("actual_date") if code in forms_due(v))


@pytest.fixture(scope="module")
def typed(module_db):
    """Enter a hostile string into every typed field, through the forms; returns them."""
    hostile = Hostile()
    client = Client()
    as_ = client.force_login
    trial = Trial.objects.get(code=CODE)
    p = Participant.objects.get(trial=trial, subject_number="01-001")
    p2 = Participant.objects.get(trial=trial, subject_number="01-002")
    coordinator = _user("coordinator01")

    # Site data entry (coordinator).
    as_(coordinator)
    ready = screened_participant(trial, p.site, coordinator)
    submit(
        client,
        _at("participants:consent_record", ready.pk),
        consent_date=timezone.localdate().isoformat(),
        consent_version=hostile.field("participants.Participant.consent_version"),
    )
    submit(
        client,
        _at("participants:unscheduled_visit_add", p.pk),
        actual_date=timezone.localdate().isoformat(),
        unscheduled_reason=hostile.field("participants.Visit.unscheduled_reason"),
    )
    due = p.visits.filter(actual_date__isnull=True).order_by("target_date").first()
    submit(
        client,
        _at("participants:visit_detail", p.pk, due.pk),
        missed_reason=hostile.field("participants.Visit.missed_reason"),
    )
    crf_values = {
        "fvc": {
            "reference_equation": "OTHER",
            "reference_equation_other": "participants.Fvc.reference_equation_other",
        },
        "dosing": {
            "kit_number": "participants.StudyDrugExposure.kit_number",
            "dose_change_reason": "participants.StudyDrugExposure.dose_change_reason",
        },
        "genotype": {
            "assay": "participants.Genotype.assay",
            "laboratory": "participants.Genotype.laboratory",
        },
        "ae_review": {"comment": "safety.AdverseEventReview.comment"},
    }
    for code, values in crf_values.items():
        record = _saved(CRF_MODELS[code], p)
        page = (
            _crf_page(record)
            if record
            else _at("participants:crf_edit", p.pk, _visit_with(p, code).pk, code)
        )
        typed_values = {
            name: hostile.field(key) if "." in key else key for name, key in values.items()
        }
        if record:
            typed_values["reason_for_change"] = hostile(f"reason for change: {code}")
        submit(client, page, **typed_values)
    ae = _saved(AdverseEvent, p)
    submit(
        client,
        _at("safety:adverse_event_edit", p.pk, ae.pk),
        verbatim_term=hostile.field("safety.AdverseEvent.verbatim_term"),
        treatment=hostile.field("safety.AdverseEvent.treatment"),
        kind="CORRECTION",
        severity="MODERATE",  # a change of its course: the reason is the course's note
        reason_for_change=hostile.field("safety.AdverseEventCourse.note"),
    )
    panel = _saved(LabPanel, p)
    submit(
        client,
        _at("safety:lab_panel_edit", p.pk, panel.pk),
        lab_name=hostile.field("safety.LabPanel.lab_name"),
        reason_for_change=hostile("reason for change: lab panel"),
    )
    signal = RenalSignal.objects.open().filter(participant=p).first()
    submit(
        client,
        _at("safety:renal_signal_close", p.pk, signal.pk),
        action="NOT_SIGNIFICANT",
        note=hostile.field("safety.RenalSignal.closing_note"),
    )
    submit(
        client,
        _at("safety:end_of_study", p2.pk),
        status="WITHDRAWN",
        end_date=timezone.localdate().isoformat(),
        withdrawal_reason="PHYSICIAN DECISION",
        reason_detail=hostile.field("safety.EndOfStudy.reason_detail"),
    )
    # Entered in error, with the reason: another participant's forms (they leave the
    # casebook), first saved with the values of the first's on the visit's day (or, without
    # one, as the page fills them: incomplete, the date alone).
    for code, model in CRF_MODELS.items():
        visit = _visit_with(p2, code)
        page = _at("participants:crf_edit", p2.pk, visit.pk, code)
        if _saved(model, p2) is None:
            source = _saved(model, p)
            shown = forms_on(client.get(_crf_page(source) if source else page), page)
            form = next(f for f in shown if "report_date" in f.fields)
            values = form.data()
            for name, field in form.fields.items():
                if field.kind == "radio" and not any(field.values):  # the first answer
                    values[name] = [next(o for o in field.options if o)]
            if "q5b" in values:  # ALSFRS-R: item 5a or 5b (without gastrostomy: 5a)
                values["q5b"] = [""]
            day = visit.actual_date.isoformat()
            values = {k: [day if DAY.fullmatch(v) else v for v in vs] for k, vs in values.items()}
            values.pop("reason_for_change", None)
            values["version"] = [""]
            if "doses_taken" in values:  # the period is now one day
                values.update(doses_taken=["1"], doses_missed=["0"])
            saved = client.post(page, values)
            assert saved.status_code == 302, (code, _errors(saved))
        key = f"{model._meta.label}.entered_in_error_reason"
        submit(client, page, entered_in_error_reason=hostile.field(key))
    for model, page in (
        (AdverseEvent, lambda r: _at("safety:adverse_event", p2.pk, r.pk)),
        (LabPanel, lambda r: _at("safety:lab_panel_edit", p2.pk, r.pk)),
    ):
        key = f"{model._meta.label}.entered_in_error_reason"
        submit(client, page(_saved(model, p2)), entered_in_error_reason=hostile.field(key))
    # The panel's reason is its results' (safety.services.labs.lab_panel_mark_entered_in_error).
    hostile.strings["safety.LabResult.entered_in_error_reason"] = hostile.strings[
        "safety.LabPanel.entered_in_error_reason"
    ]

    # Emergency unblinding and signing (investigator).
    as_(_user("investigator01"))
    submit(
        client,
        _at("participants:emergency_unblind", p.pk),
        expect=200,
        confirm="on",
        reason=hostile.field("participants.EmergencyUnblinding.reason"),
    )

    # A randomization list made elsewhere, imported (unblinded pharmacist) into a new trial.
    as_(_user("pharmacist"))
    fresh = TrialFactory(code="ESCAPE-01")
    TrialSiteFactory(trial=fresh, site=p.site)
    arm = ArmFactory(trial=fresh, code="A")
    MembershipFactory(user=_user("pharmacist"), trial=fresh, role=Role.UNBLINDED)
    number = hostile.field("participants.RandomizationSlot.randomization_number")
    level = hostile.field("participants.RandomizationSlot.factor_level")
    rows = io.StringIO()
    csv.writer(rows).writerows(
        [
            ["randomization_number", "site", "factor_level", "block", "sequence", "arm_code"],
            [number, p.site.number, level, 1, 1, arm.code],
        ]
    )
    submit(
        client,
        reverse("participants:randomization_import", args=[fresh.code]),
        file=SimpleUploadedFile("list.csv", rows.getvalue().encode()),
        factor_name=hostile.field("participants.RandomizationList.factor_name"),
    )

    # A query (monitor) and its answer (coordinator).
    as_(_user("monitor"))
    vitals = _saved(CRF_MODELS["vitals"], p)
    ct = ContentType.objects.get_for_model(vitals).pk
    submit(
        client,
        _at("review:query_raise", p.pk, query=f"?ct={ct}&id={vitals.pk}"),
        text=hostile.field("review.QueryMessage.text"),
    )
    query = Query.objects.filter(participant=p).latest("pk")
    as_(coordinator)
    submit(
        client,
        _at("review:query_detail", p.pk, query.pk),
        **{"answer-text": hostile("query answer")},
    )

    # A lock with its reason, released with another (data manager).
    as_(_user("datamanager"))
    submit(
        client,
        _at("safety:participant_casebook", p.pk),
        level="PARTICIPANT",
        reason=hostile.field("participants.Lock.reason"),
    )
    lock = p.locks.get(unlocked_at__isnull=True)
    submit(
        client,
        _at("review:lock_release", lock.pk),
        unlock_reason=hostile.field("participants.Lock.unlock_reason"),
    )

    # The configuration and the users, in the admin (study coordinator).
    as_(_user("studycoordinator"))
    submit(
        client,
        reverse("admin:trials_trial_change", args=[trial.pk]),
        title=hostile.field("trials.Trial.title"),
        indication=hostile.field("trials.Trial.indication"),
        dose_modification_text=hostile.field("trials.Trial.dose_modification_text"),
        **{
            "arms-0-code": hostile.field("trials.Arm.code"),
            "arms-0-name": hostile.field("trials.Arm.name"),
            "visit_definitions-0-code": hostile.field("trials.VisitDefinition.code"),
            "visit_definitions-0-name": hostile.field("trials.VisitDefinition.name"),
            "criteria-0-code": hostile.field("trials.EligibilityCriterion.code"),
            "criteria-0-text": hostile.field("trials.EligibilityCriterion.text"),
            "criteria-0-unit": hostile.field("trials.EligibilityCriterion.unit"),
            "formulations-0-unit_name": hostile.field("trials.Formulation.unit_name"),
            "reason_for_change": hostile("admin reason for change: trial"),
        },
    )
    submit(
        client,
        reverse("admin:trials_site_change", args=[p.site_id]),
        name=hostile.field("trials.Site.name"),
        principal_investigator=hostile.field("trials.Site.principal_investigator"),
        reason_for_change=hostile("admin reason for change: site"),
    )
    submit(
        client,
        reverse("admin:trials_referencerange_change", args=[ReferenceRange.objects.first().pk]),
        unit=hostile.field("trials.ReferenceRange.unit"),
        reason_for_change=hostile("admin reason for change: reference range"),
    )
    # People's names: only the system administrator changes them.
    as_(get_user_model().objects.create_superuser("root", password="root-pass-2026!"))
    submit(
        client,
        reverse("admin:auth_user_change", args=[_user("investigator01").pk]),
        first_name=hostile.field("auth.User.first_name"),
        last_name=hostile.field("auth.User.last_name"),
    )
    return hostile


def _holders(hostile) -> list:
    """The saved rows holding a typed string (one per model field entered)."""
    rows = []
    for key, text in hostile.strings.items():
        if key.count(".") == 2:
            app_model, name = key.rsplit(".", 1)
            model = apps.get_model(app_model)
            rows += list(model.objects.filter(**{name: text})[:1])
    return rows


def _admin_name(model) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}"


@pytest.fixture(scope="module")
def pages(typed) -> dict[tuple[str, str], bytes]:
    """(role, path) -> body of every page showing typed text, read by the roles that read
    it: the casebooks, visits, forms, AE, lab and query pages, listings, dashboards, the
    audit trail of every record, and the admin's changelists and change pages."""
    trial = Trial.objects.get(code=CODE)
    participants = list(Participant.objects.filter(trial=trial, site__number="01"))
    rows = _holders(typed)
    site_pages = [_at("participants:trial_participants"), _at("participants:site_dashboard")]
    site_pages += [_at("participants:screening_create"), _at("safety:sae_listing")]
    for p in participants:
        site_pages += [
            _at("safety:participant_casebook", p.pk),
            _at("safety:end_of_study", p.pk),
            _at("review:audit_trail", p.pk),
        ]
        for visit in p.visits.all():
            site_pages += [
                _at("participants:visit_detail", p.pk, visit.pk),
                _at("review:audit_trail", p.pk, query=f"?visit={visit.pk}"),
            ]
    for row in rows:
        if is_reviewable(type(row)):
            ct, pk = record_key(row)
            site_pages.append(
                _at("review:audit_trail", row.participant_id, query=f"?ct={ct}&id={pk}")
            )
            if not row.entered_in_error:
                site_pages.append(record_url(row, CODE))
    for query in Query.objects.filter(trial=trial):
        site_pages.append(_at("review:query_detail", query.participant_id, query.pk))
    review_pages = [
        _at(name)
        for name in (
            "review:monitor_home",
            "review:ae_listing",
            "review:lab_listing",
            "review:query_listing",
            "review:sdv_listing",
            "review:lock_list",
        )
    ]
    admin_pages = []
    for model in admin.site._registry:
        if model._meta.app_label in (*APPS, "auth"):
            admin_pages.append(reverse(f"admin:{_admin_name(model)}_changelist"))
    for row in rows:
        if type(row) in admin.site._registry:
            admin_pages.append(reverse(f"admin:{_admin_name(row)}_change", args=[row.pk]))
            admin_pages.append(reverse(f"admin:{_admin_name(row)}_history", args=[row.pk]))
    admin_pages.append(reverse("admin:auth_user_change", args=[_user("investigator01").pk]))
    reading = {
        "coordinator01": site_pages,
        "investigator01": [_at("review:signature_sign", participants[0].pk), *site_pages[:8]],
        "monitor": review_pages + site_pages,
        "pharmacist": [
            *site_pages[:8],
            reverse("participants:randomization_list", args=["ESCAPE-01"]),
            reverse("admin:participants_randomizationlist_changelist"),
            reverse("admin:participants_randomizationslot_changelist"),
        ],
        "studycoordinator": admin_pages,
    }
    client = Client()
    bodies = {}
    for username, paths in reading.items():
        client.force_login(_user(username))
        for path in dict.fromkeys(paths):
            response = client.get(path)
            if response.status_code == 200:
                bodies[(username, path)] = response.content
            else:
                assert response.status_code in (302, 403, 404), (username, path)
    return bodies


def test_every_free_text_field_is_exercised(typed):
    fields = free_text_fields()
    assert set(NOT_TYPED) <= fields, "an exemption names a field that no longer exists"
    missing = sorted(fields - set(NOT_TYPED) - set(typed.strings))
    assert missing == [], "\n".join(missing)


def test_every_typed_string_was_saved_as_typed(typed):
    missing = []
    for key, text in typed.strings.items():
        if key.count(".") == 2:
            app_model, name = key.rsplit(".", 1)
            if not apps.get_model(app_model).objects.filter(**{name: text}).exists():
                missing.append(key)
    assert missing == []


def test_no_page_shows_typed_markup(pages, typed):
    shown = [
        (who, path, key)
        for (who, path), body in pages.items()
        for key, text in typed.strings.items()
        if text.encode() in body
    ]
    assert shown == []


def test_every_typed_string_appears_escaped_on_some_page(pages, typed):
    unseen = [
        key
        for key, text in typed.strings.items()
        if not any(html.escape(text).encode() in body for body in pages.values())
    ]
    assert unseen == []


def _export_cells(response, fmt: str) -> list[str]:
    body = b"".join(response.streaming_content)
    if fmt == "xlsx":
        rows = load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
    else:
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    return [str(cell) for row in rows for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_hold_typed_text_as_typed(client, typed, monitor, fmt):
    """Exports are files, not pages: the text is kept as typed (formulas are neutralised,
    tests/review/test_exports.py); the lab export, which has no typed text, still opens."""
    client.force_login(monitor)
    cells = {}
    for export in ("review:ae_listing_export", "review:lab_listing_export"):
        response = client.get(_at(export, query=f"?format={fmt}"))
        assert response.status_code == 200
        cells[export] = _export_cells(response, fmt)
    assert typed.strings["safety.AdverseEvent.verbatim_term"] in cells["review:ae_listing_export"]
    assert "01-001" in cells["review:lab_listing_export"]


# What entering the strings found.


def test_an_unknown_ctcae_version_is_refused_beside_the_field(client, study_coordinator):
    """ctcae_version="<b>3</b>" in the trial's admin page was saved, then failed the regrading
    of the trial's labs (ValueError: a 500)."""
    trial = Trial.objects.get(code=CODE)
    page = reverse("admin:trials_trial_change", args=[trial.pk])
    client.force_login(study_coordinator)
    form = next(f for f in forms_on(client.get(page), page) if "ctcae_version" in f.fields)
    response = client.post(
        form.action, form.data(ctcae_version="<b>3</b>", reason_for_change="Typo")
    )
    assert response.status_code == 200
    assert "Use one of the CTCAE versions 5.0, 6.0." in response.context["errors"][0]
    trial.refresh_from_db()
    assert trial.ctcae_version == "5.0"
