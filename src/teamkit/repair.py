"""Repairing a plan in the middle of an event.

Something changed: people are absent or arrive late, a station closed, a rule was added. The
sessions already held cannot change, and everyone else should keep their team, their role
and their route wherever the new facts allow. :func:`repair` takes the plan as it was, the
problem as it now is, and the ids of the sessions held, and returns a plan for the rest that
moves as few people as it can, with every move and its reason.

How it works. The sessions held are copied from the plan as they happened (minus anyone the
problem now marks absent from them). Each later session starts from its old teams: the
people now absent leave, newcomers fill the teams with room, and a team left too small
takes the one person whose move breaks least. That *minimal edit* is checked by
:func:`teamkit.check`; the rules it breaks are the reasons any further move is needed. Then
the sessions, in order and in passes while rules are broken, are searched with every other
session fixed, where keeping a person in their old team is worth ``stability`` in the
objective: people move only to mend a hard rule, or for a soft gain larger than that. With
stations, CP-SAT then frees a team that breaks a rule with two others (more when that finds
nothing), members and routes at once (:mod:`teamkit.solvers.ortools.joint`); only teams
whose route holds a station a member may not do are re-routed, each team's old station in
each slot preferred. Roles are re-assigned for the whole event with the held ones fixed and
the old holders preferred.
When the passes stall with much of the time left, the sessions not held are planned again
in full by :func:`teamkit.solve`, with the held ones locked (:func:`teamkit.locks`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import attrs
import numpy as np

from teamkit._frozen import FrozenMap
from teamkit._text import did_you_mean
from teamkit.checker import CheckReport, check
from teamkit.constraints import AvoidRepeats, Constraint, ExerciseOnce, MeetAtMost, Pin
from teamkit.engine import clock
from teamkit.engine.activities import Activities, role_cover, role_request
from teamkit.engine.compiled import CompiledConstraint, compile_session
from teamkit.engine.meetings import Meetings, derived_constraints
from teamkit.engine.search import EPS, LocalSearch, solve_session
from teamkit.exceptions import ModelError
from teamkit.limits import check_memory
from teamkit.locks import locks
from teamkit.model import ProblemData
from teamkit.plan import Plan
from teamkit.precheck import precheck
from teamkit.result import Result, Status
from teamkit.solve import Progress, _event_tabu, _keep_team_pins, _marked_if_interrupted, _plan, _tabu_applies, solve
from teamkit.solvers import ortools as cpsat
from teamkit.solvers.ortools.joint import BREACH_WEIGHT, solve_joint
from teamkit.solvers.ortools.roles import assign_roles
from teamkit.solvers.ortools.stations import StationPlan, plan_stations

#: What keeping one person in their old team (or one role holder, or one team's station in a
#: slot) is worth, by default: more than any usual soft gain, so moves mend rules.
STABILITY = 100.0
#: In the station and role models, where one hard breach costs as much as 100 units of soft
#: weight: keeping a role holder, and keeping a team's station in a slot, is worth at most
#: this much: above the usual soft costs there, and below any hard rule (mending one may
#: take a few changes of station).
KEEP_ROLE = 10.0
KEEP_STATION = 20.0
#: Share of the time left (roles' reserve aside) that the all-sessions search gets after a
#: pass that leaves a hard rule broken; the passes after it get the rest. Measured on the seed
#: scenario's late change, six plans times three repair seeds, 10 s: 0.8 verified 17 of 18,
#: 0.5 verified 13, 0.7 16 and 0.9 17 (it mends rules across sessions, which a pass over the
#: sessions one at a time mostly cannot).
MEND_SHARE = 0.8
#: When the repair near the old plan stalls with hard rules broken, the sessions not held are
#: planned again in full, if at least this share of the time limit is left (a full plan of a
#: large event needs time: better none than one cut short).
REPLAN_SHARE = 0.4
#: Teams freed with a team that breaks a rule, in the joint model of members and routes: two
#: at first, so that CP-SAT answers within the fraction of a second a repair can give it; one
#: more after every few rounds that find nothing better, up to the most.
JOINT_PARTNERS = 2
JOINT_PARTNERS_MOST = 5
JOINT_ROUNDS_PER_PARTNER = 6
#: Passes over the sessions with hard violations left, at most.
MAX_PASSES = 20
#: The last line of an impossibility that the sessions held take part in.
HELD_AS_THEY_HAPPENED = "with the sessions held as they happened"
#: Label of the cost that keeps people in their old teams.
KEEP = "keep old teams"


@attrs.frozen
class RepairMove:
    """One change to one person's team in one session.

    Attributes:
        session: the session id.
        participant: the participant's id.
        before: their team number in the old plan (``None``: not in that session's plan).
        after: their team number now (``None``: not in the session any more).
        reason: why, in words.
    """

    session: str
    participant: str
    before: int | None
    after: int | None
    reason: str


@attrs.frozen
class SessionChange:
    """What a repair did to one session that was not held.

    Attributes:
        session: the session id.
        left: ids of people in the old plan who are not in the session now.
        joined: ids of people in the session now who were not in its old plan.
        moved: ids of people who are in another team than before.
        touched: team numbers that lost or gained someone through the changes themselves.
        changed: team numbers whose members differ from before.
        forced: the rules the minimal edit (absentees out, newcomers in, nobody else moved)
            breaks in this session, which are why more than the touched teams may change.
        rerouted: team numbers whose stations changed.
    """

    session: str
    left: tuple[str, ...]
    joined: tuple[str, ...]
    moved: tuple[str, ...]
    touched: tuple[int, ...]
    changed: tuple[int, ...]
    forced: tuple[str, ...]
    rerouted: tuple[int, ...]

    @property
    def beyond(self) -> tuple[int, ...]:
        """Changed teams that the changes did not touch themselves."""
        return tuple(t for t in self.changed if t not in self.touched)


@attrs.frozen
class Repair:
    """The outcome of :func:`repair`.

    Attributes:
        result: the repaired plan with status, objective and breakdown, as
            :func:`teamkit.solve` gives them (``result.plan``), scored by the checker.
        problem: the problem the plan answers: the one given, except that sessions given by
            a team size keep the old plan's number of teams (see :func:`repair`).
        held: the ids of the sessions held, copied from the old plan.
        moves: every change of team, session by session.
        sessions: per session not held, what changed (:class:`SessionChange`).
        kept: how many (person, session) places of the old plan were kept.
        check: the checker's report on the repaired plan (``None`` without a plan).
        dropped: ids in the old plan who are no longer on the roster (left out everywhere).
        team_counts: the sessions whose number of teams was kept from the old plan where the
            team size given would now make another, with that number (see ``problem``; an
            event file states it as ``num_teams`` in those sessions).
        replanned: whether the change could not be mended near the old plan, so that the
            sessions not held were planned again in full (with the held ones locked).
    """

    result: Result
    problem: ProblemData
    held: tuple[str, ...]
    moves: tuple[RepairMove, ...]
    sessions: tuple[SessionChange, ...]
    kept: int
    check: CheckReport | None
    dropped: tuple[str, ...] = ()
    team_counts: Mapping[str, int] = attrs.field(factory=dict)
    replanned: bool = attrs.field(default=False, kw_only=True)

    def moves_in(self, session_id: str) -> tuple[RepairMove, ...]:
        """The moves in one session."""
        return tuple(m for m in self.moves if m.session == session_id)

    def summary(self) -> str:
        """A few lines for a person to read: status, then per session what moved and why."""
        lines = [self.result.summary().splitlines()[0]]
        if self.result.plan is None:
            lines.extend(f"- {line}" for line in self.result.explanation)
            return "\n".join(lines)
        if self.held:
            lines.append(f"held as planned: {', '.join(self.held)}")
        lines.append(f"places kept: {self.kept}")
        for change in self.sessions:
            head = (
                f"{change.session}: {len(change.left)} left, {len(change.joined)} joined, "
                f"{len(change.moved)} moved; {len(change.changed)} team(s) changed"
            )
            if change.beyond:
                why = ", ".join(change.forced) if change.forced else "a better plan"
                if self.replanned:
                    why = "the re-plan" + (f", to mend {why}" if change.forced else "")
                head += f", {len(change.beyond)} of them beyond those the changes touched (for {why})"
            if change.rerouted:
                head += f"; new stations for team(s) {', '.join(map(str, change.rerouted))}"
            lines.append(head)
            for move in self.moves_in(change.session):
                before = "-" if move.before is None else f"team {move.before}"
                after = "-" if move.after is None else f"team {move.after}"
                lines.append(f"  {move.participant}: {before} -> {after} ({move.reason})")
        for sid, count in self.team_counts.items():
            lines.append(f"{sid}: keeps its {count} teams (sizes as even as possible)")
        if self.dropped:
            lines.append(f"no longer on the roster, left out: {', '.join(self.dropped)}")
        if self.replanned:
            lines.append("the change could not be mended near the old plan: the sessions not held were planned again")
        if self.check is not None and not self.check.feasible:
            lines.append(f"hard violations: {len(self.check.violations)} (see teamkit.check)")
        return "\n".join(lines)


def repair(
    problem: ProblemData,
    plan: Plan,
    *,
    held: Iterable[str] = (),
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    stability: float = STABILITY,
    keep_team_counts: bool = True,
    progress: Callable[[Progress], None] | None = None,
) -> Repair:
    """Re-plans the sessions not held, keeping as much of ``plan`` as the new facts allow.

    Ctrl-C (in the main thread) stops the search and returns the best repair found so far,
    with ``result.stopped_by == "interrupted"``; a second Ctrl-C raises ``KeyboardInterrupt``.

    Args:
        problem: the problem as it now is: people marked absent or arriving
            (:meth:`Model.set_absent`, :meth:`Model.arrives`), stations closed, rules added
            or removed. Its sessions must be those of ``plan``.
        plan: the plan as it was (people no longer on the roster are left out of it).
        held: ids of the sessions already held: copied from ``plan`` as they happened.
        time_limit: wall-clock seconds.
        seed: the random seed; the same inputs give the same repair.
        workers: CP-SAT workers.
        stability: what keeping one person in their old team is worth in the objective (also
            one role holder, and one team's station in a slot). The default puts keeping
            places above the usual soft rules; a small value lets the soft rules move more.
        keep_team_counts: sessions given by a team size keep the old plan's number of teams,
            with sizes as even as possible, when fewer or more people would change it
            (five absent from 300 in teams of 10 keep 30 teams of 9-10, instead of dissolving
            one). ``Repair.problem`` is then the problem with those counts.
        progress: called with a :class:`~teamkit.Progress` after each session.

    Returns:
        A :class:`Repair`: the plan in ``result.plan``, every move with its reason.
    """
    with clock.interruptible():
        outcome = _repair(problem, plan, held, time_limit, seed, workers, stability, keep_team_counts, progress)
        return attrs.evolve(outcome, result=_marked_if_interrupted(outcome.result, "repair"))


def _repair(
    problem: ProblemData,
    plan: Plan,
    held: Iterable[str],
    time_limit: float,
    seed: int,
    workers: int,
    stability: float,
    keep_team_counts: bool,
    progress: Callable[[Progress], None] | None,
) -> Repair:
    """:func:`repair` without the Ctrl-C handling."""
    if not isinstance(problem, ProblemData):
        raise TypeError(f"repair() takes ProblemData (from Model.data()), got {type(problem).__name__}")
    if not isinstance(plan, Plan):
        raise TypeError(f"repair() takes the old plan as a Plan, got {type(plan).__name__}")
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit!r}")
    if not stability > 0:
        raise ValueError(f"stability must be positive, got {stability!r}")
    check_memory(problem, "repairing a plan of")
    started = time.monotonic()
    deadline = started + time_limit
    plan.require_sessions_of(problem)
    session_ids = [s.id for s in problem.sessions]
    held = tuple(dict.fromkeys(held))
    for sid in held:
        if sid not in session_ids:
            raise ModelError(f"held session {sid!r} is not a session of the problem{did_you_mean(sid, session_ids)}")
    held_k = {session_ids.index(sid) for sid in held}
    team_counts: dict[str, int] = {}
    if keep_team_counts:
        problem, team_counts = _with_team_counts(problem, plan, held_k)

    S, n = len(problem.sessions), problem.num_participants
    old = _old_assignment(problem, plan)
    dropped = tuple(
        dict.fromkeys(
            pid for s in plan.sessions for t in s.teams for pid in t.members if not problem.has_participant(pid)
        )
    )
    conflicts = precheck(problem)
    if conflicts:
        return _impossible(problem, held, list(conflicts), started, seed, dropped, team_counts)

    assignment = np.full((S, n), -1, dtype=np.int64)
    # Per session: the rules the minimal edit breaks, which are why anyone else has to move.
    broken: dict[int, set[str]] = {k: set() for k in range(S)}
    for k in range(S):
        layout = problem.layout(k)
        present = np.zeros(n, dtype=bool)
        present[list(layout.present)] = True
        row = np.where(present & (old[k] < layout.num_teams), old[k], -1)
        if k not in held_k:
            row = _place_newcomers(row, layout.present, layout.sizes)
        assignment[k] = row
    acts = Activities(problem) if problem.stations else None
    old_routes: list[np.ndarray | None] = [None] * S
    if acts is not None:
        for k in range(S):
            route, staff = _read_stations(problem, plan, k, acts)
            old_routes[k] = route
            acts.routes[k], acts.staff[k] = route, staff
    old_holders = _read_roles(problem, plan, assignment)

    names = dict(enumerate(problem.constraint_names()))
    meetings = Meetings(problem, assignment)
    todo = [k for k in range(S) if k not in held_k]
    # Roles are re-assigned at the end, over the whole event.
    reserve = min(2.0, 0.15 * time_limit) if problem.roles else 0.0

    def own_terms(k: int, present: np.ndarray, keep: Callable[[CompiledConstraint], bool]) -> list:
        """Session k's terms beyond its own rules, other sessions' meetings aside: kept-team
        pins, role cover, the station costs that ``keep`` keeps, and the cost of leaving
        one's old team."""
        terms = _keep_team_pins(problem, assignment, k, present) + role_cover(problem, k, present)
        if acts is not None:
            terms += [cc for cc in acts.team_costs(k, assignment, present) if keep(cc)]
        terms.append(_keep_cost(problem, old, k, present, stability))
        return terms

    def compiled(k: int, soften: bool = False):
        """Session k's model with every other session fixed: its own rules, the rules across
        sessions as pairs, the station rules as costs for the routes as they stand, and the
        cost of leaving one's old team. With ``soften``, every hard rule but the pins becomes
        a heavy cost instead: the joint model then always has the plan as it stands as an
        answer, and finds a better one where the freed teams allow."""
        present = np.asarray(problem.layout(k).present, dtype=np.int64)
        extra = derived_constraints(problem, meetings, k, present, names)
        extra += own_terms(k, present, lambda cc: not (soften and cc.constraint.hard))
        cs = compile_session(problem, k, extra)
        if soften:
            cs = attrs.evolve(
                cs,
                constraints=[
                    attrs.evolve(cc, constraint=attrs.evolve(cc.constraint, hard=False, weight=BREACH_WEIGHT))
                    if cc.constraint.hard and not isinstance(cc.constraint, Pin)
                    else cc
                    for cc in cs.constraints
                ],
            )
        return present, cs

    def measure(k: int) -> tuple[float, np.ndarray]:
        """Session k's hard penalty as it stands (station rules with its current routes), and
        the teams that hold it."""
        present, cs = compiled(k)
        ls = LocalSearch(cs, assignment[k, present], np.random.default_rng(0))
        bad = np.zeros(cs.num_teams, dtype=bool)
        for term in ls.hard_terms:
            bad |= term.team_pen > EPS
        return ls.hard, np.flatnonzero(bad)

    def mend_jointly(k: int, until: float, pass_: int) -> None:
        """Frees a team with a broken rule and a few others, members and stations at once
        (:mod:`teamkit.solvers.ortools.joint`): where every person fits few teams' stations,
        swaps alone cannot reach what this can. Keeps what lowers the session's hard penalty."""
        rng = np.random.default_rng([seed, k, pass_, 4243])
        current, bad = measure(k)
        movable = np.flatnonzero(acts.single_slot(k))
        # Later passes start with more partners: the small exchanges were tried before.
        failed = JOINT_ROUNDS_PER_PARTNER * (pass_ // 2)
        # What a person may not do here depends on the other sessions only; the softened
        # model, also on this session's routes: built again only when a move changes them.
        present, cs = compiled(k, soften=True)
        forbid = acts.forbidden(k, assignment, present, tracks=False)
        for round_ in range(12 + JOINT_ROUNDS_PER_PARTNER * (JOINT_PARTNERS_MOST - JOINT_PARTNERS)):
            candidates = np.intersect1d(bad, movable)
            if current <= EPS or not len(candidates) or clock.expired(until):
                return
            team = assignment[k, present]
            first = int(rng.choice(candidates))
            # Partners whose stations most of the first team's members may do: exchanging
            # members with a team none of them may join cannot help.
            route = acts.routes[k]
            members = np.flatnonzero(team == first)
            fits = np.array([(~forbid[members][:, route[t][route[t] >= 0]].any(axis=1)).sum() for t in movable])
            order = rng.permutation(len(movable))
            ranked = movable[order[np.argsort(-fits[order], kind="stable")]]
            partners = min(JOINT_PARTNERS_MOST, JOINT_PARTNERS + failed // JOINT_ROUNDS_PER_PARTNER)
            others = [int(t) for t in ranked if t != first][:partners]
            move = solve_joint(
                cs,
                team,
                acts.routes[k],
                forbid,
                sorted([first, *others]),
                seconds=max(0.2, min(1.0 * partners, clock.left(until))),
                seed=seed + round_,
                effort=1.0 * partners,
            )
            failed += 1
            if move is None:
                continue
            saved = assignment[k].copy(), acts.routes[k]
            assignment[k, present] = move.team
            acts.routes[k] = move.route
            meetings.update(k)
            after, after_bad = measure(k)
            if after < current - EPS:
                current, bad, failed = after, after_bad, 0
                present, cs = compiled(k, soften=True)
            else:
                assignment[k], acts.routes[k] = saved
                meetings.update(k)

    def plan_session(k: int, until: float, pass_: int) -> float:
        present = np.asarray(problem.layout(k).present, dtype=np.int64)
        T = problem.layout(k).num_teams
        stations = acts is not None and acts.has_slots(k)
        if stations and (acts.routes[k] is None or (k in reroute and pass_ == 0)):
            _route(problem, acts, k, assignment, old_routes[k], stability, seed, until)
        _, cs = compiled(k)
        rng = np.random.default_rng([seed, k, pass_])
        # Swaps first. Then CP-SAT: on the teams alone; or, with stations, on a few teams'
        # members and routes at once (below), which can do what the teams alone can, and more.
        alone = todo == [k]
        joint = stations and acts.routes[k] is not None and not alone
        ls = solve_session(cs, rng, _part(until, 0.3 if joint else 0.5), start=assignment[k, present].copy())
        if ls.hard > EPS and not joint:
            # With every other session held, "infeasible" is a proof, and worth explaining.
            outcome = cpsat.improve_session(
                cs, ls, deadline=until, seed=seed, workers=workers, conditional=not alone, effort=2.0
            )
            if outcome.status is Status.INFEASIBLE:
                proofs.extend(f"session {problem.sessions[k].id!r}: {line}" for line in outcome.explanation)
        assignment[k] = -1
        assignment[k, present] = ls.st.team
        meetings.update(k)
        hard = measure(k)[0]
        if joint and hard > EPS:
            # A few teams' members and routes exchanged before any re-routing: it changes least.
            mend_jointly(k, _part(until, 0.8), pass_)
            hard = measure(k)[0]
        if stations:
            request = acts.request(k, assignment, formed=True)
            route = acts.routes[k]
            rows = np.arange(T)[:, None]
            if route is None or (request.forbidden[rows, np.maximum(route, 0)] * (route >= 0)).any():
                _route(problem, acts, k, assignment, old_routes[k], stability, seed + pass_, until)
                hard = measure(k)[0]
        if progress is not None:
            progress(
                Progress(time.monotonic() - started, f"repair pass {pass_ + 1}", problem.sessions[k].id, hard, None)
            )
        return hard

    def mend_across(until: float) -> None:
        """Swaps in every session not held at once (:class:`~teamkit.engine.golfer.EventTabu`),
        the routes fixed: a rule broken in one session often needs another session of the
        day to change with it, which re-planning one session at a time cannot do. The
        meetings and "not the same exercise twice" are counted over the sessions as they
        stand; keeps what lowers the hard penalty of the sessions not held."""
        saved = assignment.copy()
        before = sum(hard.values())
        # The exercise rules are counted by the search itself, over the sessions as they stand.
        extra = [
            own_terms(
                k,
                np.asarray(problem.layout(k).present, dtype=np.int64),
                lambda cc: not isinstance(cc.constraint, ExerciseOnce),
            )
            for k in range(S)
        ]
        visits = acts.visit_term(assignment) if acts is not None else None
        _event_tabu(problem, assignment, seed, until, float("inf"), extra, visits, frozenset(held_k))
        for k in range(S):
            meetings.update(k)
        after = {k: measure(k)[0] for k in todo}
        if sum(after.values()) < before - EPS:
            hard.update(after)
        else:
            assignment[:] = saved
            for k in range(S):
                meetings.update(k)

    def settle(until: float, pass_: int) -> None:
        """Each session searched again from the plan the all-sessions search left, with every
        other session fixed: it mended the hard rules with little regard for who stays, and
        keeping places is what this search weighs. Kept where no hard rule breaks."""
        for i, k in enumerate(todo):
            saved = assignment[k].copy()
            stations = (acts.routes[k], acts.staff[k]) if acts is not None else None
            now = time.monotonic()
            if plan_session(k, now + max(0.0, until - now) / (len(todo) - i), pass_) > EPS:
                assignment[k] = saved
                if stations is not None:
                    acts.routes[k], acts.staff[k] = stations
                meetings.update(k)

    across = _tabu_applies(problem, stations=True)
    # Teams left too small (or too big) by the change: the fewest moves that bring them
    # within their sizes, each the one that breaks least in the session's model.
    for k in todo:
        present, cs = compiled(k)
        ls = LocalSearch(cs, assignment[k, present], np.random.default_rng([seed, k]))
        if _mend_sizes(ls):
            broken[k].add("team sizes")
            assignment[k, present] = ls.st.team
            meetings.update(k)

    # The minimal edit, checked.
    start = assignment.copy()
    start_report = check(problem, _plan(problem, start, acts, old_holders))
    reroute: set[int] = set()
    # Role rules are kept by assigning the roles again, not by moving people.
    role_rules = {name for name, c in zip(problem.constraint_names(), problem.constraints) if c.stage == "roles"}
    for v in start_report.violations:
        # A rule across sessions names them all ("s1, s4"): each session re-planned in it.
        for sid in v.session.split(", "):
            k = session_ids.index(sid) if sid in session_ids else -1
            if k < 0 or k in held_k:
                continue
            if v.constraint in ("stations", "staff"):
                reroute.add(k)
            elif v.constraint != "roles" and v.constraint not in role_rules:
                broken[k].add(v.constraint)

    hard = {k: 0.0 for k in todo}
    proofs: list[str] = []
    # Passes over the sessions still breaking a rule, until none is left or the time is up.
    stalled = 0
    for pass_ in range(MAX_PASSES):
        sessions = todo if pass_ == 0 else [k for k in todo if hard[k] > EPS]
        if not sessions:
            break
        before = sum(hard.values())
        for i, k in enumerate(sessions):
            now = time.monotonic()
            # The first pass mends what one session can mend alone in about a third of the
            # time; what needs two sessions to change together is left to mend_across.
            until = now + max(0.0, deadline - reserve - now) / (len(sessions) - i) * (0.35 if pass_ == 0 else 0.8)
            hard[k] = plan_session(k, until, pass_)
        if sum(hard.values()) > EPS and across and not clock.expired(deadline - reserve):
            mend_across(time.monotonic() + MEND_SHARE * clock.left(deadline - reserve))
            if sum(hard.values()) <= EPS:
                settle(deadline - reserve, pass_ + 1)
        stalled = stalled + 1 if pass_ > 0 and sum(hard.values()) >= before - EPS else 0
        if clock.expired(deadline - reserve) or proofs:
            break
        # Stalled: a re-plan gets the rest if there is time enough for one, else the passes
        # go on (each draws other random numbers).
        if stalled >= 2 and clock.left(deadline) > REPLAN_SHARE * time_limit:
            break
    if proofs:
        return _impossible(problem, held, [*proofs, HELD_AS_THEY_HAPPENED], started, seed, dropped, team_counts)

    holders: dict[tuple[int, int, int], list[int]] = {}
    explanation: list[str] = []
    if problem.roles:
        holders = _assign_roles(problem, assignment, old_holders, held_k, stability, seed, deadline)
        if holders is None:
            holders = {}
            explanation.append("the roles could not be assigned in the time left; allow more time")
    new_plan = _plan(problem, assignment, acts, holders)
    report = check(problem, new_plan)
    # Held sessions are what happened: a fault there (someone now marked absent from a
    # session they were planned in) is reported, but is not the repair's to mend.
    own = [v for v in report.violations if v.session not in held]
    replanned = False
    if own and clock.left(deadline) > REPLAN_SHARE * time_limit:
        locked = _locked(problem, plan, held)
        if locked is not None:
            # Most of what is left: the solve may run a little over, and the check follows.
            left = 0.85 * clock.left(deadline)
            again = solve(locked, time_limit=left, seed=seed, workers=workers, progress=progress)
            if again.status is Status.INFEASIBLE:
                reasons = [*again.explanation, HELD_AS_THEY_HAPPENED]
                return _impossible(problem, held, reasons, started, seed, dropped, team_counts)
            if again.plan is not None:
                other = check(problem, again.plan)
                other_own = [v for v in other.violations if v.session not in held]
                if len(other_own) < len(own):
                    # What the local repair left broken is why everyone could move.
                    for v in own:
                        for sid in v.session.split(", "):
                            if sid in session_ids and session_ids.index(sid) in broken:
                                broken[session_ids.index(sid)].add(v.constraint)
                    new_plan, report, own, explanation, replanned = again.plan, other, other_own, [], True
    status = Status.FEASIBLE if not own and not explanation else Status.UNKNOWN
    if replanned:
        explanation.append(
            "the changes could not be mended near the old plan: the sessions not held were planned again in full"
        )
    if own:
        explanation.append(
            f"no repair meeting every hard constraint was found in {time_limit:g} s; "
            "the best attempt is returned with its violations (see teamkit.check)"
        )
    if len(own) < len(report.violations):
        explanation.append(
            f"{len(report.violations) - len(own)} violation(s) in the sessions held, as they happened "
            "(see teamkit.check)"
        )
    counted = any(isinstance(c, (MeetAtMost, AvoidRepeats)) for c in problem.constraints)
    result = Result(
        status=status,
        plan=new_plan,
        objective=report.objective,
        breakdown=report.breakdown,
        runtime=time.monotonic() - started,
        hard_violations=report.hard_violations,
        explanation=tuple(explanation),
        stopped_by="time_limit" if clock.expired(deadline) else "converged",
        seed=seed,
        repeats=report.meetings.repeated_pairs if counted else None,
    )
    moves, changes, kept = _moves(problem, plan, old, start, new_plan, todo, broken, replanned)
    return Repair(
        result, problem, held, moves, changes, kept, report, dropped, FrozenMap(team_counts), replanned=replanned
    )


def _impossible(
    problem: ProblemData,
    held: tuple[str, ...],
    reasons: list[str],
    started: float,
    seed: int,
    dropped: tuple[str, ...],
    team_counts: dict[str, int],
) -> Repair:
    """The outcome of a change proved impossible, for ``reasons``."""
    result = Result(
        status=Status.INFEASIBLE,
        plan=None,
        runtime=time.monotonic() - started,
        explanation=tuple(reasons),
        stopped_by="proved",
        seed=seed,
    )
    return Repair(result, problem, held, (), (), 0, None, dropped, FrozenMap(team_counts))


def _locked(problem: ProblemData, plan: Plan, held: tuple[str, ...]) -> ProblemData | None:
    """The problem with the held sessions locked as the old plan has them (hard pins, see
    :func:`teamkit.locks`). ``None`` when the new facts contradict them (a station now
    closed in a held slot, say)."""
    try:
        return problem.replace(constraints=(*problem.constraints, *locks(problem, plan, sessions=held)))
    except ModelError:
        return None


def _keep_cost(
    problem: ProblemData, old: np.ndarray, k: int, present: np.ndarray, stability: float
) -> CompiledConstraint:
    """What leaving one's old team of session ``k`` costs, per (person present, team)."""
    before = old[k, present]
    T = problem.layout(k).num_teams
    cost = np.where((before[:, None] >= 0) & (np.arange(T)[None, :] != before[:, None]), 1.0, 0.0)
    return CompiledConstraint(Constraint(hard=False, weight=stability, label=KEEP), KEEP, {"cost": cost})


def _part(until: float, share: float) -> float:
    """The moment ``share`` of the time from now to ``until`` has passed."""
    now = time.monotonic()
    return now + share * max(0.0, until - now)


# -- reading the old plan ------------------------------------------------------------------
def _old_assignment(problem: ProblemData, plan: Plan) -> np.ndarray:
    """``old[k, i]``: person i's team index in the old plan's session k (-1: none). People no
    longer on the roster are left out; a plan that does not fit otherwise is refused
    (:meth:`Plan.to_assignment`)."""
    on_roster = Plan(
        tuple(
            attrs.evolve(
                session,
                teams=tuple(
                    attrs.evolve(team, members=tuple(pid for pid in team.members if problem.has_participant(pid)))
                    for team in session.teams
                ),
            )
            for session in plan.sessions
        )
    )
    return on_roster.to_assignment(problem).astype(np.int64)


def _with_team_counts(problem: ProblemData, plan: Plan, held_k: set[int]) -> tuple[ProblemData, dict[str, int]]:
    """The problem with each session given by a team size keeping the old plan's number of
    teams, where the people now present would give another count and that count still fits;
    and those sessions with their counts."""
    sessions = list(problem.sessions)
    kept: dict[str, int] = {}
    for k, session in enumerate(sessions):
        count = len(plan.sessions[k].teams)
        if session.team_size is None or count == problem.layout(k).num_teams or count == 0:
            continue
        if count <= len(problem.layout(k).present):
            sessions[k] = attrs.evolve(session, team_size=None, remainder="larger", num_teams=count)
            kept[session.id] = count
    if not kept:
        return problem, {}
    try:
        return problem.replace(sessions=tuple(sessions)), kept
    except ModelError:
        return problem, {}


def _place_newcomers(row: np.ndarray, present: Iterable[int], sizes: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The old teams with each newcomer placed where there is most room."""
    row = row.copy()
    T = len(sizes)
    high = np.array([b for _, b in sizes])
    size = np.bincount(row[row >= 0], minlength=T)[:T]
    for i in present:
        if row[i] < 0:
            t = int(np.argmax(high - size - 1e-3 * np.arange(T)))
            row[i] = t
            size[t] += 1
    return row


def _mend_sizes(ls: LocalSearch) -> bool:
    """Brings every team within its size range by single moves (into a team too small, out
    of one too big), each the move that adds the fewest hard violations, then the least
    cost. Whether anyone moved."""
    low, high = ls.cs.low, ls.cs.high
    moved = False
    for _ in range(len(ls.st.team)):
        size = ls.st.size
        short, over = np.flatnonzero(size < low), np.flatnonzero(size > high)
        if len(short):
            targets, donors = short[:1], np.flatnonzero(size > low)
        elif len(over):
            targets, donors = np.flatnonzero(size < high), over[:1]
        else:
            return moved
        people = np.flatnonzero(np.isin(ls.st.team, donors))
        if not len(people) or not len(targets):
            return moved
        best = None
        for i in people:
            dh, ds = ls._sum_deltas(len(targets), lambda term, i=i, to=targets: term.move_delta(ls.st, int(i), to))
            j = int(np.lexsort((ds, dh))[0])
            if best is None or (dh[j], ds[j]) < best[0]:
                best = ((dh[j], ds[j]), int(i), int(targets[j]))
        ls.move(best[1], best[2])
        moved = True
    return moved


def _read_stations(
    problem: ProblemData, plan: Plan, k: int, acts: Activities
) -> tuple[np.ndarray | None, tuple[tuple[int, int, int], ...]]:
    """Session k's routes and staff as the old plan has them, or ``None`` when the plan has
    no stations for it, names stations the problem no longer has, or the team count changed."""
    slots = acts.slots[k]
    if not slots:
        return None, ()
    teams = plan.sessions[k].teams
    T = problem.layout(k).num_teams
    if len(teams) != T:
        return None, ()
    index = {st.name: s for s, st in enumerate(problem.stations)}
    route = np.full((T, len(slots)), -1, dtype=np.int64)
    for t, team in enumerate(teams):
        for l, slot in enumerate(slots):
            name = team.stations[slot - 1] if slot <= len(team.stations) else None
            if name not in index:
                return None, ()
            route[t, l] = index[name]
    instructors = {i.id: j for j, i in enumerate(problem.instructors)}
    staff = []
    for entry in plan.sessions[k].staff:
        if entry.slot not in slots or entry.station not in index or entry.instructor not in instructors:
            continue
        staff.append((slots.index(entry.slot), index[entry.station], instructors[entry.instructor]))
    return route, tuple(staff)


def _read_roles(problem: ProblemData, plan: Plan, assignment: np.ndarray) -> dict[tuple[int, int, int], list[int]]:
    """``(session, team, role) -> holders`` of the old plan, for holders still in that team."""
    roles = {r.name: j for j, r in enumerate(problem.roles)}
    out: dict[tuple[int, int, int], list[int]] = {}
    for k, session in enumerate(plan.sessions):
        for t, team in enumerate(session.teams):
            for name, ids in team.roles.items():
                if name not in roles:
                    continue
                people = [
                    problem.index(pid)
                    for pid in ids
                    if problem.has_participant(pid) and assignment[k, problem.index(pid)] == t
                ]
                if people:
                    out[k, t, roles[name]] = people
    return out


# -- re-planning ---------------------------------------------------------------------------
def _route(
    problem: ProblemData,
    acts: Activities,
    k: int,
    assignment: np.ndarray,
    old_route: np.ndarray | None,
    stability: float,
    seed: int,
    until: float,
) -> None:
    """New routes for session k's teams as formed, each team's old station in each slot
    preferred (a soft station pin). When only some teams' routes hold a station a member
    may not do, those teams are re-routed first with every other team's route fixed; all
    teams, if that finds nothing."""
    request = acts.request(k, assignment, formed=True)
    T, L = request.teams, len(request.slots)
    current = acts.routes[k] if acts.routes[k] is not None and acts.routes[k].shape == (T, L) else None
    keep: tuple[tuple[int, int, int, bool, float], ...] = ()
    hint = None
    if old_route is not None and old_route.shape == (T, L):
        weight = min(stability, KEEP_STATION)
        keep = tuple(
            (t, int(old_route[t, l]), l, False, weight) for t in range(T) for l in range(L) if old_route[t, l] >= 0
        )
        hint = StationPlan(old_route, acts.staff[k])
    attempts = [attrs.evolve(request, station_pins=request.station_pins + keep)]
    if current is not None:
        hint = StationPlan(current, acts.staff[k])
        rows = np.arange(T)[:, None]
        bad = ((request.forbidden[rows, np.maximum(current, 0)] > 0) & (current >= 0)).any(axis=1)
        if bad.any() and not bad.all():
            fixed = tuple(
                (int(t), int(current[t, l]), l, True, 1.0)
                for t in np.flatnonzero(~bad)
                for l in range(L)
                if current[t, l] >= 0
            )
            attempts.insert(0, attrs.evolve(request, station_pins=request.station_pins + fixed + keep))
    for i, attempt in enumerate(attempts):
        seconds = max(0.5, min(4.0, clock.left(until) / (len(attempts) - i)))
        found = plan_stations(attempt, hint, seconds=seconds, seed=seed, effort=4.0)
        if found is not None:
            acts.adopt(k, found)
            return


def _assign_roles(
    problem: ProblemData,
    assignment: np.ndarray,
    old_holders: dict[tuple[int, int, int], list[int]],
    held_k: set[int],
    stability: float,
    seed: int,
    deadline: float,
) -> dict[tuple[int, int, int], list[int]] | None:
    """The roles of the whole event: those of held sessions fixed, old holders preferred
    where they are still in the team."""
    req = role_request(problem, assignment)
    pins = list(req.pins)
    for (k, t, r), people in old_holders.items():
        for p in people:
            if assignment[k, p] == t:
                pins.append((p, r, k, k in held_k, min(stability, KEEP_ROLE)))
    req = attrs.evolve(req, pins=tuple(pins))
    found = assign_roles(req, seconds=max(0.5, clock.left(deadline)), seed=seed)
    return found


# -- what moved ----------------------------------------------------------------------------
def _moves(
    problem: ProblemData,
    plan: Plan,
    old: np.ndarray,
    start: np.ndarray,
    new_plan: Plan,
    todo: list[int],
    broken: dict[int, set[str]],
    replanned: bool,
) -> tuple[tuple[RepairMove, ...], tuple[SessionChange, ...], int]:
    """Every change of team between the old plan and the new, with its reason, and what
    changed in each session re-planned."""
    ids = [p.id for p in problem.participants]
    new = new_plan.to_assignment(problem)
    moves: list[RepairMove] = []
    changes: list[SessionChange] = []
    kept = 0
    for k in range(len(problem.sessions)):
        if k not in todo:
            kept += int(((old[k] >= 0) & (old[k] == new[k])).sum())
            continue
        sid = problem.sessions[k].id
        before, after = old[k], new[k]
        left = [i for i in range(len(ids)) if before[i] >= 0 and after[i] < 0]
        joined = [i for i in range(len(ids)) if before[i] < 0 and after[i] >= 0]
        # Teams touched by the changes themselves: someone left, or a newcomer was placed.
        touched_by: dict[int, list[str]] = {}
        for i in left:
            touched_by.setdefault(int(before[i]), []).append(f"{ids[i]} left")
        for i in joined:
            touched_by.setdefault(int(start[k, i]), []).append(f"{ids[i]} joined")
        rules = ", ".join(sorted(broken[k]))
        moved = []
        for i in range(len(ids)):
            b, a = int(before[i]), int(after[i])
            if b == a:
                kept += int(b >= 0)
                continue
            if a < 0:
                why = "absent"
            elif b < 0:
                why = "joins this session"
            else:
                moved.append(i)
                if replanned:
                    why = "planned again in full" + (f", to mend {rules}" if rules else "")
                elif a in touched_by or b in touched_by:
                    team = a if a in touched_by else b
                    why = f"team {team + 1} changed: {', '.join(touched_by[team])}"
                elif rules:
                    why = f"to mend {rules}"
                else:
                    why = "a better plan for the rules"
            moves.append(RepairMove(sid, ids[i], b + 1 if b >= 0 else None, a + 1 if a >= 0 else None, why))
        T = problem.layout(k).num_teams
        changed = [t + 1 for t in range(T) if set(np.flatnonzero(before == t)) != set(np.flatnonzero(after == t))]
        old_teams = plan.sessions[k].teams
        new_teams = new_plan.sessions[k].teams
        rerouted = [
            t + 1 for t in range(min(len(old_teams), len(new_teams))) if old_teams[t].stations != new_teams[t].stations
        ]
        changes.append(
            SessionChange(
                session=sid,
                left=tuple(ids[i] for i in left),
                joined=tuple(ids[i] for i in joined),
                moved=tuple(ids[i] for i in moved),
                touched=tuple(sorted(t + 1 for t in touched_by)),
                changed=tuple(changed),
                forced=tuple(sorted(broken[k])),
                rerouted=tuple(rerouted),
            )
        )
    return tuple(moves), tuple(changes), kept
