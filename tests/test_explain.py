"""Infeasible requests, each explained by the rules that really conflict and no others.

Every model here is crafted to be impossible for one reason. The test solves it, reads which
of the problem's constraints the explanation names (by the names ``constraint_names()``
gives), and checks that they are exactly the conflicting ones: the line after the conflict
offers exactly those (and the data they met) to relax, and removing any one of them, or
relaxing the data, gives a plan the independent checker accepts. Several cases also pin the
explanation word for word, so that the messages stay stable.
"""

from __future__ import annotations

import random
import re
import runpy
from pathlib import Path

import pytest

import teamkit as tk
from teamkit.precheck import precheck

#: Seconds per solve: every model here is tiny.
SECONDS = 5


def model(rows: list[dict], **session) -> tk.Model:
    """Participants ``p00``... with the given attributes, in one session ``s1``."""
    m = tk.Model()
    for k, row in enumerate(rows):
        m.add_participant(f"p{k:02d}", attributes=row)
    m.add_session("s1", **session)
    return m


def solve(problem: tk.ProblemData) -> tk.Result:
    return tk.solve(problem, time_limit=SECONDS, seed=0)


def named(problem: tk.ProblemData, lines: tuple[str, ...]) -> list[str]:
    """The problem's constraints that the lines name, in the problem's order. A name counts
    only as a whole: ``pin(...)`` inside ``role_pin(...)`` or ``x`` inside ``x#2`` does not."""
    text = "\n".join(lines)
    return [name for name in problem.constraint_names() if re.search(rf"(?<!\w){re.escape(name)}(?![\w#])", text)]


def relaxable(lines: tuple[str, ...]) -> list[str]:
    """What the "relax" lines offer, item by item."""
    items: list[str] = []
    for line in lines:
        found = re.search(r"relax(?: one of)?: (.*)$", line)
        if found:
            items.extend(found.group(1).split(", "))
    return items


def without(problem: tk.ProblemData, name: str) -> tk.ProblemData:
    """The problem rebuilt without the constraint called ``name``."""
    names = problem.constraint_names()
    assert name in names
    return problem.replace(constraints=[c for c, n in zip(problem.constraints, names) if n != name])


def assert_feasible(problem: tk.ProblemData) -> None:
    result = solve(problem)
    assert result.feasible, result.summary()
    report = tk.check(problem, result.plan)
    assert report.feasible, report.summary()


def assert_explained(problem: tk.ProblemData, conflict: list[str], data: tuple[str, ...] = ()) -> tk.Result:
    """Infeasible, explained by exactly ``conflict`` (and the ``data`` items to relax), and
    each named constraint really needed: without it the problem has a plan."""
    result = solve(problem)
    assert result.status is tk.Status.INFEASIBLE, result.summary()
    assert result.plan is None and result.explanation
    assert named(problem, result.explanation) == conflict
    assert sorted(relaxable(result.explanation)) == sorted([*conflict, *data])
    for name in conflict:
        assert_feasible(without(problem, name))
    return result


# -- found by the conflict search (CP-SAT) ------------------------------------------------------


def test_pairs_that_cannot_share_teams_of_exactly_three():
    """Three pairs that must stay together in two teams of exactly three: one pair per team
    at most, so the sizes cannot add up."""
    m = model([{} for _ in range(6)], team_size=3)
    for pair in (["p00", "p01"], ["p02", "p03"], ["p04", "p05"]):
        m.add_constraint(tk.Together(pair))
    problem = m.data()
    assert precheck(problem) == ()
    names = ["together(p00,p01)", "together(p02,p03)", "together(p04,p05)"]
    sizes = "team sizes (2 teams of 3)"
    result = assert_explained(problem, names, (sizes,))
    assert result.explanation == (
        (
            "session 's1': no plan satisfies these hard constraints together: together(p00,p01); "
            "together(p02,p03); together(p04,p05); team sizes (2 teams of 3)"
        ),
        (
            "session 's1': relax one of: together(p00,p01), together(p02,p03), together(p04,p05), "
            "team sizes (2 teams of 3)"
        ),
    )
    # the sizes are part of it: teams of two to four hold the pairs
    m = model([{} for _ in range(6)], team_sizes=[(2, 4), (2, 4)])
    for c in problem.constraints:
        m.add_constraint(c)
    assert_feasible(m.data())


