"""Locks: parts of a plan fixed by hand, so that the next solve keeps them and plans the rest.

A lock is nothing new to the engine: it is the hard pins the model already has, one per fact
of the plan kept. :func:`locks` writes them for whole sessions, some teams, or some people;
add them to the problem (``problem.replace(constraints=...)``, or ``[[constraints]]`` in an
event file) and solve again.

    kept = tk.locks(problem, plan, teams={"d2-morning": [3, 7]}, participants=["ASN0042"])
    result = tk.solve(problem.replace(constraints=(*problem.constraints, *kept)))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from teamkit._text import did_you_mean
from teamkit.constraints import Constraint, Pin, RolePin, StaffPin, StationPin
from teamkit.exceptions import ModelError
from teamkit.model import ProblemData
from teamkit.plan import Plan


def locks(
    problem: ProblemData,
    plan: Plan,
    *,
    sessions: Iterable[str] = (),
    teams: Mapping[str, Iterable[int]] | None = None,
    participants: Iterable[str] = (),
    roles: bool = True,
    stations: bool = True,
) -> tuple[Constraint, ...]:
    """Hard constraints that keep parts of ``plan`` in the next solve of ``problem``.

    Args:
        problem: the problem the next solve is for (its sessions must be the plan's).
        plan: the plan to keep parts of.
        sessions: ids of sessions kept whole: every member in their team, and, with
            ``roles`` and ``stations``, every role holder, every team's station in every
            slot and every instructor's station.
        teams: session id -> team numbers kept: their members, roles and stations.
        participants: ids of people whose team is kept in every session (numbers, not
            teammates: a :class:`~teamkit.Pin` per session).
        roles: also lock the roles of what is locked.
        stations: also lock the stations (and, for whole sessions, the instructors).

    People the problem marks absent from a session are left out of its locks, and so are
    stations and roles the problem no longer has.

    Raises:
        ModelError: an unknown session, team number or participant (with the closest name).
        PlanFileError: a plan whose sessions are not the problem's.
    """
    plan.require_sessions_of(problem)
    session_ids = [s.id for s in problem.sessions]
    whole = list(dict.fromkeys(sessions))
    chosen: dict[str, set[int]] = {}
    for sid in whole:
        _known_session(sid, session_ids)
        chosen[sid] = {t.number for t in plan.session(sid).teams}
    for sid, numbers in (teams or {}).items():
        _known_session(sid, session_ids)
        have = {t.number for t in plan.session(sid).teams}
        for number in numbers:
            if number not in have:
                raise ModelError(f"session {sid!r} has no team {number} in the plan (its teams are 1 to {len(have)})")
            chosen.setdefault(sid, set()).add(number)
    people = list(dict.fromkeys(participants))
    for pid in people:
        if not problem.has_participant(pid):
            known = [p.id for p in problem.participants]
            raise ModelError(f"unknown participant {pid!r}{did_you_mean(pid, known)}")

    role_names = {r.name: r for r in problem.roles}
    station_names = {st.name for st in problem.stations}
    instructors = {i.id for i in problem.instructors}
    out: list[Constraint] = []
    for k, session in enumerate(plan.sessions):
        sid = session.session
        present = {problem.participants[i].id for i in problem.layout(k).present}
        numbers = chosen.get(sid, set())
        for team in session.teams:
            if team.number in numbers:
                out += [Pin(pid, team.number, session=sid) for pid in team.members if pid in present]
                if roles:
                    for name, holders in team.roles.items():
                        role = role_names.get(name)
                        if role is not None and role.applies_to(sid):
                            out += [RolePin(pid, name, sid) for pid in holders if pid in present]
                if stations:
                    out += [
                        StationPin(team.number, station, sid, slot=slot)
                        for slot, station in enumerate(team.stations, start=1)
                        if station in station_names
                    ]
            else:
                out += [Pin(pid, team.number, session=sid) for pid in team.members if pid in people and pid in present]
        if stations and sid in whole:
            out += [
                StaffPin(entry.instructor, entry.station, sid, slot=entry.slot)
                for entry in session.staff
                if entry.station in station_names and entry.instructor in instructors
            ]
    return tuple(out)


def _known_session(sid: str, session_ids: list[str]) -> None:
    if sid not in session_ids:
        raise ModelError(f"unknown session {sid!r}{did_you_mean(sid, session_ids)}")
