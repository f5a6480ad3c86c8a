"""Rosters in and team lists out, as CSV.

:func:`read_roster` turns a CSV file (one participant per row) into participants;
:func:`teams_csv_text` turns a plan into a spreadsheet-safe CSV of who is in which team.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from teamkit._text import did_you_mean
from teamkit.exceptions import RosterError
from teamkit.io._files import read_input_bytes
from teamkit.model import AttributeValue, Participant, ProblemData
from teamkit.plan import Plan

ColumnType = Literal["text", "number", "integer"]

#: The column types :func:`read_roster` knows, for ``types=``.
COLUMN_TYPES: tuple[str, ...] = ("text", "number", "integer")

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# A leading zero ("007", "-012") would be lost by a conversion to a number: such a column is
# read as text unless ``types`` forces a number.
_LEADING_ZERO = re.compile(r"[+-]?0\d")


def read_roster(
    path: str | os.PathLike[str],
    *,
    id_column: str = "id",
    name_column: str = "name",
    types: Mapping[str, ColumnType] | None = None,
) -> tuple[Participant, ...]:
    """Reads participants from a CSV file: a header row, then one participant per row.

    The file is UTF-8 (a byte-order mark is allowed). ``id_column`` holds the unique ids;
    ``name_column`` the display names (optional: when the default ``"name"`` column is
    absent, names default to the ids). Every other column becomes an attribute, with a type
    per column: ``"integer"`` if every non-empty cell is a whole number, ``"number"`` if
    every one is a number, else ``"text"``; a column with a leading zero ("007") stays text.
    ``types`` forces the type of some columns, e.g. ``{"supervisor_id": "text"}``. Cells
    are stripped of surrounding spaces; empty cells become ``None``. Rows whose every cell
    is empty are skipped.

    Raises :class:`~teamkit.exceptions.RosterError`, naming the file and the line, when the
    roster cannot be read.
    """
    source = os.fspath(path)
    data = read_input_bytes(path, RosterError, "roster file", "the roster")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise RosterError(
            f"{source}: line {line}: not UTF-8 text (byte 0x{data[e.start]:02x} at byte offset {e.start}); "
            "save the roster as 'CSV UTF-8'"
        ) from None
    return read_roster_text(text, source=source, id_column=id_column, name_column=name_column, types=types)


def read_roster_text(
    text: str,
    source: str = "<string>",
    *,
    id_column: str = "id",
    name_column: str = "name",
    types: Mapping[str, ColumnType] | None = None,
) -> tuple[Participant, ...]:
    """Like :func:`read_roster`, from the text of a CSV file; ``source`` names it in errors."""
    text = text.removeprefix("\ufeff")
    rows = read_csv_rows(text, source)
    if not rows:
        raise RosterError(f"{source}: the roster is empty (no header and no participant rows)")
    header_line, header = rows[0]
    columns = [c.strip() for c in header]
    _check_header(columns, source, header_line)
    if id_column not in columns:
        raise RosterError(
            f"{source}: line {header_line}: no {id_column!r} column{did_you_mean(id_column, columns)}; "
            f"the columns are: {', '.join(columns)}"
        )
    has_name = name_column in columns
    if not has_name and name_column != "name":
        raise RosterError(
            f"{source}: line {header_line}: no {name_column!r} column{did_you_mean(name_column, columns)}; "
            f"the columns are: {', '.join(columns)}"
        )
    attribute_columns = [c for c in columns if c not in (id_column, name_column)]
    forced = _check_types(types or {}, columns, attribute_columns, id_column, name_column, source)

    body = rows[1:]
    if not body:
        raise RosterError(f"{source}: the roster is empty (a header, but no participant rows)")
    width = len(columns)
    records: list[tuple[int, list[str | None]]] = []
    first_line: dict[str, int] = {}
    id_at = columns.index(id_column)
    for line, row in body:
        if len(row) != width:
            raise RosterError(f"{source}: line {line} has {len(row)} fields, the header has {width}")
        cells: list[str | None] = [cell.strip() or None for cell in row]
        pid = cells[id_at]
        if pid is None:
            raise RosterError(f"{source}: line {line}: empty id (column {id_column!r})")
        if pid in first_line:
            raise RosterError(f"{source}: line {line}: duplicate id {pid!r} (already on line {first_line[pid]})")
        first_line[pid] = line
        records.append((line, cells))

    converters = {}
    for column in attribute_columns:
        k = columns.index(column)
        kind = forced.get(column) or _infer([cells[k] for _, cells in records])
        converters[column] = (k, kind)

    participants = []
    name_at = columns.index(name_column) if has_name else None
    for line, cells in records:
        attributes: dict[str, AttributeValue] = {}
        for column, (k, kind) in converters.items():
            attributes[column] = _convert(cells[k], kind, source, line, column)
        name = cells[name_at] if name_at is not None else None
        participants.append(Participant(str(cells[id_at]), name or "", attributes))
    return tuple(participants)


def read_csv_rows(text: str, source: str, error: type[Exception] = RosterError) -> list[tuple[int, list[str]]]:
    """The non-blank records of a CSV text, each with the line it starts on (from 1).
    Malformed CSV raises ``error`` naming ``source`` and the line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            rows.append((start, row))
    except csv.Error as e:
        raise error(f"{source}: line {reader.line_num}: malformed CSV: {e}") from None
    return rows