def test_sizes_within_a_range_are_named_when_the_conflict_needs_them():
    """Seven people in two teams of three to four: a trio and two pairs fit only as trio |
    pair + pair, which the apart rule forbids. The sizes are a range, and still named."""
    m = model([{} for _ in range(7)], team_size=3)
    m.add_constraint(tk.Together(["p00", "p01", "p02"]))
    m.add_constraint(tk.Together(["p03", "p04"]))
    m.add_constraint(tk.Together(["p05", "p06"]))
    m.add_constraint(tk.Apart(["p03", "p05"]))
    problem = m.data()
    assert precheck(problem) == ()
    names = ["together(p00,p01,p02)", "together(p03,p04)", "together(p05,p06)", "apart(p03,p05)"]
    result = assert_explained(problem, names, ("team sizes (2 teams of 3 to 4 for 7 people)",))
    assert result.explanation[0].endswith("apart(p03,p05); team sizes (2 teams of 3 to 4 for 7 people)")
    m = model([{} for _ in range(7)], team_sizes=[(2, 5), (2, 5)])
    for c in problem.constraints:
        m.add_constraint(c)
    assert_feasible(m.data())


def test_pins_that_put_one_unit_twice_in_a_team():
    m = model([{"unit": u} for u in "AABBCC"], team_size=3)
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.Pin("p00", 1))
    m.add_constraint(tk.Pin("p01", 1))
    m.add_constraint(tk.Pin("p02", 2))  # pinned, but no part of the conflict
    m.add_constraint(tk.NoIsolation("unit", min_count=1))  # holds in every plan
    result = assert_explained(m.data(), ["spread(unit<=1)", "pin(p00->team 1)", "pin(p01->team 1)"])
    assert result.explanation == (
        (
            "session 's1': no plan satisfies these hard constraints together: spread(unit<=1); "
            "pin(p00->team 1); pin(p01->team 1)"
        ),
        "session 's1': relax one of: spread(unit<=1), pin(p00->team 1), pin(p01->team 1)",
    )


def test_balance_and_spread_that_counting_alone_cannot_see():
    """Two teams of two and one of four. Red and blue have three people each, so spread puts
    one of each in every team: the small teams are full of juniors, both seniors land in the
    team of four, and balance gives that team exactly one senior (2 x 4 / 8). Every count
    fits (three reds for three teams, two seniors for eight places), so only the search sees it."""
    m = tk.Model()
    people = [("red", "junior")] * 3 + [("blue", "junior")] * 3 + [("green", "senior"), ("gold", "senior")]
    for k, (unit, level) in enumerate(people):
        m.add_participant(f"p{k:02d}", attributes={"unit": unit, "level": level})
    m.add_session("s1", team_sizes=[(2, 2), (2, 2), (4, 4)])
    m.add_constraint(tk.Balance("level"))
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.Together(["p00", "p03"]))  # a red and a blue junior: part of no conflict
    problem = m.data()
    assert precheck(problem) == ()
    assert precheck(problem.replace(constraints=problem.constraints[:2])) == ()
    assert_explained(problem, ["balance(level)", "spread(unit<=1)"])


def test_no_isolation_against_spread():
    """The two women are of one unit: spread parts them, and then each is alone."""
    rows = [{"g": "W", "unit": "a"}, {"g": "W", "unit": "a"}] + [{"g": "M", "unit": u} for u in "bcde"]
    m = model(rows, team_size=3)
    m.add_constraint(tk.NoIsolation("g", values=["W"]))
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.Balance("g", tolerance=1))
    problem = m.data()
    assert precheck(problem) == ()
    assert_explained(problem, ["no_isolation(g=W>=2)", "spread(unit<=1)"])


