"""Writing a problem as an event file and its roster, the inverse of :func:`load_event`.

A problem built in code (or read from a problem file) becomes an event file a person can
read and edit, ``event.toml``, beside ``roster.csv``: loading them back gives the same
problem (:func:`teamkit.io.problem_digest` is unchanged). The roster states the type of
every column, so that ``"007"`` stays text and ``30`` an integer; a diversity matrix is
written inline, row by row.

What a roster file cannot hold is refused with :class:`~teamkit.exceptions.ModelError`
naming the participant and attribute: a ``True``/``False`` value, an empty or blank-edged
text (the reader strips cells and reads an empty one as missing), a column mixing text and
numbers or whole and fractional numbers, and a number that is not finite.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import tomli_w

from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import CONSTRAINT_KINDS
from teamkit.exceptions import ModelError
from teamkit.io.event import SolverOptions
from teamkit.io.plan_json import _converter, jsonable, problem_to_dict, write_files
from teamkit.model import ProblemData, Session

#: File names :func:`write_event` uses by default.
EVENT_FILE = "event.toml"
ROSTER_FILE = "roster.csv"


def event_files(
    problem: ProblemData,
    *,
    solver: SolverOptions | None = None,
    event_file: str = EVENT_FILE,
    roster_file: str = ROSTER_FILE,
) -> dict[str, str]:
    """The event file and its roster for ``problem``, as ``{file name: text}``; ``solver``
    adds a ``[solver]`` table. Raises :class:`~teamkit.exceptions.ModelError` for what a
    roster file cannot hold (see the module docstring)."""
    doc = problem_to_dict(problem)
    roster_text, id_column, name_column, types = _roster(problem)
    # Always written: without it the loader names the event after its file.
    out: dict[str, Any] = {"name": problem.name}
    if problem.timezone is not None:
        out["timezone"] = problem.timezone
    roster: dict[str, Any] = {"file": roster_file}
    if id_column != "id":
        roster["id_column"] = id_column
    if name_column != "name":
        roster["name_column"] = name_column
    if types:
        roster["types"] = types
    out["roster"] = roster
    if solver is not None:
        out["solver"] = {"time_limit": float(solver.time_limit), "seed": solver.seed, "workers": solver.workers}
    sessions = []
    for session in doc["sessions"]:
        table = _toml_table(session, Session, f"session {session['id']!r}")
        if isinstance(table.get("start"), str):
            table["start"] = dt.datetime.fromisoformat(table["start"])
        sessions.append(table)
    out["sessions"] = sessions
    for key, cls, label in (("roles", Role, "name"), ("stations", Station, "name"), ("instructors", Instructor, "id")):
        if doc[key]:
            out[key] = [_toml_table(item, cls, f"{key[:-1]} {item[label]!r}") for item in doc[key]]
    if doc["constraints"]:
        out["constraints"] = [
            {"kind": c["kind"], **_toml_table(c, CONSTRAINT_KINDS[c["kind"]], f"constraint {name!r}")}
            for c, name in zip(doc["constraints"], problem.constraint_names(), strict=True)
        ]
    return {event_file: tomli_w.dumps(out, multiline_strings=False), roster_file: roster_text}


def write_event(
    problem: ProblemData,
    directory: str | os.PathLike[str],
    *,
    solver: SolverOptions | None = None,
    event_file: str = EVENT_FILE,
    roster_file: str = ROSTER_FILE,
    force: bool = False,
) -> list[Path]:
    """Writes ``problem`` as an event file and its roster into ``directory``, both or
    neither (see :func:`event_files`; without ``force`` an existing file is never
    replaced). Returns the paths written; :func:`load_event` on the first reads the same
    problem back."""
    files = event_files(problem, solver=solver, event_file=event_file, roster_file=roster_file)
    return write_files(directory, files, force=force)


def _toml_table(value: Mapping[str, Any], cls: type, where: str) -> dict[str, Any]:
    """``value`` (``cls`` as plain data) without the fields left at their default, so that
    the file says only what was chosen (TOML has no null, and ``None`` is the default of
    every field that may hold it); checked for ``None`` deeper down, which TOML cannot
    write."""
    defaults = _defaults(cls)
    table = {k: v for k, v in value.items() if k != "kind" and v is not None and defaults.get(k, _NO_DEFAULT) != v}
    for key, item in table.items():
        _no_null(item, f"{where}: {key}")
    return table


_NO_DEFAULT = object()


def _defaults(cls: type) -> dict[str, Any]:
    """The default of every field of ``cls`` that has one, as plain data."""
    out = {}
    for field in attrs.fields(cls):
        if not field.init or field.default is attrs.NOTHING:
            continue
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()  # type: ignore[union-attr]
        out[field.alias] = jsonable(_converter.unstructure(default))
    return out


def _no_null(value: Any, where: str) -> None:
    if value is None:
        raise ModelError(f"{where}: an event file cannot hold a missing value (None) here")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _no_null(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for v in value:
            _no_null(v, where)


def _roster(problem: ProblemData) -> tuple[str, str, str, dict[str, str]]:
    """The roster CSV text, its id and name columns, and the type of every attribute."""
    columns: list[str] = []
    for p in problem.participants:
        for key in p.attributes:
            if key not in columns:
                columns.append(key)
    id_column = _free_name("id", columns)
    name_column = _free_name("name", [*columns, id_column])
    types = {column: _column_type(problem, column) for column in columns}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([id_column, name_column, *columns])
    for p in problem.participants:
        _plain_text(p.id, f"participant {p.id!r}: id")
        if p.name:
            _plain_text(p.name, f"participant {p.id!r}: name")
        row = [p.id, p.name]
        for column in columns:
            value = p.attributes.get(column)
            row.append("" if value is None else value if isinstance(value, str) else repr(value))
        writer.writerow(row)
    return out.getvalue(), id_column, name_column, types


def _free_name(wanted: str, taken: list[str]) -> str:
    name = wanted
    while name in taken:
        name = f"{name}_"
    return name


def _column_type(problem: ProblemData, column: str) -> str:
    _plain_text(column, f"attribute {column!r}")
    kinds: dict[str, str] = {}
    for p in problem.participants:
        value = p.attributes.get(column)
        where = f"participant {p.id!r}: attribute {column!r}"
        if value is None:
            continue
        if isinstance(value, bool):
            raise ModelError(f"{where}: {value!r} cannot be written to a roster file (use text or 0/1)")
        if isinstance(value, str):
            _plain_text(value, where)
            kinds.setdefault("text", p.id)
        elif isinstance(value, int):
            kinds.setdefault("integer", p.id)
        else:
            if not math.isfinite(value):
                raise ModelError(f"{where}: {value!r} cannot be written to a roster file (not a finite number)")
            kinds.setdefault("number", p.id)
    if len(kinds) > 1:
        found = ", ".join(f"{kind} ({pid!r})" for kind, pid in kinds.items())
        raise ModelError(
            f"attribute {column!r} mixes {found}: a roster column holds one kind of value; "
            "make them all text or all numbers of one kind"
        )
    return next(iter(kinds), "text")


def _plain_text(text: str, where: str) -> None:
    if not text or text != text.strip():
        raise ModelError(
            f"{where}: {text!r} cannot be written to a roster file, which strips cells and reads an empty one "
            "as missing"
        )
