"""Whole-event annealing: the teams and the stations of every session with station slots,
searched at once.

Why. The sequential planner forms one session's teams at a time, each fitted to stations
designed from what its people did before. On the seed scenario (300 people, five sessions
of station slots, 14 stations) that leaves about 600 exercises repeated over the event,
where the capacity alone forces 60: the early sessions use up the stations that suit the
later ones, and no later pass can undo it (``BENCHMARKS.md``, "The whole training"). Here
the teams of all those sessions and each team's *set* of stations for its session (as many
stations as the session has slots) are annealed together, from random teams.

The moves: swap two people of one session between their teams, or change one station of a
team's set (for a station with room, or in exchange for a station of another team's set).
The start's teams break no spread rule (:func:`spread_teams`) and its sets no avoid rule
(teams with someone the rule names choose their stations first), and no move may break
those rules after (they were the ones a run most often ended with, left to a price), nor
exceed a station's capacity. The other hard team rules of those sessions are priced, the
price of a broken rule rising over the run from 2 to 50 repeats (:data:`SCHEDULE`) while the
temperature falls: balance (each team's count of every value within its fair share), the
hierarchy, nobody meeting anyone twice, no exercise twice in a day. The objective is the
exercises repeated over the event plus the soft numeric balances by their weights (in
repeats: a rule's weight over that of the repeats). The run keeps the best state that breaks
no rule; when it found none, a mending run (:data:`MEND`) follows.

The set is routed afterwards, one station per slot, by the station model with each team held
to its set (``StationRequest.allowed``), which also places the instructors: with stations of
one slot each, the capacities summed over a session's slots are exact (a bipartite multigraph
of teams and station places is edge-coloured in as many colours as its largest degree, by
König's theorem); only the instructors can stand in the way.

When. :func:`unfit` says why an event is left to the sequential planner: the annealing
needs numba (plain Python would be a hundred times slower), everyone present in every
session with station slots, teams of one size, stations of one slot, no pins, and hard rules
of the kinds above only (soft rules of a session are left to the planner's later passes,
except numeric balances, which it counts).

Determinism. The run's length is a number of moves from the time given (:func:`move_budget`),
not the clock, so that the same request gives the same teams and sets; the clock only cuts
a run that a slower machine could not finish (then they may differ).
"""

from __future__ import annotations

import attrs
import numpy as np

from teamkit.activities import matches
from teamkit.constraints import (
    AvoidRepeats,
    AvoidStations,
    Balance,
    ExerciseOnce,
    Hierarchy,
    MeetAtMost,
    NumericBalance,
    Spread,
    fair_share_bounds,
)
from teamkit.engine import clock, numba_kernels
from teamkit.engine.compiled import categorical_column, numeric_column
from teamkit.model import ProblemData, station_slots

#: The run's schedule, each moving linearly from start to end: the price of a broken rule
#: against one repeat (2 to 50), the temperature (1.5 to 0.05); and the share of moves that
#: swap two people (the rest change a station of a team's set). Chosen on runs of 200 million
#: moves on the seed scenario, where a price rising to 10, 20 or 100 left more rules broken.
SCHEDULE = (2.0, 50.0, 1.5, 0.05, 0.85)
#: The mending run, only after a run that ends with a rule broken (about one in eight on
#: the seed scenario at 60 s): from its last state, a price no move can pay, so that no rule
#: is broken again, at a temperature that lets the objective climb out of where the rule is
#: stuck (a greedy or cool walk stays stuck there) and then cools. On such a run (seed 5 of
#: the seed scenario at 60 s), it mended an exercise twice in a day within two million
#: moves, and ended at 543 repeats, where the run had 415 with the rule broken.
MEND = (1000.0, 1000.0, 5.0, 0.05, 0.85)
#: The mending run's moves, as a share of the run's.
MEND_SHARE = 0.15
#: Seconds of one move, ``MOVE_COST + MOVE_COST_PER_PERSON * n``, measured on the benchmark
#: machine (2-core Intel Xeon): 0.355 us with 300 people, 0.405 with 1,000 (the meeting
#: matrix outgrows the cache).
MOVE_COST = 0.334e-6
MOVE_COST_PER_PERSON = 0.071e-9
#: The longest run, ``MOVES_PER_SIZE * (n * K) ** 1.5`` moves for ``n`` people in ``K``
#: sessions: 200 million for the seed scenario (300 people, 5 sessions; about 70 s), and a
#: second for a small test event, where the time limit would buy far more than it needs.
MOVES_PER_SIZE = 3500.0
#: Share of the seconds given that the move budget fills on that machine; the rest absorbs
#: noise, so that the budget, not the clock, ends a run there.
BUDGET_SHARE = 0.9
#: Seconds set aside for loading the compiled kernel from numba's cache.
LOAD_SECONDS = 0.5
#: Moves between two looks at the clock.
CHUNK = 1 << 20
#: The meeting matrix is ``n x n``: larger events are left to the sequential planner.
MAX_PEOPLE = 3000

