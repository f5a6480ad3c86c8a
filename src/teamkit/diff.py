"""What changed between two plans of one problem: who moved to another team, who took over a
role, which station a team goes to, who runs it, and how every metric of the checker moved.

Organisers re-plan in the middle of an event (someone falls ill, a station closes) and must
tell people what is different; a new plan alone does not say that.

Teams are matched by number. In teamkit a team's number is its identity: a repair keeps the
numbers of the teams it leaves alone, and pins, timetables and printed rosters name teams by
number. So "team 3" before and after is the same team, and someone who is in team 3 in both
plans did not move, even if every other member of team 3 changed. (Matching teams by their
overlap instead would hide the fact that the people of team 3 now gather somewhere else.)

The metrics come from :func:`teamkit.check` run on both plans, so they are the checker's
numbers, and the two reports are kept on the result for anything more detailed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs

from teamkit._text import did_you_mean
from teamkit.checker import CheckReport, check
from teamkit.exceptions import PlanFileError
from teamkit.model import ProblemData
from teamkit.plan import Plan, SessionPlan, Team

#: How many lines of each kind (moves, roles, stations, staff) :meth:`PlanDiff.summary`
#: prints per session before it says "and N more".
SUMMARY_LINES = 20

Number = int | float


@attrs.frozen
class Move:
    """One participant whose team in a session differs between the plans.

    Attributes:
        participant: their id; ``name`` their display name (empty when the roster has none).
        before: the number of their team in the first plan, ``None`` when they were in no team.
        after: the same in the second plan.
    """

    participant: str
    name: str
    before: int | None
    after: int | None

    @property
    def label(self) -> str:
        """``"P7 (Gita)"``, or the id alone when there is no name."""
        return f"{self.participant} ({self.name})" if self.name else self.participant


@attrs.frozen
class RoleChange:
    """The holders of one role in one team, when they differ between the plans.

    ``before`` and ``after`` list the holders as the plans write them (empty: nobody)."""

    team: int
    role: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@attrs.frozen
class StationChange:
    """The station of one team in one slot (from 1), when it differs; ``None`` is no station
    (a plenary slot, or a team only one of the plans has)."""

    team: int
    slot: int
    before: str | None
    after: str | None


@attrs.frozen
class StaffChange:
    """The instructors who run one station in one slot, when they differ (empty: nobody)."""

    slot: int
    station: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@attrs.frozen
class SessionDiff:
    """What changed in one session.

    Attributes:
        session: the session id.
        moves: everyone whose team changed, in roster order; a move from or to ``None`` is
            someone who joined or left the session's teams.
        teams_changed: the numbers of the teams whose members changed, or that only one plan has.
        num_teams: the number of teams in the first and in the second plan.
        roles: the role holders that changed, by team.
        stations: the stations that changed, by team and slot.
        staff: the instructors that changed, by slot and station.
    """

    session: str
    moves: tuple[Move, ...]
    teams_changed: tuple[int, ...]
    num_teams: tuple[int, int]
    roles: tuple[RoleChange, ...] = ()
    stations: tuple[StationChange, ...] = ()
    staff: tuple[StaffChange, ...] = ()

    @property
    def joined(self) -> tuple[str, ...]:
        """The ids of those in no team in the first plan and in one in the second."""
        return tuple(m.participant for m in self.moves if m.before is None)

    @property
    def left(self) -> tuple[str, ...]:
        """The ids of those in a team in the first plan and in none in the second."""
        return tuple(m.participant for m in self.moves if m.after is None)

    @property
    def changed(self) -> bool:
        """Whether anything in the session differs."""
        return bool(
            self.moves
            or self.teams_changed
            or self.roles
            or self.stations
            or self.staff
            or self.num_teams[0] != self.num_teams[1]
        )

    def summary_lines(self, limit: int | None = SUMMARY_LINES) -> list[str]:
        """The session's part of :meth:`PlanDiff.summary`: a headline, then one line per change."""
        if not self.changed:
            return [f"{self.session}: no changes"]
        head = f"{self.session}: {_count(len(self.moves), 'person', 'people')} moved"
        extra = [f"{len(self.joined)} joined" if self.joined else "", f"{len(self.left)} left" if self.left else ""]
        extra = [e for e in extra if e]
        if extra:
            head += f" ({', '.join(extra)})"
        head += f", {_count(len(self.teams_changed), 'team', 'teams')} changed"
        lines = [head]
        if self.num_teams[0] != self.num_teams[1]:
            lines.append(f"  number of teams: {self.num_teams[0]} -> {self.num_teams[1]}")
        lines += _capped([f"  {m.label}: {_team(m.before)} -> {_team(m.after)}" for m in self.moves], limit)
        lines += _capped(
            [f"  team {r.team} {r.role}: {_people(r.before)} -> {_people(r.after)}" for r in self.roles], limit
        )
        lines += _capped(
            [f"  team {s.team} slot {s.slot}: {_station(s.before)} -> {_station(s.after)}" for s in self.stations],
            limit,
        )
        lines += _capped(
            [
                f"  staff of {s.station!r} in slot {s.slot}: {_people(s.before)} -> {_people(s.after)}"
                for s in self.staff
            ],
            limit,
        )
        return lines


