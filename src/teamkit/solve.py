"""The one entry point of the engine: :func:`solve`.

How a solve runs (see the "How the engine works" page of the docs):

1. *Pre-checks* (:mod:`teamkit.precheck`): counting arguments that prove a request
   impossible before any search, with the numbers in words.
2. Per session, a *stratified greedy construction*, a *tabu repair* of hard violations and a
   *descent* on the soft objective (:mod:`teamkit.engine.search`).
3. *CP-SAT* (:mod:`teamkit.solvers.ortools`), hinted with that plan: on the whole session when
   it is small enough, where it can prove optimality or infeasibility and explain a conflict;
   on a few teams at a time (large-neighbourhood search) when it is not.

Events whose sessions are linked (rules across sessions such as :class:`~teamkit.MeetAtMost`,
or sessions that keep the previous teams) are planned by :func:`_solve_event`: a start from an
exact construction where the shape allows one (:mod:`teamkit.engine.constructions`), then
passes over the sessions, each re-planned with the others fixed: seen from one session,
every across-session rule is a set of weighted "apart" pairs (:mod:`teamkit.engine.meetings`),
so steps 2 and 3 apply unchanged. Passes repeat while they improve the whole plan.

Events with stations and roles take the same path (:mod:`teamkit.engine.activities`). Where
the event fits it (:func:`teamkit.engine.event_anneal.unfit`), a whole-event annealing first
plans the teams of every session with station slots and each team's set of stations; each
set is routed by CP-SAT, and the other sessions are formed around them. Otherwise a day
of several sessions under "no exercise twice a day" is first split into tracks with station
sets disjoint over the day (:mod:`teamkit.engine.tracks`); each session's stations are
designed by CP-SAT before its teams are formed, with a witness that
everyone can be seated in teams whose stations they may do; rules about people and stations
become costs per (person, team) for the team forming; the stations are re-planned for the
teams formed; a joint CP-SAT repair exchanges members and stations of a few teams; and the
roles of the whole event are assigned last, by CP-SAT.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from teamkit.constraints import AvoidRepeats, MeetAtMost, Pin, Together
from teamkit.engine import clock, constructions, event_anneal, golfer
from teamkit.engine.activities import TRACKS, Activities, role_cover, role_penalties, role_request
from teamkit.engine.compiled import CompiledConstraint, compile_session
from teamkit.engine.meetings import (
    Meetings,
    across_penalties,
    derived_constraints,
    excess_lower_bound,
    repeat_lower_bound,
    scope_of,
)
from teamkit.engine.search import EPS, LocalSearch, better, solve_session
from teamkit.engine.tracks import TRACK_SECONDS
from teamkit.limits import check_memory
from teamkit.model import ProblemData
from teamkit.plan import Plan, StaffSlot
from teamkit.precheck import precheck, relax_line
from teamkit.result import Result, Status
from teamkit.solvers import ortools as cpsat
from teamkit.solvers.ortools.joint import solve_joint
from teamkit.solvers.ortools.roles import assign_roles
from teamkit.solvers.ortools.session import sizes_kept
from teamkit.solvers.ortools.stations import no_stations_possible, plan_stations


@attrs.frozen
class Progress:
    """A snapshot passed to the ``progress`` callback during a solve."""

    elapsed: float
    phase: str
    session: str
    hard_violations: float
    objective: float | None
    bound: float | None = None


def solve(
    problem: ProblemData,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[Progress], None] | None = None,
) -> Result:
    """Plans the teams of every session.

    Ctrl-C (in the main thread) stops the search and returns the best plan found so far,
    with ``stopped_by == "interrupted"``; a second Ctrl-C raises ``KeyboardInterrupt``.

    Args:
        problem: validated problem data (from :meth:`teamkit.Model.data`).
        time_limit: wall-clock seconds for the whole solve. The search stops earlier when it
            has converged; the limit only cuts it short (then ``stopped_by`` says so).
        seed: the random seed. The same problem, seed and options give the same plan,
            unless the time limit cut the search short.
        workers: CP-SAT workers. With more than one, CP-SAT's parallel portfolio may return
            a different (equally valid) plan from run to run.
        progress: called with a :class:`Progress` after each phase of each session.

    Returns:
        A :class:`Result`; check ``result.status`` (an infeasible request is a status with an
        ``explanation``, not an exception).
    """
    with clock.interruptible():
        return _marked_if_interrupted(_solve(problem, time_limit, seed, workers, progress), "plan")


def _marked_if_interrupted(result: Result, what: str) -> Result:
    """``result`` with ``stopped_by="interrupted"`` and a line saying so when a stop was asked
    for (Ctrl-C) and the result is not proved; as it is otherwise."""
    if not clock.stop_requested() or result.stopped_by == "proved":
        return result
    note = f"interrupted after {result.runtime:.1f} s: the best {what} found by then is returned"
    return attrs.evolve(result, stopped_by="interrupted", explanation=(*result.explanation, note))


def _solve(
    problem: ProblemData, time_limit: float, seed: int, workers: int, progress: Callable[[Progress], None] | None
) -> Result:
    """:func:`solve` without the Ctrl-C handling."""
    if not isinstance(problem, ProblemData):
        raise TypeError(f"solve() takes ProblemData (from Model.data()), got {type(problem).__name__}")
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    check_memory(problem)
    started = time.monotonic()
    deadline = started + time_limit

    conflicts = precheck(problem)
    if conflicts:
        return Result(
            status=Status.INFEASIBLE,
            plan=None,
            runtime=time.monotonic() - started,
            explanation=conflicts,
            stopped_by="proved",
            seed=seed,
        )

    if problem.spans_sessions or problem.roles or problem.stations:
        return _solve_event(problem, time_limit, seed, workers, progress, started, deadline)

    S = len(problem.sessions)
    assignment = np.full((S, problem.num_participants), -1, dtype=np.int32)
    statuses: list[Status] = []
    explanation: list[str] = []
    bounds: list[float | None] = []
    breakdown: dict[str, float] = {}
    hard_total = 0.0
    stopped_by = "converged"
    for k, session in enumerate(problem.sessions):
        # Each session gets an equal share of what time is left.
        now = time.monotonic()
        session_deadline = now + (deadline - now) / (S - k)
        rng = np.random.default_rng([seed, k])
        cs = compile_session(problem, k)

        def report(ls: LocalSearch, phase: str, bound: float | None = None) -> None:
            if progress is not None:
                progress(
                    Progress(
                        elapsed=time.monotonic() - started,
                        phase=phase,
                        session=session.id,
                        hard_violations=ls.hard,
                        objective=ls.soft,
                        bound=bound,
                    )
                )

        ls = solve_session(
            cs, rng, session_deadline, on_step=lambda ls: report(ls, "local search"), seconds=time_limit / S
        )
        outcome = cpsat.improve_session(
            cs, ls, deadline=session_deadline, seed=seed, workers=workers, on_solution=lambda ls: report(ls, "cp-sat")
        )
        if clock.expired(session_deadline) and outcome.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            stopped_by = "time_limit"
        statuses.append(outcome.status)
        bounds.append(outcome.bound)
        explanation.extend(f"session {session.id!r}: {line}" for line in outcome.explanation)
        assignment[k, cs.present] = ls.st.team
        hard_total += ls.hard
        for term in ls.soft_terms:
            breakdown[term.name] = breakdown.get(term.name, 0.0) + term.weight * term.total

    plan = Plan.from_assignment(problem, assignment)
    if Status.INFEASIBLE in statuses:
        status = Status.INFEASIBLE
        plan_out = None
    elif hard_total > 1e-9:
        status = Status.UNKNOWN
        plan_out = plan
        explanation.append(
            f"no plan meeting every hard constraint was found in {time_limit:g} s; "
            "the best attempt is returned with its violations (see teamkit.check)"
        )
    elif all(s is Status.OPTIMAL for s in statuses):
        status, plan_out = Status.OPTIMAL, plan
    else:
        status, plan_out = Status.FEASIBLE, plan
    if status is Status.OPTIMAL:
        stopped_by = "proved"
    bound = sum(b for b in bounds) if bounds and all(b is not None for b in bounds) else None  # type: ignore[misc]
    objective = float(sum(breakdown.values())) if plan_out is not None else None
    return Result(
        status=status,
        plan=plan_out,
        objective=objective,
        breakdown=breakdown if plan_out is not None else {},
        bound=bound,
        runtime=time.monotonic() - started,
        hard_violations=hard_total if plan_out is not None else 0.0,
        explanation=tuple(explanation),
        stopped_by=stopped_by,
        seed=seed,
    )


#: Passes over the sessions at most; each pass re-plans every session with the others fixed.
MAX_PASSES = 12
#: The share of a session's time that designing its stations, before its teams are formed,
#: may take with resumes (the first design always runs).
DESIGN_SHARE = 0.4
#: The share of the time limit that the whole-event annealing takes, where it applies
#: (:mod:`teamkit.engine.event_anneal`); routing its station sets, the other sessions, the
#: polishing passes and the roles share the rest.
ANNEAL_SHARE = 0.65


def _keep_team_pins(
    problem: ProblemData, assignment: np.ndarray, k: int, present: np.ndarray
) -> list[CompiledConstraint]:
    """Session ``k`` keeps the previous session's teams: hard pins for those who attend both."""
    session = problem.sessions[k]
    if not session.keep_teams:
        return []
    previous = problem.sessions[k - 1]
    name = f"keep teams of {previous.id!r}"
    out = []
    for local, i in enumerate(present):
        t = int(assignment[k - 1, i])
        if t >= 0:
            pin = Pin(participant=problem.participants[i].id, team=t + 1, session=session.id, label=name)
            out.append(CompiledConstraint(pin, name, {"person": local, "team": t}))
    return out


