"""The admin for study coordinators: scoped configuration, a reason for every change,
clinical records read-only, and no way for a study coordinator to unblind themselves."""

import pytest
from django import forms
from django.urls import reverse

from participants.models import Participant
from tests.factories import TrialFactory
from trials.choices import Role
from trials.models import Membership, Trial, VisitDefinition

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST data of an admin change page as it stands (main form and inlines)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if isinstance(field, forms.NullBooleanField):
                data[key] = "true" if value else "false"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = field.prepare_value(value) if hasattr(field, "prepare_value") else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def test_a_study_coordinator_changes_the_visit_schedule_inline_with_a_reason(
    client, study_coordinator
):
    trial = Trial.objects.get(code="LSER-ALS-01")
    url = reverse("admin:trials_trial_change", args=[trial.pk])
    client.force_login(study_coordinator)
    data = form_data(client.get(url))
    prefix = "visit_definitions"
    index = next(
        i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data[f"{prefix}-{i}-code"] == "M1"
    )
    data[f"{prefix}-{index}-window_after"] = "10"
    data["reason_for_change"] = "Protocol amendment 2: wider Month 1 window"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    m1 = VisitDefinition.objects.get(trial=trial, code="M1")
    assert m1.window_after == 10
    from pghistory.models import Events

    event = Events.objects.tracks(m1).order_by("-pgh_id").first()
    assert event.pgh_context["reason"] == "Protocol amendment 2: wider Month 1 window"
    assert event.pgh_diff["window_after"] == [7, 10]


def test_a_study_coordinator_sees_only_the_trials_they_coordinate(client, study_coordinator):
    other = TrialFactory(code="OTHER-01")
    client.force_login(study_coordinator)
    body = client.get(reverse("admin:trials_trial_changelist")).content.decode()
    assert "LSER-ALS-01" in body and "OTHER-01" not in body
    response = client.get(reverse("admin:trials_trial_change", args=[other.pk]))
    assert response.status_code in (302, 404)
    assert (
        "OTHER-01" not in client.get(reverse("admin:trials_membership_changelist")).content.decode()
    )


def test_a_study_coordinator_cannot_grant_the_unblinded_role(
    client, study_coordinator, coordinator
):
    trial = Trial.objects.get(code="LSER-ALS-01")
    client.force_login(study_coordinator)
    url = reverse("admin:trials_membership_add")
    page = client.get(url).content.decode()
    assert 'value="unblinded"' not in page
    response = client.post(
        url, {"user": study_coordinator.pk, "trial": trial.pk, "site": "", "role": Role.UNBLINDED}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=study_coordinator, role=Role.UNBLINDED).exists()


def test_a_study_coordinator_cannot_change_an_unblinded_membership(client, study_coordinator):
    membership = Membership.objects.filter(role=Role.UNBLINDED).first()
    client.force_login(study_coordinator)
    url = reverse("admin:trials_membership_change", args=[membership.pk])
    response = client.post(
        url,
        {
            "user": membership.user_id,
            "trial": membership.trial_id,
            "role": Role.MONITOR,
            "reason_for_change": "try",
        },
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.UNBLINDED


def test_a_study_coordinator_adds_a_site_coordinator(client, study_coordinator, outsider):
    trial = Trial.objects.get(code="LSER-ALS-01")
    site = trial.sites.get(number="02")
    client.force_login(study_coordinator)
    response = client.post(
        reverse("admin:trials_membership_add"),
        {"user": outsider.pk, "trial": trial.pk, "site": site.pk, "role": Role.SITE_COORDINATOR},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, site=site, role=Role.SITE_COORDINATOR).exists()


def test_a_site_role_without_a_site_gets_a_message_at_the_field(
    client, study_coordinator, outsider
):
    trial = Trial.objects.get(code="LSER-ALS-01")
    client.force_login(study_coordinator)
    response = client.post(
        reverse("admin:trials_membership_add"),
        {"user": outsider.pk, "trial": trial.pk, "site": "", "role": Role.SITE_COORDINATOR},
    )
    assert response.status_code == 200
    assert "need a site" in response.content.decode()


def test_clinical_records_are_read_only_in_the_admin(client, study_coordinator):
    p = Participant.objects.filter(trial__code="LSER-ALS-01").first()
    client.force_login(study_coordinator)
    url = reverse("admin:participants_participant_change", args=[p.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    response = client.post(url, {"consent_version": "tampered"})
    assert response.status_code == 403
    p.refresh_from_db()
    assert p.consent_version != "tampered"


def test_a_weight_based_arm_with_a_fixed_dose_is_refused_at_the_field(client, study_coordinator):
    trial = Trial.objects.get(code="LSER-HSAN1-01")
    client.force_login(study_coordinator)
    response = client.post(
        reverse("admin:trials_arm_add"),
        {
            "trial": trial.pk,
            "code": "BAD",
            "name": "Bad",
            "regimen_type": "weight",
            "dose_mg": "1000",
            "allocation_ratio": 1,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Leave empty for a weight-based regimen." in body
    assert "A weight-based regimen needs mg/kg/day." in body
    assert not trial.arms.filter(code="BAD").exists()
