"""Day tracks (teamkit.engine.tracks and its two CP-SAT models): station sets per track that
are disjoint over the day and seat every team, a split of the people that keeps each track a
fair sample, and solves that use them. Facts are recomputed here from the inputs."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest

import teamkit as tk
from teamkit.engine.activities import Activities
from teamkit.engine.tracks import day_tracks
from teamkit.solvers.ortools.stations import StationRequest, plan_stations
from teamkit.solvers.ortools.tracks import SplitRequest, TrackRequest, plan_tracks, split_people
from tests.helpers import golfers, solve_and_check


def request(teams: tuple[int, ...], capacity: list[int], slots: list[int], **options) -> TrackRequest:
    S = len(capacity)
    return TrackRequest(
        teams=teams,
        capacity=np.array(capacity),
        staff=np.zeros(S, dtype=int),
        open=tuple(np.ones((S, L), dtype=bool) for L in slots),
        instructors=tuple(99 for _ in slots),
        **options,
    )


def assert_sound(req: TrackRequest, allowed: tuple[np.ndarray, ...]) -> None:
    """A track never meets a station twice in the day; in every session each track's
    stations hold its teams, enough of them for distinct visits; together the tracks fit."""
    G = len(req.teams)
    for g in range(G):
        assert max(sum(int(a[g, s]) for a in allowed) for s in range(len(req.capacity))) <= 1
    for k, a in enumerate(allowed):
        L = req.open[k].shape[1]
        for g in range(G):
            assert a[g].sum() >= L
            assert sum(min(req.teams[g], L * int(c)) for c in req.capacity[a[g]]) >= req.teams[g] * L
        assert req.capacity[a.any(axis=0)].sum() >= sum(req.teams)


def test_one_track_when_the_stations_suffice() -> None:
    req = request((4,), [2, 2, 2, 2, 2, 2, 2, 2], [2, 2])
    found = plan_tracks(req, seconds=5, seed=0)
    assert found is not None
    assert_sound(req, found.allowed)


def test_too_few_stations_for_one_track() -> None:
    # 2 + 3 station slots need five different stations per person; there are four.
    assert plan_tracks(request((2,), [2, 2, 2, 2], [2, 3]), seconds=5, seed=0) is None


def test_two_tracks_share_the_stations_of_a_day() -> None:
    # One track of six teams would need three stations per session, nine in the day; two
    # tracks of three need two per session each, and share the six stations.
    req = request((3, 3), [2, 2, 2, 2, 2, 2], [2, 2, 2])
    assert plan_tracks(request((6,), [2, 2, 2, 2, 2, 2], [2, 2, 2]), seconds=5, seed=0) is None
    found = plan_tracks(req, seconds=5, seed=0)
    assert found is not None
    assert_sound(req, found.allowed)


def test_barred_teams_get_stations_they_may_do() -> None:
    barred = np.array([True, True, False, False, False, False, False, False])
    req = request((3, 3), [3] * 8, [2, 2], barred=((barred, (2, 2)),))
    found = plan_tracks(req, seconds=5, seed=0)
    assert found is not None
    assert_sound(req, found.allowed)
    for a in found.allowed:
        for g in range(2):
            # two barred teams, two slots, a visit per station: two stations they may do
            assert (a[g] & ~barred).sum() >= 2


@pytest.mark.parametrize("holding", [2, 3])
def test_barred_stations_take_visits_only_from_teams_free_of_barred_people(holding: int) -> None:
    # Five teams, five stations of one team each: every station is full in each of the three
    # slots, the barred one too. A team visits a station once, so its three visits come from
    # three different teams, all free of barred people: there are three when two teams hold
    # barred people, two when three do (the shares of capacity alone would fit both).
    barred = np.array([True, False, False, False, False])
    req = TrackRequest(
        teams=(5,),
        capacity=np.ones(5, dtype=int),
        staff=np.zeros(5, dtype=int),
        open=(np.ones((5, 3), dtype=bool),),
        instructors=(99,),
        barred=((barred, (holding,)),),
    )
    found = plan_tracks(req, seconds=5, seed=0)
    assert (found is not None) == (holding == 2)
    # The routes agree: with three teams holding barred people no plan seats them.
    routes = StationRequest(
        teams=5,
        slots=(1, 2, 3),
        capacity=req.capacity,
        duration=np.ones(5, dtype=np.int64),
        open=req.open[0],
        staff=req.staff,
        can_run=np.ones((1, 5), dtype=bool),
        forbidden=np.zeros((5, 5), dtype=np.int64),
        cost=np.zeros((5, 5)),
        groups=((barred, holding, 1), (np.zeros(5, dtype=bool), 50 - holding, 10)),
        team_high=np.full(5, 10, dtype=np.int64),
    )
    plan = plan_stations(routes, None, seconds=5, seed=0)
    assert plan is not None and plan.seating is not None
    assert (plan.seating[0].sum() == holding) == (holding == 2)


def test_instructors_limit_the_stations_open_at_once() -> None:
    req = request((2, 2), [1] * 8, [2, 2])
    assert plan_tracks(req, seconds=5, seed=0) is not None
    # every slot needs 4 stations of one team each, but only 3 can be staffed
    staffed = TrackRequest(
        teams=(2, 2),
        capacity=np.ones(8, dtype=int),
        staff=np.ones(8, dtype=int),
        open=req.open,
        instructors=(3, 3),
    )
    assert plan_tracks(staffed, seconds=5, seed=0) is None


def test_split_keeps_quotas_and_prefers_cheap_tracks() -> None:
    m = 12
    women = np.array([i % 3 == 0 for i in range(m)])
    cost = np.zeros((m, 2))
    cost[:6, 1] = 5.0  # the first six would rather be in track 0
    req = SplitRequest(size=((6, 6), (6, 6)), quotas=((women, (2, 2), (2, 2)),), cost=cost)
    split = split_people(req, seconds=5, seed=0)
    assert split is not None
    assert np.bincount(split, minlength=2).tolist() == [6, 6]
    assert [int(women[split == g].sum()) for g in range(2)] == [2, 2]
    assert (split[:6] == 0).all()


def test_split_breaks_an_impossible_quota_as_little_as_possible() -> None:
    everyone = np.ones(4, dtype=bool)
    req = SplitRequest(size=((2, 2), (2, 2)), quotas=((everyone, (0, 0), (1, 3)),), cost=np.zeros((4, 2)))
    split = split_people(req, seconds=5, seed=0)
    assert split is not None and np.bincount(split).tolist() == [2, 2]


def test_station_design_stays_within_each_teams_allowed_stations() -> None:
    T, S = 4, 6
    allowed = np.zeros((T, S), dtype=bool)
    allowed[:2, :3] = True
    allowed[2:, 3:] = True
    req = StationRequest(
        teams=T,
        slots=(1, 2, 3),
        capacity=np.full(S, 2),
        duration=np.ones(S, dtype=int),
        open=np.ones((S, 3), dtype=bool),
        staff=np.zeros(S, dtype=int),
        can_run=np.zeros((0, S), dtype=bool),
        forbidden=np.zeros((T, S), dtype=int),
        cost=np.zeros((T, S)),
        allowed=allowed,
    )
    found = plan_stations(req, None, seconds=5, seed=0)
    assert found is not None
    for t in range(T):
        assert allowed[t, found.route[t]].all()
        assert len(set(found.route[t].tolist())) == 3


def day_event(
    people: int = 48, team_size: int = 4, keep: bool = False, pin: bool = False, stations: str = "ABCDEF"
) -> tk.ProblemData:
    """One day of three sessions of two slots, six stations each holding a third of the
    teams: one track would need three stations per session, nine in the day."""
    m = tk.Model()
    for i in range(people):
        m.add_participant(f"p{i:02d}", attributes={"echelon": ["II", "III", "IV"][i % 3], "gender": "MF"[i % 2]})
    for k in range(3):
        m.add_session(f"s{k + 1}", team_size=team_size, day="d1", slots=2, keep_teams=keep and k == 2)
    for name in stations:
        m.add_station(name, capacity=people // team_size // 3)
    m.add_constraint(tk.Balance("echelon"))
    m.add_constraint(tk.Balance("gender"))
    m.add_constraint(tk.MeetAtMost(1))
    m.add_constraint(tk.ExerciseOnce("day"))
    if pin:
        m.add_constraint(tk.Pin("p00", team=1, session="s1"))
    return m.data()


def test_day_tracks_split_fairly_and_never_repeat_a_station() -> None:
    problem = day_event()
    acts = Activities(problem)
    found = day_tracks(
        problem, (0, 1, 2), acts.open, [], np.zeros((problem.num_participants, acts.S), dtype=int), seed=0
    )
    assert found is not None
    G = int(found.team_track.max()) + 1
    assert G >= 2
    teams = Counter(found.team_track.tolist())
    people = Counter(found.track.tolist())
    assert all(people[g] == 4 * teams[g] for g in range(G))
    for g in range(G):
        stations = [s for k in (0, 1, 2) for s in np.flatnonzero(found.allowed[k][g])]
        assert len(stations) == len(set(stations))
        members = [problem.participants[i] for i in np.flatnonzero(found.track == g)]
        # each team of the track can hold its fair share of every echelon and gender
        for attribute, values in (("echelon", ("II", "III", "IV")), ("gender", ("M", "F"))):
            for v in values:
                count = sum(p.attributes[attribute] == v for p in members)
                share = sum(p.attributes[attribute] == v for p in problem.participants) / problem.num_participants
                assert int(np.floor(share * 4)) * teams[g] <= count <= int(np.ceil(share * 4)) * teams[g]


@pytest.mark.parametrize("option", ["keep", "pin"])
def test_no_tracks_when_teams_are_kept_or_pinned(option: str) -> None:
    problem = day_event(**{option: True})
    acts = Activities(problem)
    history = np.zeros((problem.num_participants, acts.S), dtype=int)
    assert day_tracks(problem, (0, 1, 2), acts.open, [], history, seed=0) is None


def test_solve_uses_tracks_and_keeps_the_days_rule() -> None:
    problem = day_event()
    result, report = solve_and_check(problem, time_limit=20)
    assert result.feasible and report.feasible
    visits = Counter(
        (p, station) for s in result.plan.sessions for t in s.teams for p in t.members for station in t.stations
    )
    assert max(visits.values()) == 1


def test_activities_plan_the_day_once_before_its_stations() -> None:
    problem = day_event()
    acts = Activities(problem)
    assignment = np.full((3, problem.num_participants), -1)
    acts.plan_day(1, assignment, seed=0)
    assert set(acts.tracks) == {0, 1, 2}
    day = acts.tracks[0]
    present = np.arange(problem.num_participants)
    # people may use exactly their track's stations
    forbidden = acts.forbidden(0, assignment, present)
    assert (forbidden == ~day.allowed[0][day.track]).all()


def test_the_days_last_session_to_be_routed_may_mix_the_tracks() -> None:
    problem = day_event(stations="ABCDEFGHI")  # room for more stations than a route uses
    acts = Activities(problem)
    n = problem.num_participants
    assignment = np.full((3, n), -1)
    acts.plan_day(0, assignment, seed=0)
    day = acts.tracks[0]
    present = np.arange(n)
    # Sessions s1 and s2 formed and routed within the tracks.
    for k in (0, 1):
        for g in np.unique(day.track):
            teams = np.flatnonzero(day.team_track == g)
            people = np.flatnonzero(day.track == g)
            assignment[k, people] = teams[(np.arange(len(people)) + k) % len(teams)]
        acts.routes[k] = np.array([np.flatnonzero(day.allowed[k][g])[:2] for g in day.team_track])
    # s3 is still to come, so the people of s2 keep to their tracks.
    assert (acts.forbidden(1, assignment, present) >= ~day.allowed[1][day.track]).all()
    # s3 is the day's last: only the stations each person did today are barred.
    done = np.zeros((n, acts.S), dtype=bool)
    for k in (0, 1):
        for i in range(n):
            done[i, acts.routes[k][assignment[k, i]]] = True
    assert (acts.forbidden(2, assignment, present) == done).all()
    assert (~day.allowed[2][day.track] & ~done).any()  # which the tracks would have barred


def test_lns_frees_teams_the_members_may_join_first() -> None:
    from teamkit.constraints import Constraint
    from teamkit.engine.compiled import CompiledConstraint, compile_session
    from teamkit.solvers.ortools.session import _partners

    problem = day_event()
    team = np.repeat(np.arange(12), 4)
    cost = np.zeros((48, 12))
    cost[:, 6:] = 1.0  # nobody may join teams 6 to 11
    cs = compile_session(problem, 0, [CompiledConstraint(Constraint(label="x"), "x", {"cost": cost})])
    order = _partners(cs, team, 0, np.random.default_rng(0))
    assert sorted(order[:5].tolist()) == [1, 2, 3, 4, 5]
    assert sorted(order[5:].tolist()) == list(range(6, 12))


def test_event_tabu_keeps_costs_it_is_given() -> None:
    """The all-sessions tabu repairs meetings by swaps; with per-session costs it never moves
    anyone into a team barred to them."""
    from teamkit.constraints import Constraint
    from teamkit.engine.compiled import CompiledConstraint
    from teamkit.solve import _event_tabu, _tabu_applies

    problem = golfers(4, 4, 3, tk.MeetAtMost(1))
    assert _tabu_applies(problem)
    # the same teams three times: every pair of team-mates meets three times
    assignment = np.tile(np.repeat(np.arange(4), 4), (3, 1))
    # in session 2, the first eight people may only be in teams 0 and 1, the others in 2, 3
    barred = np.zeros((16, 4))
    barred[:8, 2:] = 1.0
    barred[8:, :2] = 1.0
    costs = [[], [CompiledConstraint(Constraint(label="tracks"), "tracks", {"cost": barred})], []]
    _event_tabu(problem, assignment, 0, time.monotonic() + 10, 0.0, costs)
    plan = tk.Plan.from_assignment(problem, assignment)
    assert tk.check(problem, plan).feasible
    assert all(barred[i, assignment[1, i]] == 0 for i in range(16))


def test_dropping_tracks_keeps_the_sessions_already_routed() -> None:
    problem = day_event()
    acts = Activities(problem)
    assignment = np.full((3, problem.num_participants), -1)
    acts.plan_day(0, assignment, seed=0)
    acts.routes[0] = np.zeros((12, 2), dtype=np.int64)  # session 1 routed within its track
    acts.drop_tracks(1)
    assert set(acts.tracks) == {0}
    present = np.arange(problem.num_participants)
    assert not acts.forbidden(1, assignment, present).any()


def test_split_never_trades_a_quota_for_preferences() -> None:
    women = np.array([True, True, False, False])
    cost = np.zeros((4, 2))
    cost[:2, 1] = 1e4  # both women would much rather be in track 0
    req = SplitRequest(size=((2, 2), (2, 2)), quotas=((women, (1, 1), (1, 1)),), cost=cost)
    split = split_people(req, seconds=5, seed=0)
    assert split is not None
    assert [int(women[split == g].sum()) for g in range(2)] == [1, 1]