def test_pins_that_cost_balance():
    """Two women of four pinned to one team, where balance wants one per team."""
    m = model([{"g": g} for g in "WWMMMM"], team_size=3)
    m.add_constraint(tk.Balance("g"))
    m.add_constraint(tk.Pin("p00", 1))
    m.add_constraint(tk.Pin("p01", 1))
    m.add_constraint(tk.Pin("p02", 2))
    assert_explained(m.data(), ["balance(g)", "pin(p00->team 1)", "pin(p01->team 1)"])


# -- proved by counting before any search ---------------------------------------------------------


def test_a_chain_of_together_rules_against_apart():
    m = model([{} for _ in range(6)], team_size=3)
    m.add_constraint(tk.Together(["p00", "p01"]))
    m.add_constraint(tk.Together(["p01", "p02"]))
    m.add_constraint(tk.Together(["p03", "p04"]))  # another group, not in the chain
    m.add_constraint(tk.Apart(["p00", "p02"]))
    result = assert_explained(m.data(), ["together(p00,p01)", "together(p01,p02)", "apart(p00,p02)"])
    assert result.explanation == (
        (
            "session 's1': apart(p00,p02) keeps 'p00' and 'p02' apart, but together(p00,p01) and "
            "together(p01,p02) put both in one team"
        ),
        "relax one of: apart(p00,p02), together(p00,p01), together(p01,p02)",
    )


def test_a_chain_of_together_rules_against_the_hierarchy():
    rows = [{"boss": ""}, {"boss": ""}, {"boss": "p00"}, {"boss": ""}, {"boss": "p03"}, {"boss": ""}]
    m = model(rows, team_size=3)
    m.add_constraint(tk.Hierarchy("boss"))
    m.add_constraint(tk.Together(["p00", "p01"]))
    m.add_constraint(tk.Together(["p01", "p02"]))
    result = assert_explained(m.data(), ["hierarchy(boss)", "together(p00,p01)", "together(p01,p02)"])
    assert result.explanation[0] == (
        "session 's1': hierarchy(boss) keeps 'p02' and their superior 'p00' apart, but together(p00,p01) "
        "and together(p01,p02) put both in one team"
    )


def test_together_rules_that_join_more_people_than_a_team_holds():
    m = model([{} for _ in range(7)], team_size=3)
    m.add_constraint(tk.Together(["p00", "p01", "p02"]))
    m.add_constraint(tk.Together(["p03", "p04"]))
    m.add_constraint(tk.Together(["p04", "p00"]))
    m.add_constraint(tk.Together(["p05", "p06"]))  # a pair of its own
    problem = m.data()
    names = ["together(p00,p01,p02)", "together(p03,p04)", "together(p04,p00)"]
    result = assert_explained(problem, names, ("the team sizes of session 's1'",))
    assert result.explanation[0] == (
        "session 's1': together(p00,p01,p02), together(p03,p04) and together(p04,p00) put 5 people in one "
        "team, but teams hold at most 4"
    )
    m = model([{} for _ in range(7)], team_sizes=[(5, 5), (2, 2)])
    for c in problem.constraints:
        m.add_constraint(c)
    assert_feasible(m.data())


def test_pins_that_overfill_a_team():
    m = model([{} for _ in range(6)], team_size=3)
    m.add_constraint(tk.Pin("p00", 1))
    m.add_constraint(tk.Together(["p00", "p01"]))
    m.add_constraint(tk.Pin("p02", 1))
    m.add_constraint(tk.Pin("p03", 1))
    m.add_constraint(tk.Pin("p04", 2))
    names = ["pin(p00->team 1)", "together(p00,p01)", "pin(p02->team 1)", "pin(p03->team 1)"]
    result = assert_explained(m.data(), names, ("the team sizes of session 's1'",))
    assert result.explanation[0] == (
        "session 's1': pin(p00->team 1), together(p00,p01), pin(p02->team 1) and pin(p03->team 1) put 4 people "
        "in team 1, which holds at most 3"
    )


