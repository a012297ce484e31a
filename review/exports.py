"""Listing exports: CSV streamed row by row, XLSX written in openpyxl's write-only mode,
both with spreadsheet formulas neutralised.

Formula injection (OWASP, "CSV Injection"): a cell that begins with =, +, -, @, a tab or a
carriage return is read by Excel, LibreOffice and Google Sheets as a formula, so a
verbatim term typed as `=HYPERLINK(...)` would run in the monitor's spreadsheet. Such text
is exported with a leading apostrophe, which spreadsheets show as text. Numbers and dates
are exported as they are (a negative number is a number, not text to neutralise).
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula, made inert; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(value):
    """XLSX has no time zones: times are written in the trial's local time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return spreadsheet_safe(value)


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_response(header: Sequence[str], rows: Iterable[Sequence], filename: str):
    """A streamed CSV download: the rows are read and written one at a time, so memory
    stays flat whatever the number of rows (pass a queryset's .iterator())."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so Excel reads the UTF-8 correctly
        yield writer.writerow([spreadsheet_safe(cell) for cell in header])
        for row in rows:
            yield writer.writerow(["" if cell is None else spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(header: Sequence[str], rows: Iterable[Sequence], filename: str, title: str):
    """An XLSX download, written row by row (openpyxl write-only mode) to a temporary file
    on disk, then sent from it: a zip can't be streamed as it is written, but memory
    stays flat."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