#: Kinds of hard team rule that the annealing prices.
_PRICED = (Balance, Spread, Hierarchy, MeetAtMost, AvoidStations, ExerciseOnce)


def kernel():
    """The compiled kernel (:mod:`teamkit.engine._anneal_kernel`), or ``None`` where numba is
    not installed, fails to load, or ``TEAMKIT_NUMBA=0`` turns it off; loaded once."""
    return numba_kernels.load("_anneal_kernel")


def station_sessions(problem: ProblemData) -> list[int]:
    """The sessions with station slots, which the annealing plans."""
    return [k for k, s in enumerate(problem.sessions) if station_slots(s)] if problem.stations else []


def unfit(problem: ProblemData) -> str | None:
    """Why the annealing does not apply to ``problem``, or ``None`` when it does."""
    sessions = station_sessions(problem)
    if not sessions:
        return "no session has station slots"
    n = problem.num_participants
    if n > MAX_PEOPLE:
        return f"more than {MAX_PEOPLE} participants"
    if not any(isinstance(c, ExerciseOnce) and not c.hard and c.per == "event" for c in problem.constraints):
        return "no soft rule against exercises repeated over the event"
    ids = {problem.sessions[k].id for k in sessions}
    meet_once = False
    for c in problem.constraints:
        if c.stage == "roles":
            continue  # the roles are assigned after the teams, as always
        if isinstance(c, NumericBalance) and not c.hard:
            if c.spread:
                return f"soft rule {c.name} balances spreads too"
            if not ids <= {s.id for s in problem.sessions if c.applies_to(s.id)}:
                return f"soft rule {c.name} does not hold in every session with station slots"
        if not c.hard:
            # A session's own soft rules are left to the planner's later passes; a soft rule
            # over the event that the annealing does not see would be undone by it.
            if (c.stage == "teams" and not c.across_sessions) or isinstance(c, AvoidRepeats):
                continue
            if isinstance(c, ExerciseOnce) and c.per == "event" and c.sessions is None:
                continue
            return f"soft rule {c.name} is one it does not see"
        if not isinstance(c, _PRICED):
            return f"hard rule {c.name} is not one it prices"
        if not ids <= {s.id for s in problem.sessions if c.applies_to(s.id)}:
            return f"hard rule {c.name} does not hold in every session with station slots"
        if isinstance(c, MeetAtMost):
            if c.times != 1:
                return f"hard rule {c.name} allows more than one meeting"
            meet_once = True
        if isinstance(c, ExerciseOnce) and c.per != "day":
            return f"hard rule {c.name} holds over the event"
    if any(isinstance(c, AvoidRepeats) for c in problem.constraints) and not meet_once:
        return "soft rule against repeated meetings without a hard meet-at-most-once rule"
    if sum(isinstance(c, AvoidStations) for c in problem.constraints) > 1:
        return "more than one avoid-stations rule"
    if any(len(block) > 1 for block in problem.blocks()):
        return "sessions that keep the teams of the one before"
    if any(s.duration != 1 for s in problem.stations):
        return "stations that last more than one slot"
    first = problem.layout(sessions[0])
    for k in sessions:
        layout = problem.layout(k)
        if len(layout.present) != n:
            return f"not everyone attends session {problem.sessions[k].id!r}"
        if layout.num_teams != first.num_teams or any(
            low != high or low != n // first.num_teams for low, high in layout.sizes
        ):
            return f"session {problem.sessions[k].id!r} has teams of different sizes"
    for role in problem.roles:
        if not all(role.allows(p.id, p.attributes) for p in problem.participants):
            return f"role {role.name!r} is not open to everyone"
    return None


