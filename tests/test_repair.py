"""Repairing a plan mid-event (teamkit.repair): held sessions stay as they happened, the rest
keeps every place the new facts allow, and every move has a reason. Every repaired plan is
verified by the independent checker."""

from __future__ import annotations

import attrs
import pytest

import teamkit as tk
from teamkit.repair import repair

SESSIONS = [("s1", "d1"), ("s2", "d1"), ("s3", "d2"), ("s4", "d2")]


def event(
    *rules: tk.Constraint, people: int = 24, absent: dict[str, list[str]] | None = None, closed=()
) -> tk.ProblemData:
    """``people`` people in teams of 4 over four sessions on two days, two slots each, eight
    stations of two teams (C closed in the slots of ``closed``), a leader per team who
    leads at most twice, mixed by unit and echelon, nobody meeting twice."""
    m = tk.Model()
    for i in range(people):
        m.add_participant(f"p{i:02d}", attributes={"echelon": "IV" if i % 2 else "III", "unit": f"u{i % 8}"})
    for sid, day in SESSIONS:
        m.add_session(sid, team_size=4, day=day, slots=2)
    for name in "ABCDEFGH":
        m.add_station(name, capacity=2, closed=closed if name == "C" else ())
    m.add_role("leader", max_turns=2)
    for rule in (tk.Spread("unit"), tk.Balance("echelon"), tk.MeetAtMost(1), tk.ExerciseOnce("day"), *rules):
        m.add_constraint(rule)
    for pid, sessions in (absent or {}).items():
        m.set_absent(pid, sessions)
    return m.data()


@pytest.fixture(scope="module")
def base() -> tuple[tk.ProblemData, tk.Plan]:
    problem = event()
    result = tk.solve(problem, time_limit=10, seed=3)
    assert result.feasible, result.summary()
    assert tk.check(problem, result.plan).feasible
    return problem, result.plan


def repaired(problem: tk.ProblemData, plan: tk.Plan, **options) -> tk.Repair:
    """Repairs and verifies the new plan with the checker, against the problem it answers."""
    options.setdefault("time_limit", 10)
    out = repair(problem, plan, **options)
    assert out.result.plan is not None, out.summary()
    report = tk.check(out.problem, out.result.plan)
    assert report.feasible, report.summary()
    assert out.result.feasible
    return out


def members(plan: tk.Plan, session: str) -> list[set[str]]:
    return [set(t.members) for t in plan.session(session).teams]


def test_nothing_changed_keeps_every_team_route_and_role(base) -> None:
    problem, plan = base
    out = repaired(problem, plan, held=["s1"])
    assert out.moves == ()
    assert out.kept == sum(len(t.members) for s in plan.sessions for t in s.teams)
    for old, new in zip(plan.sessions, out.result.plan.sessions):
        assert [t.members for t in old.teams] == [t.members for t in new.teams]
        assert [t.stations for t in old.teams] == [t.stations for t in new.teams]
        assert [dict(t.roles) for t in old.teams] == [dict(t.roles) for t in new.teams]


def test_absentees_leave_and_only_the_teams_they_touch_change_unless_a_rule_forces_more(base) -> None:
    problem, plan = base
    gone = ["p03", "p10"]
    changed = event(absent={pid: ["s2", "s3", "s4"] for pid in gone})
    out = repaired(changed, plan, held=["s1"])
    # The held session is exactly as it happened.
    assert out.result.plan.session("s1") == plan.session("s1")
    for change in out.sessions:
        assert set(change.left) == set(gone)
        assert change.joined == ()
        # Any team changed beyond those the absentees left is explained by a broken rule
        # of the minimal edit.
        assert not change.beyond or change.forced
    for move in out.moves:
        if move.participant in gone:
            assert move.after is None and move.reason == "absent"
        else:
            assert move.before is not None and move.after is not None
    # People who did not move kept their teams; the moves list is exactly the differences.
    for session in ("s2", "s3", "s4"):
        moved = {m.participant for m in out.moves_in(session)}
        for pid in (p.id for p in changed.participants):
            if pid not in moved:
                assert out.result.plan.team_of(pid, session) == plan.team_of(pid, session)
            else:
                assert out.result.plan.team_of(pid, session) != plan.team_of(pid, session)