def _construction_start(problem: ProblemData) -> dict[int, np.ndarray]:
    """Rows of an exact no-repeat schedule for as many sessions as a construction covers,
    when every session has the same fixed shape, everyone attends and nothing pins people."""
    if not any(isinstance(c, (MeetAtMost, AvoidRepeats)) for c in problem.constraints):
        return {}
    if any(isinstance(c, (Pin, Together)) and c.hard for c in problem.constraints):
        return {}
    # A construction knows nothing of the sessions' own rules: above the size the
    # all-sessions tabu takes, repairing spread and balance from it costs more than the
    # stratified greedy start that meets them by construction.
    own_hard = any(c.hard and not c.across_sessions for c in problem.constraints)
    if own_hard and problem.num_participants > golfer.MAX_PEOPLE:
        return {}
    if any(len(block) > 1 for block in problem.blocks()):
        return {}
    n = problem.num_participants
    shapes = {problem.layout(k).sizes for k in range(len(problem.sessions))}
    if len(shapes) != 1 or any(len(problem.layout(k).present) != n for k in range(len(problem.sessions))):
        return {}
    sizes = next(iter(shapes))
    if any(low != high or low != sizes[0][0] for low, high in sizes):
        return {}
    groups, size = len(sizes), sizes[0][0]
    rounds = min(len(problem.sessions), constructions.max_rounds(groups, size))
    if rounds < 2:
        return {}
    schedule = constructions.schedule(groups, size, rounds)
    # Verified before use: a start that is not a perfect schedule would only mislead.
    if schedule is None or constructions.repeated_pairs(schedule) != 0:
        return {}
    return {k: np.asarray(schedule[k], dtype=np.int64) for k in range(rounds)}


