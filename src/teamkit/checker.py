"""The independent checker: recomputes every constraint of a problem from the problem and a
plan alone.

It is the oracle the solver is tested against, so it is written plainly (dicts and loops,
numpy only for the distance matrix) and imports nothing from the engine. Every formula is the
one in the docstrings of :mod:`teamkit.constraints`.

Conventions:

- Team statistics (counts, sizes, means) use the members of a team who attend the session.
  A participant placed in a session they are absent from is reported as an ``"assignment"``
  violation and otherwise ignored. A participant who attends but is in no team is reported
  too, and counts as being in no team: a pin or a together constraint on them is broken, an
  apart or hierarchy pair with them is not.
- Whole-session statistics (``n``, ``c_v`` of Balance, ``mu`` and ``sigma`` of
  NumericBalance) use everyone present, placed or not.
- The number of teams is compared with the layout (``"team sizes"``); team ``t`` is checked
  against the ``t``-th size range of the layout, and surplus teams only against the count.
- Roles, stations and staff are checked as the plan writes them (``"roles"``, ``"stations"``,
  ``"staff"``). A *turn* is one session in which a person is listed as holder of a role the
  session has. A team whose list of stations does not have one entry per slot is reported
  once and left out of everything that reads stations per slot (capacity, durations, staff
  needs, station rules), so that one fault is not reported again in every slot. An entry in
  a plenary slot is reported and otherwise read as no station.
- A *visit* is one stay at a station: a run of consecutive slots at it, broken by a plenary
  slot or another station. A run longer than the station's duration is reported under
  ``"stations"``; the rules that count visits count it once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from teamkit._frozen import FrozenMap
from teamkit.activities import matches
from teamkit.constraints import (
    Apart,
    AvoidRepeats,
    AvoidStations,
    Balance,
    Diversity,
    ExerciseOnce,
    FairTurns,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
    StationPin,
    Together,
    fair_share_bounds,
)
from teamkit.exceptions import PlanFileError
from teamkit.model import ProblemData, Session, is_missing, station_slots
from teamkit.plan import Plan, SessionPlan

ASSIGNMENT = "assignment"
TEAM_SIZES = "team sizes"
KEEP_TEAMS = "keep teams"
ROLES = "roles"
STATIONS = "stations"
STAFF = "staff"

#: A hard numeric balance is broken when a team mean is further than this beyond the tolerance.
NUMERIC_EPS = 1e-9
#: How many ids a message lists before it says "and N more".
_MAX_NAMES = 12
#: How many violation lines :meth:`CheckReport.summary` prints.
_MAX_LINES = 50


@attrs.frozen
class Violation:
    """One broken hard constraint (or structural fault) in one session."""

    constraint: str
    session: str
    team: int | None
    amount: float
    message: str


@attrs.frozen
class TeamMetrics:
    """Facts about one team of one session."""

    session: str
    team: int
    size: int
    counts: Mapping[str, Mapping[Any, int]]
    means: Mapping[str, float]
    diversity: float


@attrs.frozen
class MeetingReport:
    """Who met whom over the event. Two people *meet* when they share a team in a session;
    sessions that keep the previous teams form one block, and a pair meets once per block.

    Attributes:
        repeated_pairs: the repeated meetings, ``sum over pairs of max(0, meetings - 1)``.
        pairs_met_again: how many pairs met more than once.
        max_meetings: the most meetings of any pair (0 when nobody met).
        distinct_met: per participant id, how many different people they shared a team with.
        new_contacts: per session id, the pairs who met for the first time in that session.
    """

    repeated_pairs: int
    pairs_met_again: int
    max_meetings: int
    distinct_met: Mapping[str, int]
    new_contacts: Mapping[str, int]

    def distinct_met_distribution(self) -> Mapping[int, int]:
        """How many participants met each number of different people."""
        out: dict[int, int] = {}
        for count in self.distinct_met.values():
            out[count] = out.get(count, 0) + 1
        return FrozenMap(dict(sorted(out.items())))


@attrs.frozen
class ActivityReport:
    """Roles held and stations visited over the event.

    Attributes:
        role_turns: per participant id, per role name, the turns they held it (every
            participant and every role, zeros included).
        turn_distribution: per role, how many people held it each number of times, counting
            the people eligible for it and anyone else who held it.
        repeats_within_day: exercises done again on the same day, ``sum over participants,
            stations and days of max(0, visits - 1)`` (sessions grouped by
            :meth:`~teamkit.ProblemData.days`).
        repeats_over_event: the same over the whole event.
        station_load: per ``(session id, slot)`` of every station slot, per station, the
            teams there: every station open in the slot, and any other that receives a team.
        repeats_by_station: ``repeats_over_event`` split by station (every station, in the
            problem's order): which exercises people do again, the ones to look at first
            when there are too many (an evening with too few indoor stations, say).
        repeat_distribution: how many participants did each number of exercises again over
            the event (everyone counted, from 0 up): whether the repeats are shared out or
            fall on a few.
    """

    role_turns: Mapping[str, Mapping[str, int]]
    turn_distribution: Mapping[str, Mapping[int, int]]
    repeats_within_day: int
    repeats_over_event: int
    station_load: Mapping[tuple[str, int], Mapping[str, int]]
    repeats_by_station: Mapping[str, int] = attrs.field(factory=dict, converter=FrozenMap)
    repeat_distribution: Mapping[int, int] = attrs.field(factory=dict, converter=FrozenMap)

    def summary_lines(self) -> list[str]:
        """The lines :meth:`CheckReport.summary` prints about roles and stations."""
        lines = []
        for role, spread in self.turn_distribution.items():
            counts = ", ".join(
                f"{turns} ({people} {'person' if people == 1 else 'people'})" for turns, people in spread.items()
            )
            lines.append(f"role {role}: turns per person {counts}")
        if self.station_load:
            lines.append(
                f"exercises repeated: {self.repeats_within_day} within a day, {self.repeats_over_event} over the event"
            )
        if self.repeats_over_event:
            # most repeated first; a stable sort keeps ties in the problem's order
            most = sorted((item for item in self.repeats_by_station.items() if item[1]), key=lambda item: -item[1])
            lines.append(
                "exercises repeated over the event, most often: "
                + ", ".join(f"{name} {n}" for name, n in most[:MOST_REPEATED])
            )
            people = ", ".join(
                f"{count} ({n} {'person' if n == 1 else 'people'})" for count, n in self.repeat_distribution.items()
            )
            lines.append(f"exercises repeated per person over the event: {people}")
        return lines


@attrs.frozen
class CheckReport:
    """Everything :func:`check` found about a plan.

    ``activities`` is ``None`` when the problem has neither roles nor stations."""

    violations: tuple[Violation, ...]
    penalties: Mapping[str, float]
    breakdown: Mapping[str, float]
    objective: float
    hard_violations: float
    teams: tuple[TeamMetrics, ...]
    meetings: MeetingReport
    activities: ActivityReport | None = None

    @property
    def feasible(self) -> bool:
        """Whether the plan meets every hard constraint (and is well formed)."""
        return not self.violations

    def summary(self) -> str:
        """A few lines for a person to read."""
        lines: list[str] = []
        if self.feasible:
            lines.append("feasible: every hard constraint is met")
        else:
            lines.append(f"NOT feasible: {len(self.violations)} violation(s), total amount {self.hard_violations:g}")
            for v in self.violations[:_MAX_LINES]:
                lines.append(f"- [{v.constraint}] session {v.session!r}: {v.message}")
            if len(self.violations) > _MAX_LINES:
                lines.append(f"... and {len(self.violations) - _MAX_LINES} more")
        lines.append(f"objective: {self.objective:.6g}")
        mr = self.meetings
        if len(mr.new_contacts) > 1:
            met = list(mr.distinct_met.values())
            lines.append(
                f"meetings: {mr.repeated_pairs} repeated ({mr.pairs_met_again} pairs met again, at most "
                f"{mr.max_meetings} times); people met per participant: {min(met, default=0)} to {max(met, default=0)}"
            )
        if self.activities is not None:
            lines.extend(self.activities.summary_lines())
        for name, value in self.breakdown.items():
            lines.append(f"  {name}: {value:.6g} (penalty {self.penalties[name]:.6g})")
        hard = [name for name in self.penalties if name not in self.breakdown]
        if hard:
            lines.append("hard constraints (penalty):")
            for name in hard:
                lines.append(f"  {name}: {self.penalties[name]:.6g}")
        attributes: list[str] = []
        for tm in self.teams:
            for attribute in tm.means:
                if attribute not in attributes:
                    attributes.append(attribute)
        if attributes:
            lines.append("team means:")
            for attribute in attributes:
                means = [tm.means[attribute] for tm in self.teams if not math.isnan(tm.means.get(attribute, math.nan))]
                if means:
                    lines.append(f"  {attribute}: {min(means):.4g} to {max(means):.4g}")
                else:
                    lines.append(f"  {attribute}: no values")
        return "\n".join(lines)


# -- helpers -----------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _names(ids: Sequence[str]) -> str:
    if len(ids) <= _MAX_NAMES:
        return ", ".join(ids)
    return ", ".join(ids[:_MAX_NAMES]) + f", and {len(ids) - _MAX_NAMES} more"


def _pairs(m: int) -> int:
    return m * (m - 1) // 2


def _value_matches(value: Any, wanted: tuple[str, ...] | None) -> bool:
    if wanted is None:
        return True
    return value in wanted or str(value) in wanted


def _mean_sd(values: list[float]) -> tuple[float, float]:
    """Mean and population standard deviation (ddof=0)."""
    mean = math.fsum(values) / len(values)
    var = math.fsum((x - mean) ** 2 for x in values) / len(values)
    return mean, math.sqrt(var)


class _Session:
    """One session of the plan, read once: who is where."""

    def __init__(self, problem: ProblemData, k: int, row: np.ndarray, num_plan_teams: int) -> None:
        self.id = problem.sessions[k].id
        layout = problem.layout(k)
        self.layout = layout
        self.present: tuple[int, ...] = layout.present
        self.is_present = [False] * problem.num_participants
        for i in self.present:
            self.is_present[i] = True
        # team_of[i]: team index from 0 for placed participants who attend, else -1
        self.team_of = [-1] * problem.num_participants
        self.members: list[list[int]] = [[] for _ in range(num_plan_teams)]
        self.missing: list[int] = []
        self.intruders: list[tuple[int, int]] = []  # (participant, team index) absent but placed
        for i in range(problem.num_participants):
            t = int(row[i])
            if self.is_present[i]:
                if t < 0:
                    self.missing.append(i)
                else:
                    self.team_of[i] = t
                    self.members[t].append(i)
            elif t >= 0:
                self.intruders.append((i, t))


# -- the check ---------------------------------------------------------------------------------
def check(problem: ProblemData, plan: Plan) -> CheckReport:
    """Recomputes every constraint of ``problem`` on ``plan``.

    Raises :class:`PlanFileError` when the plan does not fit the problem at all (other
    sessions, unknown participants, someone in two teams, teams numbered out of order).
    """
    if not isinstance(plan, Plan):
        raise PlanFileError(f"not a plan: {plan!r}")
    assignment = plan.to_assignment(problem)
    ids = [p.id for p in problem.participants]
    names = problem.constraint_names()
    pairs = list(zip(problem.constraints, names))

    # attribute values, missing ones as None, read once
    value_cache: dict[str, list[Any]] = {}

    def values(attribute: str) -> list[Any]:
        if attribute not in value_cache:
            out = []
            for p in problem.participants:
                v = p.get(attribute)
                out.append(None if is_missing(v) else v)
            value_cache[attribute] = out
        return value_cache[attribute]

    superiors: dict[str, list[tuple[int, int, int]]] = {}
    for c, name in pairs:
        if isinstance(c, Hierarchy):
            with_level = []
            previous, level = None, 0
            for i, boss in problem.superiors(c):
                level = level + 1 if i == previous else 1
                previous = i
                with_level.append((i, boss, level))
            superiors[name] = with_level

    count_attributes: list[str] = []
    mean_attributes: list[str] = []
    for c in problem.constraints:
        if isinstance(c, (Spread, Balance, NoIsolation)) and c.attribute not in count_attributes:
            count_attributes.append(c.attribute)
        if isinstance(c, NumericBalance) and c.attribute not in mean_attributes:
            mean_attributes.append(c.attribute)

    violations: list[Violation] = []
    penalties: dict[str, float] = {name: 0.0 for name in names}
    teams: list[TeamMetrics] = []
    acts: list[_Activity] = []

    for k, session_plan in enumerate(plan.sessions):
        s = _Session(problem, k, assignment[k], len(session_plan.teams))
        found: list[Violation] = []
        _check_structure(s, ids, found)
        team_diversity = [0.0] * len(s.members)
        if problem.sessions[k].keep_teams and k > 0:
            _check_kept_teams(problem, k, assignment, ids, found)
        act = _Activity(problem, problem.sessions[k], session_plan, s, found)
        acts.append(act)
        for c, name in pairs:
            if not c.applies_to(s.id) or c.across_sessions:
                continue
            cells: list[tuple[int | None, float, str]] = []  # (team number, amount, message)
            if isinstance(c, Spread):
                total = _spread(c, s, values(c.attribute), ids, cells)
            elif isinstance(c, Balance):
                total = _balance(c, s, values(c.attribute), ids, cells)
            elif isinstance(c, NoIsolation):
                total = _no_isolation(c, s, values(c.attribute), ids, cells)
            elif isinstance(c, NumericBalance):
                total = _numeric_balance(c, s, values(c.attribute), cells)
            elif isinstance(c, Diversity):
                per_team = _diversity(c, problem, s, values)
                for t, d in enumerate(per_team):
                    team_diversity[t] += d
                total = math.fsum(per_team)
            elif isinstance(c, Together):
                total = _together(c, problem, s, cells)
            elif isinstance(c, Apart):
                total = _apart(c, problem, s, cells)
            elif isinstance(c, Pin):
                total = _pin(c, problem, s, cells)
            elif isinstance(c, Hierarchy):
                total = _hierarchy(c, superiors[name], s, ids, cells)
            elif isinstance(c, RolePin):
                total = _role_pin(c, problem, s, act, cells)
            elif isinstance(c, AvoidStations):
                total = _avoid_stations(c, problem, s, act, ids, cells)
            elif isinstance(c, StaffPin):
                total = _staff_pin(c, act, cells)
            elif isinstance(c, StationPin):
                total = _station_pin(c, act, cells)
            else:  # pragma: no cover - every kind is handled above
                raise TypeError(f"the checker does not know constraint kind {type(c).__name__}")
            penalties[name] += total
            if c.hard:
                found.extend(Violation(name, s.id, team, float(amount), message) for team, amount, message in cells)
        violations.extend(found)

        for t, members in enumerate(s.members):
            counts = {}
            for attribute in count_attributes:
                vals = values(attribute)
                tally: dict[Any, int] = {}
                for i in members:
                    tally[vals[i]] = tally.get(vals[i], 0) + 1
                counts[attribute] = FrozenMap(tally)
            means = {}
            for attribute in mean_attributes:
                vals = values(attribute)
                xs = [float(vals[i]) for i in members if vals[i] is not None]
                means[attribute] = math.fsum(xs) / len(xs) if xs else math.nan
            teams.append(
                TeamMetrics(
                    session=s.id,
                    team=t + 1,
                    size=len(members),
                    counts=FrozenMap(counts),
                    means=FrozenMap(means),
                    diversity=team_diversity[t],
                )
            )

    _check_max_turns(problem, acts, violations)
    blocks = problem.blocks()
    # Who shares a team in each session, read once for every across-session rule and the report.
    met = [_session_pairs(problem, k, assignment) for k in range(len(problem.sessions))]
    for c, name in pairs:
        if c.across_sessions:
            if c.stage == "teams":
                penalties[name] = _across(c, name, problem, met, blocks, ids, values, violations)
            else:
                penalties[name] = _across_activities(c, name, problem, acts, violations)
    breakdown: dict[str, float] = {}
    for c, name in pairs:
        if c.hard:
            continue
        if isinstance(c, Diversity):
            breakdown[name] = -c.weight * penalties[name]
        else:
            breakdown[name] = c.weight * penalties[name]
    return CheckReport(
        violations=tuple(violations),
        penalties=FrozenMap(penalties),
        breakdown=FrozenMap(breakdown),
        objective=math.fsum(breakdown.values()),
        hard_violations=math.fsum(v.amount for v in violations),
        teams=tuple(teams),
        meetings=_meeting_report(problem, met, blocks, ids),
        activities=_activity_report(problem, acts) if problem.roles or problem.stations else None,
    )


# -- across sessions ---------------------------------------------------------------------------
def _session_pairs(problem: ProblemData, k: int, assignment: np.ndarray) -> set[tuple[int, int]]:
    """Pairs (i < j) who attend session k and share a team in it."""
    teams: dict[int, list[int]] = {}
    for i in problem.layout(k).present:
        t = int(assignment[k][i])
        if t >= 0:
            teams.setdefault(t, []).append(i)
    out: set[tuple[int, int]] = set()
    for members in teams.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                out.add((members[a], members[b]))
    return out


def _meeting_counts(met: list[set[tuple[int, int]]], blocks, sessions: set[int] | None) -> dict[tuple[int, int], int]:
    """Meetings per pair: one for every block in which the pair shares a team (``met[k]``:
    the pairs of session k), counting only ``sessions``."""
    counts: dict[tuple[int, int], int] = {}
    for block in blocks:
        together: set[tuple[int, int]] = set()
        for k in block:
            if sessions is None or k in sessions:
                together |= met[k]
        for pair in together:
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def _scope(problem: ProblemData, c) -> set[int] | None:
    if c.sessions is None:
        return None
    return {k for k, s in enumerate(problem.sessions) if s.id in c.sessions}


def _across(c, name, problem, met, blocks, ids, values, violations: list[Violation]) -> float:
    """The penalty of one across-session constraint; hard breaks go to ``violations``."""
    scope = _scope(problem, c)
    session_ids = [s.id for s in problem.sessions]
    if isinstance(c, (MeetAtMost, AvoidRepeats)):
        counts = _meeting_counts(met, blocks, scope)
        if isinstance(c, AvoidRepeats):
            return float(sum(max(0, m - 1) ** c.power for m in counts.values()))
        total = 0
        for (a, b), m in sorted(counts.items()):
            excess = max(0, m - c.times)
            if not excess:
                continue
            total += excess
            if c.hard:
                where = [
                    session_ids[k]
                    for k in range(len(session_ids))
                    if (scope is None or k in scope) and (a, b) in met[k]
                ]
                violations.append(
                    Violation(
                        name,
                        ", ".join(where),
                        None,
                        float(excess),
                        f"{ids[a]} and {ids[b]} share a team {m} times (sessions {', '.join(where)}); "
                        f"at most {c.times} allowed",
                    )
                )
        return float(total)
    if isinstance(c, Reach):
        vals = values(c.attribute)
        seen: dict[int, set] = {}
        for k in range(len(problem.sessions)):
            if scope is not None and k not in scope:
                continue
            for a, b in met[k]:
                if vals[b] is not None:
                    seen.setdefault(a, set()).add(vals[b])
                if vals[a] is not None:
                    seen.setdefault(b, set()).add(vals[a])
        attending = {
            i for k in range(len(problem.sessions)) if scope is None or k in scope for i in problem.layout(k).present
        }
        return float(sum(max(0, c.at_least - len(seen.get(i, ()))) for i in attending))
    raise TypeError(f"the checker does not know constraint kind {type(c).__name__}")  # pragma: no cover


def _check_kept_teams(
    problem: ProblemData, k: int, assignment: np.ndarray, ids: list[str], found: list[Violation]
) -> None:
    before, now = problem.sessions[k - 1], problem.sessions[k]
    present_before = set(problem.layout(k - 1).present)
    for i in problem.layout(k).present:
        a, b = int(assignment[k - 1][i]), int(assignment[k][i])
        if i in present_before and a >= 0 and b >= 0 and a != b:
            found.append(
                Violation(
                    KEEP_TEAMS,
                    now.id,
                    b + 1,
                    1.0,
                    f"{ids[i]} is in team {a + 1} in {before.id!r} but in team {b + 1} in {now.id!r}, "
                    "which keeps the previous teams",
                )
            )


def _meeting_report(problem: ProblemData, met: list[set[tuple[int, int]]], blocks, ids: list[str]) -> MeetingReport:
    counts = _meeting_counts(met, blocks, None)
    partners: dict[int, set[int]] = {}
    for a, b in counts:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    seen: set[tuple[int, int]] = set()
    new_contacts: dict[str, int] = {}
    for k, session in enumerate(problem.sessions):
        new_contacts[session.id] = len(met[k] - seen)
        seen |= met[k]
    return MeetingReport(
        repeated_pairs=sum(m - 1 for m in counts.values() if m > 1),
        pairs_met_again=sum(1 for m in counts.values() if m > 1),
        max_meetings=max(counts.values(), default=0),
        distinct_met=FrozenMap({ids[i]: len(partners.get(i, ())) for i in range(len(ids))}),
        new_contacts=FrozenMap(new_contacts),
    )


# -- structure ---------------------------------------------------------------------------------
def _check_structure(s: _Session, ids: list[str], found: list[Violation]) -> None:
    for i in s.missing:
        found.append(Violation(ASSIGNMENT, s.id, None, 1.0, f"{ids[i]} attends session {s.id!r} but is in no team"))
    for i, t in s.intruders:
        found.append(
            Violation(
                ASSIGNMENT, s.id, t + 1, 1.0, f"{ids[i]} is absent from session {s.id!r} but placed in team {t + 1}"
            )
        )
    expected = s.layout.num_teams
    if len(s.members) != expected:
        found.append(
            Violation(
                TEAM_SIZES,
                s.id,
                None,
                float(abs(len(s.members) - expected)),
                f"the plan has {len(s.members)} teams in session {s.id!r}; the session needs {expected}",
            )
        )
    for t, members in enumerate(s.members[:expected]):
        low, high = s.layout.sizes[t]
        size = len(members)
        if size < low or size > high:
            amount = low - size if size < low else size - high
            allowed = f"{low}" if low == high else f"{low} to {high}"
            found.append(
                Violation(
                    TEAM_SIZES,
                    s.id,
                    t + 1,
                    float(amount),
                    f"team {t + 1} has {size} members ({_names([ids[i] for i in members])}); {allowed} allowed",
                )
            )


# -- roles, stations and staff -----------------------------------------------------------------
def _slot_list(slots: Sequence[int]) -> str:
    return ", ".join(str(j) for j in slots)


def _runs(at: Sequence[str | None]) -> list[tuple[str, int, int]]:
    """The stays in a team's stations per slot, as (station, first slot, last slot) from 1."""
    runs: list[tuple[str, int, int]] = []
    for j, name in enumerate(at, start=1):
        if name is None:
            continue
        if runs and runs[-1][0] == name and runs[-1][2] == j - 1:
            runs[-1] = (name, runs[-1][1], j)
        else:
            runs.append((name, j, j))
    return runs


class _Activity:
    """One session's roles, stations and staff as the plan writes them, read once. The
    structural faults ("roles", "stations", "staff") found on the way go to ``found``."""

    def __init__(
        self, problem: ProblemData, session: Session, plan: SessionPlan, s: _Session, found: list[Violation]
    ) -> None:
        self.session = session
        self.id = session.id
        self.plan = plan
        self.members = s.members
        self.stations = {st.name: st for st in problem.stations}
        # role name -> the people listed as its holders (each once), for the roles the session has
        self.held: dict[str, dict[str, None]] = {}
        # per team: the station in every slot (None in a plenary slot or at none), or None when
        # the team's list has the wrong length and cannot be read slot by slot
        self.at: list[tuple[str | None, ...] | None] = []
        self.runs: list[list[tuple[str, int, int]]] = []
        # station slot -> station -> the numbers of the teams there
        self.load: dict[int, dict[str, list[int]]] = {}
        # (slot, station) -> the instructors there
        self.staff: dict[tuple[int, str], list[str]] = {}
        self._read_roles(problem, found)
        self._read_stations(found)
        self._read_staff(problem, found)

    def _read_roles(self, problem: ProblemData, found: list[Violation]) -> None:
        sid = self.id
        roles = {r.name: r for r in problem.roles}
        here = [r for r in problem.roles if r.applies_to(sid)]
        seats: dict[str, list[tuple[str, int]]] = {}
        for t, team in enumerate(self.plan.teams):
            number = t + 1
            members = set(team.members)
            for name, listed in team.roles.items():
                holders = list(dict.fromkeys(listed))
                role = roles.get(name)
                if role is None or not role.applies_to(sid):
                    why = "there is no such role" if role is None else f"session {sid!r} does not have it"
                    found.append(
                        Violation(
                            ROLES,
                            sid,
                            number,
                            float(max(1, len(holders))),
                            f"team {number} lists role {name!r} ({_names(holders) or 'nobody'}), but {why}",
                        )
                    )
                    continue
                held = self.held.setdefault(name, {})
                for pid in holders:
                    held[pid] = None
                    seats.setdefault(pid, []).append((name, number))
                    fault = None
                    if not problem.has_participant(pid):
                        fault = "is not on the roster"
                    elif pid not in members:
                        fault = "is not a member of it"
                    elif not role.allows(pid, problem.participants[problem.index(pid)].attributes):
                        fault = "is not eligible for it"
                    if fault:
                        found.append(
                            Violation(ROLES, sid, number, 1.0, f"{pid} holds {name} in team {number} but {fault}")
                        )
            for role in here:
                holders = list(dict.fromkeys(team.roles.get(role.name, ())))
                if len(holders) != role.per_team:
                    found.append(
                        Violation(
                            ROLES,
                            sid,
                            number,
                            float(abs(len(holders) - role.per_team)),
                            f"team {number} has {len(holders)} {role.name} ({_names(holders) or 'nobody'}); "
                            f"exactly {role.per_team} needed",
                        )
                    )
        for pid, held_seats in seats.items():
            if len(held_seats) > 1:
                numbers = {n for _, n in held_seats}
                listing = ", ".join(f"{r} in team {n}" for r, n in held_seats)
                found.append(
                    Violation(
                        ROLES,
                        sid,
                        numbers.pop() if len(numbers) == 1 else None,
                        float(len(held_seats) - 1),
                        f"{pid} holds {len(held_seats)} roles in session {sid!r} ({listing}); one at most",
                    )
                )

    def _read_stations(self, found: list[Violation]) -> None:
        sid, slots = self.id, self.session.slots
        plenary = set(self.session.plenary)
        for t, team in enumerate(self.plan.teams):
            number = t + 1
            entries = tuple(team.stations)
            if len(entries) != slots:
                need = f"session {sid!r} has no slots" if slots == 0 else f"session {sid!r} has {slots} slots"
                found.append(
                    Violation(
                        STATIONS,
                        sid,
                        number,
                        float(abs(len(entries) - slots)),
                        f"team {number} has {len(entries)} station {'entry' if len(entries) == 1 else 'entries'}; "
                        f"{need}",
                    )
                )
                self.at.append(None)
                self.runs.append([])
                continue
            at: list[str | None] = []
            for j, name in enumerate(entries, start=1):
                fault = None
                if j in plenary:
                    if name is not None:
                        fault = f"team {number} is at {name!r} in slot {j}, a plenary slot"
                    name = None
                elif name is None:
                    fault = f"team {number} is at no station in slot {j}, which is not a plenary slot"
                elif name not in self.stations:
                    fault = f"team {number} is at unknown station {name!r} in slot {j}"
                elif not self.stations[name].open_in(sid, j):
                    fault = f"team {number} is at {name!r} in slot {j}, when it is closed"
                if fault:
                    found.append(Violation(STATIONS, sid, number, 1.0, fault))
                at.append(name)
            self.at.append(tuple(at))
            runs = _runs(at)
            self.runs.append(runs)
            for name, first, last in runs:
                station = self.stations.get(name)
                length = last - first + 1
                if station is not None and length != station.duration:
                    d = station.duration
                    repeat = ", a repeat visit" if length > d and length % d == 0 else ""
                    found.append(
                        Violation(
                            STATIONS,
                            sid,
                            number,
                            float(abs(length - d)),
                            f"team {number} is at {name!r} for {length} slot(s) in a row (slots {first} to "
                            f"{last}{repeat}); it takes {d}",
                        )
                    )
            starts: dict[str, list[int]] = {}
            for name, first, _ in runs:
                starts.setdefault(name, []).append(first)
            for name, firsts in starts.items():
                if len(firsts) > 1:
                    found.append(
                        Violation(
                            STATIONS,
                            sid,
                            number,
                            float(len(firsts) - 1),
                            f"team {number} goes to {name!r} {len(firsts)} times in session {sid!r} "
                            f"(from slots {_slot_list(firsts)}); once at most",
                        )
                    )
        for j in station_slots(self.session):
            load: dict[str, list[int]] = {}
            for t, at_t in enumerate(self.at):
                if at_t is not None and at_t[j - 1] is not None:
                    load.setdefault(at_t[j - 1], []).append(t + 1)
            self.load[j] = load
            for name, numbers in load.items():
                station = self.stations.get(name)
                if station is not None and len(numbers) > station.capacity:
                    found.append(
                        Violation(
                            STATIONS,
                            sid,
                            None,
                            float(len(numbers) - station.capacity),
                            f"{len(numbers)} teams are at {name!r} in slot {j} (teams "
                            f"{_slot_list(numbers)}); it holds {station.capacity}",
                        )
                    )

    def _read_staff(self, problem: ProblemData, found: list[Violation]) -> None:
        sid = self.id
        valid = station_slots(self.session)
        instructors = {i.id: i for i in problem.instructors}
        places: dict[tuple[str, int], list[str]] = {}
        for entry in self.plan.staff:
            who, name, j = entry.instructor, entry.station, entry.slot
            fault = None
            if name not in self.stations:
                fault = f"instructor {who} is at unknown station {name!r} in slot {j}"
            elif j not in valid:
                fault = (
                    f"instructor {who} runs {name!r} in slot {j}, which is not a station slot of session "
                    f"{sid!r} (those are {_slot_list(valid) or 'none'})"
                )
            elif who not in instructors:
                fault = f"unknown instructor {who!r} runs {name!r} in slot {j}"
            if fault:
                found.append(Violation(STAFF, sid, None, 1.0, fault))
                continue
            if not instructors[who].can_run(name, sid):
                # Reported, and still counted at the station: they are there, so the station
                # is not also short of staff.
                found.append(
                    Violation(
                        STAFF,
                        sid,
                        None,
                        1.0,
                        f"instructor {who} runs {name!r} in slot {j}, but cannot run it in session {sid!r}",
                    )
                )
            here = self.staff.setdefault((j, name), [])
            if who not in here:
                here.append(who)
            there = places.setdefault((who, j), [])
            if name not in there:
                there.append(name)
        for (who, j), names in places.items():
            if len(names) > 1:
                found.append(
                    Violation(
                        STAFF,
                        sid,
                        None,
                        float(len(names) - 1),
                        f"instructor {who} is at {len(names)} stations in slot {j} "
                        f"({', '.join(map(repr, names))}); one at most",
                    )
                )
        for j in valid:
            for name, numbers in self.load[j].items():
                station = self.stations.get(name)
                if station is None or not station.staff:
                    continue
                here = self.staff.get((j, name), [])
                if len(here) != station.staff:
                    who = f" ({_names(here)})" if here else ""
                    found.append(
                        Violation(
                            STAFF,
                            sid,
                            None,
                            float(abs(len(here) - station.staff)),
                            f"{name!r} receives team(s) {_slot_list(numbers)} in slot {j} and needs "
                            f"{station.staff} instructor(s), but has {len(here)}{who}",
                        )
                    )


def _check_max_turns(problem: ProblemData, acts: list[_Activity], violations: list[Violation]) -> None:
    """Nobody holds a role more often over the event than its ``max_turns``."""
    for role in problem.roles:
        if role.max_turns is None:
            continue
        where: dict[str, list[str]] = {}
        for act in acts:
            for pid in act.held.get(role.name, ()):
                where.setdefault(pid, []).append(act.id)
        for pid, sessions in where.items():
            if len(sessions) > role.max_turns:
                violations.append(
                    Violation(
                        ROLES,
                        ", ".join(sessions),
                        None,
                        float(len(sessions) - role.max_turns),
                        f"{pid} holds {role.name} {len(sessions)} times (sessions {', '.join(sessions)}); "
                        f"at most {role.max_turns} allowed",
                    )
                )


def _visits(acts: list[_Activity], sessions: Sequence[int]) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """Per (participant index, station), the visits in ``sessions`` as (session index, first
    slot). Participants visit with the team they are in."""
    out: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for k in sessions:
        act = acts[k]
        for t, runs in enumerate(act.runs):
            for i in act.members[t]:
                for name, first, _ in runs:
                    out.setdefault((i, name), []).append((k, first))
    return out


def _repeats(visits: dict[tuple[int, str], list[tuple[int, int]]]) -> int:
    return sum(max(0, len(where) - 1) for where in visits.values())


def _seats(problem: ProblemData, k: int, roles: Sequence[Any]) -> int:
    """The role turns of session ``k``: teams times holders per team, for the roles it has."""
    sid = problem.sessions[k].id
    return sum(problem.layout(k).num_teams * r.per_team for r in roles if r.applies_to(sid))


def _across_activities(c, name: str, problem: ProblemData, acts: list[_Activity], violations: list[Violation]) -> float:
    """The penalty of one across-session rule on roles or stations; hard breaks go to
    ``violations``. Only the sessions the rule applies to count."""
    scope = [k for k, session in enumerate(problem.sessions) if c.applies_to(session.id)]
    if isinstance(c, RoleShare):
        role = problem.role(c.role)
        turns = sum(_seats(problem, k, (role,)) for k in scope)
        wanted = {c.attribute: c.values}
        group = {p.id for p in problem.participants if matches(p.attributes, wanted)}
        share = c.share(turns, len(group), problem.num_participants)
        holders = [pid for k in scope for pid in acts[k].held.get(role.name, ()) if pid in group]
        short = max(0, share - len(holders))
        if short and c.hard:
            sessions = [problem.sessions[k].id for k in scope if role.applies_to(problem.sessions[k].id)]
            held_by = f" (held by {_names(list(dict.fromkeys(holders)))})" if holders else ""
            violations.append(
                Violation(
                    name,
                    ", ".join(sessions),
                    None,
                    float(short),
                    f"people with {c.attribute}={'|'.join(map(str, c.values))} ({len(group)} of "
                    f"{problem.num_participants}) hold {len(holders)} of the {turns} {role.name} turns{held_by}; "
                    f"at least {share} needed",
                )
            )
        return float(short)
    if isinstance(c, FairTurns):
        roles = problem.roles if c.role is None else (problem.role(c.role),)
        turns = sum(_seats(problem, k, roles) for k in scope)
        eligible = sum(1 for p in problem.participants if any(r.allows(p.id, p.attributes) for r in roles))
        if not eligible:
            return 0.0
        fair = -(-turns // eligible)
        held: dict[str, int] = {}
        for k in scope:
            for role in roles:
                for pid in acts[k].held.get(role.name, ()):
                    held[pid] = held.get(pid, 0) + 1
        return float(sum(max(0, h - fair) for h in held.values()))
    if isinstance(c, ExerciseOnce):
        if c.per == "day":
            groups = [tuple(k for k in day if k in scope) for day in problem.days()]
        else:
            groups = [tuple(scope)]
        total = 0
        for group in groups:
            visits = _visits(acts, group)
            if c.per == "event":
                span = "over the event"
            elif group and problem.sessions[group[0]].day is not None:
                span = f"on day {problem.sessions[group[0]].day}"
            else:  # a session without a day is a day of its own
                span = "in one session"
            if not c.hard:
                total += _repeats(visits)
                continue
            for (i, station), where in sorted(visits.items(), key=lambda item: (item[0][0], item[1][0])):
                excess = len(where) - 1
                if excess <= 0:
                    continue
                total += excess
                sessions = list(dict.fromkeys(acts[k].id for k, _ in where))
                listing = ", ".join(f"{acts[k].id} slot {j}" for k, j in where)
                violations.append(
                    Violation(
                        name,
                        ", ".join(sessions),
                        None,
                        float(excess),
                        f"{problem.participants[i].id} does {station!r} {len(where)} times {span} ({listing}); "
                        "once at most",
                    )
                )
        return float(total)
    raise TypeError(f"the checker does not know constraint kind {type(c).__name__}")  # pragma: no cover


def _role_pin(c: RolePin, problem: ProblemData, s: _Session, act: _Activity, cells: list) -> float:
    if c.session != s.id:
        return 0.0
    i = problem.index(c.participant)
    if not s.is_present[i]:
        return 0.0
    t = s.team_of[i]
    if t < 0:
        cells.append((None, 1, f"{c.participant} is in no team, so not {c.role} as pinned"))
        return 1.0
    team = act.plan.teams[t]
    if c.participant in team.roles.get(c.role, ()):
        return 0.0
    holds = team.role_of(c.participant)
    now = f"holds {holds}" if holds else "holds no role"
    cells.append((t + 1, 1, f"{c.participant} {now} in team {t + 1}, but is pinned to be {c.role}"))
    return 1.0


def _avoid_stations(
    c: AvoidStations, problem: ProblemData, s: _Session, act: _Activity, ids: list[str], cells: list
) -> float:
    total = 0
    for t, at in enumerate(act.at):
        if at is None:
            continue
        who = [i for i in s.members[t] if matches(problem.participants[i].attributes, c.who)]
        if not who:
            continue
        slots_at: dict[str, list[int]] = {}
        for j, name in enumerate(at, start=1):
            station = act.stations.get(name) if name is not None else None
            if station is not None and matches(station.attributes, c.stations):
                slots_at.setdefault(name, []).append(j)
        for name, slots in slots_at.items():
            amount = len(who) * len(slots)
            total += amount
            cells.append(
                (
                    t + 1,
                    amount,
                    (
                        f"team {t + 1} is at {name!r} in slot(s) {_slot_list(slots)} with "
                        f"{_names([ids[i] for i in who])}, who should not go there"
                    ),
                )
            )
    return float(total)


def _staff_pin(c: StaffPin, act: _Activity, cells: list) -> float:
    if c.session != act.id:
        return 0.0
    total = 0
    for j in station_slots(act.session) if c.slot is None else (c.slot,):
        if c.instructor in act.staff.get((j, c.station), ()):
            continue
        elsewhere = list(
            dict.fromkeys(e.station for e in act.plan.staff if e.instructor == c.instructor and e.slot == j)
        )
        now = f"runs {', '.join(map(repr, elsewhere))}" if elsewhere else "runs no station"
        cells.append((None, 1, f"instructor {c.instructor} {now} in slot {j}, but is pinned to {c.station!r}"))
        total += 1
    return float(total)


def _station_pin(c: StationPin, act: _Activity, cells: list) -> float:
    """1 unless the plan lists team ``c.team`` at the station in the pinned slot (in some slot
    when the pin names none). A team whose stations cannot be read slot by slot is reported
    once already, under ``"stations"``, and left out here as in every other station rule."""
    if c.session != act.id:
        return 0.0
    t = c.team - 1
    if t >= len(act.at):
        cells.append((None, 1, f"session {act.id!r} has no team {c.team}, which is pinned to {c.station!r}"))
        return 1.0
    at = act.at[t]
    if at is None:
        return 0.0
    if c.slot is None:
        if c.station in at:
            return 0.0
        where = ", ".join(dict.fromkeys(repr(name) for name in at if name is not None)) or "no station"
        message = (
            f"team {c.team} never goes to {c.station!r} in session {act.id!r} (it goes to {where}), but is pinned to it"
        )
        cells.append((c.team, 1, message))
        return 1.0
    now = at[c.slot - 1]
    if now == c.station:
        return 0.0
    there = "no station" if now is None else repr(now)
    message = f"team {c.team} is at {there} in slot {c.slot} of session {act.id!r}, but is pinned to {c.station!r}"
    cells.append((c.team, 1, message))
    return 1.0


#: Stations named in the summary's line on the exercises repeated most often.
MOST_REPEATED = 3


def _activity_report(problem: ProblemData, acts: list[_Activity]) -> ActivityReport:
    turns = {p.id: {r.name: 0 for r in problem.roles} for p in problem.participants}
    for act in acts:
        for role, holders in act.held.items():
            for pid in holders:
                if pid in turns:
                    turns[pid][role] += 1
    distribution = {}
    for role in problem.roles:
        tally: dict[int, int] = {}
        for p in problem.participants:
            n = turns[p.id][role.name]
            if n or role.allows(p.id, p.attributes):
                tally[n] = tally.get(n, 0) + 1
        distribution[role.name] = FrozenMap(dict(sorted(tally.items())))
    load: dict[tuple[str, int], Mapping[str, int]] = {}
    for act in acts:
        for j in station_slots(act.session):
            here = {st.name: 0 for st in problem.stations if st.open_in(act.id, j)}
            for name, numbers in act.load[j].items():
                here[name] = len(numbers)
            load[(act.id, j)] = FrozenMap(here)
    over_event = _visits(acts, range(len(acts)))
    by_station = {st.name: 0 for st in problem.stations}
    per_person = [0] * problem.num_participants
    for (i, name), where in over_event.items():
        again = max(0, len(where) - 1)
        by_station[name] = by_station.get(name, 0) + again  # an unknown station is reported elsewhere
        per_person[i] += again
    people: dict[int, int] = {}
    for again in per_person:
        people[again] = people.get(again, 0) + 1
    return ActivityReport(
        role_turns=FrozenMap({pid: FrozenMap(held) for pid, held in turns.items()}),
        turn_distribution=FrozenMap(distribution),
        repeats_within_day=sum(_repeats(_visits(acts, day)) for day in problem.days()),
        repeats_over_event=_repeats(over_event),
        station_load=FrozenMap(load),
        repeats_by_station=by_station,
        repeat_distribution=dict(sorted(people.items())),
    )


# -- categorical kinds -------------------------------------------------------------------------
def _team_groups(members: list[int], vals: list[Any]) -> dict[Any, list[int]]:
    """The members of one team grouped by value (missing under ``None``), in first-seen order."""
    groups: dict[Any, list[int]] = {}
    for i in members:
        groups.setdefault(vals[i], []).append(i)
    return groups


def _spread(c: Spread, s: _Session, vals: list[Any], ids: list[str], cells: list) -> float:
    total = 0
    for t, members in enumerate(s.members):
        for value, group in _team_groups(members, vals).items():
            if value is None or not c.counts(value):
                continue
            excess = len(group) - c.max_per_team
            if excess > 0:
                total += excess
                cells.append(
                    (
                        t + 1,
                        excess,
                        (
                            f"team {t + 1} has {len(group)} members with {c.attribute}={value!r} "
                            f"({_names([ids[i] for i in group])}); at most {c.max_per_team} allowed"
                        ),
                    )
                )
    return float(total)


def _balance(c: Balance, s: _Session, vals: list[Any], ids: list[str], cells: list) -> float:
    n = len(s.present)
    overall: dict[Any, int] = {}
    for i in s.present:
        overall[vals[i]] = overall.get(vals[i], 0) + 1
    total = 0
    for t, members in enumerate(s.members):
        size = len(members)
        groups = _team_groups(members, vals)
        for value, count_all in overall.items():
            group = groups.get(value, [])
            low, high = fair_share_bounds(count_all, size, n, c.tolerance)
            count = len(group)
            if low <= count <= high:
                continue
            distance = low - count if count < low else count - high
            total += distance
            shown = "no value" if value is None else f"{c.attribute}={value!r}"
            who = f" ({_names([ids[i] for i in group])})" if group else ""
            expected = f"{low}" if low == high else f"{low} to {high}"
            cells.append(
                (
                    t + 1,
                    distance,
                    (
                        f"team {t + 1} ({size} members) has {count} with {shown}{who}; {expected} expected "
                        f"({count_all} of the {n} present have it)"
                    ),
                )
            )
    return float(total)


def _no_isolation(c: NoIsolation, s: _Session, vals: list[Any], ids: list[str], cells: list) -> float:
    total = 0
    for t, members in enumerate(s.members):
        for value, group in _team_groups(members, vals).items():
            if value is None or not _value_matches(value, c.values):
                continue
            if 0 < len(group) < c.min_count:
                shortfall = c.min_count - len(group)
                total += shortfall
                cells.append(
                    (
                        t + 1,
                        shortfall,
                        (
                            f"team {t + 1} has only {len(group)} with {c.attribute}={value!r} "
                            f"({_names([ids[i] for i in group])}); at least {c.min_count} needed, or none"
                        ),
                    )
                )
    return float(total)


# -- numeric balance ---------------------------------------------------------------------------
def _numeric_balance(c: NumericBalance, s: _Session, vals: list[Any], cells: list) -> float:
    everyone = [float(vals[i]) for i in s.present if vals[i] is not None]
    if not everyone:
        return 0.0
    mu, sigma = _mean_sd(everyone)
    tolerance = c.tolerance or 0.0
    terms: list[float] = []
    for t, members in enumerate(s.members):
        xs = [float(vals[i]) for i in members if vals[i] is not None]
        if not xs:
            continue
        mean, sd = _mean_sd(xs)
        excess = max(0.0, abs(mean - mu) - tolerance)
        if c.hard:
            # Only the tolerance is a hard rule; ``spread`` is a soft notion.
            if excess > NUMERIC_EPS:
                terms.append(excess**2)
                cells.append(
                    (
                        t + 1,
                        excess**2,
                        (
                            f"team {t + 1} has mean {c.attribute} {mean:.6g}, {abs(mean - mu):.6g} from the mean "
                            f"{mu:.6g} of everyone present; at most {tolerance:g} allowed"
                        ),
                    )
                )
        else:
            terms.append(excess**2)
            if c.spread:
                terms.append((sd - sigma) ** 2)
    return math.fsum(terms)


# -- diversity ---------------------------------------------------------------------------------
def _diversity(c: Diversity, problem: ProblemData, s: _Session, values: Any) -> list[float]:
    """The diversity of every team of the session: the sum of d(i, j) over pairs i < j."""
    if c.attributes is None:
        matrix = np.asarray(c.distances, dtype=float)
        out = []
        for members in s.members:
            if len(members) < 2:
                out.append(0.0)
                continue
            sub = matrix[np.ix_(members, members)]
            out.append(float(np.triu(sub, 1).sum()))
        return out
    out = [0.0] * len(s.members)
    for attribute in c.attributes:
        vals = values(attribute)
        known = [v for v in vals if v is not None]
        if all(_is_number(v) for v in known):
            # sum_{i<j} (x_i - x_j)^2 = m * sum_i (x_i - mean)^2 over the m members with a value
            if not known:
                continue
            scale = float(max(known)) - float(min(known))
            if scale == 0:
                continue
            for t, members in enumerate(s.members):
                xs = [float(vals[i]) for i in members if vals[i] is not None]
                if len(xs) < 2:
                    continue
                mean = math.fsum(xs) / len(xs)
                out[t] += len(xs) * math.fsum((x - mean) ** 2 for x in xs) / scale**2
        else:
            # pairs that differ = all pairs - pairs that agree (missing agrees with missing)
            for t, members in enumerate(s.members):
                tally: dict[Any, int] = {}
                for i in members:
                    tally[vals[i]] = tally.get(vals[i], 0) + 1
                out[t] += _pairs(len(members)) - sum(_pairs(m) for m in tally.values())
    return out


# -- pair kinds --------------------------------------------------------------------------------
def _placed(members: tuple[str, ...], problem: ProblemData, s: _Session) -> tuple[dict[int, list[str]], list[str]]:
    """The present ``members`` by team index, and those present but in no team."""
    by_team: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for pid in members:
        i = problem.index(pid)
        if not s.is_present[i]:
            continue
        t = s.team_of[i]
        if t < 0:
            unplaced.append(pid)
        else:
            by_team.setdefault(t, []).append(pid)
    return by_team, unplaced


def _together(c: Together, problem: ProblemData, s: _Session, cells: list) -> float:
    by_team, unplaced = _placed(c.members, problem, s)
    m = sum(len(g) for g in by_team.values()) + len(unplaced)
    split = _pairs(m) - sum(_pairs(len(g)) for g in by_team.values())
    if split > 0:
        where = "; ".join(f"team {t + 1}: {_names(g)}" for t, g in sorted(by_team.items()))
        if unplaced:
            where += ("; " if where else "") + f"in no team: {_names(unplaced)}"
        cells.append((None, split, f"{split} pair(s) of members to keep together are split ({where})"))
    return float(split)


def _apart(c: Apart, problem: ProblemData, s: _Session, cells: list) -> float:
    by_team, _ = _placed(c.members, problem, s)
    total = 0
    for t, group in sorted(by_team.items()):
        shared = _pairs(len(group))
        if shared:
            total += shared
            cells.append((t + 1, shared, f"team {t + 1} has {len(group)} members to keep apart: {_names(group)}"))
    return float(total)


def _pin(c: Pin, problem: ProblemData, s: _Session, cells: list) -> float:
    if c.session is not None and c.session != s.id:
        return 0.0
    i = problem.index(c.participant)
    if not s.is_present[i]:
        return 0.0
    t = s.team_of[i]
    if t + 1 == c.team:
        return 0.0
    where = "in no team" if t < 0 else f"in team {t + 1}"
    cells.append((None if t < 0 else t + 1, 1, f"{c.participant} is {where}, but pinned to team {c.team}"))
    return 1.0


def _hierarchy(c: Hierarchy, pairs: list[tuple[int, int, int]], s: _Session, ids: list[str], cells: list) -> float:
    total = 0
    for i, boss, level in pairs:
        t = s.team_of[i]
        if t >= 0 and t == s.team_of[boss]:
            total += 1
            whose = "direct superior" if level == 1 else f"superior {level} levels up"
            cells.append((t + 1, 1, f"team {t + 1} has {ids[i]} and their {whose} {ids[boss]}"))
    return float(total)