@attrs.define
class Arrays:
    """The annealing's view of an event: the sessions with station slots, their teams (all
    of one size), the stations open in every slot of each, and the rules as arrays."""

    sessions: list[int]
    n: int
    T: int
    capacity: np.ndarray  # (S,) teams per slot
    slots: np.ndarray  # (K,) slots of each session
    open: np.ndarray  # (K, S) open in every slot of the session
    day: np.ndarray  # (K,) the session's day under a hard day rule, or -1
    days: int
    bal_code: np.ndarray  # (B, n) each person's value of each balance rule
    bal_low: np.ndarray  # (B, V) each value's count per team, at least
    bal_high: np.ndarray  # (B, V) and at most
    spr_code: np.ndarray  # (P, n) each person's counted value of each spread rule, or -1
    spr_most: np.ndarray  # (P,) members per value at most
    spr_values: int
    avoid_people: np.ndarray  # (n,) 0/1: named by the avoid rule
    avoid_stations: np.ndarray  # (S,) 0/1: avoided by them
    related: np.ndarray  # (n, R) the people each must not share a team with, -1 padded
    meet_once: bool
    num_val: np.ndarray  # (N, n) each person's value of each soft numeric balance, 0 if missing
    num_has: np.ndarray  # (N, n) 0/1: whether they have one
    num_mu: np.ndarray  # (N,) the mean of everyone's values
    num_tol: np.ndarray  # (N,) the rule's tolerance
    num_weight: np.ndarray  # (N,) the rule's weight against one exercise repeated

    @property
    def K(self) -> int:
        return len(self.sessions)

    @property
    def S(self) -> int:
        return len(self.capacity)


