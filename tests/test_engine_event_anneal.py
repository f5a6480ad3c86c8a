"""The whole-event annealing (:mod:`teamkit.engine.event_anneal`): when it applies, that the
counts it keeps move by move are those recounted here from its teams and sets alone, that a
seed gives one result, and that a solve built on it returns a plan the checker accepts."""

from __future__ import annotations

import numpy as np
import pytest

import teamkit as tk
from teamkit.engine import event_anneal
from tests.helpers import solve_and_check

needs_numba = pytest.mark.skipif(event_anneal.kernel() is None, reason="the annealing needs numba (test extra)")

LIMITED = (3, 11, 19, 27)
EVENT_REPEATS = tk.ExerciseOnce("event", hard=False)


def event(*extra: tk.Constraint, n: int = 40, duration: int = 1, rules: tuple | None = None) -> tk.ProblemData:
    """``n`` people in teams of 5 over three sessions of two station slots (two on day 1,
    one on day 2) and a closing plenary; ten stations of one team per slot, two of them high
    intensity. People come in pairs of one unit; p01 to p07 report to p00."""
    m = tk.Model()
    for i in range(n):
        m.add_participant(
            f"p{i:02d}",
            attributes={
                "unit": f"u{i // 2}",
                "gender": "F" if i % 2 else "M",
                "echelon": "III" if i % 4 == 0 else "IV",
                "fitness": "limited" if i in LIMITED else "full",
                "boss": "p00" if 1 <= i <= 7 else "",
                "age": 25 + (7 * i) % 31,
            },
        )
    m.add_session("s1", team_size=5, day="d1", slots=2)
    m.add_session("s2", team_size=5, day="d1", slots=2)
    m.add_session("s3", team_size=5, day="d2", slots=2)
    m.add_session("closing", team_size=5, day="d2", slots=1, plenary=[1])
    for name in "ABCDEFGHIJ":
        m.add_station(
            name,
            capacity=1,
            duration=duration if name == "J" else 1,
            attributes={"intensity": "high" if name in "AB" else "low"},
        )
    m.add_role("leader", max_turns=1)
    base = (
        tk.Spread("unit"),
        tk.Balance("gender"),
        tk.Balance("echelon"),
        tk.Hierarchy("boss"),
        tk.MeetAtMost(1),
        tk.Spread("fitness", values=["limited"]),
        tk.AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"}),
        tk.ExerciseOnce("day"),
        EVENT_REPEATS,
    )
    for rule in (base if rules is None else rules) + extra:
        m.add_constraint(rule)
    return m.data()


def recount(a: event_anneal.Arrays, team: np.ndarray, sets: np.ndarray) -> tuple[int, int]:
    """(rules broken, exercises repeated) of a state, counted from the teams and sets alone."""
    K, T, S = sets.shape
    broken = 0
    met = np.zeros((a.n, a.n), dtype=np.int64)
    visits = np.zeros((a.n, S), dtype=np.int64)
    by_day: dict[int, np.ndarray] = {}
    for k in range(K):
        mine = sets[k][team[k]]  # (n, S): each person's stations in session k
        visits += mine
        if a.day[k] >= 0:
            by_day[int(a.day[k])] = by_day.get(int(a.day[k]), 0) + mine
        for t in range(T):
            who = np.flatnonzero(team[k] == t)
            met[np.ix_(who, who)] += 1
            for b in range(len(a.bal_code)):
                counts = np.bincount(a.bal_code[b, who], minlength=a.bal_low.shape[1])
                broken += int((np.maximum(counts - a.bal_high[b], 0) + np.maximum(a.bal_low[b] - counts, 0)).sum())
            for r in range(len(a.spr_code)):
                codes = a.spr_code[r, who]
                broken += int(np.maximum(np.bincount(codes[codes >= 0], minlength=1) - a.spr_most[r], 0).sum())
            if (sets[k, t] * a.avoid_stations).any():
                broken += int(a.avoid_people[who].sum())
            inside = set(who.tolist())
            broken += sum(1 for i in who for j in a.related[i] if j > i and j in inside)
    if a.meet_once:
        broken += int(np.triu(np.maximum(met - 1, 0), 1).sum())
    broken += sum(int(np.maximum(v - 1, 0).sum()) for v in by_day.values())
    return broken, int(np.maximum(visits - 1, 0).sum())