def test_a_role_that_some_team_has_nobody_eligible_for():
    """Two drivers for two teams are enough by count, but they must travel together."""

    def problem(licences: int) -> tk.ProblemData:
        m = model([{"licence": "yes" if i < licences else "no"} for i in range(6)], team_size=3)
        m.add_role("driver", eligible={"licence": "yes"})
        m.add_constraint(tk.Together(["p00", "p01"]))
        m.add_constraint(tk.Together(["p02", "p03"]))
        return m.data()

    result = assert_explained(problem(2), ["together(p00,p01)"], ("who is eligible for role 'driver'",))
    assert result.explanation == (
        (
            "session 's1': role 'driver' needs holders in each of 2 teams, but together(p00,p01) puts the 2 "
            "people present who are eligible for it ('p00' and 'p01') in at most 1 team"
        ),
        "relax one of: together(p00,p01), who is eligible for role 'driver'",
    )
    assert_feasible(problem(3))  # a third driver, in another team


def leaders(max_turns: int, days: int = 3) -> tk.Model:
    m = tk.Model()
    for i in range(6):
        m.add_participant(f"ASN{40 + i:04d}")
    for d in range(1, days + 1):
        m.add_session(f"day{d}", team_size=3)
    m.add_role("leader", max_turns=max_turns)
    return m


def test_role_pins_beyond_max_turns():
    m = leaders(max_turns=2)
    for d in (1, 2, 3):
        m.add_constraint(tk.RolePin("ASN0042", "leader", f"day{d}"))
    names = ["role_pin(ASN0042:leader@day1)", "role_pin(ASN0042:leader@day2)", "role_pin(ASN0042:leader@day3)"]
    result = assert_explained(m.data(), names, ("max_turns of role 'leader'",))
    assert result.explanation[0] == (
        "role_pin(ASN0042:leader@day1), role_pin(ASN0042:leader@day2) and role_pin(ASN0042:leader@day3) make "
        "'ASN0042' leader in 3 sessions, but role 'leader' may be held at most 2 times by one person (max_turns=2)"
    )
    relaxed = leaders(max_turns=3)
    for c in m.constraints:
        relaxed.add_constraint(c)
    assert_feasible(relaxed.data())


def test_two_pinned_leaders_pinned_to_one_team():
    m = leaders(max_turns=1, days=1)
    m.add_constraint(tk.RolePin("ASN0042", "leader", "day1"))
    m.add_constraint(tk.RolePin("ASN0043", "leader", "day1"))
    m.add_constraint(tk.Pin("ASN0042", 1))
    m.add_constraint(tk.Pin("ASN0043", 1))
    names = [
        "role_pin(ASN0042:leader@day1)",
        "role_pin(ASN0043:leader@day1)",
        "pin(ASN0042->team 1)",
        "pin(ASN0043->team 1)",
    ]
    result = assert_explained(m.data(), names)
    assert result.explanation[0] == (
        "role_pin(ASN0042:leader@day1) and role_pin(ASN0043:leader@day1) make 'ASN0042' and 'ASN0043' leader in "
        "session 'day1', but pin(ASN0042->team 1) and pin(ASN0043->team 1) put them in one team, and a team "
        "has 1 leader"
    )


def test_meeting_at_most_once_is_impossible_for_the_sizes():
    def golfers(rounds: int) -> tk.ProblemData:
        m = tk.Model()
        for i in range(9):
            m.add_participant(f"p{i + 1:02d}")
        for r in range(rounds):
            m.add_session(f"r{r + 1}", team_size=3, remainder="exact")
        m.add_constraint(tk.MeetAtMost(1))
        return m.data()

    result = assert_explained(golfers(5), ["meet_at_most(1)"], ("the team sizes", "the number of sessions"))
    assert result.explanation[0].startswith(
        "meet_at_most(1): 'p01' has 10 team-mate places over 5 rounds of teams, but only 8 other people attend "
        "with them, and each may be met at most once (1 x 8 = 8 < 10)"
    )
    assert_feasible(golfers(4))  # one session fewer: a schedule exists


def stations(small: int, team_size: int = 2) -> tk.ProblemData:
    m = model([{} for _ in range(8)], team_size=team_size, slots=1)
    m.add_station("Raft", capacity=2)
    m.add_station("Maze", capacity=small)
    return m.data()


