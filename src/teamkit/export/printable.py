"""A plan as printable HTML pages: an index, one card per team and session, one agenda per
participant and one timetable per station.

The pages read the plan through :mod:`teamkit.views` (agendas, rosters, timetables) and the
figures on the index through :func:`teamkit.check`, so what they print is what those say.
They are self-contained: the style sheet is inline, nothing is loaded from elsewhere, and
the only links are relative ones between the four pages. Printed (A4), every team card,
agenda and station timetable starts a page of its own; on screen the cards form a grid.

Names and every other text from the problem are escaped, and the output holds no
timestamp, so the same problem and plan always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zoneinfo
from collections.abc import Mapping
from typing import Any

import jinja2

from teamkit.checker import CheckReport, check
from teamkit.model import ProblemData, Session
from teamkit.plan import Plan
from teamkit.result import Result
from teamkit.views import AgendaRow, TimetableRow, agenda, rosters, timetable

#: The pages :func:`html_files` writes, by file name, with the title each has in the links.
PAGES: Mapping[str, str] = {
    "index.html": "Overview",
    "team-cards.html": "Team cards",
    "agendas.html": "Agendas",
    "timetables.html": "Station timetables",
}

# Day and month names are spelled out here rather than taken from strftime, whose names
# follow the process's locale: the pages must not change with the machine that writes them.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: How many violations the index lists before it says how many more there are.
_MAX_VIOLATIONS = 20


def html_files(problem: ProblemData, plan: Plan, *, result: Result | None = None) -> dict[str, bytes]:
    """The printable pages of ``plan``, as UTF-8 HTML documents by file name.

    - ``index.html``: the event, its sessions with their dates and times (when the sessions
      have a ``start``), links to the other pages, and the plan's figures from
      :func:`teamkit.check` (hard violations, repeated meetings, role turns, repeated
      exercises, soft penalties); with ``result``, also how the solve ended.
    - ``team-cards.html``: one card per team and session (elements ``.team-card`` with
      ``data-session`` and ``data-team``): the members by name with their roles and, in a
      session with slots, the team's station and instructors in every slot with its times.
    - ``agendas.html``: one agenda per participant (``.agenda`` with ``data-participant``):
      per session their team, role and teammates, and per slot the time and station.
    - ``timetables.html``: one timetable per station (``.timetable`` with ``data-station``):
      per session and slot, the teams there and the instructors running it.

    Times are shown with the session's date as HH:MM; starts that carry a time zone are
    shown in the problem's ``timezone`` when it has one, which the index names once. The
    pages link to each other by relative names, so keep them in one folder.

    Raises :class:`~teamkit.PlanFileError` when the plan does not fit the problem.
    """
    report = check(problem, plan)
    clock = _Clock(problem)
    sessions = {s.id: s for s in problem.sessions}
    times = {s.id: clock.slots(s) for s in problem.sessions}
    instructor_names = {i.id: i.name for i in problem.instructors}
    title = problem.name or "Team plan"

    table = timetable(problem, plan)
    staff: dict[tuple[str, str, int], list[str]] = {}
    for row in table:
        staff[(row.station, row.session, row.slot)] = [_person(i, instructor_names) for i in row.instructors]

    cards = _cards(problem, plan, sessions, times, staff, clock)
    agendas = _agendas(problem, plan, sessions, times, clock)
    stations = _timetables(problem, table, sessions, times, staff, clock)
    overview = _overview(problem, plan, report, result, clock, cards, agendas, stations)

    common = {"title": title, "pages": PAGES}
    documents = {
        "index.html": _render("index.html", common, page="index.html", **overview),
        "team-cards.html": _render("team-cards.html", common, page="team-cards.html", sessions=cards),
        "agendas.html": _render("agendas.html", common, page="agendas.html", agendas=agendas),
        "timetables.html": _render("timetables.html", common, page="timetables.html", stations=stations),
    }
    return {name: text.encode("utf-8") for name, text in documents.items()}


# -- times ---------------------------------------------------------------------------------------
class _Clock:
    """Formats session times: in the event's time zone when both it and the starts have a
    zone, else as the starts are written."""

    def __init__(self, problem: ProblemData) -> None:
        self.zone = zoneinfo.ZoneInfo(problem.timezone) if problem.timezone else None
        self.label = problem.timezone
        if self.label is None:
            # Starts with a zone but no event time zone: name their offsets, so that the
            # times printed are not mistaken for local ones.
            offsets = sorted({_offset(s.start) for s in problem.sessions if s.start and s.start.tzinfo})
            self.label = ", ".join(offsets) or None

    def local(self, moment: dt.datetime) -> dt.datetime:
        if self.zone is not None and moment.tzinfo is not None:
            return moment.astimezone(self.zone)
        return moment

    def slots(self, session: Session) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        return tuple((self.local(a), self.local(b)) for a, b in session.slot_times())

    def span(self, session: Session) -> str:
        """``Thu 15 May 2025, 19:00–20:50``, or ``""`` without a start."""
        slots = self.slots(session)
        if not slots:
            return ""
        return _span(slots[0][0], slots[-1][1])


def _offset(moment: dt.datetime) -> str:
    delta = moment.utcoffset() or dt.timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _date(moment: dt.datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _hhmm(moment: dt.datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _span(start: dt.datetime, end: dt.datetime) -> str:
    if start.date() == end.date():
        return f"{_date(start)}, {_hhmm(start)}\u2013{_hhmm(end)}"
    return f"{_date(start)} {_hhmm(start)} \u2013 {_date(end)} {_hhmm(end)}"


def _slot_time(times: tuple[tuple[dt.datetime, dt.datetime], ...], slot: int | None) -> str:
    """``19:00–19:50`` for a slot (from 1; ``None``: the whole session), ``""`` without times."""
    if not times:
        return ""
    start, end = times[0 if slot is None else slot - 1]
    return f"{_hhmm(start)}\u2013{_hhmm(end)}"


# -- what the pages show -------------------------------------------------------------------------
def _person(pid: str, names: Mapping[str, str]) -> str:
    name = names.get(pid, pid)
    return name if name == pid else f"{name} ({pid})"


def _where(session: Session, slot: int, station: str | None) -> tuple[str, bool]:
    """The text for a team's place in a slot, and whether it is a plenary slot."""
    if slot in session.plenary:
        return "Plenary", True
    return station or "\u2014", False


