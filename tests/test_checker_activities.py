"""The independent checker on roles, stations and staff: a valid plan, then one plan per
check that breaks exactly that check, with the violation's name, the people or stations its
message names, and its exact amount or penalty."""

from __future__ import annotations

import copy

import pytest

from teamkit.checker import ActivityReport, CheckReport, Violation, check
from teamkit.constraints import (
    AvoidStations,
    Constraint,
    ExerciseOnce,
    FairTurns,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
)
from teamkit.io.plan_json import jsonable
from teamkit.model import Model, ProblemData
from teamkit.plan import Plan, SessionPlan, StaffSlot, Team

# Seven people; echelon IV (b, c, e) are the only possible scribes, and c must keep away
# from the high-intensity station A.
PEOPLE = [
    ("a", "Ana", {"echelon": "III", "fitness": "ok"}),
    ("b", "Budi", {"echelon": "IV", "fitness": "ok"}),
    ("c", "Citra", {"echelon": "IV", "fitness": "limited"}),
    ("d", "Dedi", {"echelon": "III", "fitness": "ok"}),
    ("e", "Eka", {"echelon": "IV", "fitness": "ok"}),
    ("f", "Fajar", {"echelon": "III", "fitness": "ok"}),
    ("g", "Gita", {"echelon": "III", "fitness": "ok"}),
]

ROLE_SHARE = RoleShare("leader", "echelon", ["IV"])
ROLE_PIN = RolePin("a", "leader", "s1")
AVOID = AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"})
ONCE_A_DAY = ExerciseOnce("day")
FAIR = FairTurns(hard=False)
RULES = (ROLE_SHARE, FAIR, ROLE_PIN, AVOID, ONCE_A_DAY)


def problem(*rules: Constraint) -> ProblemData:
    """Sessions s1 and s2 on day d1 (s1: slots 1 and 3 at stations, 2 plenary; s2: two
    slots), s3 on day d2 with one slot, s4 without slots or roles."""
    m = Model()
    for pid, name, attributes in PEOPLE:
        m.add_participant(pid, name, attributes)
    m.add_session("s1", num_teams=2, slots=3, plenary=[2], day="d1")
    m.add_session("s2", num_teams=2, slots=2, day="d1")
    m.add_session("s3", num_teams=2, slots=1, day="d2")
    m.add_session("s4", num_teams=2, day="d2")
    m.add_role("leader", max_turns=2, sessions=["s1", "s2", "s3"])
    m.add_role("scribe", eligible={"echelon": "IV"}, sessions=["s1", "s2"])
    m.add_station("A", staff=1, attributes={"intensity": "high"})
    m.add_station("B", capacity=2, attributes={"intensity": "low"})
    m.add_station("C", closed=[("s1", 1)], attributes={"intensity": "low"})
    m.add_station("D", duration=2, sessions=["s2"], attributes={"intensity": "low", "where": "outdoor"})
    m.add_station("E", duration=2, sessions=["s2"], attributes={"intensity": "low"})
    m.add_instructor("i1", stations=["A"])
    m.add_instructor("i2")
    m.add_instructor("i3", stations=["B"], sessions=["s2"])
    for rule in rules:
        m.add_constraint(rule)
    return m.data()


def valid() -> dict:
    """A plan that meets every check and the hard RULES, as editable plain data."""
    return {
        "s1": {
            "teams": [
                {"members": ["a", "b", "d", "g"], "roles": {"leader": ["a"], "scribe": ["b"]}, "at": ["A", None, "B"]},
                {"members": ["c", "e", "f"], "roles": {"leader": ["e"], "scribe": ["c"]}, "at": ["B", None, "C"]},
            ],
            "staff": [(1, "A", "i1")],
        },
        "s2": {
            "teams": [
                {"members": ["a", "c", "e", "g"], "roles": {"leader": ["c"], "scribe": ["e"]}, "at": ["D", "D"]},
                {"members": ["b", "d", "f"], "roles": {"leader": ["d"], "scribe": ["b"]}, "at": ["E", "E"]},
            ],
            "staff": [],
        },
        "s3": {
            "teams": [
                {"members": ["a", "b", "c", "g"], "roles": {"leader": ["g"]}, "at": ["B"]},
                {"members": ["d", "e", "f"], "roles": {"leader": ["f"]}, "at": ["C"]},
            ],
            "staff": [],
        },
        "s4": {
            "teams": [
                {"members": ["a", "b", "c", "d"], "roles": {}, "at": []},
                {"members": ["e", "f", "g"], "roles": {}, "at": []},
            ],
            "staff": [],
        },
    }