def arrays(problem: ProblemData) -> Arrays:
    """The arrays of an event that :func:`unfit` accepts."""
    people = problem.participants
    n = len(people)
    everyone = np.arange(n)
    sessions = station_sessions(problem)
    T = problem.layout(sessions[0]).num_teams
    stations = problem.stations
    hard = [c for c in problem.constraints if c.hard]
    # A day rule splits the sessions into days; sessions alone on their day need no count.
    day_rule = any(isinstance(c, ExerciseOnce) and c.per == "day" for c in hard)
    days = [problem.sessions[k].day if problem.sessions[k].day is not None else ("alone", k) for k in sessions]
    shared = [d for i, d in enumerate(days) if days.count(d) > 1 and days.index(d) == i] if day_rule else []
    balances = [c for c in hard if isinstance(c, Balance)]
    spreads = [c for c in hard if isinstance(c, Spread)]
    bal_columns = [categorical_column(problem, everyone, c.attribute) for c in balances]
    V = max([len(col.values) for col in bal_columns] + [1])
    bal_code = np.zeros((len(balances), n), dtype=np.int64)
    bal_low = np.zeros((len(balances), V), dtype=np.int64)
    bal_high = np.zeros((len(balances), V), dtype=np.int64)
    G = n // T
    for b, (c, col) in enumerate(zip(balances, bal_columns)):
        # Missing values are a value of their own, as the rule says.
        bal_code[b] = col.codes
        for v in range(len(col.values)):
            bal_low[b, v], bal_high[b, v] = fair_share_bounds(int(col.totals[v]), G, n, c.tolerance)
    spr_columns = [categorical_column(problem, everyone, c.attribute) for c in spreads]
    spr_code = np.full((len(spreads), n), -1, dtype=np.int64)
    for r, (c, col) in enumerate(zip(spreads, spr_columns)):
        # Missing values (code 0) are not counted, nor values outside the rule's list.
        counted = np.array([code > 0 and c.counts(col.values[code]) for code in col.codes], dtype=bool)
        spr_code[r] = np.where(counted, col.codes, -1)
    avoid = [c for c in hard if isinstance(c, AvoidStations)]
    avoid_people = np.zeros(n, dtype=np.int64)
    avoid_stations = np.zeros(len(stations), dtype=np.int64)
    if avoid:
        avoid_people = np.array([matches(p.attributes, avoid[0].who) for p in people], dtype=np.int64)
        avoid_stations = np.array([matches(s.attributes, avoid[0].stations) for s in stations], dtype=np.int64)
    related: list[list[int]] = [[] for _ in range(n)]
    for c in hard:
        if isinstance(c, Hierarchy):
            for i, boss in problem.superiors(c):
                related[i].append(boss)
                related[boss].append(i)
    # The soft numeric balances are part of the objective, in units of one repeat.
    per_repeat = sum(c.weight for c in problem.constraints if isinstance(c, ExerciseOnce) and not c.hard)
    numeric = [c for c in problem.constraints if isinstance(c, NumericBalance) and not c.hard]
    columns = np.array([numeric_column(problem, c.attribute) for c in numeric]).reshape(len(numeric), n)
    has = ~np.isnan(columns)
    related_array = np.full((n, max([1] + [len(r) for r in related])), -1, dtype=np.int64)
    for i, r in enumerate(related):
        related_array[i, : len(r)] = r
    return Arrays(
        sessions=sessions,
        n=n,
        T=T,
        capacity=np.array([s.capacity for s in stations], dtype=np.int64),
        slots=np.array([len(station_slots(problem.sessions[k])) for k in sessions], dtype=np.int64),
        open=np.array(
            [
                [
                    all(st.open_in(problem.sessions[k].id, slot) for slot in station_slots(problem.sessions[k]))
                    for st in stations
                ]
                for k in sessions
            ],
            dtype=np.int64,
        ).reshape(len(sessions), len(stations)),
        day=np.array([shared.index(d) if d in shared else -1 for d in days], dtype=np.int64),
        days=max(1, len(shared)),
        bal_code=bal_code,
        bal_low=bal_low,
        bal_high=bal_high,
        spr_code=spr_code,
        spr_most=np.array([c.max_per_team for c in spreads], dtype=np.int64),
        spr_values=max([len(col.values) for col in spr_columns] + [1]),
        avoid_people=avoid_people,
        avoid_stations=avoid_stations,
        related=related_array,
        meet_once=any(isinstance(c, MeetAtMost) for c in hard),
        num_val=np.where(has, columns, 0.0),
        num_has=has.astype(np.int64),
        num_mu=np.array([col[ok].mean() if ok.any() else 0.0 for col, ok in zip(columns, has)]),
        num_tol=np.array([c.tolerance or 0.0 for c in numeric]),
        num_weight=np.array([c.weight / per_repeat for c in numeric]),
    )


def spread_teams(a: Arrays, rng: np.random.Generator, tries: int = 20) -> np.ndarray | None:
    """Random teams of equal size that break no spread rule, or ``None`` when the greedy
    that makes them gets stuck ``tries`` times: the people counted by the spread rules come
    first (those of the commonest values first), each into a random team among those that
    take them with the most room left."""
    T, G = a.T, a.n // a.T
    weight = np.zeros(a.n)
    for codes in a.spr_code:
        counted = codes >= 0
        weight[counted] += np.bincount(codes[counted])[codes[counted]]
    for _ in range(tries):
        order = rng.permutation(a.n)
        order = order[np.argsort(-weight[order], kind="stable")]
        team = np.full(a.n, -1, dtype=np.int64)
        size = np.zeros(T, dtype=np.int64)
        count = np.zeros((len(a.spr_code), T, a.spr_values), dtype=np.int64)
        for q in order:
            takes = size < G
            for r, codes in enumerate(a.spr_code):
                if codes[q] >= 0:
                    takes &= count[r, :, codes[q]] < a.spr_most[r]
            if not takes.any():
                break
            roomiest = np.flatnonzero(takes & (size == size[takes].min()))
            t = int(rng.choice(roomiest))
            team[q] = t
            size[t] += 1
            for r, codes in enumerate(a.spr_code):
                if codes[q] >= 0:
                    count[r, t, codes[q]] += 1
        else:
            return team
    return None