def test_stations_that_hold_too_few_teams():
    result = assert_explained(
        stations(1), [], ("the stations open in slot 1 of session 's1'", "the team sizes of session 's1'")
    )
    assert result.explanation == (
        "session 's1', slot 1: 4 teams but the stations open then hold only 3 teams at once (Raft 2, Maze 1)",
        "relax one of: the stations open in slot 1 of session 's1', the team sizes of session 's1'",
    )
    assert_feasible(stations(2))  # a larger station
    assert_feasible(stations(1, team_size=3))  # fewer teams


def calm_stations(puzzle: int, *, spread: bool = True, slots: int = 1, quiz: int = 0) -> tk.ProblemData:
    """Twelve people in four teams of three, three of them with limited fitness; two intense
    stations and a calm one that holds ``puzzle`` teams (and a second calm one holding
    ``quiz``, if any)."""
    m = model([{"fitness": "limited" if i < 3 else "good"} for i in range(12)], team_size=3, slots=slots)
    m.add_station("Climb", capacity=2, attributes={"intensity": "high"})
    m.add_station("Run", capacity=2, attributes={"intensity": "high"})
    m.add_station("Puzzle", capacity=puzzle, attributes={"intensity": "low"})
    if quiz:
        m.add_station("Quiz", capacity=quiz, attributes={"intensity": "low"})
    if spread:
        m.add_constraint(tk.Spread("fitness", values=["limited"]))
    m.add_constraint(tk.AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"}))
    return m.data()


def test_limited_fitness_with_too_few_calm_stations():
    names = ["spread(fitness=limited<=1)", "avoid_stations(fitness=limited -> intensity=high)"]
    result = assert_explained(calm_stations(2), names, ("the stations open in slot 1 of session 's1'",))
    assert result.explanation[0] == (
        "session 's1', slot 1: avoid_stations(fitness=limited -> intensity=high) keeps the 3 people "
        "present with fitness=limited away from stations with intensity=high; at most 1 of them fits in one "
        "team (spread(fitness=limited<=1)), so at least 3 teams hold one, but the stations open then without "
        "intensity=high hold only 2 teams at once (Puzzle 2)"
    )
    assert_feasible(calm_stations(3))  # room for a third calm team


def test_limited_fitness_with_one_calm_station_for_two_slots():
    """A team goes to a station once in a session: over two slots the team with limited
    fitness needs two calm stations, however large the one there is. The spread is no part of
    it, and the explanation leaves it out."""
    avoid = "avoid_stations(fitness=limited -> intensity=high)"
    result = assert_explained(calm_stations(4, slots=2), [avoid], ("the stations open in session 's1'",))
    assert result.explanation[0].endswith(
        "that team needs a station without intensity=high in each of the 2 station slots, going to each "
        "station once, but those stations (Puzzle) offer only 1 of the 2 slots needed"
    )
    assert_feasible(calm_stations(2, slots=2, quiz=2))  # a second calm station


# -- random models -----------------------------------------------------------------------------


def random_model(rng: random.Random) -> tk.Model:
    """Six to nine people with a unit, a gender and maybe a superior, one session of one of
    several layouts, and one to five rules drawn from those that decide the teams."""
    n = rng.choice([6, 7, 8, 9])
    m = tk.Model()
    for k in range(n):
        boss = rng.choice(["", "", "", *(f"p{j}" for j in range(k))]) if k else ""
        m.add_participant(f"p{k}", attributes={"u": rng.choice("abc"), "g": rng.choice("WM"), "boss": boss})
    layouts = [
        {"team_size": 3},
        {"num_teams": 2},
        {"team_size": 3, "remainder": "smaller"},
        {"team_sizes": [(2, 2), (2, 3), (2, 4)]},
    ]
    m.add_session("s1", **rng.choice(layouts))
    ids = [f"p{k}" for k in range(n)]
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["together", "apart", "pin", "pin", "spread", "balance", "no_isolation", "hierarchy"])
        if kind == "together":
            m.add_constraint(tk.Together(rng.sample(ids, rng.choice([2, 2, 3]))))
        elif kind == "apart":
            m.add_constraint(tk.Apart(rng.sample(ids, 2)))
        elif kind == "pin":
            m.add_constraint(tk.Pin(rng.choice(ids), rng.randint(1, 2)))
        elif kind == "spread":
            m.add_constraint(tk.Spread(rng.choice("ug"), max_per_team=rng.choice([1, 2])))
        elif kind == "balance":
            m.add_constraint(tk.Balance(rng.choice("ug")))
        elif kind == "no_isolation":
            m.add_constraint(tk.NoIsolation(rng.choice("ug")))
        else:
            m.add_constraint(tk.Hierarchy("boss"))
    return m