def test_a_new_participant_joins_from_their_first_session(base) -> None:
    problem, plan = base
    changed = event(people=25, absent={"p24": ["s1", "s2"]})
    out = repaired(changed, plan, held=["s1", "s2"])
    assert out.result.plan.team_of("p24", "s2") is None
    for session in ("s3", "s4"):
        assert out.result.plan.team_of("p24", session) is not None
        joined = [m for m in out.moves_in(session) if m.participant == "p24"]
        assert joined and joined[0].before is None and joined[0].reason == "joins this session"
    for session in ("s1", "s2"):
        assert out.result.plan.session(session) == plan.session(session)


def test_people_no_longer_on_the_roster_are_left_out_and_named(base) -> None:
    problem, plan = base
    out = repaired(event(people=23), plan, held=["s1"])
    assert out.dropped == ("p23",)
    assert not any("p23" in t.members for s in out.result.plan.sessions for t in s.teams)
    assert "no longer on the roster, left out: p23" in out.summary()


def test_a_closed_station_reroutes_only_the_teams_that_used_it(base) -> None:
    problem, plan = base
    users = {t.number for t in plan.session("s3").teams if "C" in t.stations}
    assert users, "the fixture's plan sends some team to C in s3"
    changed = event(closed=[("s3", 1), ("s3", 2)])
    assert tk.check(changed, plan).violations, "the old plan breaks the closure"
    out = repaired(changed, plan, held=["s1", "s2"])
    s3 = out.result.plan.session("s3")
    assert all("C" not in t.stations for t in s3.teams)
    (change,) = [c for c in out.sessions if c.session == "s3"]
    assert set(change.rerouted) >= users
    for number in set(range(1, 7)) - set(change.rerouted):
        assert s3.team(number).stations == plan.session("s3").team(number).stations


def test_a_new_rule_moves_people_and_names_itself_as_the_reason(base) -> None:
    problem, plan = base
    team = plan.session("s4").teams[0]
    a, b = team.members[:2]
    rule = tk.Apart([a, b], sessions=["s4"])
    changed = event(rule)
    assert tk.check(changed, plan).violations
    # a generous limit: the repair stops as soon as it is done, and a loaded machine is slow
    out = repaired(changed, plan, held=["s1", "s2"], time_limit=30)
    assert out.result.plan.team_of(a, "s4") != out.result.plan.team_of(b, "s4")
    (change,) = [c for c in out.sessions if c.session == "s4"]
    assert rule.name in change.forced
    assert any(rule.name in m.reason for m in out.moves_in("s4"))
    if out.replanned:
        # Nothing near the old plan mends it: the sessions not held were planned again, and
        # every move says so.
        assert all(m.reason.startswith("planned again in full") for m in out.moves)
        assert "planned again in full" in out.result.explanation[0]
    else:
        assert all("planned again" not in m.reason for m in out.moves)


def test_a_new_rule_that_the_sessions_held_make_impossible_is_explained(base) -> None:
    problem, plan = base
    team = plan.session("s1").teams[0]
    a, b = team.members[:2]
    rule = tk.Together([a, b], sessions=["s4"])
    # They met in s1, which is held, and nobody may meet twice: s4 cannot bring them together.
    out = repair(event(rule), plan, held=["s1", "s2", "s3"], time_limit=10)
    assert out.result.status is tk.Status.INFEASIBLE
    assert out.result.plan is None and out.moves == ()
    first = out.result.explanation[0]
    assert first.startswith("session 's4': no plan satisfies these hard constraints together:")
    assert rule.name in first and "meet_at_most(1)" in first
    assert out.result.explanation[-1] == "with the sessions held as they happened"
    assert out.summary().splitlines()[0] == "status: infeasible"


