"""The monitors' adverse event listing: filters, sort, pages, scope, serious events."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from safety.models import AdverseEvent
from tests.factories import (
    AdverseEventFactory,
    MembershipFactory,
    ParticipantFactory,
    SiteFactory,
    TrialSiteFactory,
)
from trials.choices import Role
from trials.models import Trial

pytestmark = pytest.mark.django_db

URL = reverse("review:ae_listing", args=["LSER-ALS-01"])


def _ae(participant, term, **values):
    return AdverseEventFactory(participant=participant, verbatim_term=term, **values)


def _sae(participant, term, *, aware_hours_ago=2, reported=False, **values):
    aware = timezone.now() - datetime.timedelta(hours=aware_hours_ago)
    return _ae(
        participant,
        term,
        serious=True,
        sae_hospitalization=True,
        site_aware_at=aware,
        sae_report_due_at=aware + datetime.timedelta(hours=24),
        sae_reported_at=aware + datetime.timedelta(hours=1) if reported else None,
        **values,
    )


def _terms(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return [row.event.verbatim_term for row in response.context["rows"]]


@pytest.fixture
def events(site01_participant, site02_participant):
    """Distinct events at both sites; every test filters down to `ZZ` terms."""
    p1, p2 = site01_participant, site02_participant
    return {
        "mild": _ae(
            p1,
            "ZZ mild headache",
            onset_date=datetime.date(2026, 2, 1),
            ctcae_grade=1,
            pt_code=10019211,
            pt_name="Headache",
            soc_name="Nervous system disorders",
            relationship="UNLIKELY",
        ),
        "grade3": _ae(
            p1,
            "ZZ severe vomiting",
            onset_date=datetime.date(2026, 2, 10),
            ctcae_grade=3,
            pt_code=10047700,
            pt_name="Vomiting",
            soc_name="Gastrointestinal disorders",
            relationship="PROBABLE",
            ongoing=False,
            end_date=datetime.date(2026, 2, 12),
        ),
        "sae": _sae(
            p2,
            "ZZ pneumonia",
            onset_date=datetime.date(2026, 2, 20),
            ctcae_grade=3,
            pt_name="Pneumonia",
            soc_name="Infections and infestations",
            relationship="POSSIBLE",
        ),
        "overdue": _sae(
            p2,
            "ZZ fall",
            aware_hours_ago=30,
            onset_date=datetime.date(2026, 1, 15),
            ctcae_grade=2,
            pt_name="Fall",
            soc_name="Injury, poisoning and procedural complications",
            relationship="NOT RELATED",
        ),
    }


def test_it_lists_every_event_in_scope_newest_onset_first(client, monitor, events):
    client.force_login(monitor)
    terms = [t for t in _terms(client) if t.startswith("ZZ")]
    assert terms == ["ZZ pneumonia", "ZZ severe vomiting", "ZZ mild headache", "ZZ fall"]


def test_it_shows_the_columns_and_links_the_subject_to_the_event(client, monitor, events):
    client.force_login(monitor)
    body = client.get(URL + "?pt=Vomiting").content.decode()
    ae = events["grade3"]
    link = reverse("safety:adverse_event", args=["LSER-ALS-01", ae.participant_id, ae.pk])
    assert f'href="{link}"' in body
    for text in ("ZZ severe vomiting", "Vomiting", "Gastrointestinal disorders", "2026-02-10"):
        assert text in body
    assert "2026-02-12" in body and "Probable" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?site=01", {"ZZ mild headache", "ZZ severe vomiting"}),
        ("?site=02", {"ZZ pneumonia", "ZZ fall"}),
        ("?pt=vomit", {"ZZ severe vomiting"}),
        ("?pt=10019211", {"ZZ mild headache"}),
        ("?soc=infections", {"ZZ pneumonia"}),
        ("?min_grade=3", {"ZZ severe vomiting", "ZZ pneumonia"}),
        ("?serious=true", {"ZZ pneumonia", "ZZ fall"}),
        ("?related=true", {"ZZ severe vomiting", "ZZ pneumonia"}),
        ("?ongoing=true", {"ZZ mild headache", "ZZ pneumonia", "ZZ fall"}),
        (
            "?onset_after=2026-02-01&onset_before=2026-02-10",
            {"ZZ mild headache", "ZZ severe vomiting"},
        ),
        ("?sae_overdue=true", {"ZZ fall"}),
        ("?site=01&min_grade=2&related=true", {"ZZ severe vomiting"}),
        ("?serious=true&related=true&ongoing=true", {"ZZ pneumonia"}),
    ],
)
def test_each_filter_narrows_the_listing(client, monitor, events, query, expected):
    client.force_login(monitor)
    assert {t for t in _terms(client, query) if t.startswith("ZZ")} == expected


def test_the_subject_filter_matches_part_of_the_number(client, monitor, events):
    client.force_login(monitor)
    number = events["sae"].participant.subject_number
    rows = client.get(URL + f"?subject={number[-3:]}").context["rows"]
    assert rows and all(number[-3:] in row.event.participant.subject_number for row in rows)
    assert "ZZ pneumonia" in [row.event.verbatim_term for row in rows]


def test_an_unticked_box_does_not_filter_for_false(client, monitor, events):
    client.force_login(monitor)
    assert {"ZZ pneumonia", "ZZ mild headache"} <= set(_terms(client, "?serious=false"))


def test_bad_filter_values_get_a_message_at_the_field_not_a_500(client, monitor, events):
    client.force_login(monitor)
    response = client.get(URL + "?min_grade=9&onset_after=yesterday&site=99")
    assert response.status_code == 200
    form = response.context["filter"].form
    assert {"min_grade", "onset_after", "site"} <= set(form.errors)
    assert response.context["rows"] == []
    assert b"Correct the filters above" in response.content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("onset", ["ZZ fall", "ZZ mild headache", "ZZ severe vomiting", "ZZ pneumonia"]),
        ("-grade", ["ZZ pneumonia", "ZZ severe vomiting", "ZZ fall", "ZZ mild headache"]),
        ("pt", ["ZZ fall", "ZZ mild headache", "ZZ pneumonia", "ZZ severe vomiting"]),
        ("-site", ["ZZ pneumonia", "ZZ fall", "ZZ severe vomiting", "ZZ mild headache"]),
        ("nonsense", ["ZZ pneumonia", "ZZ severe vomiting", "ZZ mild headache", "ZZ fall"]),
    ],
)
def test_it_sorts_by_the_column_asked_for(client, monitor, events, sort, expected):
    client.force_login(monitor)
    terms = [t for t in _terms(client, f"?sort={sort}") if t.startswith("ZZ")]
    if sort == "-site":
        # site 02 first; within a site by subject number, then newest onset
        assert terms[:2] == ["ZZ pneumonia", "ZZ fall"]
        assert set(terms[2:]) == {"ZZ severe vomiting", "ZZ mild headache"}
    else:
        assert terms == expected


def test_column_headers_sort_and_keep_the_filters(client, monitor, events):
    client.force_login(monitor)
    response = client.get(URL + "?serious=true&sort=grade&page=1")
    headers = {h["label"]: h for h in response.context["headers"]}
    assert headers["Grade"]["sorted"] == "asc"
    assert headers["Grade"]["url"] == "?serious=true&sort=-grade"
    assert headers["Onset"]["url"] == "?serious=true&sort=-onset"
    assert "url" not in headers["Verbatim term"]


def test_it_pages_on_the_server_and_keeps_the_filters_in_the_links(
    client, monitor, site01_participant
):
    for n in range(55):
        _ae(site01_participant, f"YY paged {n:02d}", onset_date=datetime.date(2026, 3, 1))
    client.force_login(monitor)
    first = client.get(URL + "?subject=" + site01_participant.subject_number + "&pt=&sort=onset")
    page = first.context["page"]
    assert len(first.context["rows"]) == 50 and page.paginator.num_pages == 2
    body = first.content.decode()
    assert f"?subject={site01_participant.subject_number}&amp;pt=&amp;sort=onset&amp;page=2" in body
    second = client.get(
        URL + "?subject=" + site01_participant.subject_number + "&pt=&sort=onset&page=2"
    )
    seen = {r.event.pk for r in first.context["rows"]} & {
        r.event.pk for r in second.context["rows"]
    }
    assert seen == set()
    assert len(second.context["rows"]) == page.paginator.count - 50


def test_serious_events_stand_out_and_an_overdue_report_is_flagged(client, monitor, events):
    client.force_login(monitor)
    body = client.get(URL + "?site=02").content.decode()
    sae_row = body.split(f'data-ae="{events["sae"].pk}"')[0].rsplit("<tr", 1)[1]
    overdue_row = body.split(f'data-ae="{events["overdue"].pk}"')[0].rsplit("<tr", 1)[1]
    assert "ae-serious" in sae_row and "sae-overdue" not in sae_row
    assert "ae-serious" in overdue_row and "sae-overdue" in overdue_row
    assert body.count("sae-overdue-badge") == 1
    assert body.count(">SAE</span>") >= 2


def test_the_exports_are_linked_with_the_current_filters(client, monitor, events):
    client.force_login(monitor)
    response = client.get(URL + "?serious=true&sort=pt&page=1")
    export = reverse("review:ae_listing_export", args=["LSER-ALS-01"])
    assert response.context["export_csv"] == export + "?serious=true&sort=pt&format=csv"
    assert response.context["export_xlsx"] == export + "?serious=true&sort=pt&format=xlsx"


def test_the_other_site_coordinator_never_sees_site_01_events(
    client, other_site_coordinator, events
):
    client.force_login(other_site_coordinator)
    terms = _terms(client)
    assert "ZZ pneumonia" in terms and "ZZ mild headache" not in terms
    # the site filter does not offer (or accept) a site outside the user's scope
    response = client.get(URL + "?site=01")
    assert "site" in response.context["filter"].form.errors
    assert response.context["rows"] == []


def test_a_monitor_sees_only_the_sites_assigned(client, monitor, events):
    """A third site of the trial, not assigned to the monitor: its events stay out."""
    trial = Trial.objects.get(code="LSER-ALS-01")
    site = SiteFactory(number="93")
    TrialSiteFactory(trial=trial, site=site)
    participant = ParticipantFactory(trial=trial, site=site, subject_number="93-001")
    _ae(participant, "ZZ at an unassigned site")
    coordinator93 = MembershipFactory(trial=trial, site=site, role=Role.SITE_COORDINATOR).user
    client.force_login(monitor)
    terms = _terms(client)
    assert "ZZ at an unassigned site" not in terms and "ZZ fall" in terms
    assert client.get(URL + "?site=93").context["rows"] == []
    client.force_login(coordinator93)
    assert [t for t in _terms(client) if t.startswith("ZZ")] == ["ZZ at an unassigned site"]


def test_events_entered_in_error_and_of_removed_participants_are_left_out(
    client, monitor, events, site01_participant
):
    AdverseEvent.objects.filter(pk=events["mild"].pk).update(entered_in_error=True)
    Participant.objects.filter(pk=events["sae"].participant_id).update(entered_in_error=True)
    client.force_login(monitor)
    terms = _terms(client)
    assert "ZZ mild headache" not in terms and "ZZ pneumonia" not in terms
    assert "ZZ severe vomiting" in terms


def test_the_listing_never_names_an_arm_even_to_the_unblinded(
    client, unblinded_pharmacist, coordinator, events
):
    arms = list(Trial.objects.get(code="LSER-ALS-01").arms.values_list("name", "code"))
    for user in (unblinded_pharmacist, coordinator):
        client.force_login(user)
        body = client.get(URL).content.decode()
        assert "ZZ mild headache" in body
        for name, code in arms:
            assert name not in body and f">{code}<" not in body
