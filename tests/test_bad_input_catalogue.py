"""The bad-input catalogue: what teamkit says when it is given something it cannot use, at
each of its five entry points (the Python API, roster CSV files, event files, plan and
problem files, and the command line).

``CATALOGUE`` is the table. Each row is one case, with an id naming it (``entry point -
what is wrong``), the files it starts from, what is done with them, and what must come back:

- for the Python entry points, the exception type and its whole message;
- for the command line (``teamkit ...``), the exit code and the whole line on stderr.

Every case runs in an empty temporary folder, which is also the working folder, so file
names in messages are the ones given (``event.toml``, ``out/plan.json``); ``{tmp}`` stands
for that folder where a message shows a resolved path. After every case the folder must
hold exactly what it held before, byte for byte: nothing written, no output folder
created, no temporary file left beside one.

``INFEASIBLE`` lists requests that are well formed but cannot be planned: the solver
returns the explanation (its exact lines) instead of raising, and ``teamkit solve`` prints
them, exits with 1 and writes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import teamkit as tk
from teamkit.cli import main
from teamkit.exceptions import EventFileError, ExportError, ModelError, PlanFileError, RosterError
from teamkit.export import export
from teamkit.io.event import load_event
from teamkit.io.plan_json import dumps, problem_document, read_plan, read_problem, write_plan
from teamkit.io.roster import read_roster, read_roster_text

# -- the inputs the cases start from --------------------------------------------------------------

ROSTER = """\
id,name,unit,age,boss
P1,Ana,X,30,
P2,Budi,X,40,P1
P3,Citra,Y,35,
P4,Dodi,Y,45,P3
P5,Eka,Z,50,
P6,Fajar,Z,25,P5
"""

# Line numbers matter: messages cite them. sessions[1] starts on line 7, sessions[2] on
# line 11, constraints[1] on line 15; text appended to EVENT starts on line 19.
EVENT = """\
name = "Bad input"
roster = "roster.csv"

[solver]
time_limit = 5

[[sessions]]
id = "s1"
team_size = 3

[[sessions]]
id = "s2"
num_teams = 2

