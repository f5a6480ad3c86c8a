"""The agenda, roster and timetable views of a small plan, row by row."""

from __future__ import annotations

import pytest

from teamkit.exceptions import ModelError
from teamkit.model import Model, ProblemData
from teamkit.plan import Plan, SessionPlan, StaffSlot, Team
from teamkit.views import AgendaRow, RosterMember, RosterRow, TimetableRow, agenda, rosters, timetable


def problem() -> ProblemData:
    m = Model()
    # ids and names in different orders, so that sorting by name shows
    for pid, name in (("p1", "Zed"), ("p2", "Ana"), ("p3", "Mia"), ("p4", "Bob")):
        m.add_participant(pid, name)
    m.add_session("m", name="Morning", num_teams=2, slots=2, plenary=[2], day="mon")
    m.add_session("e", name="Evening", num_teams=1)
    m.add_role("leader", sessions=["m"])
    m.add_station("X", staff=1)
    m.add_station("Y")
    m.add_station("W")
    m.add_instructor("t1")
    return m.data()


def plan() -> Plan:
    return Plan(
        [
            SessionPlan(
                "m",
                [
                    Team(1, ["p1", "p2"], roles={"leader": ["p1"]}, stations=["X", None]),
                    Team(2, ["p3", "p4"], roles={"leader": ["p4"]}, stations=["Y", None]),
                ],
                staff=[StaffSlot(1, "X", "t1")],
            ),
            SessionPlan("e", [Team(1, ["p1", "p2", "p3", "p4"])]),
        ]
    )


def test_agenda_of_one_participant():
    assert agenda(problem(), plan(), "p1") == (
        AgendaRow("p1", "Zed", "m", "Morning", "mon", 1, 1, "leader", "X", ("p2",)),
        AgendaRow("p1", "Zed", "m", "Morning", "mon", 2, 1, "leader", None, ("p2",)),
        AgendaRow("p1", "Zed", "e", "Evening", None, None, 1, None, None, ("p2", "p4", "p3")),
    )


def test_agenda_of_everyone_by_roster_then_session_then_slot():
    rows = agenda(problem(), plan())
    assert [(r.participant, r.session, r.slot) for r in rows] == [
        (pid, sid, slot) for pid in ("p1", "p2", "p3", "p4") for sid, slot in (("m", 1), ("m", 2), ("e", None))
    ]
    assert rows[3] == AgendaRow("p2", "Ana", "m", "Morning", "mon", 1, 1, None, "X", ("p1",))
    assert rows[6] == AgendaRow("p3", "Mia", "m", "Morning", "mon", 1, 2, None, "Y", ("p4",))
    assert rows[11] == AgendaRow("p4", "Bob", "e", "Evening", None, None, 1, None, None, ("p2", "p3", "p1"))


def test_agenda_skips_sessions_a_person_is_not_in():
    m = Model()
    for pid in ("a", "b", "c"):
        m.add_participant(pid)
    m.add_session("s1", num_teams=1, absent=["c"])
    m.add_session("s2", num_teams=1)
    p = Plan([SessionPlan("s1", [Team(1, ["a", "b"])]), SessionPlan("s2", [Team(1, ["a", "b", "c"])])])
    assert [(r.session, r.teammates) for r in agenda(m.data(), p, "c")] == [("s2", ("a", "b"))]


def test_agenda_of_an_unknown_participant_raises():
    with pytest.raises(ModelError, match="unknown participant 'p9'"):
        agenda(problem(), plan(), "p9")


def test_rosters():
    assert rosters(problem(), plan()) == (
        RosterRow(
            "m",
            "Morning",
            1,
            (RosterMember("p2", "Ana", None), RosterMember("p1", "Zed", "leader")),
            ("X", None),
        ),
        RosterRow(
            "m",
            "Morning",
            2,
            (RosterMember("p4", "Bob", "leader"), RosterMember("p3", "Mia", None)),
            ("Y", None),
        ),
        RosterRow(
            "e",
            "Evening",
            1,
            (
                RosterMember("p2", "Ana", None),
                RosterMember("p4", "Bob", None),
                RosterMember("p3", "Mia", None),
                RosterMember("p1", "Zed", None),
            ),
            (),
        ),
    )


def test_timetable():
    # slot 2 is plenary and the evening has no slots; W is open but receives nobody
    assert timetable(problem(), plan()) == (
        TimetableRow("X", "m", 1, (1,), ("t1",)),
        TimetableRow("Y", "m", 1, (2,), ()),
        TimetableRow("W", "m", 1, (), ()),
    )


def test_timetable_shows_what_the_plan_says_even_when_it_is_wrong():
    wrong = Plan(
        [
            SessionPlan(
                "m",
                [
                    Team(1, ["p1", "p2"], roles={"leader": ["p1"]}, stations=["X", "Y"]),
                    Team(2, ["p3", "p4"], roles={"leader": ["p4"]}, stations=["X", "V"]),
                ],
                staff=[StaffSlot(1, "X", "t1"), StaffSlot(1, "X", "t1")],
            ),
            SessionPlan("e", [Team(1, ["p1", "p2", "p3", "p4"])]),
        ]
    )
    assert timetable(problem(), wrong) == (
        TimetableRow("X", "m", 1, (1, 2), ("t1",)),
        TimetableRow("Y", "m", 1, (), ()),
        TimetableRow("Y", "m", 2, (1,), ()),
        TimetableRow("W", "m", 1, (), ()),
        TimetableRow("V", "m", 2, (2,), ()),
    )
