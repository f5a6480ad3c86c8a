"""Exports of a plan for the people who use it: a workbook, CSV files, calendars, printable
pages and JSON.

:func:`export` writes any of the :data:`FORMATS` into one folder, all or nothing;
:func:`export_files` returns the same files as bytes, for a program that sends them
elsewhere. Each format has its own builder (:func:`~teamkit.export.workbook.workbook_bytes`,
:func:`~teamkit.export.ical.calendar_files`,
:func:`~teamkit.export.printable.html_files`...).

Text from the roster is untrusted: spreadsheet cells that could be read as formulas are
neutralised in the CSV files and the workbook, file names made from names are sanitised and
unique, and the HTML escapes everything it shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from teamkit.checker import check
from teamkit.exceptions import ExportError
from teamkit.export.ical import calendar_files
from teamkit.export.tables import Table, all_tables, cell_text
from teamkit.export.workbook import workbook_bytes
from teamkit.io.plan_json import dumps, plan_document, problem_document, write_files
from teamkit.io.roster import csv_cell
from teamkit.model import ProblemData
from teamkit.plan import Plan
from teamkit.result import Result

#: The export formats, in the order :func:`export` writes them.
FORMATS: tuple[str, ...] = ("xlsx", "csv", "ics", "html", "json")

#: The file or folder each format writes in the output folder.
OUTPUTS: Mapping[str, str] = {
    "xlsx": "plan.xlsx",
    "csv": "csv/",
    "ics": "calendars/",
    "html": "html/",
    "json": "json/",
}


def csv_text(table: Table) -> str:
    """A table as CSV (RFC 4180, CRLF line ends) with formula-like text neutralised: see
    :func:`teamkit.io.roster.csv_cell`. Dates as ``YYYY-MM-DD HH:MM``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(cell_text(c)) for c in row])
    return out.getvalue()


def _csv_name(table: Table, session: str | None) -> str:
    if session is not None:
        return f"teams-{session}.csv"
    return table.name.lower().replace(" ", "-") + ".csv"


def check_formats(formats: Iterable[str] | str, problem: ProblemData) -> tuple[str, ...]:
    """The formats asked for, in :data:`FORMATS` order. ``"all"`` means every format that
    applies: calendars only when some session has times.

    Raises :class:`~teamkit.exceptions.ExportError` naming an unknown format, or calendars
    (``"ics"``) asked for by name when no session has a start time.
    """
    names = [formats] if isinstance(formats, str) else list(formats)
    timed = any(s.start is not None for s in problem.sessions)
    wanted = set()
    for name in names:
        if name == "all":
            wanted.update(f for f in FORMATS if f != "ics" or timed)
        elif name in FORMATS:
            if name == "ics" and not timed:
                raise ExportError(
                    "calendars (ics) need session times, and no session has them: give the sessions "
                    "start and slot_minutes (e.g. start = 2025-05-15T19:00:00, slot_minutes = 60)"
                )
            wanted.add(name)
        else:
            raise ExportError(f"unknown export format {name!r}; the formats are: {', '.join(FORMATS)} (or all)")
    if not wanted:
        raise ExportError(f"no export format given; the formats are: {', '.join(FORMATS)} (or all)")
    return tuple(f for f in FORMATS if f in wanted)


def export_files(
    problem: ProblemData,
    plan: Plan,
    formats: Iterable[str] | str = "all",
    *,
    result: Result | None = None,
    stamp: dt.datetime | None = None,
) -> dict[str, bytes]:
    """The export files of ``plan`` as ``{relative path: bytes}`` (see :data:`OUTPUTS`), for
    the ``formats`` asked for (names from :data:`FORMATS`, or ``"all"``; see
    :func:`check_formats`):

    - ``xlsx``: ``plan.xlsx``, a sheet of teams per session (members, roles, attributes,
      stations per slot), the agenda of every participant, the station timetable with its
      instructors, the team mix and the metrics;
    - ``csv``: ``csv/teams-<session>.csv`` per session, ``csv/agenda.csv``,
      ``csv/stations.csv``, ``csv/team-mix.csv``, ``csv/metrics.csv``;
    - ``ics``: ``calendars/all.ics`` and one calendar per participant (see
      :func:`~teamkit.export.ical.calendar_files`; ``stamp`` is their DTSTAMP);
    - ``html``: ``html/index.html``, ``team-cards.html``, ``agendas.html``,
      ``timetables.html``, printable, with no external assets;
    - ``json``: ``json/problem.json`` (the whole problem) and ``json/plan.json`` (the plan,
      with ``result`` when given), which read back exactly.

    The plan must fit the problem (else :class:`~teamkit.exceptions.PlanFileError`); a plan
    that breaks hard constraints is exported as it is, and its metrics say so.
    """
    chosen = check_formats(formats, problem)
    plan.require_sessions_of(problem)
    plan.to_assignment(problem)  # the plan fits: known people, nobody twice in a session
    report = check(problem, plan)
    tables = all_tables(problem, plan, report)
    files: dict[str, bytes] = {}
    if "xlsx" in chosen:
        files["plan.xlsx"] = workbook_bytes(tables, title=problem.name)
    if "csv" in chosen:
        sessions = [sp.session for sp in plan.sessions]
        for k, table in enumerate(tables):
            name = _csv_name(table, sessions[k] if k < len(sessions) else None)
            files[f"csv/{name}"] = csv_text(table).encode("utf-8")
    if "ics" in chosen:
        files.update(calendar_files(problem, plan, stamp=stamp))
    if "html" in chosen:
        from teamkit.export.printable import html_files

        files.update({f"html/{name}": data for name, data in html_files(problem, plan, result=result).items()})
    if "json" in chosen:
        files["json/problem.json"] = dumps(problem_document(problem)).encode("utf-8")
        files["json/plan.json"] = dumps(plan_document(plan, problem=problem, result=result)).encode("utf-8")
    return files


def export(
    problem: ProblemData,
    plan: Plan,
    directory: str | os.PathLike[str],
    formats: Iterable[str] | str = "all",
    *,
    result: Result | None = None,
    stamp: dt.datetime | None = None,
    force: bool = False,
) -> list[Path]:
    """Writes the export files (:func:`export_files`) into ``directory``, all or nothing:
    everything is built first, then written aside and moved in. Without ``force`` an
    existing file is never replaced (:class:`FileExistsError`, nothing written). Returns the
    paths written.

    Example::

        from teamkit.export import export

        result = teamkit.solve(problem, time_limit=60)
        export(problem, result.plan, "out", ["xlsx", "html"], result=result)
    """
    files = export_files(problem, plan, formats, result=result, stamp=stamp)
    return write_files(directory, files, force=force)


__all__ = ["FORMATS", "OUTPUTS", "check_formats", "csv_text", "export", "export_files"]
