"""The monitors' renal lab listing (review:lab_listing) and its export: filters, abnormal
results, scope, sorting, pagination, blinding, and a fixed number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from participants.models import Participant
from safety.models import LabResult, RenalSignal
from tests.factories import LabResultFactory
from trials.models import Arm

pytestmark = pytest.mark.django_db

TRIAL = "LSER-ALS-01"
LISTING = reverse("review:lab_listing", args=[TRIAL])
EXPORT = reverse("review:lab_listing_export", args=[TRIAL])

# Queries of one export request, whatever the number of rows: session, user, trial, the
# sites in scope (sites_in_scope_read: their ids scope the rows, their numbers are the site
# filter's choices), the session's save (savepoint, update, release:
# SESSION_SAVE_EVERY_REQUEST) and the rows through one server-side cursor (DECLARE).
EXPORT_QUERIES = 8


def _export(client, **params):
    """The CSV export's rows as dicts (header -> cell)."""
    response = client.get(EXPORT, {**params, "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def _page(client, **params):
    response = client.get(LISTING, params)
    assert response.status_code == 200
    return response.content.decode()


def _renal_in_scope(*site_numbers):
    return LabResult.objects.filter(
        participant__trial__code=TRIAL,
        participant__site__number__in=site_numbers,
        analyte__in=["CREAT", "BUN", "UREA"],
        entered_in_error=False,
    )


def _signal():
    return RenalSignal.objects.open().get(
        participant__trial__code=TRIAL, participant__site__number="01"
    )


def test_it_lists_the_renal_results_with_the_derived_values(client, monitor):
    client.force_login(monitor)
    page = _page(client)
    signal = _signal()
    rows = page.split("<tbody>")[1].split("</tr>")
    first = rows[0]
    # Open signal first, with the ratio and the eGFR change beside it.
    assert signal.participant.subject_number in first and "Open" in first
    assert f"{signal.lab_result.creatinine_ratio:.2f} ×" in first
    assert "eGFR" in first and signal.lab_result.kdigo_gfr_category in first
    assert "Blood urea nitrogen" in page and "Urea" in page  # site 01 BUN, site 02 urea
    assert "Haemoglobin" not in page and "Alanine" not in page  # other panels left out
    exported = _export(client)
    assert len(exported) == _renal_in_scope("01", "02").count()
    creat = next(r for r in exported if r["Renal signal"] == "OPEN")
    assert creat["Analyte (LBTESTCD)"] == "CREAT"
    assert Decimal(creat["eGFR (mL/min/1.73 m2)"]) == signal.lab_result.egfr
    assert creat["KDIGO AKI stage"] == str(signal.lab_result.aki_stage)


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"site": "02"}, lambda r: r["Site"] == "02"),
        ({"analyte": "BUN"}, lambda r: r["Analyte (LBTESTCD)"] == "BUN"),
        ({"open_signal": "true"}, lambda r: r["Renal signal"] == "OPEN"),
        ({"min_grade": "1"}, lambda r: r["CTCAE grade"] not in ("", "0")),
        (
            {"abnormal": "true"},
            lambda r: (
                r["Flag (LBNRIND)"] in ("HIGH", "LOW")
                or r["CTCAE grade"] not in ("", "0")
                or r["KDIGO AKI stage"] not in ("", "0")
            ),
        ),
    ],
)
def test_each_filter_keeps_exactly_the_matching_rows(client, monitor, params, keep):
    client.force_login(monitor)
    everything = _export(client)
    filtered = _export(client, **params)
    expected = [r for r in everything if keep(r)]
    assert filtered == expected
    assert 0 < len(filtered) < len(everything), params
    # The page applies the same filter: its count line says so.
    assert f"{len(filtered)} result" in _page(client, **params)


def test_the_subject_filter_keeps_one_participant(client, monitor):
    client.force_login(monitor)
    subject = _signal().participant.subject_number
    rows = _export(client, subject=subject)
    assert rows and {r["Subject"] for r in rows} == {subject}
    assert len(rows) == _renal_in_scope("01").filter(participant__subject_number=subject).count()