def _session_head(session: Session, clock: _Clock) -> dict[str, Any]:
    return {"id": session.id, "name": session.name, "day": session.day, "when": clock.span(session)}


def _cards(
    problem: ProblemData,
    plan: Plan,
    sessions: Mapping[str, Session],
    times: Mapping[str, tuple[tuple[dt.datetime, dt.datetime], ...]],
    staff: Mapping[tuple[str, str, int], list[str]],
    clock: _Clock,
) -> list[dict[str, Any]]:
    """Per session, its head and one card per team, from :func:`teamkit.views.rosters`."""
    out: dict[str, dict[str, Any]] = {}
    for row in rosters(problem, plan):
        session = sessions[row.session]
        block = out.setdefault(row.session, {**_session_head(session, clock), "cards": []})
        slots = []
        for j, station in enumerate(row.stations, start=1):
            where, plenary = _where(session, j, station)
            slots.append(
                {
                    "slot": j,
                    "time": _slot_time(times[row.session], j),
                    "station": where,
                    "plenary": plenary,
                    "instructors": staff.get((station, row.session, j), []) if station else [],
                }
            )
        block["cards"].append({"team": row.team, "members": row.members, "slots": slots})
    return list(out.values())


def _agendas(
    problem: ProblemData,
    plan: Plan,
    sessions: Mapping[str, Session],
    times: Mapping[str, tuple[tuple[dt.datetime, dt.datetime], ...]],
    clock: _Clock,
) -> list[dict[str, Any]]:
    """One agenda per participant in roster order, from :func:`teamkit.views.agenda`; people
    in no team in any session keep an (empty) agenda, so that nobody is left without a page."""
    names = {p.id: p.name for p in problem.participants}
    rows: dict[str, list[AgendaRow]] = {p.id: [] for p in problem.participants}
    for row in agenda(problem, plan):
        rows[row.participant].append(row)
    out = []
    for person in problem.participants:
        blocks: dict[str, dict[str, Any]] = {}
        for row in rows[person.id]:
            session = sessions[row.session]
            block = blocks.get(row.session)
            if block is None:
                block = blocks[row.session] = {
                    **_session_head(session, clock),
                    "team": row.team,
                    "role": row.role,
                    "teammates": [names.get(pid, pid) for pid in row.teammates],
                    "slots": [],
                }
            if row.slot is not None:
                where, plenary = _where(session, row.slot, row.station)
                block["slots"].append(
                    {
                        "slot": row.slot,
                        "time": _slot_time(times[row.session], row.slot),
                        "station": where,
                        "plenary": plenary,
                    }
                )
        out.append({"id": person.id, "name": person.name, "sessions": list(blocks.values())})
    return out