def build(spec: dict) -> Plan:
    return Plan(
        SessionPlan(
            sid,
            [
                Team(t + 1, team["members"], roles=team["roles"], stations=team["at"])
                for t, team in enumerate(session["teams"])
            ],
            staff=[StaffSlot(*entry) for entry in session["staff"]],
        )
        for sid, session in spec.items()
    )


def changed(edit) -> Plan:
    """The valid plan with ``edit(spec)`` applied."""
    spec = copy.deepcopy(valid())
    edit(spec)
    return build(spec)


def team(spec: dict, sid: str, number: int) -> dict:
    return spec[sid]["teams"][number - 1]


def one(report: CheckReport) -> Violation:
    assert len(report.violations) == 1, report.summary()
    return report.violations[0]


def words(message: str) -> set[str]:
    return set(message.replace(",", " ").replace("(", " ").replace(")", " ").replace(";", " ").split())


# -- the valid plan ----------------------------------------------------------------------------
def test_valid_plan_has_no_violation_and_no_penalty():
    report = check(problem(*RULES), build(valid()))
    assert report.feasible, report.summary()
    assert report.violations == ()
    assert report.hard_violations == 0
    assert report.objective == 0
    assert dict(report.penalties) == {c.name: 0.0 for c in RULES}


def test_activity_report_of_the_valid_plan():
    activities = check(problem(*RULES), build(valid())).activities
    assert isinstance(activities, ActivityReport)
    assert {pid: dict(roles) for pid, roles in activities.role_turns.items()} == {
        "a": {"leader": 1, "scribe": 0},
        "b": {"leader": 0, "scribe": 2},
        "c": {"leader": 1, "scribe": 1},
        "d": {"leader": 1, "scribe": 0},
        "e": {"leader": 1, "scribe": 1},
        "f": {"leader": 1, "scribe": 0},
        "g": {"leader": 1, "scribe": 0},
    }
    # scribe: only the eligible b, c and e are counted
    assert {role: dict(d) for role, d in activities.turn_distribution.items()} == {
        "leader": {0: 1, 1: 6},
        "scribe": {1: 2, 2: 1},
    }
    assert activities.repeats_within_day == 0
    # s3: a, b, c and g are at B again, e and f at C again
    assert activities.repeats_over_event == 6
    assert dict(activities.repeats_by_station) == {"A": 0, "B": 4, "C": 2, "D": 0, "E": 0}
    assert dict(activities.repeat_distribution) == {0: 1, 1: 6}  # d did nothing twice
    assert {key: dict(load) for key, load in activities.station_load.items()} == {
        ("s1", 1): {"A": 1, "B": 1},  # C is closed; D and E are open in s2 only
        ("s1", 3): {"A": 0, "B": 1, "C": 1},
        ("s2", 1): {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1},
        ("s2", 2): {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1},
        ("s3", 1): {"A": 0, "B": 1, "C": 1},
    }


def test_activity_report_is_plain_data_and_in_the_summary():
    report = check(problem(*RULES), build(valid()))
    data = jsonable(report.activities)
    assert data["repeats_over_event"] == 6
    assert data["turn_distribution"]["scribe"] == {"1": 2, "2": 1}
    assert data["repeats_by_station"]["B"] == 4
    assert data["repeat_distribution"] == {"0": 1, "1": 6}
    summary = report.summary()
    assert "role scribe: turns per person 1 (2 people), 2 (1 person)" in summary
    assert "exercises repeated: 0 within a day, 6 over the event" in summary
    assert "exercises repeated over the event, most often: B 4, C 2" in summary
    assert "exercises repeated per person over the event: 0 (1 person), 1 (6 people)" in summary


