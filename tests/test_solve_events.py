"""Events over several sessions: meeting rules, kept teams, availability. Every plan is
verified by the independent checker, and the engine's repeat count and objective are
cross-checked against it."""

from __future__ import annotations

import importlib
import itertools

import pytest

import teamkit as tk
from teamkit.io.plan_json import dumps, plan_to_dict

from .helpers import golfers, pair_meetings, solve_and_check


def counting_bound(groups: int, size: int, rounds: int) -> int:
    n = groups * size
    return -(-n * max(0, rounds * (size - 1) - (n - 1)) // 2)


# -- the Social Golfer Problem ---------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["3-3-4", "5-3-7", "4-4-5", "6-3-7"])
def test_golfers_meet_nobody_twice(shape):
    groups, size, rounds = map(int, shape.split("-"))
    problem = golfers(groups, size, rounds, tk.AvoidRepeats(power=1))
    result, report = solve_and_check(problem, time_limit=20, seed=1)
    assert result.feasible
    assert max(pair_meetings(result.plan).values()) == 1
    assert report.meetings.repeated_pairs == result.repeats == 0
    assert report.meetings.max_meetings == 1
    # zero repeats is the bound: the plan is proved optimal
    assert result.status is tk.Status.OPTIMAL and result.objective == 0 and result.bound == 0


def test_hard_meet_once_is_met_by_a_schedule():
    # 4-3-4: the most rounds of 12 people in triples without a repeat (a nearly Kirkman
    # triple system on 12 points, which would give 5, does not exist)
    problem = golfers(4, 3, 4, tk.MeetAtMost(1))
    result, report = solve_and_check(problem, time_limit=20)
    assert result.feasible and report.feasible
    assert max(pair_meetings(result.plan).values()) == 1


@pytest.mark.parametrize("shape", ["3-3-5", "4-2-9"])
def test_past_the_bound_repeats_are_near_the_counting_bound(shape):
    """3-3-5: 9 people meet 8 others but have 10 team-mate places; at least 9 repeats."""
    groups, size, rounds = map(int, shape.split("-"))
    problem = golfers(groups, size, rounds, tk.AvoidRepeats(power=1))
    result, report = solve_and_check(problem, time_limit=10)
    bound = counting_bound(groups, size, rounds)
    assert result.repeat_bound == bound > 0
    repeats = sum(m - 1 for m in pair_meetings(result.plan).values())
    assert repeats == report.meetings.repeated_pairs == result.repeats
    assert bound <= repeats <= bound * 1.05 + 1e-9


def test_impossible_hard_limit_is_explained_by_counting():
    # 9 people in teams of 3 for 5 rounds: 10 team-mate places each, only 8 others
    problem = golfers(3, 3, 5, tk.MeetAtMost(1))
    result = tk.solve(problem, time_limit=5)
    assert result.status is tk.Status.INFEASIBLE and result.plan is None
    text = " ".join(result.explanation)
    assert "meet_at_most(1)" in text
    assert "'p01' has 10 team-mate places over 5 rounds of teams" in text
    assert "only 8 other people" in text and "1 x 8 = 8 < 10" in text
    # allowing two meetings makes it possible, and the plan keeps to it
    relaxed = problem.replace(constraints=[tk.MeetAtMost(2)])
    result, report = solve_and_check(relaxed, time_limit=10)
    assert result.feasible and max(pair_meetings(result.plan).values()) <= 2


# -- the rules bite --------------------------------------------------------------------------------
def office(n: int = 16, sessions: int = 4) -> tk.Model:
    m = tk.Model()
    for i in range(n):
        m.add_participant(f"p{i:02d}", attributes={"unit": f"u{i % 8}", "age": 20 + 3 * i})
    for k in range(sessions):
        m.add_session(f"s{k + 1}", team_size=4)
    return m


def test_avoid_repeats_changes_the_plan():
    m = office()
    m.add_constraint(tk.Spread("unit"))
    base = m.data()
    plain, _ = solve_and_check(base)
    plain_repeats = sum(c - 1 for c in pair_meetings(plain.plan).values())
    assert plain_repeats > 0  # sessions planned on their own repeat the same stratified teams
    mixed = base.replace(constraints=[*base.constraints, tk.AvoidRepeats()])
    result, report = solve_and_check(mixed)
    assert report.meetings.repeated_pairs == 0 < plain_repeats
    assert report.penalties["spread(unit<=1)"] == 0


def test_reach_changes_the_plan():
    # units a/b only: reach counts the distinct units met; a team of one unit meets one value
    m = tk.Model()
    for i in range(12):
        m.add_participant(f"p{i:02d}", attributes={"unit": "ab"[i % 2], "team": f"t{i // 4}"})
    m.add_session("s1", team_size=4)
    m.add_session("s2", team_size=4)
    m.add_constraint(tk.Spread("unit", max_per_team=4, hard=False))
    m.add_constraint(tk.Reach("unit", at_least=2, weight=5))
    result, report = solve_and_check(m.data())
    assert report.penalties["reach(unit>=2)"] == 0
    # everyone met someone of each unit: checked here from the teams
    units = {p.id: p.get("unit") for p in m.data().participants}
    seen: dict[str, set] = {}
    for session in result.plan.sessions:
        for team in session.teams:
            for a in team.members:
                seen.setdefault(a, set()).update(units[b] for b in team.members if b != a)
    assert all(len(v) == 2 for v in seen.values())


def test_teams_larger_than_the_number_of_teams_cannot_meet_once():
    # 12 people in 3 teams of 4: a team's 4 members need 4 different teams next time
    m = office(12, 2)
    m.add_constraint(tk.MeetAtMost(1))
    result = tk.solve(m.data(), time_limit=5)
    assert result.status is tk.Status.INFEASIBLE
    assert result.explanation == (
        "meet_at_most(1): every team of session 's1' has at least 4 people who also attend 's2'; meeting "
        "at most once, they need 4 different teams there, but 's2' has 3. Use more, smaller teams, or make "
        "the rule soft",
        "relax one of: meet_at_most(1), the team sizes of sessions 's1' and 's2'",
    )


def test_meeting_rule_limited_to_some_sessions():
    m = office(12, 0)
    for k in range(3):
        m.add_session(f"s{k + 1}", team_size=3)
    m.add_constraint(tk.MeetAtMost(1, sessions=["s1", "s2"]))
    problem = m.data()
    result, report = solve_and_check(problem)
    teams = {s.session: [set(t.members) for t in s.teams] for s in result.plan.sessions}
    for a, b in itertools.combinations([p.id for p in problem.participants], 2):
        together = sum(any({a, b} <= t for t in teams[s]) for s in ("s1", "s2"))
        assert together <= 1


# -- kept teams and availability ------------------------------------------------------------------
def test_kept_teams_stay_together_and_meet_once():
    m = office(16, 0)
    m.add_session("d1-am", team_size=4)
    m.add_session("d1-pm", num_teams=4, keep_teams=True, absent=["p03"])
    m.add_session("d2-am", team_size=4)
    m.add_constraint(tk.MeetAtMost(1))
    problem = m.data()
    assert problem.blocks() == ((0, 1), (2,))
    result, report = solve_and_check(problem)
    assert result.feasible and report.feasible
    am, pm, d2 = result.plan.sessions
    for team_am, team_pm in zip(am.teams, pm.teams):
        assert set(team_pm.members) == set(team_am.members) - {"p03"}
    # the kept block counts one meeting per pair, so nobody from a home team meets again on day 2
    for team in d2.teams:
        for other in am.teams:
            assert len(set(team.members) & set(other.members)) <= 1


def test_late_arrival_joins_a_kept_team():
    m = office(12, 0)
    m.add_session("d1-am", num_teams=3)
    m.add_session("d1-pm", num_teams=3, keep_teams=True)
    m.arrives("p05", "d1-pm")
    problem = m.data()
    assert problem.sessions[0].absent == ("p05",)
    result, report = solve_and_check(problem)
    assert report.feasible
    am, pm = result.plan.sessions
    assert all(set(a.members) <= set(p.members) for a, p in zip(am.teams, pm.teams))
    assert any("p05" in t.members for t in pm.teams)


def test_checker_catches_a_broken_kept_team():
    m = office(8, 0)
    m.add_session("a", team_size=4)
    m.add_session("b", num_teams=2, keep_teams=True)
    problem = m.data()
    plan = tk.Plan(
        [
            tk.SessionPlan("a", [tk.Team(1, ["p00", "p01", "p02", "p03"]), tk.Team(2, ["p04", "p05", "p06", "p07"])]),
            tk.SessionPlan("b", [tk.Team(1, ["p00", "p01", "p02", "p04"]), tk.Team(2, ["p03", "p05", "p06", "p07"])]),
        ]
    )
    report = tk.check(problem, plan)
    assert not report.feasible
    messages = sorted(v.message for v in report.violations if v.constraint == "keep teams")
    assert messages == [
        "p03 is in team 1 in 'a' but in team 2 in 'b', which keeps the previous teams",
        "p04 is in team 2 in 'a' but in team 1 in 'b', which keeps the previous teams",
    ]


def test_leaving_early_and_absences():
    m = office(12, 3)
    m.leaves("p00", "s1")
    m.set_absent("p01", ["s2"])
    problem = m.data()
    assert [s.absent for s in problem.sessions] == [(), ("p00", "p01"), ("p00",)]
    result, report = solve_and_check(problem.replace(constraints=[tk.AvoidRepeats()]))
    for session in result.plan.sessions[1:]:
        assert all("p00" not in t.members for t in session.teams)


# -- bad input ----------------------------------------------------------------------------------
def test_bad_input_is_named():
    m = office(6, 1)
    with pytest.raises(tk.ModelError, match=r"session 's2': 4 teams but only 3 people present"):
        m.add_session("s2", num_teams=4, absent=["p00", "p01", "p02"])
        m.data()
    m = office(4, 1)
    m.add_session("s2", team_size=2, absent=["p00", "p01", "p02", "p03"])
    with pytest.raises(tk.ModelError, match=r"session 's2': nobody attends"):
        m.data()
    m = office(6, 2)
    m.set_absent("p02", ["s2"])
    m.add_constraint(tk.Pin("p02", team=1, session="s2"))
    with pytest.raises(tk.ModelError, match=r"'p02' is pinned in session 's2' but is absent from it"):
        m.data()
    m = office(8, 0)
    m.add_session("a", team_size=4, keep_teams=True)
    with pytest.raises(
        tk.ModelError, match=r"session 'a' keeps the teams of the previous session, but it is the first"
    ):
        m.data()
    m = office(8, 1)
    m.add_session("b", team_size=2, keep_teams=True)
    with pytest.raises(
        tk.ModelError, match=r"session 'b' keeps the teams of session 's1', but has 4 teams where 's1' has 2"
    ):
        m.data()
    with pytest.raises(tk.ModelError, match="avoid_repeats is an objective and cannot be hard"):
        tk.AvoidRepeats(hard=True)
    with pytest.raises(tk.ModelError, match="reach is an objective"):
        tk.Reach("unit", at_least=2, hard=True)
    m = office(8, 1)
    m.add_constraint(tk.Reach("agency", at_least=2))
    with pytest.raises(tk.ModelError, match=r"constraint reach\(agency>=2\): unknown attribute 'agency'"):
        m.data()
    m = office(8, 1)
    with pytest.raises(tk.ModelError, match=r"unknown session 's9'"):
        m.arrives("p00", "s9")
    with pytest.raises(tk.ModelError, match=r"unknown participant 'p99'"):
        m.set_absent("p99", ["s1"])


def test_same_seed_same_event_plan():
    m = office(16, 3)
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.AvoidRepeats())
    m.add_constraint(tk.NumericBalance("age", hard=False))
    problem = m.data()
    one = tk.solve(problem, time_limit=30, seed=5)
    two = tk.solve(problem, time_limit=30, seed=5)
    assert one.stopped_by != "time_limit"
    assert dumps(plan_to_dict(one.plan)) == dumps(plan_to_dict(two.plan))


