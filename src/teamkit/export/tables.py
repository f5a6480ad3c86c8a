"""A plan as tables of plain cells: the rows that the CSV files and the workbook share.

Each table is built from :mod:`teamkit.views` (what the plan says) and
:func:`teamkit.check` (how it scores), so the exports show exactly what the other views and
the checker show. Cells are ``str``, ``int``, ``float``, ``datetime`` or ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs

from teamkit.checker import CheckReport
from teamkit.io.roster import attribute_columns
from teamkit.model import ProblemData, Session
from teamkit.plan import Plan
from teamkit.views import agenda, rosters, timetable

Cell = str | int | float | dt.datetime | None


@attrs.frozen
class Table:
    """A named table: its column names and its rows (each as long as ``columns``)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _slot_time(session: Session, slot: int | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    times = session.slot_times()
    if not times:
        return None, None
    return times[(slot or 1) - 1]


def _sessions(problem: ProblemData, plan: Plan) -> list[Session]:
    return [problem.sessions[problem.session_index(sp.session)] for sp in plan.sessions]


def _names(problem: ProblemData) -> dict[str, str]:
    return {p.id: p.name for p in problem.participants}


def team_table(problem: ProblemData, plan: Plan, session: str) -> Table:
    """One session's teams, one row per member: ``team, participant_id, name, role``, then
    every attribute, then the team's station in each slot."""
    s = problem.sessions[problem.session_index(session)]
    extra = attribute_columns(problem)
    people = {p.id: p for p in problem.participants}
    slots = tuple(f"slot {j}" for j in range(1, s.slots + 1))
    rows = []
    for row in rosters(problem, plan):
        if row.session != session:
            continue
        for member in row.members:
            person = people.get(member.id)
            values = tuple(person.get(a) if person else None for a in extra)
            stations = tuple(st if st is not None else "plenary" for st in row.stations)
            rows.append((row.team, member.id, member.name, member.role, *values, *stations))
    return Table(name=s.name, columns=("team", "participant_id", "name", "role", *extra, *slots), rows=tuple(rows))


def agenda_table(problem: ProblemData, plan: Plan) -> Table:
    """Every participant's agenda: one row per participant, session and slot, with the
    slot's start and end when the session has times, the team, role, station (``plenary``
    in a plenary slot) and the teammates' names."""
    names = _names(problem)
    sessions = {s.id: s for s in _sessions(problem, plan)}
    rows = []
    for r in agenda(problem, plan):
        session = sessions[r.session]
        start, end = _slot_time(session, r.slot)
        station = r.station if r.station is not None else ("plenary" if r.slot is not None else None)
        mates = "; ".join(names.get(m, m) for m in r.teammates)
        rows.append((r.participant, r.name, r.session_name, r.day, r.slot, start, end, r.team, r.role, station, mates))
    columns = (
        "participant_id",
        "name",
        "session",
        "day",
        "slot",
        "start",
        "end",
        "team",
        "role",
        "station",
        "teammates",
    )
    return Table(name="Agenda", columns=columns, rows=tuple(rows))


def timetable_table(problem: ProblemData, plan: Plan) -> Table:
    """Every station's timetable: per station, session and slot, the slot's times, the teams
    there and the instructors running it (by name)."""
    instructors = {i.id: i.name for i in problem.instructors}
    sessions = {s.id: s for s in problem.sessions}
    rows = []
    for r in timetable(problem, plan):
        session = sessions.get(r.session)
        start, end = _slot_time(session, r.slot) if session else (None, None)
        teams = ", ".join(str(t) for t in r.teams)
        staff = "; ".join(instructors.get(i, i) for i in r.instructors)
        rows.append((r.station, session.name if session else r.session, r.slot, start, end, teams, staff))
    columns = ("station", "session", "slot", "start", "end", "teams", "instructors")
    return Table(name="Stations", columns=columns, rows=tuple(rows))


def metrics_table(problem: ProblemData, plan: Plan, report: CheckReport) -> Table:
    """The plan's figures as ``metric, value`` rows: size, hard violations, objective and
    its breakdown per constraint, repeated meetings, new contacts per session, and for roles
    and stations the exercise repeats and the turns per role."""
    rows: list[tuple[Cell, ...]] = [
        ("participants", problem.num_participants),
        ("sessions", len(plan.sessions)),
        ("teams", sum(len(sp.teams) for sp in plan.sessions)),
        ("hard violations", _number(report.hard_violations)),
        ("objective", _number(report.objective)),
    ]
    rows += [(f"penalty: {name}", _number(value)) for name, value in report.breakdown.items()]
    m = report.meetings
    rows += [
        ("repeated meetings", m.repeated_pairs),
        ("pairs met more than once", m.pairs_met_again),
        ("most meetings of one pair", m.max_meetings),
    ]
    names = {s.id: s.name for s in problem.sessions}
    rows += [(f"new contacts: {names.get(sid, sid)}", count) for sid, count in m.new_contacts.items()]
    if m.distinct_met:
        met = list(m.distinct_met.values())
        rows += [("fewest people met by one participant", min(met)), ("most people met by one participant", max(met))]
    a = report.activities
    if a is not None:
        rows += [
            ("exercises repeated within a day", a.repeats_within_day),
            ("exercises repeated over the event", a.repeats_over_event),
        ]
        if a.repeats_over_event:
            rows += [(f"exercise repeated over the event: {name}", n) for name, n in a.repeats_by_station.items() if n]
            rows += [
                (f"people repeating {count} exercise{'s' if count != 1 else ''} over the event", n)
                for count, n in a.repeat_distribution.items()
            ]
        for role, spread in a.turn_distribution.items():
            for turns, people in sorted(spread.items()):
                rows.append((f"people with {turns} turn{'s' if turns != 1 else ''} as {role}", people))
    rows += [(f"violation: {v.constraint}", v.message) for v in report.violations]
    return Table(name="Metrics", columns=("metric", "value"), rows=tuple(rows))


def mix_table(problem: ProblemData, report: CheckReport) -> Table:
    """How mixed each team is: per session and team, its size, its count of every value of
    each counted attribute (``gender: F 5, M 5``) and its mean of each averaged one."""
    names = {s.id: s.name for s in problem.sessions}
    counted = sorted({a for t in report.teams for a in t.counts})
    averaged = sorted({a for t in report.teams for a in t.means})
    rows = []
    for t in report.teams:
        counts = tuple(
            ", ".join(f"{_value(v)} {n}" for v, n in sorted(t.counts[a].items(), key=lambda kv: _value(kv[0])))
            if a in t.counts
            else None
            for a in counted
        )
        means = tuple(round(t.means[a], 2) if a in t.means else None for a in averaged)
        rows.append((names.get(t.session, t.session), t.team, t.size, *counts, *means))
    columns = ("session", "team", "size", *counted, *(f"mean {a}" for a in averaged))
    return Table(name="Team mix", columns=columns, rows=tuple(rows))


def _value(value: Any) -> str:
    return "(missing)" if value is None else str(value)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 6)


def cell_text(value: Cell) -> Cell:
    """A datetime as ``YYYY-MM-DD HH:MM`` (with its offset when it has one); other cells as
    they are."""
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
        return text + value.strftime("%z") if value.tzinfo is not None else text
    return value


def all_tables(problem: ProblemData, plan: Plan, report: CheckReport) -> Sequence[Table]:
    """Every table, in the order of the workbook's sheets: each session's teams, the agenda,
    the station timetable (when there are stations), the team mix and the metrics."""
    tables = [team_table(problem, plan, sp.session) for sp in plan.sessions]
    tables.append(agenda_table(problem, plan))
    if any(s.slots for s in _sessions(problem, plan)):
        tables.append(timetable_table(problem, plan))
    tables += [mix_table(problem, report), metrics_table(problem, plan, report)]
    return tables
