"""A plan: who is in which team in every session. It stands alone: with the problem it was
made for, :func:`teamkit.check` recomputes every violation and metric from it."""

from __future__ import annotations

import attrs
import numpy as np

from teamkit.exceptions import PlanFileError
from teamkit.model import ProblemData


@attrs.frozen
class Team:
    """One team of one session: its number (from 1) and its members' ids."""

    number: int
    members: tuple[str, ...] = attrs.field(converter=tuple)


@attrs.frozen
class SessionPlan:
    """The teams of one session, numbered 1 to T."""

    session: str
    teams: tuple[Team, ...] = attrs.field(converter=tuple)

    def team(self, number: int) -> Team:
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

    def to_assignment(self, problem: ProblemData) -> np.ndarray:
        """The inverse of :meth:`from_assignment`. Raises :class:`PlanFileError` when the plan
        does not fit the problem (unknown session or participant, someone in two teams)."""
        known = [s.id for s in problem.sessions]
        if [s.session for s in self.sessions] != known:
            raise PlanFileError(
                f"the plan's sessions {[s.session for s in self.sessions]} are not the problem's {known}"
            )
        out = np.full((len(problem.sessions), problem.num_participants), -1, dtype=np.int32)
        for k, session in enumerate(self.sessions):
            for t, team in enumerate(session.teams):
                if team.number != t + 1:
                    raise PlanFileError(f"session {session.session!r}: team {t + 1} is numbered {team.number}")
                for pid in team.members:
                    if not problem.has_participant(pid):
                        raise PlanFileError(f"session {session.session!r}, team {team.number}: unknown participant {pid!r}")
                    i = problem.index(pid)
                    if out[k, i] >= 0:
                        raise PlanFileError(
                            f"session {session.session!r}: {pid!r} is in team {out[k, i] + 1} and team {team.number}"
                        )
                    out[k, i] = t
        return out