def _check_header(columns: Sequence[str], source: str, line: int) -> None:
    seen: dict[str, int] = {}
    for k, column in enumerate(columns, start=1):
        if not column:
            raise RosterError(f"{source}: line {line}: column {k} of the header has no name")
        if column in seen:
            raise RosterError(
                f"{source}: line {line}: duplicate column name {column!r} (columns {seen[column]} and {k})"
            )
        seen[column] = k


def _check_types(
    types: Mapping[str, str],
    columns: Sequence[str],
    attribute_columns: Sequence[str],
    id_column: str,
    name_column: str,
    source: str,
) -> dict[str, str]:
    forced = {}
    for column, kind in types.items():
        if column not in columns:
            raise RosterError(
                f"{source}: types names the unknown column {column!r}{did_you_mean(column, columns)}; "
                f"the columns are: {', '.join(columns)}"
            )
        if kind not in COLUMN_TYPES:
            raise RosterError(
                f"{source}: types: unknown type {kind!r} for column {column!r}{did_you_mean(str(kind), COLUMN_TYPES)}; "
                f"the types are: {', '.join(COLUMN_TYPES)}"
            )
        if column in (id_column, name_column):
            if kind != "text":
                raise RosterError(f"{source}: types: column {column!r} holds ids or names and is always text")
            continue
        forced[column] = kind
    assert set(forced) <= set(attribute_columns)
    return forced


def _infer(cells: Iterable[str | None]) -> str:
    values = [c for c in cells if c is not None]
    if not values:
        return "text"
    if any(_LEADING_ZERO.match(v) for v in values):
        return "text"
    if all(_INTEGER.fullmatch(v) for v in values):
        return "integer"
    if all(_NUMBER.fullmatch(v) for v in values):
        return "number"
    return "text"


def _convert(cell: str | None, kind: str, source: str, line: int, column: str) -> AttributeValue:
    if cell is None:
        return None
    if kind == "text":
        return cell
    if kind == "integer":
        if _INTEGER.fullmatch(cell):
            return int(cell)
        raise RosterError(f"{source}: line {line}, column {column!r}: {cell!r} is not a whole number (integer)")
    if _NUMBER.fullmatch(cell):
        return float(cell)
    raise RosterError(f"{source}: line {line}, column {column!r}: {cell!r} is not a number")


# -- team lists --------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: The fixed columns of a team list; every attribute follows them.
TEAMS_CSV_COLUMNS: tuple[str, ...] = ("session", "team", "participant_id", "name")


def csv_cell(value: Any) -> str:
    """One cell for a CSV a spreadsheet will open.

    Numbers (``int``/``float`` values) are written as numbers, so ``-3`` stays ``-3``; text
    beginning with ``= + - @``, a tab or a carriage return is prefixed with ``'`` so that a
    spreadsheet shows it instead of running it as a formula. ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def attribute_columns(problem: ProblemData) -> list[str]:
    """Every attribute name, in the order of first appearance (the roster's column order)."""
    names: dict[str, None] = {}
    for p in problem.participants:
        for name in p.attributes:
            names.setdefault(name, None)
    return list(names)


def teams_csv_text(problem: ProblemData, plan: Plan) -> str:
    """A team list as CSV text: one row per participant per session, with the columns
    ``session, team, participant_id, name`` and then every attribute. Rows follow the plan:
    session by session, team by team, members in team order; lines end with CRLF."""
    extra = attribute_columns(problem)
    out = io.StringIO()
    # CRLF as RFC 4180 says; it also makes the writer quote cells holding a bare CR.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in (*TEAMS_CSV_COLUMNS, *extra)])
    by_id = {p.id: p for p in problem.participants}
    for session in plan.sessions:
        for team in session.teams:
            for pid in team.members:
                person = by_id.get(pid)
                name = person.name if person else ""
                values = [person.get(a) if person else None for a in extra]
                writer.writerow([csv_cell(v) for v in (session.session, team.number, pid, name, *values)])
    return out.getvalue()