def test_the_event_fits() -> None:
    assert event_anneal.unfit(event()) is None
    a = event_anneal.arrays(event())
    assert a.sessions == [0, 1, 2] and a.T == 8 and a.meet_once
    assert a.day.tolist() == [0, 0, -1]  # the only session of day 2 with slots needs no day count
    assert a.avoid_people.sum() == len(LIMITED) and a.avoid_stations.tolist() == [1, 1] + [0] * 8
    assert sorted(a.related[0][a.related[0] >= 0].tolist()) == list(range(1, 8))


@pytest.mark.parametrize(
    ("problem", "why"),
    [
        (lambda: event(tk.Pin("p00", 1, session="s1")), "pin"),
        (lambda: event(tk.Reach("unit", 5)), "reach"),
        (lambda: event(n=42), "different sizes"),
        (lambda: event(duration=2), "more than one slot"),
        (lambda: event(rules=(tk.MeetAtMost(1), tk.ExerciseOnce("day"))), "no soft rule"),
        (lambda: event(tk.MeetAtMost(2)), "more than one meeting"),
        (lambda: event(tk.Balance("unit", sessions=["s1"])), "does not hold in every session"),
        (lambda: event(tk.ExerciseOnce("event", hard=True)), "over the event"),
        (lambda: event(tk.NumericBalance("age", hard=False, spread=True)), "spreads too"),
    ],
)
def test_unfit_says_why(problem, why: str) -> None:
    reason = event_anneal.unfit(problem())
    assert reason is not None and why in reason


@needs_numba
def test_counts_kept_move_by_move_agree_with_a_recount() -> None:
    a = event_anneal.arrays(event())
    state = event_anneal.State(a, *event_anneal.random_start(a, np.random.default_rng(3)))
    assert (state.broken, state.repeats) == recount(a, state.team, state.sets)
    assert state.broken > 0  # random teams break rules: the recount has something to see
    assert state.objective == state.repeats  # no numeric balance here
    event_anneal.kernel().seed(3)
    for first in range(0, 60_000, 20_000):
        # Not strict: a move may put a member of limited fitness at a high-intensity station.
        state.walk(first, first + 20_000, 60_000, event_anneal.SCHEDULE, strict=False)
        assert (state.broken, state.repeats) == recount(a, state.team, state.sets)
        assert (state.sets.sum(axis=2) == a.slots[:, None]).all()
        assert (state.sets.sum(axis=1) <= a.slots[:, None] * a.capacity).all()
    if state.best_repeats >= 0:
        assert recount(a, state.best_team, state.best_sets) == (0, state.best_repeats)


@needs_numba
def test_a_strict_walk_keeps_the_avoid_and_spread_rules_of_its_start() -> None:
    a = event_anneal.arrays(event())
    team, sets = event_anneal.random_start(a, np.random.default_rng(5))
    assert event_anneal.kept_strict(a, team, sets)  # the start keeps them
    state = event_anneal.State(a, team, sets)
    event_anneal.kernel().seed(5)
    for first in range(0, 40_000, 10_000):
        state.walk(first, first + 10_000, 40_000, event_anneal.SCHEDULE, strict=True)
        assert event_anneal.kept_strict(a, state.team, state.sets)


def test_kept_strict_sees_two_of_a_unit_and_limited_fitness_at_a_high_station() -> None:
    a = event_anneal.arrays(event())
    team, sets = event_anneal.random_start(a, np.random.default_rng(6))
    assert event_anneal.kept_strict(a, team, sets)
    pair = team.copy()
    mate = int(np.flatnonzero(pair[0] == pair[0, 0])[1])  # p00 and p01 share unit u0
    pair[0, 1], pair[0, mate] = pair[0, mate], pair[0, 1]
    assert not event_anneal.kept_strict(a, pair, sets)
    high = sets.copy()
    t = team[0, LIMITED[0]]
    high[0, t] = 0
    high[0, t, [0, 2]] = 1  # station A is high intensity
    assert not event_anneal.kept_strict(a, team, high)


@needs_numba
def test_the_mending_run_never_breaks_more_rules_and_mends_them() -> None:
    a = event_anneal.arrays(event())
    state = event_anneal.State(a, *event_anneal.random_start(a, np.random.default_rng(7)))
    event_anneal.kernel().seed(7)
    state.walk(0, 2_000, 2_000, event_anneal.SCHEDULE, strict=True)  # far too short: rules broken
    assert state.broken > 0 and state.best_repeats < 0
    seen = [state.broken]
    for first in range(0, 400_000, 20_000):
        state.walk(first, first + 20_000, 400_000, event_anneal.MEND, strict=True)
        seen.append(state.broken)
        assert (state.broken, state.repeats) == recount(a, state.team, state.sets)
    assert seen == sorted(seen, reverse=True) and seen[-1] == 0
    assert recount(a, state.best_team, state.best_sets) == (0, state.best_repeats)


