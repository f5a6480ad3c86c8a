"""Hypothesis: random small problems and events; every plan the solver returns passes the
checker, and the engine's objective (and repeat count) equals the checker's."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import teamkit as tk
from teamkit.io import load_event, write_event
from teamkit.io.plan_json import dumps, problem_digest, problem_document, problem_from_dict, problem_to_dict

from .strategies import activities, events, problems, tiny_problems

#: Examples of each round trip (cheap); the long profile sets TEAMKIT_PROPERTY_EXAMPLES.
ROUND_TRIPS = int(os.environ.get("TEAMKIT_PROPERTY_EXAMPLES", "50"))


def solve_and_verify(problem: tk.ProblemData, time_limit: float = 5) -> tuple[tk.Result, tk.CheckReport | None]:
    """Solves; an infeasible answer must come with an explanation and no plan, any other must
    agree with the independent checker."""
    result = tk.solve(problem, time_limit=time_limit, seed=0)
    if result.status is tk.Status.INFEASIBLE:
        assert result.plan is None and result.explanation
        return result, None
    if result.plan is None:
        # no plan at all (stations that could not be placed in time): said in words
        assert result.status is tk.Status.UNKNOWN and result.explanation
        return result, None
    report = tk.check(problem, result.plan)
    if result.feasible:
        assert report.feasible, report.summary()
        assert abs(result.objective - report.objective) <= 1e-6 * max(1.0, abs(report.objective))
    else:
        assert report.hard_violations > 0
    return result, report


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_solved_plan_passes_the_checker(problem):
    solve_and_verify(problem)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_solved_event_passes_the_checker(problem):
    """Across-session rules, kept teams and absences: the engine's plan, its objective, its
    repeat count and its lower bound agree with the checker."""
    result, report = solve_and_verify(problem)
    if report is not None and result.repeats is not None:
        assert result.repeats == report.meetings.repeated_pairs
        assert result.repeat_bound <= result.repeats


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities())
def test_every_solved_event_with_roles_and_stations_passes_the_checker(problem):
    """Roles, stations, instructors and their rules: the plan the engine returns (or its best
    attempt) is scored the same by the checker, holders and stations included."""
    result, report = solve_and_verify(problem, time_limit=3)
    if report is not None and result.plan is not None:
        assert report.activities is not None


@settings(max_examples=ROUND_TRIPS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), events(), tiny_problems(), activities()))
def test_every_problem_round_trips_through_json_exactly(problem):
    text = dumps(problem_document(problem))
    again = problem_from_dict(json.loads(text)["problem"])
    assert problem_to_dict(again) == problem_to_dict(problem)
    assert problem_digest(again) == problem_digest(problem)
    assert dumps(problem_document(again)) == text  # byte for byte


@settings(max_examples=ROUND_TRIPS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), events(), tiny_problems(), activities()))
def test_every_problem_round_trips_through_an_event_file_exactly(problem):
    with tempfile.TemporaryDirectory() as folder:
        event_path, roster_path = write_event(problem, Path(folder) / "event")
        again = load_event(event_path).problem
        assert problem_to_dict(again) == problem_to_dict(problem)
        assert problem_digest(again) == problem_digest(problem)
        # Written again, the same files, byte for byte.
        first = (event_path.read_bytes(), roster_path.read_bytes())
        event_again, roster_again = write_event(again, Path(folder) / "again")
        assert (event_again.read_bytes(), roster_again.read_bytes()) == first