def only(problem: tk.ProblemData, keep: list[int]) -> tk.ProblemData:
    """The problem with only the constraints at positions ``keep``."""
    return problem.replace(constraints=[problem.constraints[k] for k in keep])


@pytest.mark.parametrize("seed", range(3))
def test_random_conflicts_name_rules_that_conflict_and_the_search_names_no_more(seed):
    """Whatever found a conflict, the rules it names conflict on their own (the team sizes
    kept). A conflict from the search is also minimal: without any one of its rules, the
    others have a plan. (Counting may report one conflict of several that overlap, so
    dropping one of its rules can leave another conflict; each is then reported too.)"""
    rng = random.Random(seed)
    searched = 0
    for _ in range(40):
        try:
            problem = random_model(rng).data()
        except tk.ModelError:  # a model refused when built (a pin beyond the teams, a together-apart pair)
            continue
        result = tk.solve(problem, time_limit=2, seed=seed)
        if result.status is not tk.Status.INFEASIBLE:
            assert result.plan is not None and tk.check(problem, result.plan).feasible == result.feasible
            continue
        names = problem.constraint_names()
        lines = result.explanation
        for conflict, relax in zip(lines[::2], lines[1::2]):
            offered = relaxable((relax,))
            kept = [k for k, name in enumerate(names) if name in offered]

            assert tk.solve(only(problem, kept), time_limit=2).status is tk.Status.INFEASIBLE, (conflict, relax)
            if "no plan satisfies" in conflict:
                searched += 1
                for k in kept:
                    rest = only(problem, [j for j in kept if j != k])
                    assert tk.solve(rest, time_limit=2).feasible, (conflict, names[k])
    assert searched > 0


# -- refused when the model is built -------------------------------------------------------------


def test_a_leader_pinned_to_a_day_they_miss_is_refused_with_both_facts():
    m = leaders(max_turns=1, days=2)
    m.set_absent("ASN0042", ["day2"])
    m.add_constraint(tk.RolePin("ASN0042", "leader", "day2"))
    with pytest.raises(tk.ModelError) as error:
        m.data()
    assert str(error.value) == (
        "constraint role_pin(ASN0042:leader@day2): 'ASN0042' must be leader in session 'day2', but is absent from it"
    )


def test_sizes_that_cannot_add_up_are_refused_with_the_arithmetic():
    m = model([{} for _ in range(301)], team_size=10, remainder="exact")
    with pytest.raises(tk.ModelError) as error:
        m.data()
    assert str(error.value) == (
        "session 's1': 301 people cannot form teams of exactly 10 (301 = 30 x 10 + 1); use remainder='larger' "
        "(sizes 10-11) or remainder='smaller' (sizes 9-10)"
    )


# -- the documentation --------------------------------------------------------------------------


def test_the_page_example_explains_the_conflict(tmp_path, capsys):
    """docs/explain.md: its first example (which the docs build runs and shows) names the
    three conflicting rules, each of which removed gives a plan, and the soft report's gap."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "explain.md").read_text()
    code = re.findall(r"```python[^\n]*\n(.*?)```", page, flags=re.DOTALL)[0]
    script = tmp_path / "example.py"
    script.write_text(code)
    runpy.run_path(str(script))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "infeasible"
    assert out[1].endswith("these hard constraints together: pin(p0->team 1); pin(p1->team 1); balance(gender)")
    assert out[2].endswith("relax one of: pin(p0->team 1), pin(p1->team 1), balance(gender)")
    assert out[3:5] == ["pin(p0->team 1) optimal", "balance(gender) optimal"]
    balance = next(line for line in out if line.startswith("balance(gender)  "))
    assert balance.split()[1:] == ["1", "4", "4", "0", "0", "4"]  # weight, penalty, cost, alone, best, gap
