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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from teamkit._frozen import FrozenMap
from typing import Any

import attrs
import numpy as np

from teamkit.constraints import (
    Apart,
    AvoidRepeats,
    Balance,
    Diversity,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    Spread,
    Together,
    fair_share_bounds,
)
from teamkit.exceptions import PlanFileError
from teamkit.model import ProblemData, is_missing
from teamkit.plan import Plan

ASSIGNMENT = "assignment"
TEAM_SIZES = "team sizes"
KEEP_TEAMS = "keep teams"

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
class CheckReport:
    """Everything :func:`check` found about a plan."""

    violations: tuple[Violation, ...]
    penalties: Mapping[str, float]
    breakdown: Mapping[str, float]
    objective: float
    hard_violations: float
    teams: tuple[TeamMetrics, ...]
    meetings: MeetingReport

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

    for k, session_plan in enumerate(plan.sessions):
        s = _Session(problem, k, assignment[k], len(session_plan.teams))
        found: list[Violation] = []
        _check_structure(s, ids, found)
        team_diversity = [0.0] * len(s.members)
        if problem.sessions[k].keep_teams and k > 0:
            _check_kept_teams(problem, k, assignment, ids, found)
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

    blocks = problem.blocks()
    # Who shares a team in each session, read once for every across-session rule and the report.
    met = [_session_pairs(problem, k, assignment) for k in range(len(problem.sessions))]
    for c, name in pairs:
        if c.across_sessions:
            penalties[name] = _across(c, name, problem, met, blocks, ids, values, violations)
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
                        f"team {t + 1} has {len(group)} members with {c.attribute}={value!r} "
                        f"({_names([ids[i] for i in group])}); at most {c.max_per_team} allowed",
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
                    f"team {t + 1} ({size} members) has {count} with {shown}{who}; {expected} expected "
                    f"({count_all} of the {n} present have it)",
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
                        f"team {t + 1} has only {len(group)} with {c.attribute}={value!r} "
                        f"({_names([ids[i] for i in group])}); at least {c.min_count} needed, or none",
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
                        f"team {t + 1} has mean {c.attribute} {mean:.6g}, {abs(mean - mu):.6g} from the mean "
                        f"{mu:.6g} of everyone present; at most {tolerance:g} allowed",
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