def _across_bound(problem: ProblemData) -> float:
    """A lower bound on the weighted penalty of the across-session rules."""
    bound = 0.0
    for c in problem.constraints:
        if isinstance(c, AvoidRepeats):
            # (m - 1) ** p >= m - 1 for whole numbers, so the repeat count bounds it.
            bound += c.weight * repeat_lower_bound(problem, scope_of(problem, c))
        elif isinstance(c, MeetAtMost) and not c.hard:
            bound += c.weight * excess_lower_bound(problem, c.times, scope_of(problem, c))[0]
    return bound


def _solve_event(
    problem: ProblemData,
    time_limit: float,
    seed: int,
    workers: int,
    progress: Callable[[Progress], None] | None,
    started: float,
    deadline: float,
) -> Result:
    """Sessions linked by across-session rules: construction, then passes of per-session
    search with the other sessions fixed (see the module docstring)."""
    S, n = len(problem.sessions), problem.num_participants
    names = dict(enumerate(problem.constraint_names()))
    across_names = {names[i] for i, c in enumerate(problem.constraints) if c.across_sessions}
    weights = {names[i]: c.weight for i, c in enumerate(problem.constraints)}
    hard_across = {names[i] for i, c in enumerate(problem.constraints) if c.across_sessions and c.hard}
    assignment = np.full((S, n), -1, dtype=np.int64)
    meetings = Meetings(problem, assignment)
    acts = Activities(problem) if problem.stations else None
    station_names = {names[i] for i, c in enumerate(problem.constraints) if c.stage == "stations"}
    # People who must be spread for their roles, or whose stations depend on their team,
    # are not free to take the places of an exact construction or of the all-sessions tabu.
    covers = any(role_cover(problem, k, np.asarray(problem.layout(k).present)) for k in range(S))
    people_bound = covers or (acts is not None and acts.shapes_teams)
    # Time kept at the end for the roles of the whole event.
    reserve = min(0.1 * time_limit, 1.0 + 0.03 * time_limit, 10.0) if problem.roles else 0.0
    deadline -= reserve
    starts = {} if people_bound else _construction_start(problem)
    for k, row in starts.items():
        assignment[k] = row
        meetings.update(k)
    # Per session: its own hard penalty and soft breakdown (across-session rules excluded).
    own_hard = np.zeros(S)
    # Per session: hard violations it took part in when last planned, across rules included.
    involved = np.zeros(S)
    own_soft: list[dict[str, float]] = [{} for _ in range(S)]

    def score() -> tuple[float, float]:
        across = across_penalties(problem, meetings)
        hard = float(own_hard.sum()) + sum(v for name, v in across.items() if name in hard_across)
        soft = sum(sum(b.values()) for b in own_soft)
        soft += sum(weights[name] * v for name, v in across.items() if name not in hard_across)
        if acts is not None:
            for index, value in acts.penalties(assignment).items():
                c = problem.constraints[index]
                if c.hard:
                    hard += value
                else:
                    soft += c.weight * value
        return hard, soft

    def route(k: int, formed: bool, session_deadline: float) -> None:
        """Stations of session k: designed before its teams are formed, re-planned for the
        actual members after."""
        if acts is None or not acts.has_slots(k):
            return
        started_design = time.monotonic()
        if not formed:
            # From the time limit, not the clock: the same request gets the same tracks.
            acts.plan_day(k, assignment, seed, seconds=min(TRACK_SECONDS, 0.05 * time_limit))
        # Past the whole solve's deadline only what a plan needs is done: a design for a
        # session that has none, quickly; the routes already found are kept as they are.
        late = clock.expired(deadline)
        if late and formed and acts.routes[k] is not None:
            return
        budget = 0.3 if late else max(0.5, min(4.0, (0.1 if formed else 0.15) * clock.left(session_deadline)))
        if not formed and k in acts.tracks and not late:
            # Within tracks the design is what keeps the day's rules: worth more time.
            budget = max(budget, min(4.0, 0.3 * clock.left(session_deadline)))
        request = acts.request(k, assignment, formed)
        found = plan_stations(request, acts.hint(k), seconds=budget, seed=seed, effort=4.0 if formed else 6.0)
        if found is None and acts.routes[k] is None and request.groups:
            # No design with a seating witness in time: design for the structure alone, and
            # leave the people's rules to the team forming and the re-routing after it.
            request = attrs.evolve(request, groups=(), group_limits=())
            found = plan_stations(request, None, seconds=budget, seed=seed, effort=6.0)
        if found is None and acts.routes[k] is None and request.allowed is not None:
            # The tracks promised room that the routes (instructors for some stations only,
            # say) do not find: the rest of the day goes without them.
            acts.drop_tracks(k)
            request = acts.request(k, assignment, formed)
            found = plan_stations(request, None, seconds=budget, seed=seed, effort=6.0)
        # A design that cannot seat everyone is resumed from where it stopped, a few times:
        # each seat it finds spares the team forming a broken rule. The resumes stop when one
        # seats nobody more, and they end by the design's share of the session's time: the
        # team forming that follows needs the rest (without it the session is left as the
        # greedy start made it, far worse than a seat or two short).
        design_until = started_design + DESIGN_SHARE * (session_deadline - started_design)
        seated = -1
        for again in range(0 if late else 3):
            if found is None or found.seating is None:
                break
            now_seated = int(found.seating.sum())
            if now_seated >= sum(size for _, size, _ in request.groups) or now_seated <= seated:
                break
            if clock.left(design_until) < 0.5 * budget:
                break
            seated = now_seated
            resumed = plan_stations(
                request, found, seconds=min(budget, clock.left(design_until)), seed=seed + again + 1, effort=6.0
            )
            found = resumed or found
        if found is not None:
            acts.adopt(k, found)
        elif acts.routes[k] is None:
            raise _NoStations(problem.sessions[k].id, no_stations_possible(request, seconds=budget, seed=seed))

    def report(phase: str, session: str, hard: float, soft: float | None) -> None:
        if progress is not None:
            progress(Progress(time.monotonic() - started, phase, session, hard, soft))

    def plan_session(k: int, pass_: int, session_deadline: float) -> None:
        """Re-plans session k with every other session fixed."""
        session = problem.sessions[k]
        rng = np.random.default_rng([seed, k, pass_])
        present = np.asarray(problem.layout(k).present, dtype=np.int64)
        if acts is not None and acts.routes[k] is None:
            route(k, False, session_deadline)
        extra = derived_constraints(problem, meetings, k, present, names)
        extra += _keep_team_pins(problem, assignment, k, present)
        extra += role_cover(problem, k, present)
        if acts is not None:
            extra += acts.team_costs(k, assignment, present)
        cs = compile_session(problem, k, extra)
        fresh = (pass_ == 0 and k not in starts) or session.keep_teams
        ls = solve_session(cs, rng, session_deadline, start=None if fresh else assignment[k, present].copy())
        # The first pass leaves CP-SAT to the sessions the swaps could not make feasible: the
        # all-sessions tabu and the later passes work on the rest with the whole plan in view.
        # (Also when a start placed pinned people beyond a team's size: CP-SAT mends sizes.)
        if pass_ > 0 or ls.hard > EPS or not sizes_kept(cs, ls.st.team):
            cpsat.improve_session(
                cs, ls, deadline=session_deadline, seed=seed, workers=workers, conditional=True, effort=2.0
            )
        assignment[k] = -1
        assignment[k, present] = ls.st.team
        meetings.update(k)
        route(k, True, session_deadline)
        own_hard[k], own_soft[k] = _own_penalties(ls, skip)
        involved[k] = ls.hard
        report(f"pass {pass_ + 1}", session.id, ls.hard, ls.soft)

    def measure_session(k: int) -> None:
        """Own penalties of session k as it stands (after the tabu moved people)."""
        own_hard[k], own_soft[k] = _own_penalties(_scored(problem, k, assignment, pins=False), skip)

    # Station rules are scored over the whole plan (routes change after teams do); the
    # engine's role cover only steers team forming, the roles themselves are scored at the end.
    skip = (
        across_names
        | station_names
        | {TRACKS}
        | {cc.name for k in range(S) for cc in role_cover(problem, k, np.asarray(problem.layout(k).present))}
    )
    across_bound = _across_bound(problem)
    has_own_soft = any(not c.hard and not c.across_sessions for c in problem.constraints)

    def meetings_done(current: tuple[float, float]) -> bool:
        own = sum(sum(b.values()) for b in own_soft)
        return current[0] <= EPS and current[1] - own <= across_bound + EPS

    best = (np.inf, np.inf)
    kept: dict[str, Any] = {}

    def keep(current: tuple[float, float]) -> None:
        """Remembers the plan as it stands as the best so far, with its score."""
        nonlocal best
        best = current
        kept["assignment"] = assignment.copy()
        kept["routes"] = _snapshot(acts)
        kept["own"] = (own_hard.copy(), [dict(b) for b in own_soft])

    def restore_best(sessions: list[int] | None = None) -> None:
        """Goes back to the best plan kept; the meetings are re-read from ``sessions``
        (those that may have changed since), or from every session."""
        assignment[:] = kept["assignment"]
        _restore(acts, kept["routes"])
        own_hard[:] = kept["own"][0]
        own_soft[:] = [dict(b) for b in kept["own"][1]]
        for k in range(S) if sessions is None else sessions:
            meetings.update(k)

    def joint_repair(until: float, sessions: list[int] | None = None, patience: int = 40) -> None:
        """Frees a few teams of a session with a broken station rule, their members and
        their stations at once (:mod:`teamkit.solvers.ortools.joint`); keeps what makes
        the plan better."""
        rng = np.random.default_rng([seed, 4243, len(sessions or ())])
        rounds = 0
        stale = 0
        keep(score())
        while not clock.expired(until) and best[0] > EPS and stale < patience:
            rounds += 1
            candidates = []
            for k in sessions if sessions is not None else range(S):
                if acts.routes[k] is None:
                    continue
                present = np.asarray(problem.layout(k).present, dtype=np.int64)
                # The rules themselves: a person outside their day's track breaks none.
                forbid = acts.forbidden(k, assignment, present, tracks=False)
                team = assignment[k, present]
                route = acts.routes[k]
                stations = route[team]  # (m, L)
                broken = np.array([forbid[p, stations[p][stations[p] >= 0]].any() for p in range(len(present))])
                if broken.any():
                    candidates.append((k, present, forbid, team, np.flatnonzero(broken)))
            if not candidates:
                break
            k, present, forbid, team, broken_people = candidates[rng.integers(len(candidates))]
            movable = np.flatnonzero(acts.single_slot(k))
            person = int(rng.choice(broken_people))
            first = int(team[person])
            if first not in movable:
                stale += 1
                continue
            # The other teams: ones whose stations the person may do (somewhere to go), then
            # any.
            route = acts.routes[k]
            fits = np.array([not forbid[person, route[t][route[t] >= 0]].any() for t in movable])
            others = [int(t) for t in rng.permutation(movable[fits & (movable != first)])[:2]]
            rest = [int(t) for t in rng.permutation(movable) if t != first and t not in others]
            teams = sorted([first, *others, *rest[: 3 - len(others)]])
            # Meetings broken already must not make the model infeasible: here they cost
            # as much as a broken station rule, and the whole plan's score decides.
            extra = [
                attrs.evolve(cc, constraint=attrs.evolve(cc.constraint, hard=False, weight=1000.0))
                if cc.constraint.hard
                else cc
                for cc in derived_constraints(problem, meetings, k, present, names)
            ]
            extra += _keep_team_pins(problem, assignment, k, present)
            extra += role_cover(problem, k, present)
            extra += [cc for cc in acts.team_costs(k, assignment, present) if not cc.constraint.hard]
            cs = compile_session(problem, k, extra)
            move = solve_joint(
                cs,
                team,
                acts.routes[k],
                forbid,
                teams,
                seconds=min(3.0, clock.left(until)),
                seed=seed + rounds,
                effort=3.0,
            )
            if move is None:
                stale += 1
                continue
            saved = (assignment[k].copy(), acts.routes[k], own_hard[k], dict(own_soft[k]))
            assignment[k] = -1
            assignment[k, present] = move.team
            acts.routes[k] = move.route
            meetings.update(k)
            measure_session(k)
            current = score()
            if better(current, best):
                keep(current)
                stale = 0
                report("joint repair", problem.sessions[k].id, *current)
            else:
                assignment[k], acts.routes[k], own_hard[k], own_soft[k] = saved
                meetings.update(k)
                stale += 1

    def route_to_sets(k: int, sets: np.ndarray, session_deadline: float) -> None:
        """Routes session k's teams, each through the stations of its set (one per slot),
        with the instructors; without such routes in time, plans the session's stations for
        its teams as after team forming."""
        request = attrs.evolve(acts.request(k, assignment, True), allowed=sets.astype(bool))
        budget = max(0.5, min(4.0, 0.5 * clock.left(session_deadline)))
        found = plan_stations(request, None, seconds=budget, seed=seed, effort=4.0)
        if found is not None:
            acts.adopt(k, found)
        else:
            route(k, True, session_deadline)

    # Where it applies, the teams and station sets of every session with station slots come
    # from the whole-event annealing; pass 1 then routes them and plans the other sessions.
    annealed = None
    if acts is not None:
        # None where the event does not fit it (event_anneal.unfit) or numba is missing. Its
        # moves come from its share of the time (and a mending run may take 15 % more); the
        # clock stops it only if this machine is much slower than the one its cost per move
        # was measured on.
        span = ANNEAL_SHARE * (deadline - started)
        annealed = event_anneal.anneal(problem, seed, span, started + 1.3 * span)
    if annealed is not None:
        for i, k in enumerate(annealed.sessions):
            assignment[k] = annealed.team[i]
            meetings.update(k)
        report("annealing", "", float(annealed.broken), annealed.objective)
    stopped_by = "converged"
    # Pass 1 builds every session in order (each seeing the ones before), within half the
    # time; with station rules, most of it: there each session's teams must fit stations
    # designed for what its people did before, and later passes can change little of that.
    first_share = 0.85 if people_bound and acts is not None else 0.5
    try:
        for k in range(S):
            now = time.monotonic()
            session_deadline = now + max(0.0, started + first_share * (deadline - started) - now) / (S - k)
            if annealed is not None and k in annealed.sessions:
                route_to_sets(k, annealed.sets[annealed.sessions.index(k)], session_deadline)
                measure_session(k)
                involved[k] = own_hard[k]
                continue
            plan_session(k, 0, session_deadline)
            if acts is not None and acts.shapes_teams and acts.routes[k] is not None:
                # Mend this session's broken station rules now, while the sessions after it
                # can still adapt to it.
                joint_repair(
                    min(deadline, time.monotonic() + 0.3 * (session_deadline - started) / (k + 1)), [k], patience=8
                )
                restore_best([k])
    except _NoStations as error:
        where = f"session {error.session!r}"
        if error.proved:
            explanation: tuple[str, ...] = (
                (
                    f"{where}: the stations cannot take every team in every slot: their capacity, opening "
                    "times and durations, one visit per team and station, and the instructors who may run "
                    "them leave no way (proved by the station model)"
                ),
                relax_line(
                    [f"the stations open in {where}", f"the instructors of {where}", f"the team sizes of {where}"]
                ),
            )
        else:
            explanation = (
                (
                    f"{where}: no way to place every team at a station in every slot "
                    "was found in time (capacity, opening times and staff together)"
                ),
            )
        return Result(
            status=Status.INFEASIBLE if error.proved else Status.UNKNOWN,
            plan=None,
            runtime=time.monotonic() - started,
            explanation=explanation,
            stopped_by="proved" if error.proved else "time_limit",
            seed=seed,
        )

    def event_tabu(until: float, costs: list[list[CompiledConstraint]] | None = None) -> bool:
        """The all-sessions tabu from the plan as it stands; keeps its plan if better than
        the best, else goes back to the best. Whether it was kept."""
        _event_tabu(problem, assignment, seed, until, across_bound, costs)
        for k in range(S):
            meetings.update(k)
            measure_session(k)
        current = score()
        report("tabu", "", *current)
        if better(current, best):
            keep(current)
            return True
        restore_best()
        return False

    def pass_over(sessions: list[int], pass_: int, spread: float) -> bool:
        """Re-plans ``sessions`` in turn until the deadline, each with its share of the time
        left (``spread`` 2 keeps half of it for later rounds); keeps the plan if better than
        the best, else goes back to the best. Whether it was kept."""
        for i, k in enumerate(sessions):
            now = time.monotonic()
            if now >= deadline:
                break
            plan_session(k, pass_, now + (deadline - now) / (spread * (len(sessions) - i)))
        current = score()
        if better(current, best):
            keep(current)
            return True
        restore_best()
        return False

    keep(score())
    # Tabu over all sessions at once, where the meeting rules are what is left to fix.
    if not meetings_done(best) and not clock.expired(deadline) and _tabu_applies(problem) and not people_bound:
        # Keep some time for polishing passes when the sessions have soft rules of their own.
        share = 0.6 if has_own_soft else 1.0
        event_tabu(time.monotonic() + share * clock.left(deadline))

    # With station rules, an infeasible plan after pass 1 leaves more than half of the time
    # to the repairs below (members and stations of a few teams; all sessions at once).
    passes_until = deadline
    if acts is not None and acts.shapes_teams and best[0] > EPS:
        passes_until = started + 0.45 * (deadline - started)
    # Polishing passes: each session re-planned with the others fixed, while that helps.
    for pass_ in range(1, MAX_PASSES):
        if meetings_done(best) and not has_own_soft:
            break
        if clock.expired(passes_until):
            stopped_by = "time_limit"
            break
        for k in range(S):
            now = time.monotonic()
            if now > passes_until:
                break
            plan_session(k, pass_, now + (passes_until - now) / (S - k + S * (MAX_PASSES - pass_ - 1)))
        current = score()
        if better(current, best):
            keep(current)
        elif best[0] > EPS and not (acts is not None and acts.shapes_teams):
            # Still infeasible: go back to the best plan and try again; the next pass draws
            # other random numbers. (With station rules, the joint repair below does better.)
            restore_best()
        else:
            break

    restore_best()
    # Still infeasible with station rules: until the time is up, always from the best plan
    # so far, alternate the joint repair, the all-sessions tabu (while it helps) and passes
    # over the sessions that took part in a violation.
    extra_pass = MAX_PASSES
    tabu_again = True
    repaired = acts is not None and acts.shapes_teams and best[0] > EPS
    while acts is not None and acts.shapes_teams and best[0] > EPS and not clock.expired(deadline):
        joint_repair(deadline)
        restore_best()
        if best[0] <= EPS or clock.expired(deadline):
            break
        if tabu_again and _tabu_applies(problem, stations=True):
            # Meetings broken between sessions of a day: swaps in all sessions at once, the
            # routes fixed and the station rules (and tracks) as costs, see more than
            # re-planning one session with the others fixed.
            costs = [
                acts.team_costs(k, assignment, np.asarray(problem.layout(k).present, dtype=np.int64)) for k in range(S)
            ]
            # Again after the passes below if it helped.
            tabu_again = event_tabu(time.monotonic() + 0.5 * clock.left(deadline), costs)
            if best[0] <= EPS:
                break
        # The sessions that took part in a violation when last planned get the time; the
        # others are as good as they get.
        pass_over([k for k in range(S) if involved[k] > EPS] or list(range(S)), extra_pass, 2.0)
        extra_pass += 1
    # Made feasible by the repairs with time left: polishing passes, each kept only if it
    # makes the plan better.
    while repaired and best[0] <= EPS and not meetings_done(best) and not clock.expired(deadline):
        improved = pass_over(list(range(S)), extra_pass, 1.0)
        extra_pass += 1
        if not improved:
            break
    # Re-score the returned plan in one place: own terms per session, across rules globally.
    hard_total, breakdown = _event_breakdown(problem, assignment, meetings, hard_across, weights, skip)
    holders: dict[tuple[int, int, int], list[int]] = {}
    if problem.roles:
        left = clock.left(started + time_limit)
        found_roles = assign_roles(role_request(problem, assignment), seconds=max(0.5, left), seed=seed)
        if found_roles is None:
            return Result(
                status=Status.UNKNOWN,
                plan=None,
                runtime=time.monotonic() - started,
                explanation=("the roles could not be assigned in the time left; allow more time",),
                stopped_by="time_limit",
                seed=seed,
            )
        holders = found_roles
    extra_penalties: dict = {}
    if acts is not None:
        extra_penalties.update(acts.penalties(assignment))
    if problem.roles:
        extra_penalties.update(role_penalties(problem, holders, assignment))
    for index, value in extra_penalties.items():
        c = problem.constraints[index] if index >= 0 else None  # -1: eligibility and turn limits
        if c is None or c.hard:
            hard_total += value
        else:
            breakdown[names[index]] = c.weight * value
    plan = _plan(problem, assignment, acts, holders)
    soft_total = float(sum(breakdown.values()))
    only_across = all(name in across_names for name in breakdown)
    bound = across_bound if only_across else None
    explanation: list[str] = []
    if hard_total > EPS:
        status = Status.UNKNOWN
        explanation.append(
            f"no plan meeting every hard constraint was found in {time_limit:g} s; "
            "the best attempt is returned with its violations (see teamkit.check)"
        )
    elif bound is not None and soft_total <= bound + EPS:
        status = Status.OPTIMAL
        stopped_by = "proved"
    else:
        status = Status.FEASIBLE
    repeats = None
    repeat_bound = None
    if any(isinstance(c, (MeetAtMost, AvoidRepeats)) for c in problem.constraints):
        _, counts = meetings.counts(None)
        repeats = int(np.maximum(counts - 1, 0).sum())
        repeat_bound = repeat_lower_bound(problem)
    return Result(
        status=status,
        plan=plan,
        objective=soft_total,
        breakdown=breakdown,
        bound=bound,
        runtime=time.monotonic() - started,
        hard_violations=hard_total,
        explanation=tuple(explanation),
        stopped_by=stopped_by,
        seed=seed,
        repeats=repeats,
        repeat_bound=repeat_bound,
    )