@pytest.mark.parametrize("shape", ["7-7-8", "16-4-21", "8-4-9"])
def test_shapes_with_a_construction_get_a_perfect_schedule(shape):
    """At the counting bound (7-7-8: the affine plane of order 7; 16-4-21) or beyond what the
    search finds in its time (8-4-9), the exact constructions give no repeat at all."""
    groups, size, rounds = map(int, shape.split("-"))
    problem = golfers(groups, size, rounds, tk.MeetAtMost(1))
    result, report = solve_and_check(problem, time_limit=10)
    assert result.feasible and report.meetings.repeated_pairs == 0
    assert max(pair_meetings(result.plan).values()) == 1
    # and everybody met everybody else exactly once where the bound is reached
    if rounds * (size - 1) == groups * size - 1:
        assert set(report.meetings.distinct_met.values()) == {groups * size - 1}


def test_constructions_start_small_events_and_rule_free_ones(monkeypatch):
    """The construction is the start when the event is small or has no hard rule of its own
    per session; a large event with hard one-session rules starts from the stratified greedy
    dealing instead (the construction knows nothing of units or balance)."""
    solve_module = importlib.import_module("teamkit.solve")
    golfer_module = importlib.import_module("teamkit.engine.golfer")

    m = tk.Model()
    for i in range(16):
        m.add_participant(f"p{i:02d}", attributes={"unit": f"u{i % 4}"})
    for r in range(5):
        m.add_session(f"r{r + 1}", team_size=4, remainder="exact")
    m.add_constraint(tk.MeetAtMost(1))
    free = m.data()
    ruled = free.replace(constraints=[*free.constraints, tk.Spread("unit")])
    assert len(solve_module._construction_start(free)) == 5  # the affine plane of order 4
    assert len(solve_module._construction_start(ruled)) == 5
    monkeypatch.setattr(golfer_module, "MAX_PEOPLE", 8)
    assert len(solve_module._construction_start(free)) == 5
    assert solve_module._construction_start(ruled) == {}