def random_start(a: Arrays, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random teams of equal size that break no spread rule where :func:`spread_teams`
    finds them (any teams otherwise), and for each team a set of open stations (as many as
    the session's slots), spread over the stations in proportion to their room. Teams with
    someone of the avoid rule choose first, among the stations it does not name."""
    K, T, S = a.K, a.T, a.S
    rows = []
    for _ in range(K):
        row = spread_teams(a, rng)
        rows.append(row if row is not None else rng.permutation(np.repeat(np.arange(T), a.n // T)))
    team = np.array(rows, dtype=np.int64)
    sets = np.zeros((K, T, S), dtype=np.int64)
    for k in range(K):
        load = np.zeros(S)
        room = a.slots[k] * a.capacity * a.open[k]
        barred = np.bincount(team[k], weights=a.avoid_people, minlength=T) > 0
        for t in np.concatenate([np.flatnonzero(barred), np.flatnonzero(~barred)]):
            order = rng.permutation(S)
            # The least loaded stations for their room first; full, closed or avoided ones last.
            share = np.where(room[order] > load[order], load[order] / np.maximum(room[order], 1), np.inf)
            worse = (a.open[k][order] == 0) | (barred[t] & (a.avoid_stations[order] == 1))
            share = np.where(worse, np.inf * 2, share)
            chosen = order[np.argsort(share, kind="stable")[: a.slots[k]]]
            sets[k, t, chosen] = 1
            load[chosen] += 1
    return team, sets


def move_cost(n: int) -> float:
    """Seconds of one move with ``n`` people on the benchmark machine."""
    return MOVE_COST + MOVE_COST_PER_PERSON * n


def move_budget(n: int, sessions: int, seconds: float) -> int:
    """Moves that fill ``BUDGET_SHARE`` of ``seconds`` with ``n`` people on the benchmark
    machine, at most :data:`MOVES_PER_SIZE` ``* (n * sessions) ** 1.5``."""
    fill = BUDGET_SHARE * max(0.0, seconds - LOAD_SECONDS) / move_cost(n)
    return max(1, int(min(fill, MOVES_PER_SIZE * (n * sessions) ** 1.5)))


def repeat_floor(a: Arrays) -> int:
    """A lower bound on the exercises repeated over the event: a person with ``v`` visits and
    only ``d`` stations open to them (in some session, and not barred by the avoid rule)
    repeats at least ``v - d``. A run that reaches it stops."""
    visits = int(a.slots.sum())
    open_any = a.open.any(axis=0)
    barred_too = open_any & (a.avoid_stations == 0)
    return int(
        (a.n - a.avoid_people.sum()) * max(0, visits - int(open_any.sum()))
        + a.avoid_people.sum() * max(0, visits - int(barred_too.sum()))
    )


@attrs.frozen
class Annealed:
    """What a run found: for each of ``sessions``, each person's team (``team[i]``, ``(n,)``)
    and each team's stations (``sets[i]``, ``(T, S)`` 0/1); the rules it leaves broken (0
    when it found a state that breaks none), the exercises repeated over the event, and the
    moves made."""

    sessions: list[int]
    team: np.ndarray
    sets: np.ndarray
    broken: int
    repeats: int
    objective: float  # the repeats and the weighted soft numeric balances, in repeats
    moves: int


def kept_strict(a: Arrays, team: np.ndarray, sets: np.ndarray) -> bool:
    """Whether ``team`` and ``sets`` break neither the avoid rule nor any spread rule."""
    for k in range(a.K):
        barred = np.bincount(team[k], weights=a.avoid_people, minlength=a.T) > 0
        if (barred[:, None] & (sets[k] * a.avoid_stations > 0)).any():
            return False
        for r, codes in enumerate(a.spr_code):
            counted = codes >= 0
            cells = np.zeros((a.T, a.spr_values), dtype=np.int64)
            np.add.at(cells, (team[k][counted], codes[counted]), 1)
            if (cells > a.spr_most[r]).any():
                return False
    return True


class State:
    """A state of the search: the teams and sets (changed in place), the counts kept move by
    move, and the best state that breaks no rule."""

    def __init__(self, a: Arrays, team: np.ndarray, sets: np.ndarray) -> None:
        compiled = kernel()
        self.a, self.team, self.sets = a, team, sets
        *self.counts, self.counters, self.scores = compiled.setup(
            team, sets, a.day, a.days, a.bal_code, a.bal_low, a.bal_high, a.spr_code, a.spr_most, a.spr_values,
            a.avoid_people, a.avoid_stations, a.related, a.meet_once, a.num_val, a.num_has, a.num_mu, a.num_tol,
            a.num_weight,
        )  # fmt: skip
        self.best_team, self.best_sets = team.copy(), sets.copy()

    @property
    def broken(self) -> int:
        return int(self.counters[0])

    @property
    def repeats(self) -> int:
        return int(self.counters[1])

    @property
    def best_repeats(self) -> int:
        """The repeats of the best state that breaks no rule; -1 before there is one."""
        return int(self.counters[2])

    @property
    def objective(self) -> float:
        return float(self.scores[0])

    def walk(self, first: int, last: int, total: int, schedule: tuple[float, ...], strict: bool) -> None:
        """Moves ``first`` to ``last - 1`` of a run of ``total`` (see ``_anneal_kernel.walk``)."""
        a = self.a
        kernel().walk(
            first, last, total, schedule, self.team, self.sets, a.capacity, a.slots, a.open, a.day, a.bal_code,
            a.bal_low, a.bal_high, a.spr_code, a.spr_most, a.avoid_people, a.avoid_stations, a.related, a.meet_once,
            strict, *self.counts, self.counters, self.scores, self.best_team, self.best_sets, a.num_val, a.num_has,
            a.num_mu, a.num_tol, a.num_weight,
        )  # fmt: skip


def anneal(
    problem: ProblemData, seed: int, seconds: float, deadline: float, moves: int | None = None
) -> Annealed | None:
    """Anneals the sessions with station slots of ``problem`` for a move budget from
    ``seconds`` (or ``moves``), and mends a rule left broken with :data:`MEND_SHARE` more,
    stopping early only at ``deadline``; ``None`` where it does not apply (:func:`unfit`) or
    numba is missing."""
    compiled = kernel()
    if compiled is None or unfit(problem) is not None:
        return None
    a = arrays(problem)
    total = moves if moves is not None else move_budget(a.n, a.K, seconds)
    # Where the repeats are the whole objective, a state at their floor cannot be bettered.
    floor = -1 if len(a.num_weight) else repeat_floor(a)
    state = State(a, *random_start(a, np.random.default_rng([seed, 7041])))
    # Where the start keeps the avoid and spread rules (the usual case: room enough at the
    # other stations, and values spread thin enough), no move may break them: left to the
    # price, they were the rules still broken at the end of some runs (someone of limited
    # fitness at a high-intensity station, or two in one team).
    strict = kept_strict(a, state.team, state.sets)
    compiled.seed(seed)

    def run(schedule: tuple[float, ...], moves: int) -> int:
        done = 0
        while done < moves and not clock.expired(deadline) and not 0 <= state.best_repeats <= floor:
            last = min(moves, done + CHUNK)
            state.walk(done, last, moves, schedule, strict)
            done = last
        return done

    done = run(SCHEDULE, total)
    if state.best_repeats < 0:
        done += run(MEND, int(MEND_SHARE * total))
    if state.best_repeats >= 0:
        best = float(state.scores[1])
        return Annealed(a.sessions, state.best_team, state.best_sets, 0, state.best_repeats, best, done)
    return Annealed(a.sessions, state.team, state.sets, state.broken, state.repeats, state.objective, done)