def test_problem_without_roles_or_stations_has_no_activity_report():
    m = Model()
    for pid in "abcd":
        m.add_participant(pid)
    m.add_session("s1", team_size=2)
    report = check(m.data(), Plan([SessionPlan("s1", [Team(1, ["a", "b"]), Team(2, ["c", "d"])])]))
    assert report.feasible
    assert report.activities is None


def test_exercise_repeats_within_a_day_in_the_report():
    # s2 sends b, d and f back to A and C, which they did in s1 the same day
    plan = changed(lambda s: (team(s, "s2", 2).update(at=["A", "C"]), s["s2"]["staff"].append((1, "A", "i2"))))
    activities = check(problem(), plan).activities
    assert activities.repeats_within_day == 3
    # over the event: a, c, e and g once each, b (A, B), d (A, C) and f (C three times) twice
    assert activities.repeats_over_event == 10
    # a, c and g at B again and e at C (as in the valid plan), then b's A and B, d's A and C,
    # f's two more at C
    assert dict(activities.repeats_by_station) == {"A": 2, "B": 4, "C": 4, "D": 0, "E": 0}
    assert dict(activities.repeat_distribution) == {1: 4, 2: 3}


# -- roles -------------------------------------------------------------------------------------
def test_team_without_its_role_holder():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s2", 2)["roles"].pop("leader"))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s2", 2, 1.0)
    assert v.message == "team 2 has 0 leader (nobody); exactly 1 needed"


def test_team_with_too_many_role_holders():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s3", 1)["roles"].update(leader=["g", "a"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s3", 1, 1.0)
    assert {"g", "a", "leader"} <= words(v.message)


def test_role_holder_from_another_team():
    # g is in team 1 of s2
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s2", 2)["roles"].update(leader=["g"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s2", 2, 1.0)
    assert v.message == "g holds leader in team 2 but is not a member of it"


def test_role_holder_who_is_not_eligible():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s2", 2)["roles"].update(scribe=["f"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s2", 2, 1.0)
    assert v.message == "f holds scribe in team 2 but is not eligible for it"


def test_one_person_two_roles():
    report = check(problem(*RULES), changed(lambda s: team(s, "s2", 2)["roles"].update(leader=["b"])))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s2", 2, 1.0)
    assert v.message == "b holds 2 roles in session 's2' (leader in team 2, scribe in team 2); one at most"
    # b now has 3 turns of the 10, where 7 people could share them at most 2 each
    assert report.penalties[FAIR.name] == 1.0
    assert report.objective == 1.0


def test_unknown_role():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 1)["roles"].update(cook=["g"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s1", 1, 1.0)
    assert v.message == "team 1 lists role 'cook' (g), but there is no such role"


def test_role_in_a_session_without_roles():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s4", 1)["roles"].update(leader=["a"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s4", 1, 1.0)
    assert v.message == "team 1 lists role 'leader' (a), but session 's4' does not have it"


def test_role_held_more_often_than_max_turns():
    def edit(s):
        team(s, "s2", 1)["roles"] = {"leader": ["e"], "scribe": ["c"]}
        team(s, "s3", 2)["roles"] = {"leader": ["e"]}

    report = check(problem(*RULES), changed(edit))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == ("roles", "s1, s2, s3", None, 1.0)
    assert v.message == "e holds leader 3 times (sessions s1, s2, s3); at most 2 allowed"
    assert report.activities.role_turns["e"]["leader"] == 3


# -- stations ----------------------------------------------------------------------------------
def test_station_list_of_the_wrong_length():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 1).update(at=["A", None]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 1, 1.0)
    assert v.message == "team 1 has 2 station entries; session 's1' has 3 slots"


def test_stations_in_a_session_without_slots():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s4", 1).update(at=["B"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s4", 1, 1.0)
    assert v.message == "team 1 has 1 station entry; session 's4' has no slots"


def test_no_station_in_a_station_slot():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 2).update(at=["B", None, None]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 2, 1.0)
    assert v.message == "team 2 is at no station in slot 3, which is not a plenary slot"