@attrs.frozen
class MetricChange:
    """One row of the metrics: a figure from :func:`teamkit.check` for both plans.

    ``before`` or ``after`` is ``None`` when the figure does not exist for that plan (a team
    mean when no team has a value)."""

    metric: str
    before: Number | None
    after: Number | None

    @property
    def changed(self) -> bool:
        """Whether the figure differs beyond rounding noise: the checker sums floats, and the
        same teams listed in another order can give sums that differ in the last digit."""
        if self.before is None or self.after is None:
            return self.before is not self.after
        return not math.isclose(self.before, self.after, rel_tol=1e-9, abs_tol=1e-9)

    @property
    def delta(self) -> Number | None:
        """``after - before``, or ``None`` when either is missing."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@attrs.frozen
class PlanDiff:
    """Everything :func:`diff` found between two plans of one problem.

    Attributes:
        sessions: one entry per session, in the problem's order, changed or not.
        metrics: the checker's figures for both plans (see :func:`diff` for the rows).
        labels: what to call the two plans in the summary (``"before"``, ``"after"``).
        before_check, after_check: the checker's full reports, for the violations themselves.
    """

    sessions: tuple[SessionDiff, ...]
    metrics: tuple[MetricChange, ...]
    labels: tuple[str, str] = ("before", "after")
    before_check: CheckReport | None = attrs.field(default=None, eq=False, repr=False)
    after_check: CheckReport | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def changed(self) -> bool:
        """Whether the plans differ at all (teams, roles, stations or staff)."""
        return any(s.changed for s in self.sessions)

    def session(self, session_id: str) -> SessionDiff:
        """The changes of one session; ``KeyError`` for a session the problem does not have."""
        for s in self.sessions:
            if s.session == session_id:
                return s
        known = [s.session for s in self.sessions]
        raise KeyError(f"no session {session_id!r}{did_you_mean(session_id, known)}; the sessions are {known}")

    def moved(self, session_id: str) -> tuple[Move, ...]:
        """Everyone whose team changed in a session, those who joined or left included."""
        return self.session(session_id).moves

    def joined(self, session_id: str) -> tuple[str, ...]:
        """The ids of those in no team of ``session_id`` in the first plan and in one in the second."""
        return self.session(session_id).joined

    def left(self, session_id: str) -> tuple[str, ...]:
        """The ids of those in a team of ``session_id`` in the first plan and in none in the second."""
        return self.session(session_id).left

    def metric(self, name: str) -> MetricChange:
        """One row of :attr:`metrics` by name; ``KeyError`` naming the closest one otherwise."""
        for row in self.metrics:
            if row.metric == name:
                return row
        raise KeyError(f"no metric {name!r}{did_you_mean(name, [r.metric for r in self.metrics])}")

    def changed_metrics(self) -> tuple[MetricChange, ...]:
        """The metric rows whose value differs between the plans."""
        return tuple(row for row in self.metrics if row.changed)

    def summary(self, limit: int | None = SUMMARY_LINES) -> str:
        """A few lines per session for a person to read, then the metrics that changed.

        ``limit`` caps the lines of each kind per session (``None``: no cap), so that a
        re-plan that moves everyone still gives a readable page."""
        first, second = self.labels
        lines = [f"{first}: {_verdict(self.before_check)}", f"{second}: {_verdict(self.after_check)}"]
        if not self.changed:
            lines.append("the plans are the same")
        for s in self.sessions:
            lines += s.summary_lines(limit)
        changed = self.changed_metrics()
        if changed:
            lines.append(f"metrics ({first} -> {second}):")
            for row in changed:
                lines.append(f"  {row.metric}: {_number(row.before)} -> {_number(row.after)}")
        same = len(self.metrics) - len(changed)
        if same:
            lines.append(f"{_count(same, 'metric', 'metrics')} unchanged")
        return "\n".join(lines)


def diff(problem: ProblemData, before: Plan, after: Plan, *, labels: tuple[str, str] = ("before", "after")) -> PlanDiff:
    """Compares two plans of ``problem``, session by session, team by team (by number; see the
    module's docstring for why), and runs :func:`teamkit.check` on both for the metrics.

    The metric rows, in order: ``hard violations`` (how many), ``hard violation amount``,
    ``objective``; ``penalty NAME`` for every constraint; ``repeated meetings``, ``pairs met
    again``, ``most meetings of one pair``, ``fewest people met by one person``, ``most
    people met by one person`` and ``new contacts in SESSION``; with roles or stations,
    ``exercise repeats within a day``, ``exercise repeats over the event``, and per role
    ``people who held ROLE`` and ``most ROLE turns of one person``; for every attribute with
    a numeric balance, ``lowest team mean ATTR`` and ``highest team mean ATTR`` over all
    teams of the event.

    ``labels`` name the plans in the summary and in errors (the command line passes the file
    names). Raises :class:`~teamkit.PlanFileError` naming the plan and the session or
    participant when a plan does not fit the problem (another session, an unknown
    participant, someone in two teams).
    """
    for plan, label in zip((before, after), labels):
        _check_fits(problem, plan, label)
    before_check = check(problem, before)
    after_check = check(problem, after)
    names = {p.id: p.name for p in problem.participants}
    role_order = [r.name for r in problem.roles]
    sessions = tuple(
        _session_diff(b, a, names, role_order) for b, a in zip(before.sessions, after.sessions, strict=True)
    )
    return PlanDiff(
        sessions=sessions,
        metrics=_metric_rows(problem, before_check, after_check),
        labels=labels,
        before_check=before_check,
        after_check=after_check,
    )


# -- fitting the problem ---------------------------------------------------------------------------
def _check_fits(problem: ProblemData, plan: Plan, label: str) -> None:
    """Says which session or participant is at fault, and in which plan: the checker's own
    message does not know which of the two plans it is reading."""
    if not isinstance(plan, Plan):
        raise PlanFileError(f"{label}: not a plan: {type(plan).__name__}")
    known = [s.id for s in problem.sessions]
    have = [s.session for s in plan.sessions]
    for sid in have:
        if sid not in known:
            raise PlanFileError(
                f"{label}: the plan has session {sid!r}, which the problem does not have"
                f"{did_you_mean(sid, known)} (its sessions: {', '.join(known)})"
            )
        if have.count(sid) > 1:
            raise PlanFileError(f"{label}: the plan has session {sid!r} {have.count(sid)} times")
    for sid in known:
        if sid not in have:
            raise PlanFileError(f"{label}: the plan has no session {sid!r}")
    if have != known:
        raise PlanFileError(
            f"{label}: the plan's sessions are in the order {', '.join(have)}; the problem's are {', '.join(known)}"
        )
    for session in plan.sessions:
        for team in session.teams:
            for pid in team.members:
                if not problem.has_participant(pid):
                    suggestion = did_you_mean(pid, (p.id for p in problem.participants))
                    raise PlanFileError(
                        f"{label}: session {session.session!r}, team {team.number}: "
                        f"unknown participant {pid!r}{suggestion}"
                    )
    try:
        plan.to_assignment(problem)
    except PlanFileError as e:  # teams out of order, someone in two teams
        raise PlanFileError(f"{label}: {e}") from None


# -- one session -------------------------------------------------------------------------------------
def _session_diff(
    before: SessionPlan, after: SessionPlan, names: Mapping[str, str], role_order: Sequence[str]
) -> SessionDiff:
    old = {t.number: t for t in before.teams}
    new = {t.number: t for t in after.teams}
    numbers = sorted(set(old) | set(new))
    was = {pid: t.number for t in before.teams for pid in t.members}
    now = {pid: t.number for t in after.teams for pid in t.members}
    moves = tuple(
        Move(pid, name, was.get(pid), now.get(pid)) for pid, name in names.items() if was.get(pid) != now.get(pid)
    )
    teams_changed = tuple(
        n for n in numbers if n not in old or n not in new or set(old[n].members) != set(new[n].members)
    )
    roles: list[RoleChange] = []
    stations: list[StationChange] = []
    for n in numbers:
        b, a = old.get(n), new.get(n)
        roles += _role_changes(n, b, a, role_order)
        stations += _station_changes(n, b, a)
    return SessionDiff(
        session=before.session,
        moves=moves,
        teams_changed=teams_changed,
        num_teams=(len(before.teams), len(after.teams)),
        roles=tuple(roles),
        stations=tuple(stations),
        staff=_staff_changes(before, after),
    )


def _role_changes(number: int, before: Team | None, after: Team | None, order: Sequence[str]) -> list[RoleChange]:
    held_before = dict(before.roles) if before is not None else {}
    held_after = dict(after.roles) if after is not None else {}
    # the problem's roles first, in its order, then any others the plans list (the checker
    # reports those; here they are changes like any other)
    names = [r for r in order if r in held_before or r in held_after]
    names += sorted((set(held_before) | set(held_after)) - set(order))
    out = []
    for role in names:
        b = _unique(held_before.get(role, ()))
        a = _unique(held_after.get(role, ()))
        if set(b) != set(a):
            out.append(RoleChange(number, role, b, a))
    return out


def _station_changes(number: int, before: Team | None, after: Team | None) -> list[StationChange]:
    b = tuple(before.stations) if before is not None else ()
    a = tuple(after.stations) if after is not None else ()
    out = []
    for j in range(max(len(b), len(a))):
        was = b[j] if j < len(b) else None
        now = a[j] if j < len(a) else None
        if was != now:
            out.append(StationChange(number, j + 1, was, now))
    return out


def _staff_changes(before: SessionPlan, after: SessionPlan) -> tuple[StaffChange, ...]:
    def table(session: SessionPlan) -> dict[tuple[int, str], tuple[str, ...]]:
        out: dict[tuple[int, str], list[str]] = {}
        for entry in session.staff:
            out.setdefault((entry.slot, entry.station), []).append(entry.instructor)
        return {key: _unique(ids) for key, ids in out.items()}

    b, a = table(before), table(after)
    changes = []
    for key in sorted(set(b) | set(a)):
        was, now = b.get(key, ()), a.get(key, ())
        if set(was) != set(now):
            changes.append(StaffChange(key[0], key[1], was, now))
    return tuple(changes)


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


# -- metrics -----------------------------------------------------------------------------------------
def _figures(problem: ProblemData, report: CheckReport) -> dict[str, Number | None]:
    """The checker's figures for one plan, by row name, in the order of the rows."""
    out: dict[str, Number | None] = {
        "hard violations": len(report.violations),
        "hard violation amount": report.hard_violations,
        "objective": report.objective,
    }
    for name, penalty in report.penalties.items():
        out[f"penalty {name}"] = penalty
    meetings = report.meetings
    met = list(meetings.distinct_met.values())
    out["repeated meetings"] = meetings.repeated_pairs
    out["pairs met again"] = meetings.pairs_met_again
    out["most meetings of one pair"] = meetings.max_meetings
    out["fewest people met by one person"] = min(met, default=0)
    out["most people met by one person"] = max(met, default=0)
    for session, count in meetings.new_contacts.items():
        out[f"new contacts in {session}"] = count
    activities = report.activities
    if activities is not None:
        out["exercise repeats within a day"] = activities.repeats_within_day
        out["exercise repeats over the event"] = activities.repeats_over_event
        for role in problem.roles:
            turns = [held.get(role.name, 0) for held in activities.role_turns.values()]
            out[f"people who held {role.name}"] = sum(1 for n in turns if n)
            out[f"most {role.name} turns of one person"] = max(turns, default=0)
    attributes: list[str] = []
    for team in report.teams:
        for attribute in team.means:
            if attribute not in attributes:
                attributes.append(attribute)
    for attribute in attributes:
        means = [t.means[attribute] for t in report.teams if not math.isnan(t.means.get(attribute, math.nan))]
        out[f"lowest team mean {attribute}"] = min(means) if means else None
        out[f"highest team mean {attribute}"] = max(means) if means else None
    return out


def _metric_rows(problem: ProblemData, before: CheckReport, after: CheckReport) -> tuple[MetricChange, ...]:
    b, a = _figures(problem, before), _figures(problem, after)
    names = list(b) + [name for name in a if name not in b]
    return tuple(MetricChange(name, b.get(name), a.get(name)) for name in names)


# -- wording -----------------------------------------------------------------------------------------
def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _team(number: int | None) -> str:
    return "no team" if number is None else f"team {number}"


def _people(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "nobody"


def _station(name: str | None) -> str:
    return "no station" if name is None else repr(name)


def _number(value: Number | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _verdict(report: CheckReport | None) -> str:
    if report is None:
        return "not checked"
    if report.feasible:
        state = "feasible"
    else:
        state = f"NOT feasible ({_count(len(report.violations), 'violation', 'violations')})"
    return f"{state}, objective {report.objective:.6g}"


def _capped(lines: list[str], limit: int | None) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [f"  ... and {len(lines) - limit} more"]


__all__ = [
    "MetricChange",
    "Move",
    "PlanDiff",
    "RoleChange",
    "SessionDiff",
    "StaffChange",
    "StationChange",
    "diff",
]