def test_the_collection_date_filters_are_inclusive(client, monitor):
    client.force_login(monitor)
    everything = _export(client)
    days = sorted({r["Collected"][:10] for r in everything})
    assert len(days) > 2
    middle = days[len(days) // 2]
    after = _export(client, collected_after=middle)
    before = _export(client, collected_before=middle)
    assert after and all(r["Collected"][:10] >= middle for r in after)
    assert before and all(r["Collected"][:10] <= middle for r in before)
    on_the_day = [r for r in everything if r["Collected"][:10] == middle]
    assert len(after) + len(before) == len(everything) + len(on_the_day)


def test_abnormal_means_out_of_range_or_graded_or_an_aki_stage(client, monitor, site01_participant):
    client.force_login(monitor)
    aki_only = LabResultFactory(
        participant=site01_participant, flag="NORMAL", aki_stage=1, unit="mg/dL"
    )
    graded_only = LabResultFactory(
        participant=site01_participant, flag="NORMAL", ctcae_grade=1, unit="mg/dL"
    )
    low = LabResultFactory(participant=site01_participant, flag="LOW", unit="mg/dL")
    normal = LabResultFactory(
        participant=site01_participant, flag="NORMAL", ctcae_grade=0, aki_stage=0, unit="mg/dL"
    )
    listed = {(r["Subject"], r["Collected"]) for r in _export(client, abnormal="true")}

    def key(result):
        return (site01_participant.subject_number, str(result.collected_at))

    exported_keys = {(r["Subject"], r["Collected"]) for r in _export(client)}
    assert key(normal) in exported_keys  # the same key format as the export's
    assert key(aki_only) in listed and key(graded_only) in listed and key(low) in listed
    assert key(normal) not in listed


def test_a_bad_date_gets_a_message_at_the_field_and_no_500(client, monitor):
    client.force_login(monitor)
    response = client.get(LISTING, {"collected_after": "31/31/2026", "min_grade": "9"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert client.get(EXPORT, {"collected_after": "nope"}).status_code == 200


def test_sorting_follows_the_whitelist(client, monitor):
    client.force_login(monitor)
    by_egfr = [r["eGFR (mL/min/1.73 m2)"] for r in _export(client, sort="-egfr")]
    values = [Decimal(v) for v in by_egfr if v]
    assert values == sorted(values, reverse=True) and by_egfr[0] != ""
    by_site = [r["Site"] for r in _export(client, sort="-site")]
    assert by_site == sorted(by_site, reverse=True) and by_site[0] == "02"
    # An unknown key falls back to the default order (the newest first), not an error.
    fallback = [r["Collected"] for r in _export(client, sort="participant__date_of_birth")]
    assert fallback == sorted(fallback, reverse=True) and fallback == [
        r["Collected"] for r in _export(client)
    ]
    page = _page(client, sort="-egfr", analyte="CREAT")
    assert "sort=egfr" in page and "▼" in page  # the header link flips the order


def test_pages_of_fifty_keep_the_filters(client, monitor, site01_participant):
    client.force_login(monitor)
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(60):
        LabResultFactory(
            participant=site01_participant,
            collected_at=start + datetime.timedelta(hours=n),
            value=Decimal("0.9"),
        )
    page = _page(client, analyte="CREAT", sort="collected")
    assert page.count('class="subject-number"') == 50
    assert "analyte=CREAT&amp;sort=collected&amp;page=2" in page
    second = _page(client, analyte="CREAT", sort="collected", page="2")
    total = _renal_in_scope("01", "02").filter(analyte="CREAT").count()
    assert second.count('class="subject-number"') == total - 50
    assert "<td>Blood urea nitrogen</td>" not in second


def test_a_site_coordinator_sees_only_their_site(client, coordinator):
    client.force_login(coordinator)
    rows = _export(client)
    assert rows and {r["Site"] for r in rows} == {"01"}
    assert len(rows) == _renal_in_scope("01").count()
    assert _export(client, site="02") == _export(client)  # not a choice: ignored, still 01
    page = _page(client)
    assert '<option value="02"' not in page and '<option value="01"' in page
    site02 = Participant.objects.filter(trial__code=TRIAL, site__number="02").first()
    assert site02.subject_number not in page


def test_site_users_get_the_close_link_of_an_open_signal_and_monitors_do_not(
    client, coordinator, monitor
):
    signal = _signal()
    close = reverse("safety:renal_signal_close", args=[TRIAL, signal.participant_id, signal.pk])
    client.force_login(coordinator)
    assert close in _page(client)
    client.force_login(monitor)
    assert close not in _page(client)


def test_no_arm_on_the_page_or_in_the_exports(client, monitor, coordinator):
    arms = list(Arm.objects.filter(trial__code=TRIAL).values_list("name", "code"))
    words = [w for pair in arms for w in pair]
    for user in (monitor, coordinator):
        client.force_login(user)
        page = _page(client)
        body = b"".join(client.get(EXPORT, {"format": "csv"}).streaming_content).decode()
        workbook = load_workbook(
            io.BytesIO(b"".join(client.get(EXPORT, {"format": "xlsx"}).streaming_content))
        )
        cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row)
        for text in (page, body, cells):
            assert not [w for w in words if w in text]


def test_the_export_neutralises_formulas_in_text_cells(client, monitor, site01_participant):
    client.force_login(monitor)
    LabResultFactory(participant=site01_participant, unit="=cmd|'/C calc'!A0")
    rows = _export(client, subject=site01_participant.subject_number)
    assert "'=cmd|'/C calc'!A0" in [r["Unit as reported (LBORRESU)"] for r in rows]
    response = client.get(EXPORT, {"format": "xlsx", "subject": site01_participant.subject_number})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == len(rows) + 1
    assert "'=cmd|'/C calc'!A0" in [row[5] for row in sheet[1:]]


def test_an_unknown_export_format_is_a_404(client, monitor):
    client.force_login(monitor)
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 404


_captured = []


def _export_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(EXPORT, {"format": "csv"})
        rows = b"".join(response.streaming_content).count(b"\n") - 1
    _captured.append(queries.captured_queries)
    return len(queries), rows


def test_the_export_does_a_fixed_number_of_queries(client, monitor, site01_participant):
    client.force_login(monitor)
    _export_queries(client)  # warm caches (content types, session)
    before, rows_before = _export_queries(client)
    for n in range(30):
        LabResultFactory(
            participant=site01_participant,
            collected_at=timezone.now() - datetime.timedelta(days=n),
        )
    after, rows_after = _export_queries(client)
    assert rows_after == rows_before + 30
    assert before == after == EXPORT_QUERIES, "\n".join(q["sql"][:120] for q in _captured[-1])


def test_the_yes_no_filters_offer_any_yes_and_no(client, monitor):
    client.force_login(monitor)
    page = _page(client)
    assert '<option value="" selected>Any</option>' in page and "Unknown" not in page
    everything = _export(client)
    abnormal, normal = _export(client, abnormal="true"), _export(client, abnormal="false")
    assert abnormal and normal and len(abnormal) + len(normal) == len(everything)
    assert 'value="false" selected>No</option>' in _page(client, abnormal="false")