def test_station_in_a_plenary_slot():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 2).update(at=["B", "C", "C"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 2, 1.0)
    assert v.message == "team 2 is at 'C' in slot 2, a plenary slot"


def test_unknown_station():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 2).update(at=["B", None, "Z"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 2, 1.0)
    assert v.message == "team 2 is at unknown station 'Z' in slot 3"


def test_closed_station():
    v = one(check(problem(*RULES), changed(lambda s: team(s, "s1", 2).update(at=["C", None, "B"]))))
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 2, 1.0)
    assert v.message == "team 2 is at 'C' in slot 1, when it is closed"


def test_station_over_capacity():
    report = check(problem(*RULES), changed(lambda s: team(s, "s2", 2).update(at=["D", "D"])))
    assert [(v.constraint, v.session, v.team, v.amount) for v in report.violations] == [
        ("stations", "s2", None, 1.0),
        ("stations", "s2", None, 1.0),
    ]
    assert [v.message for v in report.violations] == [
        "2 teams are at 'D' in slot 1 (teams 1, 2); it holds 1",
        "2 teams are at 'D' in slot 2 (teams 1, 2); it holds 1",
    ]
    assert report.activities.station_load[("s2", 1)]["D"] == 2


def test_stay_shorter_than_the_station_takes():
    # without the once-a-day rule: b and d were at B in s1 already
    report = check(problem(), changed(lambda s: team(s, "s2", 2).update(at=["E", "B"])))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s2", 2, 1.0)
    assert v.message == "team 2 is at 'E' for 1 slot(s) in a row (slots 1 to 1); it takes 2"


def test_stay_of_twice_the_duration_is_a_repeat():
    report = check(problem(), changed(lambda s: team(s, "s2", 2).update(at=["C", "C"])))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s2", 2, 1.0)
    assert v.message == "team 2 is at 'C' for 2 slot(s) in a row (slots 1 to 2, a repeat visit); it takes 1"


def test_station_visited_twice_in_a_session():
    report = check(problem(), changed(lambda s: team(s, "s1", 1).update(at=["B", None, "B"])))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == ("stations", "s1", 1, 1.0)
    assert v.message == "team 1 goes to 'B' 2 times in session 's1' (from slots 1, 3); once at most"


# -- staff -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("staff", "amount", "message"),
    [
        ([], 1.0, "'A' receives team(s) 1 in slot 1 and needs 1 instructor(s), but has 0"),
        (
            [(1, "A", "i1"), (1, "A", "i2")],
            1.0,
            "'A' receives team(s) 1 in slot 1 and needs 1 instructor(s), but has 2 (i1, i2)",
        ),
        ([(1, "A", "i2"), (1, "B", "i2")], 1.0, "instructor i2 is at 2 stations in slot 1 ('A', 'B'); one at most"),
        ([(1, "A", "i3")], 1.0, "instructor i3 runs 'A' in slot 1, but cannot run it in session 's1'"),
        ([(1, "A", "i1"), (1, "Z", "i2")], 1.0, "instructor i2 is at unknown station 'Z' in slot 1"),
        (
            [(1, "A", "i1"), (2, "B", "i2")],
            1.0,
            "instructor i2 runs 'B' in slot 2, which is not a station slot of session 's1' (those are 1, 3)",
        ),
        ([(1, "A", "i1"), (1, "A", "zz")], 1.0, "unknown instructor 'zz' runs 'A' in slot 1"),
    ],
    ids=["missing", "too many", "two stations", "cannot run", "unknown station", "plenary slot", "unknown"],
)
def test_staff(staff, amount, message):
    v = one(check(problem(*RULES), changed(lambda s: s["s1"].update(staff=staff))))
    assert (v.constraint, v.session, v.team, v.amount, v.message) == ("staff", "s1", None, amount, message)


def test_station_without_teams_needs_no_staff():
    # A receives nobody in s2, so nobody needs to run it
    report = check(problem(*RULES), build(valid()))
    assert report.activities.station_load[("s2", 1)]["A"] == 0
    assert report.feasible


# -- rules -------------------------------------------------------------------------------------
def _g_leads_in_s2(s):
    team(s, "s2", 1)["roles"] = {"leader": ["g"], "scribe": ["e"]}


