"""The all-sessions search: its station-visit term against counting from scratch, and its
frozen sessions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import teamkit as tk
from teamkit.engine.golfer import StationVisits
from teamkit.solve import _event_tabu, _plan

from .helpers import golfers

# Three sessions of four teams over five stations; sessions 0 and 1 share a day.
SESSIONS, TEAMS, STATIONS, PEOPLE = 3, 4, 5, 16
UNITS = [((0, 1), True, 1.0), ((0, 1, 2), False, 2.5)]


def from_scratch(team_visits: list[np.ndarray | None], assignment: np.ndarray) -> tuple[float, float]:
    """The rules' (hard, soft) penalty, counted person by person."""
    hard = soft = 0.0
    for unit, is_hard, weight in UNITS:
        for person in range(assignment.shape[1]):
            count = np.zeros(STATIONS, dtype=int)
            for k in unit:
                if team_visits[k] is not None and assignment[k, person] >= 0:
                    count += team_visits[k][assignment[k, person]]
            excess = float(np.maximum(count - 1, 0).sum())
            hard, soft = (hard + excess, soft) if is_hard else (hard, soft + weight * excess)
    return hard, soft


@st.composite
def states(draw):
    """Routes as team visits (session 2 sometimes without stations), an assignment with
    some people absent, and a list of swaps."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    team_visits: list[np.ndarray | None] = [
        (rng.random((TEAMS, STATIONS)) < 0.4).astype(np.int64) for _ in range(SESSIONS)
    ]
    if draw(st.booleans()):
        team_visits[2] = None
    assignment = np.stack([rng.permutation(np.arange(PEOPLE) % TEAMS) for _ in range(SESSIONS)])
    assignment[rng.random(assignment.shape) < 0.1] = -1
    swaps = draw(st.lists(st.tuples(st.integers(0, SESSIONS - 1), st.integers(0, PEOPLE - 1)), max_size=12))
    return team_visits, assignment, swaps


@settings(max_examples=60, deadline=None)
@given(states())
def test_swap_deltas_and_counts_match_counting_from_scratch(state):
    team_visits, assignment, swaps = state
    term = StationVisits(team_visits, UNITS, assignment)
    assert term.score() == from_scratch(team_visits, assignment)
    for k, i in swaps:
        present = np.flatnonzero(assignment[k] >= 0)
        others = present[assignment[k, present] != assignment[k, i]]
        if assignment[k, i] < 0 or not len(others):
            continue
        j = int(others[0])
        a, b = int(assignment[k, i]), int(assignment[k, j])
        before = term.score()
        dh, ds = term.delta(k, np.array([i]), np.array([j]), np.array([a]), np.array([b]))
        assignment[k, i], assignment[k, j] = b, a
        term.swap(k, i, j, a, b)
        after = from_scratch(team_visits, assignment)
        assert term.score() == after
        assert np.isclose(before[0] + dh[0], after[0]) and np.isclose(before[1] + ds[0], after[1])


@settings(max_examples=40, deadline=None)
@given(states())
def test_conflicted_people_do_a_station_of_their_route_twice_in_the_day(state):
    team_visits, assignment, _ = state
    term = StationVisits(team_visits, UNITS, assignment)
    for k in (0, 1):
        people = np.flatnonzero(assignment[k] >= 0)
        flagged = term.conflicted(k, people, assignment[k, people])
        for person, is_flagged in zip(people, flagged):
            other = 1 - k
            mine = team_visits[k][assignment[k, person]] > 0
            elsewhere = (
                team_visits[other][assignment[other, person]] > 0
                if assignment[other, person] >= 0
                else np.zeros(STATIONS, dtype=bool)
            )
            assert is_flagged == bool((mine & elsewhere).any())


def test_frozen_sessions_stay_while_the_others_lose_their_repeats():
    """Three rounds of 12 in teams of 3, nobody meeting twice: the first round frozen as
    held, the tabu rearranges only the two others, and the repeats go."""
    problem = golfers(4, 3, 3, tk.MeetAtMost(1))
    same = np.arange(12) // 3  # every round the same teams: every pair repeats
    assignment = np.stack([same, same, same]).astype(np.int64)
    _event_tabu(problem, assignment, seed=0, deadline=float("inf"), bound=0.0, frozen=frozenset({0}))
    assert np.array_equal(assignment[0], same)
    report = tk.check(problem, _plan(problem, assignment, None, {}))
    assert report.feasible and report.meetings.repeated_pairs == 0
