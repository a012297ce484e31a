"""The adverse event listing's export: the filtered, sorted listing as CSV or XLSX, with
formulas neutralised, the same for blinded and unblinded users, in constant queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import AdverseEventFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

EXPORT = reverse("review:ae_listing_export", args=["LSER-ALS-01"])
EVIL = '=HYPERLINK("http://evil","x")'


def _csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def _xlsx(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell.value for cell in row] for row in workbook["Adverse events"].iter_rows()]


@pytest.fixture
def evil(site01_participant):
    aware = timezone.now() - datetime.timedelta(hours=30)
    return AdverseEventFactory(
        participant=site01_participant,
        verbatim_term=EVIL,
        onset_date=datetime.date(2026, 2, 2),
        llt_code=10019233,
        llt_name="Headache",
        pt_code=10019211,
        pt_name="Headache",
        soc_code=10029205,
        soc_name="Nervous system disorders",
        meddra_version="27.0",
        ctcae_grade=3,
        serious=True,
        sae_hospitalization=True,
        site_aware_at=aware,
        sae_report_due_at=aware + datetime.timedelta(hours=24),
        relationship="POSSIBLE",
    )


def test_the_csv_export_holds_the_filtered_listing_with_codes_and_the_sae_clock(
    client, monitor, evil, site02_participant
):
    AdverseEventFactory(participant=site02_participant, verbatim_term="ZZ not serious")
    client.force_login(monitor)
    response = client.get(EXPORT + "?serious=true&site=01")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _csv(response)
    row = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1
    assert row["Verbatim term (AETERM)"] == "'" + EVIL
    assert row["LLT code (AELLTCD)"] == "10019233" and row["PT code (AEPTCD)"] == "10019211"
    assert row["SOC code (AEBDSYCD)"] == "10029205" and row["MedDRA version"] == "27.0"
    assert row["Serious (AESER)"] == "Y" and row["Criterion AESHOSP"] == "Y"
    assert row["Criterion AESDTH"] == "N"
    assert row["SAE report overdue"] == "Y" and row["SAE reported"] == ""
    assert row["Onset (AESTDTC)"] == "2026-02-02" and row["Subject (USUBJID)"]
    assert not any(cell.startswith("=") for r in rows for cell in r)


def test_the_xlsx_export_neutralises_the_formula_and_keeps_types(client, monitor, evil):
    client.force_login(monitor)
    response = client.get(EXPORT + "?serious=true&site=01&format=xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    header, *rows = _xlsx(response)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Verbatim term (AETERM)"] == "'" + EVIL
    assert row["CTCAE grade (AETOXGR)"] == 3
    assert isinstance(row["SAE report due"], datetime.datetime)


def test_the_export_follows_the_listing_filters_and_sort(client, monitor, site01_participant):
    for n, grade in enumerate([2, 4, 1]):
        AdverseEventFactory(
            participant=site01_participant, verbatim_term=f"ZZ export {n}", ctcae_grade=grade
        )
    client.force_login(monitor)
    header, *rows = _csv(
        client.get(
            EXPORT + "?subject=" + site01_participant.subject_number + "&sort=-grade&min_grade=2"
        )
    )
    terms = [r[header.index("Verbatim term (AETERM)")] for r in rows]
    assert [t for t in terms if t.startswith("ZZ")] == ["ZZ export 1", "ZZ export 0"]
    grades = [int(r[header.index("CTCAE grade (AETOXGR)")] or 0) for r in rows]
    assert grades == sorted(grades, reverse=True) and min(grades) >= 2


def test_the_export_is_the_same_for_the_unblinded_and_names_no_arm(
    client, unblinded_pharmacist, data_manager, evil
):
    """Both hold all sites; the unblinded pharmacist's export has nothing more."""
    client.force_login(unblinded_pharmacist)
    unblinded = _csv(client.get(EXPORT))
    client.force_login(data_manager)
    blinded = _csv(client.get(EXPORT))
    assert unblinded == blinded and len(blinded) > 2
    text = "\n".join(",".join(r) for r in unblinded)
    for name, code in Trial.objects.get(code="LSER-ALS-01").arms.values_list("name", "code"):
        assert name not in text and f",{code}," not in text
    assert not any(word in ",".join(blinded[0]).lower() for word in ("arm", "dose", "alloc"))


def test_the_export_keeps_the_user_scope(client, other_site_coordinator, evil):
    client.force_login(other_site_coordinator)
    header, *rows = _csv(client.get(EXPORT))
    sites = {r[header.index("Site")] for r in rows}
    assert sites == {"02"}


def test_bad_filters_or_format_are_a_400_with_a_message(client, monitor):
    client.force_login(monitor)
    response = client.get(EXPORT + "?min_grade=9")
    assert response.status_code == 400 and b"min_grade" in response.content
    assert client.get(EXPORT + "?format=pdf").status_code == 400


def _export_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(EXPORT + "?sort=pt")
        rows = _csv(response)
    return len(queries), len(rows)


def test_the_export_does_a_constant_number_of_queries(client, monitor, site01_participant):
    client.force_login(monitor)
    _export_queries(client)  # warm the session and content types
    before, rows_before = _export_queries(client)
    for n in range(120):
        AdverseEventFactory(participant=site01_participant, verbatim_term=f"ZZ many {n}")
    after, rows_after = _export_queries(client)
    assert rows_after == rows_before + 120
    assert after == before, (before, after)


def test_an_xlsx_too_large_to_build_sends_the_user_back_with_a_message(
    client, monitor, site01_participant, monkeypatch
):
    from review.views import adverse_events

    monkeypatch.setattr(adverse_events, "XLSX_MAX_ROWS", 3)
    for n in range(4):
        AdverseEventFactory(participant=site01_participant, verbatim_term=f"ZZ big {n}")
    client.force_login(monitor)
    response = client.get(EXPORT + "?format=xlsx&site=01&serious=")
    listing = reverse("review:ae_listing", args=["LSER-ALS-01"])
    assert response.status_code == 302
    assert response["Location"] == listing + "?site=01&serious="
    assert b"Export them as CSV" in client.get(response["Location"]).content
    assert client.get(EXPORT + "?format=csv&site=01").status_code == 200