def test_role_share_hard():
    report = check(problem(*RULES), changed(_g_leads_in_s2))
    v = one(report)
    # 6 leader turns (3 sessions x 2 teams); 3 of the 7 people are IV: floor(6 * 3 / 7) = 2
    assert (v.constraint, v.session, v.team, v.amount) == (ROLE_SHARE.name, "s1, s2, s3", None, 1.0)
    assert v.message == "people with echelon=IV (3 of 7) hold 1 of the 6 leader turns (held by e); at least 2 needed"
    assert report.penalties[ROLE_SHARE.name] == 1.0


def test_role_share_soft_weighs_the_shortfall():
    rule = RoleShare("leader", "echelon", ["IV"], hard=False, weight=3)
    report = check(problem(rule), changed(_g_leads_in_s2))
    assert report.violations == ()
    assert report.penalties[rule.name] == 1.0
    assert report.breakdown[rule.name] == 3.0
    assert report.objective == 3.0


@pytest.mark.parametrize(
    ("sessions", "penalty"),
    [(None, 1.0), (["s1", "s2"], 0.0), (["s3"], 1.0)],
)
def test_role_share_counts_only_its_sessions(sessions, penalty):
    # at least half: 6 turns -> 3 (held 2); s1 and s2: 4 -> 2 (held e, c); s3: 2 -> 1 (held 0)
    rule = RoleShare("leader", "echelon", ["IV"], at_least=0.5, hard=False, sessions=sessions)
    assert check(problem(rule), build(valid())).penalties[rule.name] == penalty


def test_fair_turns_of_one_role():
    rule = FairTurns("leader", weight=2)
    assert check(problem(*RULES, rule), build(valid())).penalties[rule.name] == 0.0
    # a leads in s1 and s3: ceil(6 turns / 7 eligible) = 1 each, so one too many
    report = check(problem(*RULES, rule), changed(lambda s: team(s, "s3", 1)["roles"].update(leader=["a"])))
    assert report.violations == ()
    assert report.penalties[rule.name] == 1.0
    assert report.breakdown[rule.name] == 2.0
    assert report.objective == 2.0


def test_fair_turns_counts_only_its_sessions():
    rule = FairTurns("leader", sessions=["s2", "s3"])
    report = check(problem(rule), changed(lambda s: team(s, "s3", 1)["roles"].update(leader=["a"])))
    assert report.penalties[rule.name] == 0.0


def test_role_pin():
    report = check(problem(*RULES), changed(lambda s: team(s, "s1", 1)["roles"].update(leader=["d"])))
    v = one(report)
    assert (v.constraint, v.session, v.team, v.amount) == (ROLE_PIN.name, "s1", 1, 1.0)
    assert v.message == "a holds no role in team 1, but is pinned to be leader"


def test_role_pin_names_the_role_held_instead():
    rule = RolePin("b", "leader", "s1")
    v = one(check(problem(rule), build(valid())))
    assert (v.constraint, v.session, v.team, v.amount) == (rule.name, "s1", 1, 1.0)
    assert v.message == "b holds scribe in team 1, but is pinned to be leader"
    soft = RolePin("b", "leader", "s1", hard=False, weight=4)
    report = check(problem(soft), build(valid()))
    assert report.violations == ()
    assert report.penalties[soft.name] == 1.0
    assert report.breakdown[soft.name] == 4.0


def test_avoid_stations_hard():
    def edit(s):
        team(s, "s3", 1)["at"] = ["A"]
        s["s3"]["staff"] = [(1, "A", "i2")]

    v = one(check(problem(*RULES), changed(edit)))
    assert (v.constraint, v.session, v.team, v.amount) == (AVOID.name, "s3", 1, 1.0)
    assert v.message == "team 1 is at 'A' in slot(s) 1 with c, who should not go there"


