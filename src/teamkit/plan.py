"""A plan: who is in which team in every session, with the roles members hold, the
station each team is at in every slot, and who runs each station. It stands alone: with the problem it was
made for, :func:`teamkit.check` recomputes every violation and metric from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
import numpy as np

from teamkit._frozen import FrozenMap
from teamkit.exceptions import PlanFileError
from teamkit.model import ProblemData


def _roles(value: Mapping[str, Iterable[str]] | None) -> Mapping[str, tuple[str, ...]]:
    return FrozenMap({str(role): tuple(ids) for role, ids in dict(value or {}).items()})


@attrs.frozen
class Team:
    """One team of one session.

    Attributes:
        number: from 1.
        members: the members' ids.
        roles: role name -> the ids of the members who hold it.
        stations: per slot of the session, the station the team is at (``None`` in a
            plenary slot); a station that lasts two slots appears twice in a row.
    """

    number: int
    members: tuple[str, ...] = attrs.field(converter=tuple)
    roles: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_roles, kw_only=True)
    stations: tuple[str | None, ...] = attrs.field(default=(), converter=tuple, kw_only=True)

    def role_of(self, participant_id: str) -> str | None:
        """The role the participant holds in this team, or ``None``."""
        for role, holders in self.roles.items():
            if participant_id in holders:
                return role
        return None


@attrs.frozen
class StaffSlot:
    """Instructor ``instructor`` runs ``station`` in slot ``slot`` (from 1)."""

    slot: int
    station: str
    instructor: str


@attrs.frozen
class SessionPlan:
    """The teams of one session, numbered 1 to T, and who runs which station in each slot."""

    session: str
    teams: tuple[Team, ...] = attrs.field(converter=tuple)
    staff: tuple[StaffSlot, ...] = attrs.field(default=(), converter=tuple, kw_only=True)

    def team(self, number: int) -> Team:
        """The team numbered ``number`` (from 1)."""
        return self.teams[number - 1]

    def team_of(self, participant_id: str) -> int | None:
        """The number of the participant's team, or ``None`` when absent."""
        for team in self.teams:
            if participant_id in team.members:
                return team.number
        return None


@attrs.frozen
class Plan:
    """The teams of every session, in the problem's session order."""

    sessions: tuple[SessionPlan, ...] = attrs.field(converter=tuple)

    def session(self, session_id: str) -> SessionPlan:
        """The plan of session ``session_id``."""
        for s in self.sessions:
            if s.session == session_id:
                return s
        raise KeyError(f"the plan has no session {session_id!r}")

    def team_of(self, participant_id: str, session_id: str) -> int | None:
        """The number of the participant's team in a session, or ``None`` when absent."""
        return self.session(session_id).team_of(participant_id)

    @classmethod
    def from_assignment(cls, problem: ProblemData, assignment: np.ndarray) -> Plan:
        """Builds a plan from an array ``assignment[session, participant]`` of team indices
        counted from 0, with -1 for participants who are absent."""
        sessions = []
        for k, session in enumerate(problem.sessions):
            num_teams = problem.layout(k).num_teams
            members: list[list[str]] = [[] for _ in range(num_teams)]
            for i, team in enumerate(assignment[k]):
                if team >= 0:
                    members[int(team)].append(problem.participants[i].id)
            teams = (Team(t + 1, tuple(m)) for t, m in enumerate(members))
            sessions.append(SessionPlan(session.id, teams))
        return cls(tuple(sessions))

    def require_sessions_of(self, problem: ProblemData) -> None:
        """Raises :class:`PlanFileError` unless the plan's sessions are the problem's, in order."""
        known = [s.id for s in problem.sessions]
        if [s.session for s in self.sessions] != known:
            raise PlanFileError(
                f"the plan's sessions {[s.session for s in self.sessions]} are not the problem's {known}"
            )

    def to_assignment(self, problem: ProblemData) -> np.ndarray:
        """The inverse of :meth:`from_assignment`. Raises :class:`PlanFileError` when the plan
        does not fit the problem (unknown session or participant, someone in two teams)."""
        self.require_sessions_of(problem)
        out = np.full((len(problem.sessions), problem.num_participants), -1, dtype=np.int32)
        for k, session in enumerate(self.sessions):
            for t, team in enumerate(session.teams):
                if team.number != t + 1:
                    raise PlanFileError(f"session {session.session!r}: team {t + 1} is numbered {team.number}")
                for pid in team.members:
                    if not problem.has_participant(pid):
                        raise PlanFileError(
                            f"session {session.session!r}, team {team.number}: unknown participant {pid!r}"
                        )
                    i = problem.index(pid)
                    if out[k, i] == t:
                        raise PlanFileError(
                            f"session {session.session!r}: {pid!r} is listed twice in team {team.number}"
                        )
                    if out[k, i] >= 0:
                        raise PlanFileError(
                            f"session {session.session!r}: {pid!r} is in team {out[k, i] + 1} and team {team.number}"
                        )
                    out[k, i] = t
        return out