def _tabu_applies(problem: ProblemData, stations: bool = False) -> bool:
    """The all-sessions tabu handles meeting rules over the whole event, sessions that are
    blocks of their own, and events small enough for its meeting matrix; with ``stations``,
    rules about roles and stations are left to the costs it is given and to later steps."""
    across = [c for c in problem.constraints if c.across_sessions and not (stations and c.stage != "teams")]
    return (
        problem.num_participants <= golfer.MAX_PEOPLE
        and all(isinstance(c, (MeetAtMost, AvoidRepeats)) and c.sessions is None for c in across)
        and bool(across)
        and all(len(block) == 1 for block in problem.blocks())
    )


def _event_tabu(
    problem: ProblemData,
    assignment: np.ndarray,
    seed: int,
    deadline: float,
    bound: float,
    extra: list[list[CompiledConstraint]] | None = None,
    visits: golfer.StationVisits | None = None,
    frozen: frozenset[int] = frozenset(),
) -> None:
    """Swaps people within sessions, scoring the meetings of the whole event and each
    session's own rules (with ``extra[k]`` added to session ``k``'s), and with ``visits`` the
    station rules counted over the sessions as they stand; ``frozen`` sessions stay."""
    S, n = assignment.shape
    present = [np.asarray(problem.layout(k).present, dtype=np.int64) for k in range(S)]
    rng = np.random.default_rng([seed, 104729])
    searches = [
        LocalSearch(compile_session(problem, k, extra[k] if extra else None), assignment[k, present[k]], rng)
        for k in range(S)
    ]
    rules = [c for c in problem.constraints if isinstance(c, (MeetAtMost, AvoidRepeats))]
    tabu = golfer.EventTabu(assignment, present, searches, golfer.MeetingCost(rules, S), rng, visits, frozen)
    tabu.run(max_iterations=2000 * n + 200000, deadline=deadline, bound=bound)