@needs_numba
def test_the_objective_holds_the_soft_numeric_balance_by_its_weight() -> None:
    a = event_anneal.arrays(event(tk.NumericBalance("age", hard=False, weight=0.5)))
    ages = np.array([25 + (7 * i) % 31 for i in range(a.n)], dtype=float)
    state = event_anneal.State(a, *event_anneal.random_start(a, np.random.default_rng(4)))

    def balance() -> float:
        """(mean age of each team - mean age of everyone) ** 2, summed over teams and sessions."""
        means = np.array([[ages[state.team[k] == t].mean() for t in range(a.T)] for k in range(a.K)])
        return float(((means - ages.mean()) ** 2).sum())

    at_start = balance()
    assert state.objective == pytest.approx(state.repeats + 0.5 * at_start)
    event_anneal.kernel().seed(4)
    for first in (0, 100_000):
        state.walk(first, first + 100_000, 200_000, event_anneal.SCHEDULE, strict=True)
        assert state.objective == pytest.approx(state.repeats + 0.5 * balance())
    assert balance() < 0.5 * at_start  # the search sees it


@needs_numba
def test_a_superior_put_with_their_own_staff_is_counted() -> None:
    a = event_anneal.arrays(event(rules=(tk.Hierarchy("boss"), EVENT_REPEATS)))
    # Person i in team i % 8: p00 in team 0, the seven who report to p00 in teams 1 to 7.
    team = np.tile(np.arange(a.n) % a.T, (a.K, 1))
    sets = event_anneal.random_start(a, np.random.default_rng(0))[1]
    assert event_anneal.State(a, team, sets).broken == recount(a, team, sets)[0] == 0
    team[1, 1], team[1, 8] = team[1, 8], team[1, 1]  # p01 joins p00 in session 1
    assert event_anneal.State(a, team, sets).broken == recount(a, team, sets)[0] == 1


@needs_numba
def test_a_seed_gives_one_result_and_it_breaks_no_rule() -> None:
    problem = event()
    a = event_anneal.arrays(problem)
    runs = [event_anneal.anneal(problem, seed=5, seconds=60, deadline=float("inf"), moves=400_000) for _ in range(2)]
    assert np.array_equal(runs[0].team, runs[1].team) and np.array_equal(runs[0].sets, runs[1].sets)
    other = event_anneal.anneal(problem, seed=6, seconds=60, deadline=float("inf"), moves=400_000)
    assert not np.array_equal(runs[0].team, other.team)
    assert runs[0].broken == 0
    assert recount(a, runs[0].team, runs[0].sets) == (0, runs[0].repeats)


def test_move_budget_grows_with_time_up_to_a_cap() -> None:
    assert event_anneal.move_budget(300, 5, 10) < event_anneal.move_budget(300, 5, 20)
    assert event_anneal.move_budget(40, 3, 600) == event_anneal.move_budget(40, 3, 900)  # capped
    a = event_anneal.arrays(event())
    assert event_anneal.repeat_floor(a) == 0  # 6 visits, 10 stations (8 for limited fitness)


@needs_numba
def test_solve_plans_from_the_annealing_and_the_checker_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list = []
    real = event_anneal.anneal

    def spy(*args, **kwargs):
        runs.append(real(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(event_anneal, "anneal", spy)
    problem = event()
    result, report = solve_and_check(problem, time_limit=10, seed=2)
    assert len(runs) == 1 and runs[0] is not None and runs[0].broken == 0
    assert result.feasible and report.hard_violations == 0
    # The routes keep each team on its annealed set; later passes keep a plan only if better.
    assert report.penalties[EVENT_REPEATS.name] <= runs[0].repeats


def test_without_numba_the_sequential_planner_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_anneal, "kernel", lambda: None)
    assert event_anneal.anneal(event(), seed=0, seconds=5, deadline=float("inf")) is None
    result, report = solve_and_check(event(), time_limit=10, seed=0)
    assert result.feasible and report.hard_violations == 0
