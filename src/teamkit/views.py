"""A plan read by person, by team and by station: the rows of a personal agenda, a team
roster and a station timetable.

These read the plan as it is written and do not judge it (:func:`teamkit.check` does), so a
faulty plan still shows what it says. Every function returns a tuple of frozen rows in a
fixed order; people are listed by name.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from teamkit.model import ProblemData, Session, station_slots
from teamkit.plan import Plan, Team


@attrs.frozen
class AgendaRow:
    """Where one participant is in one slot of one session.

    Attributes:
        participant: their id; ``name`` their display name.
        session: the session id; ``session_name`` its display name; ``day`` its day, if any.
        slot: the slot number from 1, or ``None`` for a session without slots (one row).
        team: the number of their team.
        role: the role they hold in the session, or ``None``.
        station: the team's station in the slot; ``None`` in a plenary slot or without slots.
        teammates: the ids of the other members of the team, by name.
    """

    participant: str
    name: str
    session: str
    session_name: str
    day: str | None
    slot: int | None
    team: int
    role: str | None
    station: str | None
    teammates: tuple[str, ...]


@attrs.frozen
class RosterMember:
    """One member of a team, with the role they hold (``None``: none)."""

    id: str
    name: str
    role: str | None


@attrs.frozen
class RosterRow:
    """One team of one session: its members, by name, and its station in every slot
    (``None`` in a plenary slot; empty for a session without slots)."""

    session: str
    session_name: str
    team: int
    members: tuple[RosterMember, ...]
    stations: tuple[str | None, ...]


@attrs.frozen
class TimetableRow:
    """One station in one slot of one session: the numbers of the teams there and the ids of
    the instructors running it."""

    station: str
    session: str
    slot: int
    teams: tuple[int, ...]
    instructors: tuple[str, ...]


def _by_name(ids: list[str], names: Mapping[str, str]) -> list[str]:
    # The id breaks ties, so that two people with the same name keep a fixed order.
    return sorted(ids, key=lambda pid: (names.get(pid, pid), pid))


def _station_at(team: Team, slot: int) -> str | None:
    return team.stations[slot - 1] if slot <= len(team.stations) else None


def _slots(session: Session) -> tuple[int | None, ...]:
    return tuple(range(1, session.slots + 1)) if session.slots else (None,)


def agenda(problem: ProblemData, plan: Plan, participant_id: str | None = None) -> tuple[AgendaRow, ...]:
    """Every participant's day: one row per participant, session and slot (one row per
    session without slots), by participant in roster order, then session, then slot. With
    ``participant_id``, only that person's rows (an unknown id raises ``ModelError``).
    Sessions in which a person is in no team have no rows for them."""
    names = {p.id: p.name for p in problem.participants}
    if participant_id is None:
        people = problem.participants
    else:
        people = (problem.participants[problem.index(participant_id)],)
    # Per session of the plan, each placed person's team, read once rather than per person.
    sessions = [(problem.sessions[problem.session_index(sp.session)], sp) for sp in plan.sessions]
    teams_of = [{pid: team for team in sp.teams for pid in team.members} for _, sp in sessions]
    rows: list[AgendaRow] = []
    for person in people:
        for (session, _), placed in zip(sessions, teams_of):
            team = placed.get(person.id)
            if team is None:
                continue
            role = team.role_of(person.id)
            mates = tuple(_by_name([m for m in team.members if m != person.id], names))
            for slot in _slots(session):
                rows.append(
                    AgendaRow(
                        participant=person.id,
                        name=person.name,
                        session=session.id,
                        session_name=session.name,
                        day=session.day,
                        slot=slot,
                        team=team.number,
                        role=role,
                        station=None if slot is None else _station_at(team, slot),
                        teammates=mates,
                    )
                )
    return tuple(rows)


def rosters(problem: ProblemData, plan: Plan) -> tuple[RosterRow, ...]:
    """One row per session and team, in plan order: the members with their roles, and the
    team's station per slot."""
    names = {p.id: p.name for p in problem.participants}
    rows: list[RosterRow] = []
    for sp in plan.sessions:
        session = problem.sessions[problem.session_index(sp.session)]
        for team in sp.teams:
            members = tuple(
                RosterMember(id=pid, name=names.get(pid, pid), role=team.role_of(pid))
                for pid in _by_name(list(dict.fromkeys(team.members)), names)
            )
            rows.append(
                RosterRow(
                    session=session.id,
                    session_name=session.name,
                    team=team.number,
                    members=members,
                    stations=tuple(_station_at(team, j) for j in range(1, session.slots + 1)),
                )
            )
    return tuple(rows)


def timetable(problem: ProblemData, plan: Plan) -> tuple[TimetableRow, ...]:
    """One row per station, session and slot, by station in the problem's order (then any
    station the plan names that the problem lacks), session and slot. A station has a row
    for every station slot in which it is open, and for any other slot in which the plan
    puts a team or an instructor there."""
    teams: dict[tuple[str, str, int], list[int]] = {}
    staff: dict[tuple[str, str, int], list[str]] = {}
    used: dict[tuple[str, str], set[int]] = {}  # (station, session) -> slots the plan fills
    order = {st.name: None for st in problem.stations}
    for sp in plan.sessions:
        for team in sp.teams:
            for j, name in enumerate(team.stations, start=1):
                if name is not None:
                    order.setdefault(name, None)
                    teams.setdefault((name, sp.session, j), []).append(team.number)
                    used.setdefault((name, sp.session), set()).add(j)
        for entry in sp.staff:
            order.setdefault(entry.station, None)
            here = staff.setdefault((entry.station, sp.session, entry.slot), [])
            if entry.instructor not in here:
                here.append(entry.instructor)
            used.setdefault((entry.station, sp.session), set()).add(entry.slot)
    stations = {st.name: st for st in problem.stations}
    rows: list[TimetableRow] = []
    for name in order:
        station = stations.get(name)
        for sp in plan.sessions:
            session = problem.sessions[problem.session_index(sp.session)]
            slots = set(used.get((name, session.id), ()))
            if station is not None:
                slots.update(j for j in station_slots(session) if station.open_in(session.id, j))
            for j in sorted(slots):
                key = (name, session.id, j)
                rows.append(
                    TimetableRow(
                        station=name,
                        session=session.id,
                        slot=j,
                        teams=tuple(sorted(teams.get(key, ()))),
                        instructors=tuple(staff.get(key, ())),
                    )
                )
    return tuple(rows)


__all__ = [
    "AgendaRow",
    "RosterMember",
    "RosterRow",
    "TimetableRow",
    "agenda",
    "rosters",
    "timetable",
]
