"""Exports neutralise spreadsheet formulas (OWASP "CSV Injection") and keep values."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from review.exports import csv_response, spreadsheet_safe, xlsx_response


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_text_a_spreadsheet_would_run_is_made_inert(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Nausea", "a=b", "", -1, 2.5, None])
def test_other_values_are_kept(value):
    assert spreadsheet_safe(value) == value


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_streams_rows_with_formulas_neutralised():
    rows = iter([["01-001", "=cmd|' /C calc'!A0", -3, None], ["01-002", "Nausea", 1, "x"]])
    response = csv_response(["Subject", "Verbatim", "Change", "Note"], rows, "ae.csv")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ae.csv"'
    assert _csv_rows(response) == [
        ["Subject", "Verbatim", "Change", "Note"],
        ["01-001", "'=cmd|' /C calc'!A0", "-3", ""],
        ["01-002", "Nausea", "1", "x"],
    ]


def test_the_xlsx_neutralises_formulas_and_writes_local_times():
    at = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    response = xlsx_response(
        ["Subject", "Verbatim", "At"], [["01-001", "@SUM(1+1)", at]], "ae.xlsx", "Adverse events"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Adverse events"]
    assert [c.value for c in sheet[2]][:2] == ["01-001", "'@SUM(1+1)"]
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.cell(row=2, column=3).value == timezone.localtime(at).replace(tzinfo=None)
