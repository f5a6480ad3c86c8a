"""Pre-checks on stations, staff, roles and exercises: each proves by counting that a request
is impossible, and solve() returns that proof as its explanation without searching; each
proof is followed by the line that says what could be relaxed."""

from __future__ import annotations

import teamkit as tk
from teamkit.precheck import precheck


def roster(m: tk.Model, n: int, **attributes) -> None:
    """``n`` participants ``p000``...; an attribute is a value or a function of the index."""
    for i in range(n):
        m.add_participant(f"p{i:03d}", attributes={a: v(i) if callable(v) else v for a, v in attributes.items()})


def assert_infeasible(problem: tk.ProblemData, sentence: str) -> None:
    assert sentence in precheck(problem)
    result = tk.solve(problem, time_limit=2)
    assert result.status is tk.Status.INFEASIBLE and result.plan is None
    assert sentence in result.explanation


# -- station capacity per slot ---------------------------------------------------------------


def evening(extra_indoor: int = 0) -> tk.ProblemData:
    """300 people in 30 teams of 10; the outdoor station opens in the morning only, and the
    evening has the indoor ones (6 + 6 + 5, and ``extra_indoor`` more)."""
    m = tk.Model()
    roster(m, 300, unit=lambda i: f"u{i % 40}")
    m.add_session("d1-morning", team_size=10, slots=2, day="d1")
    m.add_session("d1-evening", team_size=10, slots=1, day="d1")
    m.add_station("Flying Fox", capacity=20, sessions=["d1-morning"], attributes={"where": "outdoor"})
    for name, capacity in [("Menara Koran", 6), ("Kapal Karam", 6), ("Puzzle Visi", 5)]:
        m.add_station(name, capacity=capacity, attributes={"where": "indoor"})
    if extra_indoor:
        m.add_station("Lorong Gelap", capacity=extra_indoor, attributes={"where": "indoor"})
    return m.data()


def test_evening_with_only_the_indoor_stations_cannot_hold_thirty_teams():
    problem = evening()
    sentence = (
        "session 'd1-evening', slot 1: 30 teams but the stations open then hold only 17 teams at once "
        "(Menara Koran 6, Kapal Karam 6, Puzzle Visi 5)"
    )
    relax = "relax one of: the stations open in slot 1 of session 'd1-evening', the team sizes of session 'd1-evening'"
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)


def test_evening_with_room_for_every_team_passes():
    assert precheck(evening(extra_indoor=13)) == ()


def closures(
    closed_a: list[tuple[str, int]], closed_b: list[tuple[str, int]], also_open: bool = False
) -> tk.ProblemData:
    m = tk.Model()
    roster(m, 8)
    m.add_session("s1", team_size=2, slots=4, plenary=[4])
    m.add_station("A", capacity=2, closed=closed_a)
    m.add_station("B", capacity=2, closed=closed_b)
    if also_open:  # a third station, so that no team need do one twice in the session
        m.add_station("C", capacity=2)
    return m.data()


def test_slots_with_the_same_stations_open_share_one_sentence():
    problem = closures([("s1", 3)], [("s1", 1), ("s1", 2), ("s1", 3)])
    sentence = "session 's1', slots 1 and 2: 4 teams but the stations open then hold only 2 teams at once (A 2)"
    assert precheck(problem) == (
        sentence,
        "relax one of: the stations open in slots 1 and 2 of session 's1', the team sizes of session 's1'",
        "session 's1', slot 3: 4 teams but no station is open then",
        "relax one of: the stations open in slot 3 of session 's1', the team sizes of session 's1'",
    )
    assert_infeasible(problem, sentence)


def test_stations_closed_only_in_the_plenary_slot_pass():
    assert precheck(closures([("s1", 4)], [("s1", 4)], also_open=True)) == ()


def test_longer_exercises_hold_their_capacity_in_every_slot():
    m = tk.Model()
    roster(m, 8)
    m.add_session("s1", team_size=2, slots=2)
    m.add_station("Raft", capacity=2, duration=2)
    m.add_station("Maze", capacity=2, duration=2)
    assert precheck(m.data()) == ()


# -- visits: every team at a different station in each slot ----------------------------------