def _scored(problem: ProblemData, k: int, assignment: np.ndarray, pins: bool) -> LocalSearch:
    """Session k's own terms on its current teams (with the kept-team pins if ``pins``)."""
    present = np.asarray(problem.layout(k).present, dtype=np.int64)
    extra = _keep_team_pins(problem, assignment, k, present) if pins else []
    return LocalSearch(compile_session(problem, k, extra), assignment[k, present], np.random.default_rng(0))


def _own_penalties(ls: LocalSearch, skip: set[str]) -> tuple[float, dict[str, float]]:
    """Hard total and weighted soft breakdown of a session's terms, leaving out ``skip``."""
    breakdown: dict[str, float] = {}
    for term in ls.soft_terms:
        if term.name not in skip:
            breakdown[term.name] = breakdown.get(term.name, 0.0) + term.weight * term.total
    return float(sum(t.total for t in ls.hard_terms if t.name not in skip)), breakdown


def _event_breakdown(
    problem: ProblemData,
    assignment: np.ndarray,
    meetings: Meetings,
    hard_across: set[str],
    weights: dict[str, float],
    skip: set[str],
) -> tuple[float, dict[str, float]]:
    """Hard total and soft breakdown of a whole plan: each session's own terms, and the
    across-session rules over the whole event."""
    hard = 0.0
    breakdown: dict[str, float] = {}
    for k in range(len(problem.sessions)):
        own_hard, own = _own_penalties(_scored(problem, k, assignment, pins=True), skip)
        hard += own_hard
        for name, value in own.items():
            breakdown[name] = breakdown.get(name, 0.0) + value
    for name, value in across_penalties(problem, meetings).items():
        if name in hard_across:
            hard += value
        else:
            breakdown[name] = weights[name] * value
    return hard, breakdown