def test_an_absent_leader_is_replaced_in_the_same_team_and_other_leaders_stay(base) -> None:
    problem, plan = base
    team = plan.session("s3").teams[1]
    (leader,) = team.roles["leader"]
    changed = event(absent={leader: ["s3"]})
    out = repaired(changed, plan, held=["s1", "s2"])
    new_team = out.result.plan.session("s3").teams[1]
    (new_leader,) = new_team.roles["leader"]
    assert new_leader != leader and new_leader in new_team.members
    # Leaders of sessions held stay; so do those of s4 whose teams are unchanged.
    for session in ("s1", "s2"):
        assert out.result.plan.session(session) == plan.session(session)
    unchanged = [
        (old, new)
        for old, new in zip(plan.session("s4").teams, out.result.plan.session("s4").teams)
        if old.members == new.members and leader not in old.members
    ]
    assert unchanged
    assert sum(old.roles == new.roles for old, new in unchanged) >= len(unchanged) - 1


def test_team_counts_are_kept_when_absentees_would_dissolve_a_team(base) -> None:
    problem, plan = base
    gone = ["p01", "p02", "p05", "p06"]
    changed = event(absent={pid: ["s3", "s4"] for pid in gone})
    assert changed.layout("s3").num_teams == 5  # teams of 4 for 20 people
    out = repaired(changed, plan, held=["s1", "s2"])
    assert len(out.result.plan.session("s3").teams) == 6
    assert out.problem.layout("s3").num_teams == 6
    assert out.team_counts == {"s3": 6, "s4": 6}
    assert sorted(len(t.members) for t in out.result.plan.session("s3").teams) == [3, 3, 3, 3, 4, 4]
    # Without: the counts the problem gives (the plan may then need many more moves).
    loose = repair(changed, plan, held=["s1", "s2"], keep_team_counts=False, time_limit=4)
    assert len(loose.result.plan.session("s3").teams) == 5
    assert loose.team_counts == {}
    assert loose.problem is changed


def test_same_inputs_same_repair(base) -> None:
    problem, plan = base
    changed = event(absent={"p07": ["s2", "s3", "s4"]})
    first = repaired(changed, plan, held=["s1"], seed=4)
    second = repaired(changed, plan, held=["s1"], seed=4)
    assert first.result.plan == second.result.plan
    assert first.moves == second.moves


def test_summary_names_sessions_moves_and_reasons(base) -> None:
    problem, plan = base
    changed = event(absent={"p03": ["s2", "s3", "s4"]})
    out = repaired(changed, plan, held=["s1"])
    text = out.summary()
    assert text.splitlines()[0] == "status: feasible"
    assert "held as planned: s1" in text
    for session in ("s2", "s3", "s4"):
        assert f"{session}: 1 left" in text
    assert "p03: team" in text and "(absent)" in text


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"held": ["s9"]}, tk.ModelError, "held session 's9' is not a session of the problem"),
        ({"held": ["S1"]}, tk.ModelError, "did you mean 's1'"),
        ({"time_limit": 0}, ValueError, "time_limit must be positive, got 0"),
        ({"stability": -1}, ValueError, "stability must be positive, got -1"),
    ],
)
def test_bad_options_are_refused(base, options, error, message) -> None:
    problem, plan = base
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        repair(problem, plan, **options)


def test_a_plan_of_other_sessions_is_refused(base) -> None:
    problem, plan = base
    other = attrs.evolve(plan, sessions=plan.sessions[:3])
    with pytest.raises(tk.PlanFileError, match=r"the plan's sessions \['s1', 's2', 's3'\] are not the problem's"):
        repair(problem, other)
    with pytest.raises(TypeError, match="repair\\(\\) takes ProblemData"):
        repair(plan, plan)  # type: ignore[arg-type]