def _timetables(
    problem: ProblemData,
    table: tuple[TimetableRow, ...],
    sessions: Mapping[str, Session],
    times: Mapping[str, tuple[tuple[dt.datetime, dt.datetime], ...]],
    staff: Mapping[tuple[str, str, int], list[str]],
    clock: _Clock,
) -> list[dict[str, Any]]:
    """One timetable per station, from :func:`teamkit.views.timetable`."""
    known = {s.name: s for s in problem.stations}
    out: dict[str, dict[str, Any]] = {}
    for row in table:
        station = out.get(row.station)
        if station is None:
            facts = known.get(row.station)
            station = out[row.station] = {
                "name": row.station,
                "capacity": facts.capacity if facts else None,
                "duration": facts.duration if facts else None,
                "attributes": [(k, v) for k, v in facts.attributes.items()] if facts else [],
                "sessions": {},
            }
        session = sessions[row.session]
        block = station["sessions"].setdefault(row.session, {**_session_head(session, clock), "slots": []})
        block["slots"].append(
            {
                "slot": row.slot,
                "time": _slot_time(times[row.session], row.slot),
                "teams": row.teams,
                "instructors": staff.get((row.station, row.session, row.slot), []),
            }
        )
    return [{**station, "sessions": list(station["sessions"].values())} for station in out.values()]


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2014"
    return f"{value:.6g}"


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _overview(
    problem: ProblemData,
    plan: Plan,
    report: CheckReport,
    result: Result | None,
    clock: _Clock,
    cards: list[dict[str, Any]],
    agendas: list[dict[str, Any]],
    stations: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the index shows: the sessions, the pages and the plan's figures."""
    planned = {sp.session: len(sp.teams) for sp in plan.sessions}
    session_rows = [
        {
            **_session_head(session, clock),
            "slots": session.slots,
            "plenary": len(session.plenary),
            "teams": planned.get(session.id, 0),
            "present": len(problem.layout(k).present),
        }
        for k, session in enumerate(problem.sessions)
    ]
    figures: list[tuple[str, str]] = [
        ("Participants", str(problem.num_participants)),
        ("Teams over all sessions", str(sum(len(b["cards"]) for b in cards))),
        ("Hard constraints", "all met" if report.feasible else _count(len(report.violations), "violation")),
        ("Hard violation amount", f"{report.hard_violations:g}"),
        ("Objective (lower is better)", _number(report.objective)),
    ]
    meetings = report.meetings
    if len(problem.blocks()) > 1:
        met = list(meetings.distinct_met.values())
        figures += [
            ("Repeated meetings", str(meetings.repeated_pairs)),
            ("Pairs who met more than once", str(meetings.pairs_met_again)),
            ("Most meetings of one pair", str(meetings.max_meetings)),
            ("Different people met per participant", f"{min(met, default=0)} to {max(met, default=0)}"),
        ]
    activities = report.activities
    if activities is not None:
        for role, spread in activities.turn_distribution.items():
            turns = ", ".join(f"{_people(n)} {_times(t)}" for t, n in spread.items())
            figures.append((f"Turns as {role}", turns))
        if activities.station_load:
            figures.append(("Exercises repeated within a day", str(activities.repeats_within_day)))
            figures.append(("Exercises repeated over the event", str(activities.repeats_over_event)))
    solve: list[tuple[str, str]] = []
    if result is not None:
        # The runtime is left out on purpose: the pages must not differ between two solves
        # that found the same plan.
        solve = [("Status", result.status.value), ("Objective", _number(result.objective))]
        if result.bound is not None:
            solve.append(("Bound", _number(result.bound)))
        if result.repeats is not None:
            solve.append(("Repeated meetings", f"{result.repeats} (at least {result.repeat_bound} unavoidable)"))
        solve.append(("Stopped by", result.stopped_by))
    violations = [
        {"constraint": v.constraint, "session": v.session, "team": v.team, "message": v.message}
        for v in report.violations[:_MAX_VIOLATIONS]
    ]
    return {
        "timezone": clock.label,
        "sessions": session_rows,
        "counts": {
            "team-cards.html": _count(sum(len(b["cards"]) for b in cards), "team card"),
            "agendas.html": _count(len(agendas), "agenda"),
            "timetables.html": _count(len(stations), "station timetable"),
        },
        "figures": figures,
        "soft": [(name, _number(value), _number(report.penalties[name])) for name, value in report.breakdown.items()],
        "solve": solve,
        "violations": violations,
        "more_violations": max(0, len(report.violations) - _MAX_VIOLATIONS),
    }


# -- templates -----------------------------------------------------------------------------------
@functools.cache
def _environment() -> jinja2.Environment:
    # Autoescape everywhere: names, roles and stations are text from a roster file.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("teamkit", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, common: Mapping[str, Any], **context: Any) -> str:
    return _environment().get_template(template).render(**common, **context)


__all__ = ["PAGES", "html_files"]