[[constraints]]
kind = "spread"
attribute = "unit"
hard = false
"""

# The same event with two rotation slots in s2 (every line after line 13 moves down by one).
SLOTS = EVENT.replace("num_teams = 2\n", "num_teams = 2\nslots = 2\n")

PEOPLE = read_roster_text(ROSTER, "roster.csv")
SESSIONS = (tk.Session("s1", team_size=3), tk.Session("s2", num_teams=2))


def build(*constraints: tk.Constraint, sessions: Any = SESSIONS, **options: Any) -> tk.ProblemData:
    """The event of EVENT, built in Python, with other constraints or sessions."""
    return tk.ProblemData(PEOPLE, sessions, constraints, name="Bad input", **options)


def base_model() -> tk.Model:
    m = tk.Model("Bad input")
    m.add_participants(PEOPLE)
    m.add_session("s1", team_size=3)
    m.add_session("s2", num_teams=2)
    return m


def with_slots(*constraints: tk.Constraint, **options: Any) -> tk.ProblemData:
    """The event with two rotation slots in s2, and the stations and instructors given."""
    sessions = (SESSIONS[0], tk.Session("s2", num_teams=2, slots=2))
    return build(*constraints, sessions=sessions, **options)


def plan_json(s1: list[list[str]], s2: list[list[str]] | None = None, session: str = "s2") -> str:
    """A plan file with the teams given (s2's teams in session ``session``)."""
    sessions = [{"session": "s1", "teams": [{"number": k, "members": m} for k, m in enumerate(s1, start=1)]}]
    if s2 is not None:
        sessions.append({"session": session, "teams": [{"number": k, "members": m} for k, m in enumerate(s2, 1)]})
    return json.dumps({"format": "teamkit-plan", "version": 1, "plan": {"sessions": sessions}}, indent=2) + "\n"


PLAN = plan_json([["P1", "P3", "P5"], ["P2", "P4", "P6"]], [["P1", "P4", "P6"], ["P2", "P3", "P5"]])
# A plan for another event: its second session is 'day2'.
OTHER_PLAN = plan_json([["P1", "P3", "P5"], ["P2", "P4", "P6"]], [["P1", "P4", "P6"], ["P2", "P3", "P5"]], "day2")
# P1 in both teams of s1.
TWICE_PLAN = plan_json([["P1", "P3", "P5"], ["P1", "P2", "P4", "P6"]], [["P1", "P4", "P6"], ["P2", "P3", "P5"]])

PROBLEM_DOC = problem_document(build(tk.Spread("unit", hard=False)))
PROBLEM = dumps(PROBLEM_DOC)


def problem_json(edit: Callable[[dict[str, Any]], Any] | None = None, **top: Any) -> str:
    """PROBLEM with ``edit`` applied to its ``problem`` object and top-level keys replaced."""
    doc = copy.deepcopy(PROBLEM_DOC)
    if edit is not None:
        edit(doc["problem"])
    doc.update(top)
    return dumps(doc)


# A plan, and the problem it was made for, as `teamkit solve --out out` leaves them.
SOLVED = {"event.toml": EVENT, "roster.csv": ROSTER, "out/plan.json": PLAN, "out/problem.json": PROBLEM}


# -- the table's rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One row: ``files`` to start from, ``act`` (a call, or the command line's arguments),
    and the expected ``message``, with the ``error`` raised or the ``exit_code``."""

    act: Callable[[], object] | tuple[str, ...]
    message: str
    error: type[Exception] | None = None
    exit_code: int | None = None
    files: Mapping[str, str | bytes] = field(default_factory=dict)


def api(
    name: str, act: Callable[[], object], error: type[Exception], message: str, files: Mapping | None = None
) -> Any:
    return pytest.param(Case(act, message, error=error, files=files or {}), id=f"api-{name}")


def roster_csv(name: str, text: str | bytes, message: str, **options: Any) -> Any:
    def act() -> object:
        return read_roster("roster.csv", **options)

    return pytest.param(Case(act, message, error=RosterError, files={"roster.csv": text}), id=f"roster-{name}")


def event_toml(
    name: str, text: str | bytes, message: str, error: type[Exception] = EventFileError, **files: str | bytes
) -> Any:
    files = {"roster.csv": ROSTER, "event.toml": text, **files}
    return pytest.param(Case(lambda: load_event("event.toml"), message, error=error, files=files), id=f"event-{name}")


def plan_file(name: str, text: str | bytes, message: str, checked: bool = False) -> Any:
    """``read_plan("plan.json")``, and with ``checked`` the check of the plan against the event."""

    def act() -> object:
        plan = read_plan("plan.json")
        return tk.check(build(), plan) if checked else plan

    return pytest.param(Case(act, message, error=PlanFileError, files={"plan.json": text}), id=f"plan-{name}")


def problem_file(name: str, text: str, message: str, error: type[Exception] = PlanFileError) -> Any:
    def act() -> object:
        return read_problem("problem.json")

    return pytest.param(Case(act, message, error=error, files={"problem.json": text}), id=f"problem-{name}")


def command(
    name: str, args: str, message: str, exit_code: int = 2, files: Mapping | None = None, marks: Any = ()
) -> Any:
    """``teamkit ARGS``, from the files given, by default a solved event (SOLVED)."""
    case = Case(tuple(args.split()), message, exit_code=exit_code, files=SOLVED if files is None else files)
    return pytest.param(case, id=f"cli-{name}", marks=marks)


needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib")

# fmt: off
CATALOGUE = [
    # -- the Python API ---------------------------------------------------------------------------
    api("unknown-attribute", lambda: build(tk.Spread("unti")), ModelError,
        "constraint spread(unti<=1): unknown attribute 'unti' (did you mean 'unit'?); "
        "the participants have: age, boss, unit"),
    api("attribute-given-as-a-number", lambda: build(tk.Balance(5)), ModelError,
        "constraint balance(5): unknown attribute 5; the participants have: age, boss, unit"),
    api("unknown-participant", lambda: build(tk.Apart(["P1", "p2"])), ModelError,
        "constraint apart(P1,p2): unknown participant 'p2' (did you mean 'P2'?)"),
    api("participant-given-as-a-number", lambda: build(tk.Together(["P1", 3])), ModelError,
        "constraint together(P1,3): unknown participant 3 (did you mean 'P3'?)"),
    api("unknown-session-in-a-pin", lambda: build(tk.Pin("P1", 1, session="S2")), ModelError,
        "unknown session 'S2' (did you mean 's2'?); sessions are ['s1', 's2']"),
    api("unknown-session-in-sessions", lambda: build(tk.Spread("unit", sessions=["S1"])), ModelError,
        "constraint spread(unit<=1): unknown session 'S1' (did you mean 's1'?)"),
    api("set-absent-unknown-participant", lambda: base_model().set_absent("p4", ["s1"]), ModelError,
        "unknown participant 'p4' (did you mean 'P4'?)"),
    api("arrives-unknown-session", lambda: base_model().arrives("P1", "S2"), ModelError,
        "unknown session 'S2' (did you mean 's2'?); sessions are ['s1', 's2']"),
    api("duplicate-participant", lambda: base_model().add_participant("P1"), ModelError,
        "duplicate participant id 'P1'"),
    api("duplicate-participant-in-problem-data", lambda: tk.ProblemData([*PEOPLE, PEOPLE[0]], SESSIONS), ModelError,
        "duplicate participant id 'P1' (entries 1 and 7)"),
    api("duplicate-session", lambda: base_model().add_session("s1", team_size=2), ModelError,
        "duplicate session id 's1'"),
    api("participant-id-a-number", lambda: base_model().add_participant(7), ModelError,
        "a participant id must be a non-empty string, got 7"),
    api("attribute-value-a-list", lambda: base_model().add_participant("P7", attributes={"unit": ["X", "Y"]}),
        ModelError, "participant 'P7': attribute 'unit' must be text, a number, a boolean or None, got ['X', 'Y']"),
    api("attributes-not-a-mapping", lambda: base_model().add_participant("P7", attributes=["unit"]), ModelError,
        "attributes must be a mapping of attribute name to value, got ['unit']"),
    api("team-size-as-text", lambda: tk.Session("s1", team_size="3"), ModelError,
        "session 's1': team_size must be a positive whole number, got '3'"),
    api("team-number-as-text", lambda: tk.Pin("P1", "1"), ModelError,
        "Pin: team must be a whole number, got '1'"),
    api("team-number-a-fraction", lambda: tk.Pin("P1", 1.5), ModelError,
        "Pin: team must be a whole number, got 1.5"),
    api("max-per-team-a-fraction", lambda: tk.Spread("unit", max_per_team=1.5), ModelError,
        "Spread: max_per_team must be a whole number, got 1.5"),
    api("weight-as-text", lambda: tk.Spread("unit", hard=False, weight="5"), ModelError,
        "Spread: weight must be a number, got '5'"),
    api("team-sizes-not-pairs", lambda: tk.Session("s1", team_sizes=[(3,), (3,)]), ModelError,
        "team_sizes must be (low, high) pairs of whole numbers, got [(3,), (3,)]"),
    api("plenary-as-text", lambda: tk.Session("s1", team_size=3, slots=2, plenary=["first"]), ModelError,
        "plenary must be slot numbers, got ['first']"),
    api("closed-slot-as-text", lambda: tk.Station("rope bridge", closed=[("s2", "first")]), ModelError,
        "a closed slot is a (session id, slot number) pair, got ('s2', 'first')"),
    api("start-as-text", lambda: tk.Session("s1", team_size=3, start="2025-05-15 19:00", slot_minutes=60),
        ModelError, "session 's1': start must be a date and time (e.g. 2025-05-15T19:00), got '2025-05-15 19:00'"),
    api("sizes-exact-remainder", lambda: build(sessions=[tk.Session("s1", team_size=4, remainder="exact")]),
        ModelError, "session 's1': 6 people cannot form teams of exactly 4 (6 = 1 x 4 + 2); "
        "use remainder='larger' (sizes 4-5) or remainder='smaller' (sizes 3-4)"),
    api("sizes-num-teams-and-min-size", lambda: build(sessions=[tk.Session("s1", num_teams=2, min_size=4)]),
        ModelError, "session 's1': 6 people cannot form 2 teams of 4 to 6 (that holds 8 to 12)"),
    api("sizes-team-sizes", lambda: build(sessions=[tk.Session("s1", team_sizes=[(2, 2), (2, 3)])]), ModelError,
        "session 's1': 6 people present, but the team sizes allow 4 to 5 in all"),
    api("more-teams-than-people", lambda: build(sessions=[tk.Session("s1", num_teams=7)]), ModelError,
        "session 's1': 7 teams but only 6 people present"),
    api("overlapping-sessions", lambda: build(sessions=[
            tk.Session("s1", team_size=3, start=dt.datetime(2025, 5, 15, 19), slot_minutes=90),
            tk.Session("s2", num_teams=2, start=dt.datetime(2025, 5, 15, 20), slot_minutes=60)]), ModelError,
        "sessions 's1' (2025-05-15 19:00 to 20:30) and 's2' (from 2025-05-15 20:00) overlap in time"),
    api("unknown-timezone", lambda: build(timezone="Asia/Jakartaa"), ModelError,
        "unknown timezone 'Asia/Jakartaa'; use a name from the time zone database, "
        "such as 'Asia/Jakarta' or 'Europe/Berlin'"),
    api("superior-not-on-the-roster", lambda: tk.ProblemData(
            [*PEOPLE, tk.Participant("P7", attributes={"boss": "P11"})], SESSIONS, [tk.Hierarchy("boss")]),
        ModelError, "constraint hierarchy(boss): participant 'P7' names superior 'P11', who is not on the roster "
        "(did you mean 'P1'?); leave the cell empty for none"),
    api("numeric-balance-of-text", lambda: build(tk.NumericBalance("unit", hard=False)), ModelError,
        "constraint numeric_balance(unit): participant 'P1' has unit='X', not a number"),
    api("together-and-apart", lambda: build(tk.Together(["P1", "P2"]), tk.Apart(["P2", "P1"])), ModelError,
        "together(P1,P2) and apart(P2,P1) both apply to 'P1' and 'P2': they cannot be together and apart "
        "at once; remove one or make it soft"),
    api("station-capacity-zero", lambda: tk.Station("rope bridge", capacity=0), ModelError,
        "station 'rope bridge': capacity 0 means it can never receive a team; remove it, or close it in "
        "some sessions with sessions=[...] or closed=[...]"),
    api("exercise-longer-than-every-session", lambda: with_slots(stations=[tk.Station("raft", duration=3)]),
        ModelError, "station 'raft' takes 3 slots, longer than every session (the longest has 2)"),
    api("role-nobody-can-fill", lambda: build(roles=[tk.Role("leader", eligible={"unit": "Q"})]), ModelError,
        "role 'leader': no participant is eligible for it"),
    api("more-role-holders-than-members", lambda: build(roles=[tk.Role("leader", per_team=2),
                                                                tk.Role("note-taker", per_team=2)]),
        ModelError, "session 's1': every team needs 4 role holders (2 leader, 2 note-taker), but the smallest "
        "team may have only 3 members, and nobody holds two roles"),
    api("instructor-at-two-stations-at-once", lambda: with_slots(
            tk.StaffPin("I1", "rope bridge", "s2", slot=1), tk.StaffPin("I1", "raft", "s2", slot=1),
            stations=[tk.Station("rope bridge", staff=1), tk.Station("raft", staff=1)],
            instructors=[tk.Instructor("I1")]),
        ModelError, "staff_pin(I1:rope bridge@s2#1) and staff_pin(I1:raft@s2#1) put instructor 'I1' at two "
        "stations at once ('rope bridge' and 'raft') in slot 1 of session 's2'"),
    api("check-a-plan-for-another-event", lambda: tk.check(build(), tk.Plan([tk.SessionPlan("day2", [])])),
        PlanFileError, "the plan's sessions ['day2'] are not the problem's ['s1', 's2']"),
    api("repair-unknown-held-session", lambda: tk.repair(build(), read_plan("plan.json"), held=["S1"]),
        ModelError, "held session 'S1' is not a session of the problem (did you mean 's1'?)",
        files={"plan.json": PLAN}),
    api("write-plan-for-another-event", lambda: write_plan("out.json", read_plan("plan.json"), problem=build()),
        PlanFileError, "the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
        files={"plan.json": OTHER_PLAN}),
    api("export-a-plan-for-another-event", lambda: export(build(), read_plan("plan.json"), "out"),
        PlanFileError, "the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
        files={"plan.json": OTHER_PLAN}),
    api("export-calendars-without-times", lambda: export(build(), read_plan("plan.json"), "out", "ics"),
        ExportError, "calendars (ics) need session times, and no session has them: give the sessions start "
        "and slot_minutes (e.g. start = 2025-05-15T19:00:00, slot_minutes = 60)", files={"plan.json": PLAN}),
    api("export-into-a-file", lambda: export(build(), read_plan("plan.json"), "roster.csv/out", "csv"),
        NotADirectoryError, "roster.csv exists and is not a folder", files={"plan.json": PLAN, "roster.csv": ROSTER}),

    # -- roster CSV files (read_roster) -----------------------------------------------------------------
    roster_csv("not-utf8", ROSTER.replace("Citra", "C\xe9tra").encode("latin-1"),
               "roster.csv: line 4: not UTF-8 text (byte 0xe9 at byte offset 55); save the roster as 'CSV UTF-8'"),
    roster_csv("empty", "", "roster.csv: the roster is empty (no header and no participant rows)"),
    roster_csv("header-only", "id,name,unit\n", "roster.csv: the roster is empty (a header, but no participant rows)"),
    roster_csv("no-id-column", ROSTER.replace("id,", "ID,", 1),
               "roster.csv: line 1: no 'id' column (did you mean 'ID'?); the columns are: ID, name, unit, age, boss"),
    roster_csv("no-name-column", ROSTER, "roster.csv: line 1: no 'nama' column (did you mean 'name'?); "
               "the columns are: id, name, unit, age, boss", name_column="nama"),
    roster_csv("duplicate-column", "id,name,unit,unit\nP1,Ana,X,Y\n",
               "roster.csv: line 1: duplicate column name 'unit' (columns 3 and 4)"),
    roster_csv("ragged-row", ROSTER + "P7,Gita,W\n", "roster.csv: line 8 has 3 fields, the header has 5"),
    roster_csv("duplicate-id", ROSTER + "P1,Again,W,20,\n",
               "roster.csv: line 8: duplicate id 'P1' (already on line 2)"),
    roster_csv("empty-id", ROSTER + ",Gita,W,20,\n", "roster.csv: line 8: empty id (column 'id')"),
    roster_csv("unclosed-quote", ROSTER + 'P7,"Gita,W,20,\n',
               "roster.csv: line 8: malformed CSV: unexpected end of data"),
    roster_csv("forced-integer-does-not-parse", ROSTER.replace("P3,Citra,Y,35", "P3,Citra,Y,thirty-five"),
               "roster.csv: line 4, column 'age': 'thirty-five' is not a whole number (integer)",
               types={"age": "integer"}),
    roster_csv("forced-number-does-not-parse", ROSTER.replace("Y,35", 'Y,"35,5"'),
               "roster.csv: line 4, column 'age': '35,5' is not a number", types={"age": "number"}),
    roster_csv("forced-type-of-unknown-column", ROSTER, "roster.csv: types names the unknown column 'agee' "
               "(did you mean 'age'?); the columns are: id, name, unit, age, boss", types={"agee": "integer"}),
    roster_csv("unknown-forced-type", ROSTER, "roster.csv: types: unknown type 'int' for column 'age' "
               "(did you mean 'integer'?); the types are: text, number, integer", types={"age": "int"}),
    pytest.param(Case(lambda: read_roster("people.csv"), "roster file not found: people.csv "
                      "(resolved: {tmp}/people.csv)", error=RosterError), id="roster-missing-file"),

    # -- event files (load_event) -----------------------------------------------------------------------
    event_toml("toml-syntax-error", EVENT.replace('id = "s2"', "id = s2"),
               "event.toml: not valid TOML: Invalid value (at line 12, column 6)"),
    event_toml("not-utf8", EVENT.replace("Bad input", "B\xe4d input").encode("latin-1"),
               "event.toml: line 1: not UTF-8 text (at byte offset 9)"),
    event_toml("unknown-top-level-table", EVENT + "\n[solvr]\nseed = 1\n",
               "event.toml: unknown top-level table [solvr] (did you mean 'solver'?); an event file has: name, "
               "timezone, roster, solver, repair, sessions, availability, roles, stations, instructors, constraints"),
    event_toml("unknown-top-level-key", 'timezon = "Asia/Jakarta"\n' + EVENT,
               "event.toml: unknown top-level key 'timezon' (did you mean 'timezone'?); an event file has: name, "
               "timezone, roster, solver, repair, sessions, availability, roles, stations, instructors, constraints"),
    event_toml("unknown-session-key", EVENT.replace("team_size = 3", "team_sise = 3"),
               "event.toml: sessions[1] (s1, line 7): unknown key 'team_sise' (did you mean 'team_size'?); the "
               "keys are: id, name, num_teams, team_size, min_size, max_size, team_sizes, remainder, absent, day, "
               "keep_teams, slots, plenary, start, slot_minutes, break_minutes"),
    event_toml("unknown-constraint-key", EVENT + "max_per_tem = 1\n",
               "event.toml: constraints[1] (spread, line 15): unknown key 'max_per_tem' (did you mean "
               "'max_per_team'?); the keys are: hard, weight, sessions, label, attribute, max_per_team, values, kind"),
    event_toml("unknown-constraint-kind", EVENT.replace('"spread"', '"spred"'),
               "event.toml: constraints[1] (line 15): unknown kind 'spred' (did you mean 'spread'?); the kinds are: "
               "spread, balance, no_isolation, numeric_balance, diversity, together, apart, pin, hierarchy, "
               "meet_at_most, avoid_repeats, reach, role_share, fair_turns, role_pin, avoid_stations, "
               "exercise_once, staff_pin, station_pin"),
    event_toml("unknown-solver-key", EVENT.replace("time_limit = 5", "timelimit = 5"),
               "event.toml: [solver]: unknown key 'timelimit' (did you mean 'time_limit'?); "
               "the keys are: time_limit, seed, workers"),
    event_toml("no-roster", EVENT.replace('roster = "roster.csv"\n', ""),
               'event.toml: missing [roster]: name the roster file, e.g. roster = "roster.csv"'),
    event_toml("missing-roster-file", EVENT.replace('"roster.csv"', '"people.csv"'),
               "event.toml: [roster]: file 'people.csv' not found (looked for {tmp}/people.csv)"),
    event_toml("error-inside-the-roster", EVENT, "roster.csv: line 8 has 2 fields, the header has 5",
               error=RosterError, **{"roster.csv": ROSTER + "P7,Gita\n"}),
    event_toml("no-sessions", 'roster = "roster.csv"\n', "event.toml: no [[sessions]]: add at least one session"),
    event_toml("number-where-a-name-belongs", EVENT.replace('attribute = "unit"', "attribute = 5"),
               "event.toml: constraints[1] (spread, line 15): attribute must be a string, got 5 (a whole number)"),
    event_toml("number-where-an-id-belongs", EVENT.replace('id = "s1"', "id = 1"),
               "event.toml: sessions[1] (line 7): id must be a string, got 1 (a whole number)"),
    event_toml("text-where-a-number-belongs", EVENT.replace("team_size = 3", 'team_size = "3"'),
               "event.toml: sessions[1] (s1, line 7): team_size must be a whole number, got '3' (a string)"),
    event_toml("date-where-a-number-belongs", EVENT.replace("team_size = 3", "team_size = 2025-05-15"),
               "event.toml: sessions[1] (s1, line 7): team_size must be a whole number, "
               "got datetime.date(2025, 5, 15) (a date or time)"),
    event_toml("fraction-where-a-whole-number-belongs", EVENT + "max_per_team = 1.5\n",
               "event.toml: constraints[1] (spread, line 15): max_per_team must be a whole number, "
               "got 1.5 (a number with a fraction)"),
    event_toml("text-where-a-time-limit-belongs", EVENT.replace("time_limit = 5", 'time_limit = "5"'),
               "event.toml: [solver]: time_limit must be a number, got '5' (a string)"),
    event_toml("sizes-num-teams-and-min-size", EVENT.replace("num_teams = 2", "num_teams = 2\nmin_size = 4"),
               "event.toml: sessions[2] (s2, line 11): session 's2': 6 people cannot form 2 teams of 4 to 6 "
               "(that holds 8 to 12)"),
    event_toml("sizes-exact-remainder", EVENT.replace("team_size = 3", 'team_size = 4\nremainder = "exact"'),
               "event.toml: sessions[1] (s1, line 7): session 's1': 6 people cannot form teams of exactly 4 "
               "(6 = 1 x 4 + 2); use remainder='larger' (sizes 4-5) or remainder='smaller' (sizes 3-4)"),
    event_toml("everyone-absent", EVENT.replace("num_teams = 2", 'num_teams = 2\nabsent = ["P1", "P2", "P3", '
                                                '"P4", "P5", "P6"]'),
               "event.toml: sessions[2] (s2, line 11): session 's2': nobody attends (every participant is absent)"),
    event_toml("duplicate-session-id", EVENT.replace('id = "s2"', 'id = "s1"'),
               "event.toml: duplicate session id 's1'"),
    event_toml("absent-unknown-participant", EVENT.replace("num_teams = 2", 'num_teams = 2\nabsent = ["p2"]'),
               "event.toml: sessions[2] (s2, line 11): session 's2': absent participant 'p2' is not on the roster "
               "(did you mean 'P2'?)"),
    event_toml("availability-unknown-participant", EVENT + '\n[[availability]]\nparticipant = "p1"\n',
               "event.toml: availability[1] (p1, line 20): unknown participant 'p1' (did you mean 'P1'?)"),
    event_toml("availability-unknown-session", EVENT + '\n[[availability]]\nparticipant = "P1"\nabsent = ["s3"]\n',
               "event.toml: availability[1] (P1, line 20): absent: unknown session 's3'; "
               "sessions are ['s1', 's2']"),
    event_toml("availability-arrives-unknown-session",
               EVENT + '\n[[availability]]\nparticipant = "P1"\narrives = "S2"\n',
               "event.toml: availability[1] (P1, line 20): arrives: unknown session 'S2' (did you mean 's2'?); "
               "sessions are ['s1', 's2']"),
    event_toml("start-not-a-date", EVENT.replace("team_size = 3", 'team_size = 3\nstart = "16 May"\nslot_minutes = 60'),
               "event.toml: sessions[1] (s1, line 7): start must be a date and time such as 2025-05-15T19:00:00, "
               "got '16 May' (a string)"),
    event_toml("start-without-slot-minutes",
               EVENT.replace("team_size = 3", "team_size = 3\nstart = 2025-05-15T19:00:00"),
               "event.toml: sessions[1] (s1, line 7): session 's1': start is given without slot_minutes "
               "(how long a slot lasts); give both or neither"),
    event_toml("unknown-timezone", 'timezone = "Asia/Jakartaa"\n' + EVENT,
               "event.toml: unknown timezone 'Asia/Jakartaa'; use a name from the time zone database, "
               "such as 'Asia/Jakarta' or 'Europe/Berlin'"),
    event_toml("timezone-a-number", "timezone = 7\n" + EVENT,
               "event.toml: timezone must be a string, got 7 (a whole number)"),
    event_toml("overlapping-sessions", EVENT
               .replace("team_size = 3", "team_size = 3\nstart = 2025-05-15T19:00:00\nslot_minutes = 90")
               .replace("num_teams = 2", "num_teams = 2\nstart = 2025-05-15T20:00:00\nslot_minutes = 60"),
               "event.toml: [[sessions]]: sessions 's1' (2025-05-15 19:00 to 20:30) and 's2' "
               "(from 2025-05-15 20:00) overlap in time"),
    event_toml("station-capacity-zero", SLOTS + '\n[[stations]]\nname = "rope bridge"\ncapacity = 0\n',
               "event.toml: stations[1] (rope bridge, line 21): station 'rope bridge': capacity 0 means it can "
               "never receive a team; remove it, or close it in some sessions with sessions=[...] or closed=[...]"),
    event_toml("station-capacity-as-text", SLOTS + '\n[[stations]]\nname = "rope bridge"\ncapacity = "1"\n',
               "event.toml: stations[1] (rope bridge, line 21): capacity must be a whole number, got '1' (a string)"),
    event_toml("unknown-station-key", SLOTS + '\n[[stations]]\nname = "rope bridge"\ncapactiy = 2\n',
               "event.toml: stations[1] (rope bridge, line 21): unknown key 'capactiy' (did you mean 'capacity'?); "
               "the keys are: name, capacity, duration, attributes, sessions, closed, staff"),
    event_toml("exercise-longer-than-its-session",
               SLOTS + '\n[[stations]]\nname = "rope bridge"\n\n[[stations]]\nname = "raft"\nduration = 3\n'
               'sessions = ["s2"]\n',
               "event.toml: stations[2] (raft, line 24): station 'raft' takes 3 slots, but session 's2' has only "
               "2 station slots"),
    event_toml("exercise-longer-than-every-session",
               SLOTS + '\n[[stations]]\nname = "rope bridge"\n\n[[stations]]\nname = "raft"\nduration = 3\n',
               "event.toml: stations[2] (raft, line 24): station 'raft' takes 3 slots, longer than every session "
               "(the longest has 2)"),
    event_toml("station-slots-without-stations", SLOTS,
               "event.toml: sessions have station slots but the problem has no station: add stations with "
               "Model.add_station(...), or mark the slots as plenary"),
    event_toml("instructor-unknown-station",
               SLOTS + '\n[[stations]]\nname = "rope bridge"\n\n'
               '[[instructors]]\nid = "I1"\nstations = ["rope bridg"]\n',
               "event.toml: instructors[1] (I1, line 24): instructor 'I1': unknown station 'rope bridg' "
               "(did you mean 'rope bridge'?)"),
    event_toml("instructor-at-two-stations-at-once", SLOTS + """
[[stations]]
name = "rope bridge"
staff = 1

[[stations]]
name = "raft"
staff = 1

[[instructors]]
id = "I1"

[[constraints]]
kind = "staff_pin"
instructor = "I1"
station = "rope bridge"
session = "s2"
slot = 1

[[constraints]]
kind = "staff_pin"
instructor = "I1"
station = "raft"
session = "s2"
slot = 1
""", "event.toml: staff_pin(I1:rope bridge@s2#1) and staff_pin(I1:raft@s2#1) put instructor 'I1' at two stations "
        "at once ('rope bridge' and 'raft') in slot 1 of session 's2'"),
    event_toml("role-nobody-can-fill", EVENT + '\n[[roles]]\nname = "leader"\neligible = { unit = "Q" }\n',
               "event.toml: roles[1] (leader, line 20): role 'leader': no participant is eligible for it"),
    event_toml("role-unknown-attribute", EVENT + '\n[[roles]]\nname = "leader"\neligible = { rank = "II" }\n',
               "event.toml: roles[1] (leader, line 20): role 'leader': eligibility names unknown attribute 'rank'"),
    event_toml("duplicate-role", EVENT + '\n[[roles]]\nname = "leader"\n\n[[roles]]\nname = "leader"\n',
               "event.toml: roles[2] (leader, line 23): duplicate role 'leader'"),
    event_toml("constraint-unknown-attribute", EVENT.replace('attribute = "unit"', 'attribute = "unti"'),
               "event.toml: constraints[1] (spread, line 15): constraint spread(unti<=1): unknown attribute 'unti' "
               "(did you mean 'unit'?); the participants have: age, boss, unit"),
    event_toml("constraint-unknown-participant",
               EVENT + '\n[[constraints]]\nkind = "pin"\nparticipant = "p1"\nteam = 1\n',
               "event.toml: constraints[2] (pin, line 20): constraint pin(p1->team 1): unknown participant 'p1' "
               "(did you mean 'P1'?)"),
    event_toml("constraint-unknown-session", EVENT + 'sessions = ["S2"]\n',
               "event.toml: constraints[1] (spread, line 15): constraint spread(unit<=1): unknown session 'S2' "
               "(did you mean 's2'?)"),
    event_toml("distances-file-missing", EVENT + '\n[[constraints]]\nkind = "diversity"\ndistances_file = "pair.csv"\n',
               "event.toml: constraints[2] (diversity, line 20): distances_file 'pair.csv' not found "
               "(looked for {tmp}/pair.csv)"),
    event_toml("distances-unknown-participant",
               EVENT + '\n[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n',
               "event.toml: constraints[2] (diversity, line 20): pairs.csv: line 3: unknown participant 'P7'",
               **{"pairs.csv": "a,b,distance\nP1,P2,1\nP1,P7,2\n"}),
    event_toml("distances-not-a-number",
               EVENT + '\n[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n',
               "event.toml: constraints[2] (diversity, line 20): pairs.csv: line 2: distance 'far' is not a number",
               **{"pairs.csv": "a,b,distance\nP1,P2,far\n"}),
    event_toml("distances-ragged-row",
               EVENT + '\n[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n',
               "event.toml: constraints[2] (diversity, line 20): pairs.csv: line 3 has 2 fields, the header has 3",
               **{"pairs.csv": "a,b,distance\nP1,P2,1\nP3,P4\n"}),
    event_toml("distances-pair-twice",
               EVENT + '\n[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n',
               "event.toml: constraints[2] (diversity, line 20): pairs.csv: line 3: the pair 'P2', 'P1' "
               "is already on line 2", **{"pairs.csv": "a,b,distance\nP1,P2,1\nP2,P1,2\n"}),
    event_toml("repair-held-unknown-session", EVENT + '\n[repair]\nheld = ["s3"]\n',
               "event.toml: [repair]: held: 's3' is not a session"),

    # -- plan files (read_plan, and tk.check of the plan against the event) -------------------------------
    plan_file("invalid-json", '{"format": "teamkit-plan",\n "version": 1,\n "plan": }\n',
              "plan.json: line 3, column 10: not valid JSON: Expecting value"),
    plan_file("not-utf8", b'{"format": "teamkit-pl\xe4n"}', "plan.json: not UTF-8 text (at byte offset 22)"),
    plan_file("not-an-object", "[]", "plan.json: not a teamkit plan file (expected a JSON object, got list)"),
    plan_file("wrong-format", PLAN.replace("teamkit-plan", "teamkit-problem"),
              "plan.json: not a teamkit plan file (format is 'teamkit-problem', expected 'teamkit-plan')"),
    plan_file("wrong-version", PLAN.replace('"version": 1', '"version": 2'),
              "plan.json: unsupported plan file version 2 (this teamkit reads version 1)"),
    plan_file("unknown-top-level-key", PLAN.replace('"version": 1', '"version": 1, "comment": "v2"'),
              "plan.json: unknown top-level keys ['comment']"),
    plan_file("missing-plan", '{"format": "teamkit-plan", "version": 1}', "plan.json: missing key 'plan'"),
    plan_file("unknown-team-key", PLAN.replace('"number": 2', '"number": 2, "colour": "red"', 1),
              "plan.json: unknown keys ['colour'] @ plan.sessions[0].teams[1]"),
    plan_file("text-where-a-team-number-belongs", PLAN.replace('"number": 2', '"number": "2"', 1),
              "plan.json: expected int, got '2' @ plan.sessions[0].teams[1].number"),
    plan_file("number-where-an-id-belongs", PLAN.replace('"P4"', "4", 1),
              "plan.json: expected str, got 4 @ plan.sessions[0].teams[1].members[1]"),
    plan_file("text-where-a-list-belongs",
              '{"format": "teamkit-plan", "version": 1, "plan": {"sessions": [{"session": "s1", '
              '"teams": [{"number": 1, "members": "P1 P2 P3"}]}]}}',
              "plan.json: expected a list, got 'P1 P2 P3' @ plan.sessions[0].teams[0].members"),
    plan_file("result-not-an-object", PLAN.replace('"version": 1', '"version": 1, "result": []'),
              "plan.json: 'result' must be an object"),
    plan_file("for-another-event", OTHER_PLAN,
              "the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']", checked=True),
    plan_file("participant-in-two-teams", TWICE_PLAN, "session 's1': 'P1' is in team 1 and team 2", checked=True),
    plan_file("participant-twice-in-a-team", plan_json([["P1", "P1", "P3"], ["P2", "P4", "P5", "P6"]], [[], []]),
              "session 's1': 'P1' is listed twice in team 1", checked=True),
    plan_file("unknown-participant", plan_json([["P1", "P3", "P9"], ["P2", "P4", "P6"]], [[], []]),
              "session 's1', team 1: unknown participant 'P9'", checked=True),
    plan_file("teams-out-of-order", PLAN.replace('"number": 1', '"number": 3', 1),
              "session 's1': team 1 is numbered 3", checked=True),

    # -- problem files (read_problem) -----------------------------------------------------------------
    problem_file("invalid-json", '{"format": "teamkit-problem",\n "version": 1,\n "problem": {,}}\n',
                 "problem.json: line 3, column 14: not valid JSON: Expecting property name enclosed in double quotes"),
    problem_file("a-plan-file", PLAN,
                 "problem.json: not a teamkit problem file (format is 'teamkit-plan', expected 'teamkit-problem')"),
    problem_file("wrong-version", problem_json(version=3),
                 "problem.json: unsupported problem file version 3 (this teamkit reads version 1)"),
    problem_file("unknown-top-level-key", problem_json(plan={}), "problem.json: unknown top-level keys ['plan']"),
    problem_file("missing-problem", '{"format": "teamkit-problem", "version": 1}',
                 "problem.json: missing key 'problem'"),
    problem_file("unknown-key", problem_json(lambda p: p.update(sesions=[])),
                 "problem.json: unknown keys ['sesions'] @ problem"),
    problem_file("unknown-session-key", problem_json(lambda p: p["sessions"][0].update(teamsize=3)),
                 "problem.json: unknown keys ['teamsize'] @ problem.sessions[0]"),
    problem_file("text-where-a-number-belongs", problem_json(lambda p: p["sessions"][0].update(team_size="3")),
                 "problem.json: expected int, got '3' @ problem.sessions[0].team_size"),
    problem_file("number-where-an-id-belongs", problem_json(lambda p: p["participants"][0].update(id=1)),
                 "problem.json: expected str, got 1 @ problem.participants[0].id"),
    problem_file("not-a-date", problem_json(lambda p: p["sessions"][0].update(start="16 May", slot_minutes=60)),
                 "problem.json: not a date and time: '16 May' (expected e.g. '2025-05-15T19:00:00') "
                 "@ problem.sessions[0].start"),
    problem_file("list-where-an-attribute-value-belongs",
                 problem_json(lambda p: p["participants"][0]["attributes"].update(unit=["X"])),
                 "problem.json: an attribute value must be text, a number, a boolean or null, got ['X'] "
                 "@ problem.participants[0].attributes['unit']"),
    problem_file("unknown-constraint-kind", problem_json(lambda p: p.update(constraints=[{"kind": "spred"}])),
                 "problem.json: unknown constraint kind 'spred' (did you mean 'spread'?); the kinds are: spread, "
                 "balance, no_isolation, numeric_balance, diversity, together, apart, pin, hierarchy, meet_at_most, "
                 "avoid_repeats, reach, role_share, fair_turns, role_pin, avoid_stations, exercise_once, staff_pin, "
                 "station_pin @ problem.constraints[0]"),
    problem_file("duplicate-participant", problem_json(lambda p: p["participants"][1].update(id="P1")),
                 "problem.json: duplicate participant id 'P1' (entries 1 and 2)", error=ModelError),
    problem_file("unknown-attribute", problem_json(lambda p: p["constraints"][0].update(attribute="unti")),
                 "problem.json: constraint spread(unti<=1): unknown attribute 'unti' (did you mean 'unit'?); "
                 "the participants have: age, boss, unit", error=ModelError),
    problem_file("sizes-that-cannot-add-up",
                 problem_json(lambda p: p["sessions"][0].update(team_size=4, remainder="exact")),
                 "problem.json: session 's1': 6 people cannot form teams of exactly 4 (6 = 1 x 4 + 2); "
                 "use remainder='larger' (sizes 4-5) or remainder='smaller' (sizes 3-4)", error=ModelError),
    problem_file("station-capacity-zero", problem_json(lambda p: p.update(stations=[{"name": "raft", "capacity": 0}])),
                 "problem.json: station 'raft': capacity 0 means it can never receive a team; remove it, or close "
                 "it in some sessions with sessions=[...] or closed=[...] @ problem.stations[0]"),

    # -- the command line ---------------------------------------------------------------------------------
    command("solve-missing-event-file", "solve nope.toml --out out -q",
            "event file not found: nope.toml (resolved: {tmp}/nope.toml)", files={}),
    command("solve-event-file-error", "solve event.toml --out new -q",
            "event.toml: sessions[1] (s1, line 7): unknown key 'team_sise' (did you mean 'team_size'?); the keys "
            "are: id, name, num_teams, team_size, min_size, max_size, team_sizes, remainder, absent, day, "
            "keep_teams, slots, plenary, start, slot_minutes, break_minutes",
            files={"event.toml": EVENT.replace("team_size", "team_sise"), "roster.csv": ROSTER}),
    command("solve-roster-error", "solve event.toml --out new -q",
            "roster.csv: line 8: duplicate id 'P1' (already on line 2)",
            files={"event.toml": EVENT, "roster.csv": ROSTER + "P1,Again,W,20,\n"}),
    command("solve-missing-roster", "solve event.toml --out new -q",
            "event.toml: [roster]: file 'roster.csv' not found (looked for {tmp}/roster.csv)",
            files={"event.toml": EVENT}),
    command("solve-out-is-a-file", "solve event.toml --out roster.csv -q",
            "--out roster.csv exists and is not a folder"),
    command("solve-out-inside-a-file", "solve event.toml --out roster.csv/out -q",
            "--out roster.csv/out: roster.csv exists and is not a folder"),
    command("solve-refuses-to-overwrite", "solve event.toml --out out -q",
            "out/plan.json, out/problem.json already exist; nothing was written (use --force to overwrite, "
            "or choose another --out)", exit_code=3),
    command("solve-unknown-export-format", "solve event.toml --out new -q --export xlsx,pdf",
            "unknown export format 'pdf'; the formats are: xlsx, csv, ics, html, json (or all)"),
    command("solve-calendars-without-times", "solve event.toml --out new -q --export ics",
            "calendars (ics) need session times, and no session has them: give the sessions start and "
            "slot_minutes (e.g. start = 2025-05-15T19:00:00, slot_minutes = 60)"),
    command("check-missing-plan-file", "check event.toml plan.json",
            "plan file not found: plan.json (resolved: {tmp}/plan.json)"),
    command("check-invalid-json", "check event.toml out/plan.json",
            "out/plan.json: line 1, column 2: not valid JSON: Expecting property name enclosed in double quotes",
            files={**SOLVED, "out/plan.json": "{'format': 'teamkit-plan'}"}),
    command("check-wrong-version", "check event.toml out/plan.json",
            "out/plan.json: unsupported plan file version 2 (this teamkit reads version 1)",
            files={**SOLVED, "out/plan.json": PLAN.replace('"version": 1', '"version": 2')}),
    command("check-plan-for-another-event", "check event.toml out/plan.json",
            "out/plan.json: the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
            files={**SOLVED, "out/plan.json": OTHER_PLAN}),
    command("check-participant-in-two-teams", "check event.toml out/plan.json",
            "out/plan.json: session 's1': 'P1' is in team 1 and team 2", files={**SOLVED, "out/plan.json": TWICE_PLAN}),
    command("diff-plan-for-another-event", "diff event.toml out/plan.json other.json",
            "other.json: the plan has session 'day2', which the problem does not have (its sessions: s1, s2)",
            files={**SOLVED, "other.json": OTHER_PLAN}),
    command("repair-unknown-held-session", "repair event.toml out/plan.json --out new --held S1 -q",
            "held session 'S1' is not a session of the problem (did you mean 's1'?)"),
    command("repair-plan-for-another-event", "repair event.toml other.json --out new -q",
            "other.json: the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
            files={**SOLVED, "other.json": OTHER_PLAN}),
    command("repair-refuses-to-overwrite", "repair event.toml out/plan.json --out out -q",
            "out/plan.json, out/problem.json already exist; nothing was written (use --force to overwrite, "
            "or choose another --out)", exit_code=3),
    command("export-unknown-format", "export out/plan.json --format xlsx,pdf --out handouts",
            "unknown export format 'pdf'; the formats are: xlsx, csv, ics, html, json (or all)"),
    command("export-calendars-without-times", "export out/plan.json --format ics --out handouts",
            "calendars (ics) need session times, and no session has them: give the sessions start and "
            "slot_minutes (e.g. start = 2025-05-15T19:00:00, slot_minutes = 60)"),
    command("export-without-problem-json", "export plan.json --out handouts",
            "plan.json: no problem.json beside it to say what the plan is for; give the event file with "
            "--event EVENT.toml", files={"plan.json": PLAN}),
    command("export-broken-problem-json", "export out/plan.json --out handouts",
            "out/problem.json: unsupported problem file version 2 (this teamkit reads version 1)",
            files={**SOLVED, "out/problem.json": problem_json(version=2)}),
    command("export-out-is-a-file", "export out/plan.json --out roster.csv",
            "--out roster.csv exists and is not a folder"),
    command("export-plan-for-another-event", "export out/plan.json --out handouts",
            "out/plan.json: the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
            files={**SOLVED, "out/plan.json": OTHER_PLAN}),
    command("export-refuses-to-overwrite", "export out/plan.json --format csv --out out",
            "out/csv/teams-s1.csv already exists; nothing was written (use --force to overwrite)", exit_code=3,
            files={**SOLVED, "out/csv/teams-s1.csv": "mine\n"}),
    command("report-without-problem-json", "report plan.json",
            "plan.json: no problem.json beside it to say what the plan is for; give the event file with "
            "--event EVENT.toml", files={"plan.json": PLAN}),
    command("report-plan-for-another-event", "report other.json --event event.toml",
            "other.json: the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
            files={**SOLVED, "other.json": OTHER_PLAN}),
    command("report-plots-of-a-plan-for-another-event", "report other.json --event event.toml --plots plots",
            "other.json: the plan's sessions ['s1', 'day2'] are not the problem's ['s1', 's2']",
            files={**SOLVED, "other.json": OTHER_PLAN}, marks=needs_matplotlib),
]
# fmt: on


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``folder`` (hidden ones too), with the bytes of each file."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def write(folder: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder, also the working folder, with its real path (as messages print it)."""
    tmp = tmp_path.resolve()
    monkeypatch.chdir(tmp)
    return tmp


@pytest.mark.parametrize("case", CATALOGUE)
def test_bad_input(case: Case, folder: Path) -> None:
    write(folder, case.files)
    before = snapshot(folder)
    expected = case.message.replace("{tmp}", str(folder))
    if isinstance(case.act, tuple):
        result = CliRunner().invoke(main, list(case.act))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # no traceback
        assert (result.exit_code, result.stderr) == (case.exit_code, f"error: {expected}\n")
        assert result.stdout == ""
    else:
        assert case.error is not None
        with pytest.raises(case.error) as raised:
            case.act()
        assert type(raised.value) is case.error
        assert str(raised.value) == expected
    assert snapshot(folder) == before  # nothing written, changed or left behind


def test_the_catalogue_covers_every_entry_point() -> None:
    ids = [param.id for param in CATALOGUE]
    assert len(ids) == len(set(ids))
    counts = {
        door: sum(i.startswith(f"{door}-") for i in ids)
        for door in ("api", "roster", "event", "plan", "problem", "cli")
    }
    assert all(count >= 5 for count in counts.values()), counts
    assert len(ids) >= 40


# -- requests that cannot be planned: an explanation, not a traceback ---------------------------------

# Spread says at most one person per unit in a team, but three people share unit X and there
# are only two teams.
CROWDED_ROSTER = ROSTER.replace("Y,35", "X,35")
STRICT = EVENT.replace("hard = false\n", "")
SPREAD_LINES = (
    (
        "session 's1': spread(unit<=1) allows at most 1 per team, but 3 people present have unit='X' and there "
        "are only 2 teams (room for 2)"
    ),
    "relax one of: spread(unit<=1), the team sizes of session 's1'",
    (
        "session 's2': spread(unit<=1) allows at most 1 per team, but 3 people present have unit='X' and there "
        "are only 2 teams (room for 2)"
    ),
    "relax one of: spread(unit<=1), the team sizes of session 's2'",
)
CROWDED = tuple(tk.Participant(p.id, p.name, {**p.attributes, "unit": "X"}) if p.id == "P3" else p for p in PEOPLE)


@dataclass(frozen=True)
class Impossible:
    """A request that is well formed but has no plan: ``problem`` (the Python API) or the
    event file ``event`` with its roster (the command line), and the explanation's lines."""

    lines: tuple[str, ...]
    problem: Callable[[], tk.ProblemData] | None = None
    event: str = ""
    roster: str = ROSTER


# fmt: off
INFEASIBLE = [
    pytest.param(Impossible(SPREAD_LINES, problem=lambda: tk.ProblemData(CROWDED, SESSIONS, [tk.Spread("unit")])),
                 id="api-more-people-of-one-unit-than-teams"),
    pytest.param(Impossible((
        "session 's1': apart(P1,P2,P3) needs 3 different teams, but there are only 2",
        "relax one of: apart(P1,P2,P3), the team sizes of session 's1'",
        "session 's2': apart(P1,P2,P3) needs 3 different teams, but there are only 2",
        "relax one of: apart(P1,P2,P3), the team sizes of session 's2'",
    ), problem=lambda: build(tk.Apart(["P1", "P2", "P3"]))), id="api-apart-needs-more-teams-than-there-are"),
    pytest.param(Impossible((
        ("meet_at_most(1): every team of session 's1' has at least 3 people who also attend 's2'; meeting at "
         "most once, they need 3 different teams there, but 's2' has 2. Use more, smaller teams, or make the "
         "rule soft"),
        "relax one of: meet_at_most(1), the team sizes of sessions 's1' and 's2'",
    ), problem=lambda: build(tk.MeetAtMost(1))), id="api-meet-at-most-once-in-big-teams"),
    pytest.param(Impossible(SPREAD_LINES, event=STRICT, roster=CROWDED_ROSTER),
                 id="cli-more-people-of-one-unit-than-teams"),
    pytest.param(Impossible((
        "session 's1': together(P1,P2,P3,P4) puts 4 people in one team, but teams hold at most 3",
        "relax one of: together(P1,P2,P3,P4), the team sizes of session 's1'",
        "session 's2': together(P1,P2,P3,P4) puts 4 people in one team, but teams hold at most 3",
        "relax one of: together(P1,P2,P3,P4), the team sizes of session 's2'",
    ), event=EVENT + '\n[[constraints]]\nkind = "together"\nmembers = ["P1", "P2", "P3", "P4"]\n'),
        id="cli-together-bigger-than-a-team"),
]
# fmt: on


@pytest.mark.parametrize("case", INFEASIBLE)
def test_infeasible_requests_are_explained(case: Impossible, folder: Path) -> None:
    if case.problem is not None:
        result = tk.solve(case.problem(), time_limit=5, seed=1)
        assert (result.status, result.plan, result.explanation) == (tk.Status.INFEASIBLE, None, case.lines)
        return
    write(folder, {"event.toml": case.event, "roster.csv": case.roster})
    before = snapshot(folder)
    result = CliRunner().invoke(main, ["solve", "event.toml", "--out", "out", "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert lines[0] == "status: infeasible"
    assert [line.removeprefix("- ") for line in lines if line.startswith("- ")] == list(case.lines)
    assert lines[-1] == "no plan was found; nothing was written"
    assert snapshot(folder) == before


def test_numbers_in_a_rule_appear_in_its_name() -> None:
    """Values of a numeric attribute given as numbers are part of the rule's name (which
    reports and the solver use), instead of breaking it."""
    problem = build(tk.Spread("age", values=[30, 40]), tk.NoIsolation("age", values=[35], hard=False))
    assert problem.constraint_names() == ("spread(age=30|40<=1)", "no_isolation(age=35>=2)")
