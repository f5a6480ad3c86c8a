"""The plan as an XLSX workbook (openpyxl): one sheet per session's teams, then the agenda,
the station timetable, the team mix and the metrics."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from teamkit.export._safe import is_formula_like
from teamkit.export.tables import Cell, Table

#: Characters Excel forbids in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Excel's limit on a sheet name's length.
_SHEET_NAME_MAX = 31
#: A fixed time for the workbook's creation properties and zip entries, so that the same
#: plan gives the same bytes.
_FIXED_TIME = dt.datetime(2000, 1, 1)
_DATE_FORMAT = "yyyy-mm-dd hh:mm"


def sheet_names(titles: Sequence[str]) -> list[str]:
    """One valid, unique sheet name per title: Excel's forbidden characters replaced, at
    most 31 characters, ``(2)`` added to repeats (ignoring case, as Excel does)."""
    taken: set[str] = set()
    names = []
    for title in titles:
        base = _SHEET_FORBIDDEN.sub("-", title).strip("'").strip() or "Sheet"
        name = base[:_SHEET_NAME_MAX]
        k = 1
        while name.lower() in taken:
            k += 1
            suffix = f" ({k})"
            name = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _write_cell(sheet: openpyxl.worksheet.worksheet.Worksheet, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the wall-clock time where the event is held.
        cell.value = value.replace(tzinfo=None)
        cell.number_format = _DATE_FORMAT
        return
    cell.value = value
    if isinstance(value, str):
        # Always a text cell: openpyxl would store text beginning with "=" as a formula.
        cell.data_type = "s"
        if is_formula_like(value):
            # Excel's "quote prefix": shown and kept as text even when the cell is edited.
            cell.quotePrefix = True


def workbook_bytes(tables: Sequence[Table], *, title: str = "") -> bytes:
    """The tables as an XLSX workbook, one sheet per table in order: a bold, frozen header
    row with filters, columns sized to their content, dates as dates. The same tables give
    the same bytes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, name in zip(tables, sheet_names([t.name for t in tables])):
        sheet = book.create_sheet(title=name)
        widths = [len(c) for c in table.columns]
        for j, column in enumerate(table.columns, start=1):
            _write_cell(sheet, 1, j, column)
            sheet.cell(row=1, column=j).font = Font(bold=True)
        for i, row in enumerate(table.rows, start=2):
            for j, value in enumerate(row, start=1):
                _write_cell(sheet, i, j, value)
                shown = 16 if isinstance(value, dt.datetime) else len(str(value)) if value is not None else 0
                widths[j - 1] = max(widths[j - 1], shown)
        for j, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(j)].width = min(max(width, 6) + 2, 60)
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    book.properties.title = title or None
    book.properties.creator = "teamkit"
    book.properties.created = book.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated :data:`_FIXED_TIME`, and the same "modified"
    property (openpyxl sets both to the time of saving)."""
    fixed = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()
