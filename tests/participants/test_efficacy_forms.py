"""ALSFRS-R, FVC, PK samples and genotype, entered through the site pages by a coordinator
at site 01 on visits where the demo schedule has them due (BL: ALSFRS-R, FVC, PK; SCR:
genotype)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.alsfrs import SCORING_VERSION
from participants.models import AlsfrsR, Fvc, Genotype, Participant, PkSample
from tests.factories import ParticipantFactory, VisitFactory

pytestmark = pytest.mark.django_db

ITEMS = {
    "q1": 3, "q2": 4, "q3": 2,
    "q4": 1, "q5a": 2, "q6": 3,
    "q7": 4, "q8": 0, "q9": 1,
    "q10": 2, "q11": 3, "q12": 4,
}  # fmt: skip  # total 29: bulbar 9, fine motor 6, gross motor 5, respiratory 9


def _visit(participant, code):
    return participant.visits.get(definition__code=code)


def _url(participant, visit, form_code):
    return reverse(
        "participants:crf_edit", args=[participant.trial.code, participant.pk, visit.pk, form_code]
    )


def _post(client, participant, visit, form_code, data):
    return client.post(
        _url(participant, visit, form_code),
        {"report_date": visit.actual_date.isoformat(), **data},
    )


@pytest.fixture
def entry(client, coordinator, site01_participant):
    client.force_login(coordinator)
    return client, site01_participant


def _errors(response):
    return response.context["form"].errors


# ALSFRS-R


def test_alsfrs_r_scores_are_computed_stored_and_shown(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "alsfrs_r", {**ITEMS, "q5b": ""})
    assert response.status_code == 302, _errors(response)
    record = AlsfrsR.objects.get(visit=visit)
    assert (record.total, record.bulbar, record.fine_motor) == (29, 9, 6)
    assert (record.gross_motor, record.respiratory) == (5, 9)
    assert record.scoring_version == SCORING_VERSION
    assert record.complete
    body = client.get(_url(p, visit, "alsfrs_r")).content.decode()
    assert 'class="col-sm-3 alsfrs-total">29<' in body
    assert 'alsfrs-fine-motor">6<' in body


def test_alsfrs_r_scores_follow_a_changed_item(entry):
    client, p = entry
    visit = _visit(p, "BL")
    _post(client, p, visit, "alsfrs_r", {**ITEMS, "q5b": ""})
    record = AlsfrsR.objects.get(visit=visit)
    response = _post(
        client,
        p,
        visit,
        "alsfrs_r",
        {
            **ITEMS,
            "q5a": "",
            "q5b": 4,  # a gastrostomy since: 5b replaces 5a
            "version": record.version,
            "reason_for_change": "Gastrostomy placed; 5b applies",
        },
    )
    assert response.status_code == 302, _errors(response)
    record.refresh_from_db()
    assert (record.q5a, record.q5b) == (None, 4)
    assert (record.fine_motor, record.total) == (8, 31)


def test_both_5a_and_5b_are_refused_beside_the_items(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "alsfrs_r", {**ITEMS, "q5b": 3})
    assert response.status_code == 200
    errors = _errors(response)
    assert "not both" in errors["q5a"][0]
    assert "not both" in errors["q5b"][0]
    assert "__all__" not in errors
    assert not AlsfrsR.objects.filter(visit=visit).exists()


def test_neither_5a_nor_5b_is_refused_beside_the_items(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "alsfrs_r", {**ITEMS, "q5a": "", "q5b": ""})
    errors = _errors(response)
    assert "5a" in errors["q5a"][0] and "5b" in errors["q5b"][0]
    assert not AlsfrsR.objects.filter(visit=visit).exists()


def test_an_item_scored_5_is_refused_at_the_item(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "alsfrs_r", {**ITEMS, "q8": 5, "q5b": ""})
    assert response.status_code == 200
    assert "valid choice" in _errors(response)["q8"][0]
    assert not AlsfrsR.objects.filter(visit=visit).exists()


def test_the_alsfrs_r_form_shows_the_item_anchors(entry):
    client, p = entry
    body = client.get(_url(p, _visit(p, "BL"), "alsfrs_r")).content.decode()
    assert "1. Speech" in body
    assert "0 – Loss of useful speech" in body
    assert "5b. Cutting food and handling utensils (with gastrostomy)" in body


# FVC


FVC = {"fvc_litres": "3.20", "reference_equation": "GLI-2012", "acceptable_trials": 3}


def test_fvc_is_saved_with_its_reference_equation(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "fvc", {**FVC, "percent_predicted": "82.5"})
    assert response.status_code == 302, _errors(response)
    record = Fvc.objects.get(visit=visit)
    assert str(record.percent_predicted) == "82.5"
    assert record.reference_equation == "GLI-2012"
    assert record.complete


@pytest.mark.parametrize(("value", "message"), [("0", "above zero"), ("250", "less than or")])
def test_an_impossible_percent_predicted_is_refused(entry, value, message):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(
        client, p, visit, "fvc", {**FVC, "percent_predicted": value, "confirm_implausible": "on"}
    )
    assert response.status_code == 200
    assert message in _errors(response)["percent_predicted"][0]
    assert not Fvc.objects.filter(visit=visit).exists()


def test_an_implausible_percent_predicted_needs_the_confirming_tick(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "fvc", {**FVC, "percent_predicted": "25"})
    assert "outside the usual range" in _errors(response)["percent_predicted"][0]
    assert not Fvc.objects.filter(visit=visit).exists()
    response = _post(
        client, p, visit, "fvc", {**FVC, "percent_predicted": "25", "confirm_implausible": "on"}
    )
    assert response.status_code == 302
    assert Fvc.objects.get(visit=visit).percent_predicted == 25


def test_an_other_reference_equation_must_be_named(entry):
    client, p = entry
    visit = _visit(p, "BL")
    data = {**FVC, "percent_predicted": "80", "reference_equation": "OTHER"}
    response = _post(client, p, visit, "fvc", data)
    assert "Name the reference equation" in _errors(response)["reference_equation_other"][0]


# PK samples


def _pk(visit, **changes):
    day = visit.actual_date.isoformat()
    return {
        "last_dose_at": f"{day}T08:00",
        "plasma_collected_at": f"{day}T10:00",
        "plasma_l_serine": "420",
        "plasma_d_serine": "2.5",
        "plasma_glycine": "310",
        "csf_collected_at": f"{day}T11:00",
        "csf_l_serine": "45",
        "csf_d_serine": "3.1",
        "csf_glycine": "8",
        **changes,
    }


def test_pk_samples_are_saved_with_their_times(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "pk", _pk(visit))
    assert response.status_code == 302, _errors(response)
    record = PkSample.objects.get(visit=visit)
    assert record.last_dose_at < record.plasma_collected_at
    assert str(record.csf_glycine) == "8.00"
    assert record.complete


def test_a_last_dose_after_collection_is_refused(entry):
    client, p = entry
    visit = _visit(p, "BL")
    day = visit.actual_date.isoformat()
    response = _post(client, p, visit, "pk", _pk(visit, last_dose_at=f"{day}T10:30"))
    assert response.status_code == 200
    assert "last dose must be before" in _errors(response)["last_dose_at"][0]
    assert not PkSample.objects.filter(visit=visit).exists()


def test_a_pre_dose_sample_has_no_last_dose(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "pk", _pk(visit, pre_dose="on"))
    assert "pre-dose" in _errors(response)["last_dose_at"][0]
    response = _post(client, p, visit, "pk", _pk(visit, pre_dose="on", last_dose_at=""))
    assert response.status_code == 302, _errors(response)
    assert PkSample.objects.get(visit=visit).complete


def test_a_sample_before_consent_or_in_the_future_is_refused(entry):
    client, p = entry
    visit = _visit(p, "BL")
    before = (p.consent_date - datetime.timedelta(days=1)).isoformat()
    response = _post(client, p, visit, "pk", _pk(visit, last_dose_at=f"{before}T08:00"))
    assert "before consent" in _errors(response)["last_dose_at"][0]
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = _post(client, p, visit, "pk", _pk(visit, csf_collected_at=f"{future}T08:00"))
    assert "future" in _errors(response)["csf_collected_at"][0]


def test_a_negative_or_implausible_concentration(entry):
    client, p = entry
    visit = _visit(p, "BL")
    response = _post(client, p, visit, "pk", _pk(visit, plasma_glycine="-3"))
    assert "greater than or equal to 0" in _errors(response)["plasma_glycine"][0]
    response = _post(client, p, visit, "pk", _pk(visit, plasma_l_serine="4200"))
    assert "usual range" in _errors(response)["plasma_l_serine"][0]


# Genotype


def test_genotype_is_saved_at_screening(entry):
    client, p = entry
    visit = _visit(p, "SCR")
    data = {
        "rs1163251": "REF/ALT",
        "rs715": "REF/REF",
        "rs477992": "ALT/ALT",
        "rs4947534": "ND",
        "rs259842": "REF/REF",
        "assay": "TaqMan",
        "laboratory": "Central genetics lab",
    }
    response = _post(client, p, visit, "genotype", data)
    assert response.status_code == 302, _errors(response)
    record = Genotype.objects.get(visit=visit)
    assert (record.rs1163251, record.rs4947534) == ("REF/ALT", "ND")
    assert record.complete


def test_genotype_is_not_offered_where_it_is_not_due(entry):
    client, p = entry
    assert client.get(_url(p, _visit(p, "BL"), "genotype")).status_code == 404


def test_a_monitor_reads_the_form_but_cannot_save_it(client, monitor, site01_participant):
    p = site01_participant
    visit = _visit(p, "BL")
    client.force_login(monitor)
    assert client.get(_url(p, visit, "alsfrs_r")).status_code == 200
    assert _post(client, p, visit, "alsfrs_r", {**ITEMS}).status_code == 403


# Query counts (DESIGN.md rule 7)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(trial, site, start=700):
    """More participants with saved efficacy forms, and more visits for each."""
    for n in range(10):
        other = ParticipantFactory(trial=trial, site=site, subject_number=f"01-{start + n}")
        for day in range(3):
            visit = VisitFactory(
                participant=other, target_date=datetime.date(2026, 3, 1 + day), actual_date=None
            )
            record = AlsfrsR(
                participant=other, visit=visit, report_date=datetime.date(2026, 3, 1), **ITEMS
            )
            record.derive()
            record.save()
            for model in (Fvc, PkSample, Genotype):
                model.objects.create(
                    participant=other, visit=visit, report_date=datetime.date(2026, 3, 1)
                )


@pytest.mark.parametrize("form_code", ["alsfrs_r", "fvc", "pk", "genotype"])
def test_a_crf_page_does_the_same_number_of_queries_with_more_data(entry, form_code):
    client, p = entry
    visit = _visit(p, "SCR" if form_code == "genotype" else "BL")
    if form_code == "alsfrs_r":
        _post(client, p, visit, "alsfrs_r", {**ITEMS, "q5b": ""})
    url = _url(p, visit, form_code)
    _count(client, url)
    before = _count(client, url)
    _grow(p.trial, p.site)
    assert _count(client, url) == before


@pytest.mark.parametrize("model", ["alsfrsr", "fvc", "pksample", "genotype"])
def test_an_admin_changelist_does_the_same_number_of_queries_with_more_data(
    client, study_coordinator, model
):
    client.force_login(study_coordinator)
    url = reverse(f"admin:participants_{model}_changelist")
    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    _grow(p.trial, p.site)  # some rows, so that each row's related objects are counted
    _count(client, url)
    before = _count(client, url)
    _grow(p.trial, p.site, start=800)
    assert _count(client, url) == before