class _NoStations(Exception):
    """No station plan for ``session``; ``proved``: the structure alone admits none."""

    def __init__(self, session: str, proved: bool) -> None:
        super().__init__(session)
        self.session = session
        self.proved = proved


def _snapshot(acts: Activities | None) -> tuple[list, list] | None:
    return None if acts is None else (list(acts.routes), list(acts.staff))


def _restore(acts: Activities | None, snapshot: tuple[list, list] | None) -> None:
    if acts is not None and snapshot is not None:
        acts.routes, acts.staff = list(snapshot[0]), list(snapshot[1])


def _plan(
    problem: ProblemData,
    assignment: np.ndarray,
    acts: Activities | None,
    holders: dict[tuple[int, int, int], list[int]],
) -> Plan:
    """The plan with each team's roles and stations, and each session's staff."""
    plan = Plan.from_assignment(problem, assignment)
    if acts is None and not holders:
        return plan
    ids = [p.id for p in problem.participants]
    sessions = []
    for k, (session, session_plan) in enumerate(zip(problem.sessions, plan.sessions)):
        route = acts.routes[k] if acts is not None else None
        slots = acts.slots[k] if acts is not None else ()
        teams = []
        for t, team in enumerate(session_plan.teams):
            roles = {
                role.name: tuple(ids[p] for p in holders.get((k, t, r), ()))
                for r, role in enumerate(problem.roles)
                if role.applies_to(session.id)
            }
            stations: list[str | None] = [None] * session.slots
            if route is not None:
                for l, slot in enumerate(slots):
                    stations[slot - 1] = problem.stations[int(route[t, l])].name
            teams.append(attrs.evolve(team, roles=roles, stations=tuple(stations)))
        staff = ()
        if acts is not None:
            staff = tuple(
                StaffSlot(slot=slots[l], station=problem.stations[s].name, instructor=problem.instructors[j].id)
                for l, s, j in acts.staff[k]
            )
        sessions.append(attrs.evolve(session_plan, teams=tuple(teams), staff=staff))
    return Plan(tuple(sessions))