def test_avoid_stations_counts_members_times_slots():
    rule = AvoidStations(who={"echelon": "III"}, stations={"where": "outdoor"}, hard=False, weight=0.5)
    report = check(problem(*RULES, rule), build(valid()))
    # team 1 of s2 spends two slots at the outdoor D with a and g
    assert report.penalties[rule.name] == 4.0
    assert report.breakdown[rule.name] == 2.0
    scoped = AvoidStations(who={"echelon": "III"}, stations={"where": "outdoor"}, hard=False, sessions=["s1"])
    assert check(problem(scoped), build(valid())).penalties[scoped.name] == 0.0


def test_exercise_once_a_day():
    def edit(s):
        team(s, "s2", 2)["at"] = ["A", "C"]
        s["s2"]["staff"] = [(1, "A", "i2")]

    report = check(problem(*RULES), changed(edit))
    assert [(v.constraint, v.session, v.team, v.amount) for v in report.violations] == [
        (ONCE_A_DAY.name, "s1, s2", None, 1.0)
    ] * 3
    assert [v.message for v in report.violations] == [
        "b does 'A' 2 times on day d1 (s1 slot 1, s2 slot 1); once at most",
        "d does 'A' 2 times on day d1 (s1 slot 1, s2 slot 1); once at most",
        "f does 'C' 2 times on day d1 (s1 slot 3, s2 slot 2); once at most",
    ]
    assert report.penalties[ONCE_A_DAY.name] == 3.0


def test_exercise_once_over_the_event():
    rule = ExerciseOnce("event", hard=False, weight=1.5)
    report = check(problem(*RULES, rule), build(valid()))
    assert report.violations == ()
    assert report.penalties[rule.name] == 6.0
    assert report.breakdown[rule.name] == 9.0
    hard = ExerciseOnce("event")
    report = check(problem(hard), build(valid()))
    assert [v.message for v in report.violations] == [
        "a does 'B' 2 times over the event (s1 slot 3, s3 slot 1); once at most",
        "b does 'B' 2 times over the event (s1 slot 3, s3 slot 1); once at most",
        "c does 'B' 2 times over the event (s1 slot 1, s3 slot 1); once at most",
        "e does 'C' 2 times over the event (s1 slot 3, s3 slot 1); once at most",
        "f does 'C' 2 times over the event (s1 slot 3, s3 slot 1); once at most",
        "g does 'B' 2 times over the event (s1 slot 3, s3 slot 1); once at most",
    ]
    assert {v.session for v in report.violations} == {"s1, s3"}
    assert report.hard_violations == 6.0


def test_exercise_once_counts_only_its_sessions():
    rule = ExerciseOnce("event", hard=False, sessions=["s1", "s2"])
    assert check(problem(rule), build(valid())).penalties[rule.name] == 0.0


def test_a_long_stay_is_one_visit():
    # D takes both slots of s2: one visit, not two
    rule = ExerciseOnce("event", hard=False, sessions=["s2"])
    assert check(problem(rule), build(valid())).penalties[rule.name] == 0.0


def test_staff_pin():
    rule = StaffPin("i1", "A", "s1", slot=1)
    v = one(check(problem(*RULES, rule), changed(lambda s: s["s1"].update(staff=[(1, "A", "i2")]))))
    assert (v.constraint, v.session, v.team, v.amount) == (rule.name, "s1", None, 1.0)
    assert v.message == "instructor i1 runs no station in slot 1, but is pinned to 'A'"


def test_staff_pin_in_every_slot_of_a_session():
    # i2 runs B in slot 3 of s1 but not in slot 1
    rule = StaffPin("i2", "B", "s1", hard=False, weight=2)
    report = check(problem(rule), changed(lambda s: s["s1"]["staff"].append((3, "B", "i2"))))
    assert report.violations == ()
    assert report.penalties[rule.name] == 1.0
    assert report.breakdown[rule.name] == 2.0


def test_staff_pin_names_where_the_instructor_is():
    rule = StaffPin("i2", "B", "s1", slot=1)
    report = check(problem(rule), changed(lambda s: s["s1"].update(staff=[(1, "A", "i2")])))
    assert one(report).message == "instructor i2 runs 'A' in slot 1, but is pinned to 'B'"


def test_spread_values_still_checked_alongside_activities():
    rule = Spread("fitness", values=["limited"])
    assert check(problem(*RULES, rule), build(valid())).feasible