def once_each(capacities: dict[str, int]) -> tk.ProblemData:
    """6 people in 3 teams of 2 over two station slots: enough room in each slot for the
    teams of (1, 2), but a team may not do the same station twice."""
    m = tk.Model()
    roster(m, 6)
    m.add_session("s1", team_size=2, slots=2)
    for name, capacity in capacities.items():
        m.add_station(name, capacity=capacity)
    return m.data()


def test_a_station_takes_each_team_once_in_a_session():
    problem = once_each({"Ropes": 1, "Maze": 2})
    sentence = (
        "session 's1': 3 teams at a station in each of its 2 station slots, never twice at the same one, "
        "need 6 visits, but the stations take at most 5 (Ropes: 2, capacity 1 in each of 2 slots; "
        "Maze: 3, once per team)"
    )
    relax = "relax one of: the stations open in session 's1', the team sizes of session 's1'"
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)


def test_one_more_place_gives_the_visits_the_teams_need():
    problem = once_each({"Ropes": 2, "Maze": 2})
    assert precheck(problem) == ()
    result = tk.solve(problem, time_limit=5)
    assert result.feasible and tk.check(problem, result.plan).feasible


def test_a_station_no_instructor_may_run_takes_no_visits():
    m = tk.Model()
    roster(m, 4)
    m.add_session("s1", team_size=2, slots=2)
    m.add_station("Wall", capacity=2, staff=1)
    m.add_station("Ropes", capacity=2, staff=1)
    m.add_instructor("i1", stations=["Wall"])
    m.add_instructor("i2", stations=["Wall"])
    sentence = (
        "session 's1': 2 teams at a station in each of its 2 station slots, never twice at the same one, "
        "need 4 visits, but the stations take at most 2 (Wall: 2, once per team; "
        "Ropes: 0, needs 1 instructor, no instructor who works then may run it)"
    )
    relax = (
        "relax one of: the stations open in session 's1', the instructors of session 's1', "
        "the team sizes of session 's1'"
    )
    assert precheck(m.data()) == (sentence, relax)
    assert_infeasible(m.data(), sentence)


# -- instructors -----------------------------------------------------------------------------


def staffed(instructors: int, *, later_only: bool = False) -> tk.ProblemData:
    """12 people in 6 teams; a station without staff holds one team, the staffed ones two each."""
    m = tk.Model()
    roster(m, 12)
    m.add_session("s1", team_size=2, slots=1)
    m.add_session("s2", team_size=2, slots=1)
    m.add_station("Wall", capacity=2, staff=2)
    m.add_station("Ropes", capacity=2, staff=1)
    m.add_station("Archery", capacity=2, staff=1)
    m.add_station("Quiz", capacity=1)
    for i in range(instructors):
        m.add_instructor(f"i{i + 1}")
    m.add_instructor("quizmaster", stations=["Quiz"])  # runs no staffed station
    m.add_instructor("guest", sessions=["s2"])  # works in the other session only
    return m.data()


def test_staffed_stations_needing_more_instructors_than_work_are_reported():
    problem = staffed(3)
    sentence = (
        "session 's1', slot 1: 6 teams need at least 4 instructors at once, but only 3 who work in that "
        "session can run a staffed station open then (stations that need no instructor hold only 1 team; "
        "for the other 5, the staffed stations with the fewest instructors in all: Wall (2 instructors, "
        "2 teams), Ropes (1 instructor, 2 teams) and Archery (1 instructor, 2 teams))"
    )
    relax = (
        "relax one of: the instructors of session 's1', the stations open in slot 1 of session 's1', "
        "the team sizes of session 's1'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)


def test_enough_instructors_pass():
    assert precheck(staffed(4)) == ()


def test_fewest_instructors_prefer_the_cheap_stations():
    """8 teams: two cheap stations (1 instructor, 4 teams each) hold them, so 2 instructors
    suffice even though a greedy pick by capacity would take the 5-team station needing 3."""

    def problem(instructors: int) -> tk.ProblemData:
        m = tk.Model()
        roster(m, 16)
        m.add_session("s1", team_size=2, slots=1)
        m.add_station("Big", capacity=5, staff=3)
        m.add_station("Left", capacity=4, staff=1)
        m.add_station("Right", capacity=4, staff=1)
        for i in range(instructors):
            m.add_instructor(f"i{i + 1}")
        return m.data()

    assert precheck(problem(2)) == ()
    sentence = (
        "session 's1', slot 1: 8 teams need at least 2 instructors at once, but only 1 who works in that "
        "session can run a staffed station open then (the staffed stations that hold them with the fewest "
        "instructors in all: Left (1 instructor, 4 teams) and Right (1 instructor, 4 teams))"
    )
    relax = (
        "relax one of: the instructors of session 's1', the stations open in slot 1 of session 's1', "
        "the team sizes of session 's1'"
    )
    assert precheck(problem(1)) == (sentence, relax)


def test_no_instructor_at_all():
    m = tk.Model()
    roster(m, 4)
    m.add_session("s1", team_size=2, slots=1)
    m.add_station("Wall", capacity=2, staff=1)
    problem = m.data()
    sentence = (
        "session 's1', slot 1: 2 teams need at least 1 instructor at once, but no instructor who works in "
        "that session can run a staffed station open then (the staffed stations that hold them with the "
        "fewest instructors in all: Wall (1 instructor, 2 teams))"
    )
    relax = (
        "relax one of: the instructors of session 's1', the stations open in slot 1 of session 's1', "
        "the team sizes of session 's1'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)


def test_a_station_that_keeps_teams_two_slots_is_counted_where_they_all_arrive():
    """Staff is needed where a station receives teams: surely in the first slot, where every
    team arrives; the second slot, where teams may only stay on, is not claimed."""
    m = tk.Model()
    roster(m, 8)
    m.add_session("s1", team_size=2, slots=2)
    m.add_station("Raft", capacity=4, duration=2, staff=1)
    sentence = (
        "session 's1', slot 1: 4 teams need at least 1 instructor at once, but no instructor who works in "
        "that session can run a staffed station open then (the staffed stations that hold them with the "
        "fewest instructors in all: Raft (1 instructor, 4 teams))"
    )
    relax = (
        "relax one of: the instructors of session 's1', the stations open in slot 1 of session 's1', "
        "the team sizes of session 's1'"
    )
    assert precheck(m.data()) == (sentence, relax)


# -- roles -----------------------------------------------------------------------------------


def test_too_few_eligible_people_for_a_role():
    def problem(licences: int) -> tk.ProblemData:
        m = tk.Model()
        roster(m, 6, licence=lambda i: "yes" if i < licences else "no")
        m.add_session("s1", team_size=2)
        m.add_role("driver", eligible={"licence": "yes"})
        return m.data()

    sentence = (
        "session 's1': role 'driver' needs 3 holders (1 in each of 3 teams), but only 2 people present are eligible"
    )
    relax = "relax one of: who is eligible for role 'driver', the team sizes of session 's1'"
    assert precheck(problem(2)) == (sentence, relax)
    assert_infeasible(problem(2), sentence)
    assert precheck(problem(3)) == ()


def test_two_roles_share_too_few_people():
    """Three may drive and three may give first aid, but one person could do both: five people
    for six seats, and nobody holds two roles."""

    def problem(medics: str) -> tk.ProblemData:
        m = tk.Model()
        roster(m, 6, licence=lambda i: "yes" if i < 3 else "no", aid=lambda i: "yes" if str(i) in medics else "no")
        m.add_session("s1", team_size=2)
        m.add_role("driver", eligible={"licence": "yes"})
        m.add_role("medic", eligible={"aid": "yes"})
        return m.data()

    sentence = (
        "session 's1': roles 'driver' and 'medic' need 6 holders together (3 + 3) and nobody holds two roles "
        "in one session, but only 5 people present are eligible for any of them"
    )
    relax = "relax one of: who is eligible for roles 'driver' or 'medic', the team sizes of session 's1'"
    assert precheck(problem("234")) == (sentence, relax)
    assert_infeasible(problem("234"), sentence)
    assert precheck(problem("345")) == ()


def test_role_turns_over_the_event_against_max_turns():
    def problem(max_turns: int) -> tk.ProblemData:
        m = tk.Model()
        roster(m, 6)
        for k in range(3):
            m.add_session(f"s{k + 1}", team_size=2)
        m.add_role("leader", max_turns=max_turns)
        return m.data()

    sentence = (
        "role 'leader': 9 turns over the event (1 per team in 3 + 3 + 3 teams), but the 6 eligible people "
        "who attend its sessions may hold it at most once each: 6 turns in all"
    )
    relax = "relax one of: max_turns of role 'leader', who is eligible for role 'leader'"
    assert precheck(problem(1)) == (sentence, relax)
    assert_infeasible(problem(1), sentence)
    assert precheck(problem(2)) == ()


def test_role_turns_count_the_sessions_people_miss():
    """Two of the three eligible people attend only the first session: each holds the role at
    most once there, whatever max_turns allows."""

    def problem(late: list[str]) -> tk.ProblemData:
        m = tk.Model()
        roster(m, 4, lead=lambda i: "no" if i == 2 else "yes")
        for k in range(3):
            m.add_session(f"s{k + 1}", num_teams=2)
        for pid in late:
            m.leaves(pid, "s1")
        m.add_role("leader", eligible={"lead": "yes"}, max_turns=2)
        return m.data()

    sentence = (
        "role 'leader': 6 turns over the event (1 per team in 2 + 2 + 2 teams), but the 3 eligible people "
        "who attend its sessions may hold it at most 2 times each, and fewer when they miss some of its "
        "sessions: 5 turns in all"
    )
    relax = "relax one of: max_turns of role 'leader', who is eligible for role 'leader'"
    assert precheck(problem(["p002", "p003"])) == (sentence, relax)
    assert_infeasible(problem(["p002", "p003"]), sentence)
    assert precheck(problem(["p002"])) == ()


# -- stations some people avoid ----------------------------------------------------------------


def avoiding(
    puzzle: int, *, spread: bool = True, limited: int = 3, who: dict | None = None, slots: int = 1
) -> tk.ProblemData:
    """12 people in 4 teams of 3, ``limited`` of them with limited fitness; one station slot,
    at two high-intensity stations and a calm one holding ``puzzle`` teams (with a second slot,
    a team that must stay calm would need a second calm station: see below)."""
    m = tk.Model()
    roster(m, 12, fitness=lambda i: "limited" if i < limited else "good", age=lambda i: "60+" if i < 3 else "young")
    m.add_session("s1", team_size=3, slots=slots)
    m.add_station("Climb", capacity=2, attributes={"intensity": "high"})
    m.add_station("Run", capacity=2, attributes={"intensity": "high"})
    m.add_station("Puzzle", capacity=puzzle, attributes={"intensity": "low"})
    if spread:
        m.add_constraint(tk.Spread("fitness", values=["limited"]))
    m.add_constraint(tk.AvoidStations(who=who or {"fitness": "limited"}, stations={"intensity": "high"}))
    return m.data()


def test_people_kept_from_intense_stations_need_room_at_the_calm_ones():
    problem = avoiding(puzzle=2)
    sentence = (
        "session 's1', slot 1: avoid_stations(fitness=limited -> intensity=high) keeps the 3 people "
        "present with fitness=limited away from stations with intensity=high; at most 1 of them fits in one "
        "team (spread(fitness=limited<=1)), so at least 3 teams hold one, but the stations open then without "
        "intensity=high hold only 2 teams at once (Puzzle 2)"
    )
    relax = (
        "relax one of: avoid_stations(fitness=limited -> intensity=high), spread(fitness=limited<=1), "
        "the stations open in slot 1 of session 's1'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)
    assert precheck(avoiding(puzzle=3)) == ()


def test_without_a_spread_the_team_size_bounds_how_many_share_a_team():
    problem = avoiding(puzzle=1, spread=False, limited=4)
    sentence = (
        "session 's1', slot 1: avoid_stations(fitness=limited -> intensity=high) keeps the 4 people "
        "present with fitness=limited away from stations with intensity=high; a team has at most 3 members, "
        "so at least 2 teams hold one, but the stations open then without intensity=high hold only 1 team "
        "at once (Puzzle 1)"
    )
    relax = (
        "relax one of: avoid_stations(fitness=limited -> intensity=high), the team sizes of session 's1', "
        "the stations open in slot 1 of session 's1'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)
    # three of them fit in one team, and one calm place is enough for it
    assert precheck(avoiding(puzzle=1, spread=False, limited=3)) == ()


def test_a_team_that_must_stay_calm_needs_a_calm_station_in_every_slot():
    """A team visits a station once in a session; with two slots and one calm station, the
    team holding the three people with limited fitness (together or not) has nowhere to go in
    one of them, however much room the calm station has. The spread plays no part."""
    problem = avoiding(puzzle=4, slots=2)
    sentence = (
        "session 's1', slots 1 and 2: avoid_stations(fitness=limited -> intensity=high) keeps the 3 people "
        "present with fitness=limited away from stations with intensity=high; at least 1 team holds one of "
        "them, and that team needs a station without intensity=high in each of the 2 station slots, going to "
        "each station once, but those stations (Puzzle) offer only 1 of the 2 slots needed"
    )
    relax = "relax one of: avoid_stations(fitness=limited -> intensity=high), the stations open in session 's1'"
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)
    assert precheck(avoiding(puzzle=4, slots=1)) == ()


def test_a_rule_on_two_attributes_is_not_counted():
    assert precheck(avoiding(puzzle=1, who={"fitness": "limited", "age": "60+"})) == ()


# -- the same exercise twice in a day ----------------------------------------------------------


def day_of_rotations(day_pm: str, *, slots: int = 2, durations: tuple[int, ...] = (1, 1, 1)) -> tk.ProblemData:
    m = tk.Model()
    roster(m, 6)
    m.add_session("d1-am", team_size=3, slots=slots, day="d1")
    m.add_session("d1-pm", team_size=3, slots=slots, day=day_pm)
    for name, duration in zip("ABC", durations):
        m.add_station(name, capacity=1, duration=duration)
    m.add_constraint(tk.ExerciseOnce("day"))
    return m.data()


def test_more_station_slots_in_a_day_than_stations():
    problem = day_of_rotations("d1")
    sentence = (
        "exercise_once(per day): on day 'd1', 6 people attend sessions 'd1-am' and 'd1-pm' and are at a "
        "station in 4 slots, but only 3 different stations are open in them (A, B, C) and nobody may do one "
        "twice in a day"
    )
    relax = (
        "relax one of: exercise_once(per day), the stations open on day 'd1', "
        "the station slots of sessions 'd1-am' and 'd1-pm'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)
    assert precheck(day_of_rotations("d2")) == ()


def test_longer_exercises_fill_more_slots_of_the_day():
    problem = day_of_rotations("d1", slots=3, durations=(1, 2, 2))
    sentence = (
        "exercise_once(per day): on day 'd1', 6 people attend sessions 'd1-am' and 'd1-pm' and are at a "
        "station in 6 slots, but only 3 different stations are open in them (A, B (2 slots), C (2 slots)) and "
        "nobody may do one twice in a day, so their visits cover at most 5 slots"
    )
    relax = (
        "relax one of: exercise_once(per day), the stations open on day 'd1', "
        "the station slots of sessions 'd1-am' and 'd1-pm'"
    )
    assert precheck(problem) == (sentence, relax)
    assert_infeasible(problem, sentence)
    assert precheck(day_of_rotations("d1", durations=(1, 2, 2))) == ()


def test_a_soft_rule_proves_nothing():
    """Two teams, three station slots in the day and two stations: each session alone works,
    and only the day's rule could not hold; as a soft rule it is a cost, not a conflict."""
    m = tk.Model()
    roster(m, 6)
    m.add_session("am", team_size=3, slots=2, day="d1")
    m.add_session("pm", team_size=3, slots=1, day="d1")
    m.add_station("A", capacity=2)
    m.add_station("B", capacity=2)
    m.add_constraint(tk.ExerciseOnce("day", hard=False))
    assert precheck(m.data()) == ()
    m.add_constraint(tk.ExerciseOnce("day"))
    assert precheck(m.data())
