"""Exports of a plan: workbook, CSV, calendars, JSON, safe cells and file names, and writing
all or nothing. Every plan exported here is solved and verified by the checker first."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import zipfile
import zoneinfo
from pathlib import Path

import attrs
import icalendar
import openpyxl
import pytest

import teamkit as tk
from teamkit.exceptions import ExportError
from teamkit.export import FORMATS, check_formats, csv_text, export, export_files
from teamkit.export._safe import file_stem, unique_file_names
from teamkit.export.ical import calendar_files
from teamkit.export.tables import agenda_table, metrics_table, team_table
from teamkit.export.workbook import sheet_names, workbook_bytes
from teamkit.io.plan_json import problem_digest, problem_to_dict, read_plan_document, read_problem

from .helpers import solve_and_check

STAMP = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")

#: Names a roster could hold: formulas, a tab, a path, a duplicate name, markup.
HOSTILE = {
    "p00": '=HYPERLINK("http://x","click")',
    "p01": "+1-555",
    "p02": "@SUM(A1)",
    "p03": "\tTabbed",
    "p04": "../../etc/passwd",
    "p05": "Ana Putri",
    "p06": "Ana Putri",
    "p07": "-3",
    "p08": "CON",
    "p09": "Siti Nurhaliza",
    "p10": "Budi",
    "p11": "Joko",
}


def build(*, timezone: str | None = "Asia/Jakarta", timed: bool = True) -> tk.ProblemData:
    m = tk.Model("Workshop =1+1", timezone=timezone)
    for k, (pid, name) in enumerate(HOSTILE.items()):
        m.add_participant(pid, name=name, attributes={"gender": "F" if k % 2 else "M", "unit": f"u{k % 4}"})
    times = [
        {"start": dt.datetime(2025, 5, 16, 8, 0), "slot_minutes": 60, "break_minutes": 15},
        {"start": dt.datetime(2025, 5, 17, 13, 0), "slot_minutes": 50},
    ]
    for k, (sid, name) in enumerate([("am", "Morning"), ("pm", "Afternoon")]):
        m.add_session(sid, name=name, team_size=3, slots=2, day=f"d{k + 1}", **(times[k] if timed else {}))
    m.add_role("leader")
    m.add_station("Rope", capacity=2, staff=1)
    m.add_station("Maze", capacity=1)
    m.add_station("Tower", capacity=1)
    m.add_instructor("i1", name="=Instructor One")
    m.add_constraint(tk.Balance("gender"))
    m.add_constraint(tk.MeetAtMost(1))
    m.add_constraint(tk.ExerciseOnce("day"))
    return m.data()


@pytest.fixture(scope="module")
def solved():
    problem = build()
    result, report = solve_and_check(problem, time_limit=10, seed=1)
    assert report.feasible
    return problem, result


def test_formats_and_all(solved):
    problem, _ = solved
    assert check_formats("all", problem) == FORMATS
    assert check_formats(["json", "xlsx"], problem) == ("xlsx", "json")
    untimed = build(timed=False)
    assert "ics" not in check_formats("all", untimed)
    with pytest.raises(ExportError, match="calendars .ics. need session times"):
        check_formats(["ics"], untimed)
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        check_formats(["pdf"], problem)
    with pytest.raises(ExportError, match="no export format"):
        check_formats([], problem)


# -- workbook ---------------------------------------------------------------------------------


def test_workbook_loads_back_with_every_sheet_and_row(solved):
    problem, result = solved
    data = export_files(problem, result.plan, ["xlsx"], stamp=STAMP)["plan.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Morning", "Afternoon", "Agenda", "Stations", "Team mix", "Metrics"]
    for sp, sheet in zip(result.plan.sessions, ("Morning", "Afternoon")):
        rows = list(book[sheet].iter_rows(values_only=True))
        assert rows[0][:4] == ("team", "participant_id", "name", "role")
        members = {(row[0], row[1]) for row in rows[1:]}
        assert members == {(t.number, pid) for t in sp.teams for pid in t.members}
        roles = {row[1]: row[3] for row in rows[1:]}
        for team in sp.teams:
            for pid in team.members:
                assert roles[pid] == team.role_of(pid)
            # the team's stations, slot by slot, in the last two columns
            row = next(r for r in rows[1:] if r[1] == team.members[0])
            assert list(row[-2:]) == list(team.stations)
    agenda_rows = list(book["Agenda"].iter_rows(values_only=True))
    assert len(agenda_rows) - 1 == len(tk.agenda(problem, result.plan))
    header = agenda_rows[0]
    starts = {
        (r[header.index("participant_id")], r[header.index("session")], r[header.index("slot")]): r
        for r in agenda_rows[1:]
    }
    for session in problem.sessions:
        for pid in HOSTILE:
            for slot, (start, end) in enumerate(session.slot_times(), start=1):
                row = starts[pid, session.name, slot]
                assert row[header.index("start")] == start and row[header.index("end")] == end


def test_workbook_neutralises_formula_text(solved):
    problem, result = solved
    data = export_files(problem, result.plan, ["xlsx"])["plan.xlsx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula anywhere
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = {}
    for row in book["Morning"].iter_rows(min_row=2):
        found[row[1].value] = row[2]
    for pid in ("p00", "p01", "p02", "p03", "p07"):
        cell = found[pid]
        assert cell.value == HOSTILE[pid] and cell.data_type == "s"
        assert cell.quotePrefix, pid
    assert not found["p05"].quotePrefix  # ordinary text is left alone


def test_workbook_is_deterministic(solved):
    problem, result = solved
    first = export_files(problem, result.plan, ["xlsx"])["plan.xlsx"]
    time.sleep(1.1)  # the workbook records times to the second: they must not be "now"
    again = export_files(problem, result.plan, ["xlsx"])["plan.xlsx"]
    assert first == again


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["Day 1: morning/evening?", "x" * 40, "x" * 40, "Agenda", "agenda", "[]"])
    assert names[0] == "Day 1- morning-evening-"
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[2].endswith("(2)") and names[4] == "agenda (2)"
    assert not any(ch in n for n in names for ch in "[]:*?/\\")


# -- CSV --------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_files_match_the_plan_and_neutralise_formulas(solved):
    problem, result = solved
    files = export_files(problem, result.plan, ["csv"])
    assert sorted(files) == [
        "csv/agenda.csv",
        "csv/metrics.csv",
        "csv/stations.csv",
        "csv/team-mix.csv",
        "csv/teams-am.csv",
        "csv/teams-pm.csv",
    ]
    rows = read_csv(files["csv/teams-am.csv"])
    by_id = {row[1]: row for row in rows[1:]}
    assert set(by_id) == set(HOSTILE)
    assert by_id["p00"][2] == "'" + HOSTILE["p00"]
    assert by_id["p03"][2] == "'\tTabbed"
    assert by_id["p07"][2] == "'-3"
    assert by_id["p09"][2] == "Siti Nurhaliza"
    agenda = read_csv(files["csv/agenda.csv"])
    assert len(agenda) - 1 == len(tk.agenda(problem, result.plan))
    assert agenda[1][5] == "2025-05-16 08:00"
    stations = read_csv(files["csv/stations.csv"])
    header = stations[0]
    assert header == ["station", "session", "slot", "start", "end", "teams", "instructors"]
    visits = {(r[0], r[1], r[2]): r[5] for r in stations[1:]}
    names = {"am": "Morning", "pm": "Afternoon"}
    for sp in result.plan.sessions:
        for team in sp.teams:
            for slot, station in enumerate(team.stations, start=1):
                assert str(team.number) in visits[station, names[sp.session], str(slot)].split(", ")
    assert any(r[6] == "'=Instructor One" for r in stations[1:])


def test_metrics_agree_with_the_checker(solved):
    problem, result = solved
    report = tk.check(problem, result.plan)
    table = metrics_table(problem, result.plan, report)
    values = dict(table.rows)
    assert values["hard violations"] == 0
    assert values["repeated meetings"] == report.meetings.repeated_pairs
    assert values["exercises repeated within a day"] == report.activities.repeats_within_day
    assert values["teams"] == sum(len(sp.teams) for sp in result.plan.sessions)
    text = csv_text(table)
    assert text.startswith("metric,value\r\n")


def test_team_table_lists_attributes_and_plenary():
    m = tk.Model()
    for k in range(6):
        m.add_participant(f"p{k}", attributes={"unit": f"u{k % 2}"})
    m.add_session("s", team_size=3, slots=2, plenary=[2])
    m.add_station("A", capacity=2)
    problem = m.data()
    result, _ = solve_and_check(problem, time_limit=5)
    table = team_table(problem, result.plan, "s")
    assert table.columns == ("team", "participant_id", "name", "role", "unit", "slot 1", "slot 2")
    assert {row[-1] for row in table.rows} == {"plenary"}
    assert {row[-2] for row in table.rows} == {"A"}


# -- calendars --------------------------------------------------------------------------------


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_calendars_parse_back_with_the_right_times(solved):
    problem, result = solved
    files = calendar_files(problem, result.plan, stamp=STAMP)
    whole = events(files["calendars/all.ics"])
    assert [e.decoded("dtstart") for e in whole] == [
        dt.datetime(2025, 5, 16, 8, 0, tzinfo=JAKARTA),
        dt.datetime(2025, 5, 17, 13, 0, tzinfo=JAKARTA),
    ]
    assert [e.decoded("dtend") for e in whole] == [
        dt.datetime(2025, 5, 16, 10, 15, tzinfo=JAKARTA),
        dt.datetime(2025, 5, 17, 14, 40, tzinfo=JAKARTA),
    ]
    assert b"BEGIN:VTIMEZONE" in files["calendars/all.ics"]
    index = read_csv(files["calendars/index.csv"])
    assert [row[0] for row in index[1:]] == list(HOSTILE)
    for pid, _name, file in index[1:]:
        mine = events(files[f"calendars/{file}"])
        rows = tk.agenda(problem, result.plan, pid)
        assert len(mine) == len(rows) == 4
        for event, row in zip(mine, rows):
            session = problem.sessions[problem.session_index(row.session)]
            start, end = session.slot_times()[row.slot - 1]
            # the same instant as the slot's local time in Jakarta (08:00 WIB = 01:00 UTC)
            assert event.decoded("dtstart") == start.replace(tzinfo=JAKARTA)
            assert event.decoded("dtend") == end.replace(tzinfo=JAKARTA)
            assert str(event.get("location")) == row.station
            assert f"team {row.team}" in str(event.get("summary"))
    uids = [str(e.get("uid")) for data in files.values() if data.startswith(b"BEGIN:VCALENDAR") for e in events(data)]
    assert len(uids) == len(set(uids))
    assert whole[0].decoded("dtstart").astimezone(dt.UTC).hour == 1


def test_calendar_file_names_are_safe_and_unique(solved):
    problem, result = solved
    names = [n for n in calendar_files(problem, result.plan, stamp=STAMP) if n.endswith(".ics")]
    stems = [Path(n).name for n in names]
    assert all(n.startswith("calendars/") and n.count("/") == 1 for n in names)
    assert all(part not in ("..", "") for n in names for part in n.split("/"))
    assert len({s.lower() for s in stems}) == len(stems)
    assert "etc-passwd-p04.ics" in stems
    assert "ana-putri-p05.ics" in stems and "ana-putri-p06.ics" in stems
    assert "con-p08.ics" in stems


def test_calendars_are_deterministic_with_a_stamp(solved):
    problem, result = solved
    assert calendar_files(problem, result.plan, stamp=STAMP) == calendar_files(problem, result.plan, stamp=STAMP)


def test_calendars_without_a_timezone_are_floating_and_offsets_become_utc(solved):
    problem, result = solved
    floating = attrs.evolve(problem, timezone=None)  # ProblemData re-validates
    first = events(calendar_files(floating, result.plan, stamp=STAMP)["calendars/all.ics"])[0]
    assert first.decoded("dtstart") == dt.datetime(2025, 5, 16, 8, 0)  # no zone: floating
    plus7 = dt.timezone(dt.timedelta(hours=7))
    sessions = [attrs.evolve(s, start=s.start.replace(tzinfo=plus7)) for s in problem.sessions]
    offset = problem.replace(sessions=sessions, timezone=None)
    first = events(calendar_files(offset, result.plan, stamp=STAMP)["calendars/all.ics"])[0]
    assert first.decoded("dtstart") == dt.datetime(2025, 5, 16, 1, 0, tzinfo=dt.UTC)


def test_calendars_need_times():
    problem = build(timed=False)
    result, _ = solve_and_check(problem, time_limit=5, seed=1)
    with pytest.raises(ExportError, match="no session has a start time"):
        calendar_files(problem, result.plan)


# -- JSON -------------------------------------------------------------------------------------


def test_json_round_trips_exactly(solved, tmp_path):
    problem, result = solved
    files = export_files(problem, result.plan, ["json"], result=result)
    for name, data in files.items():
        (tmp_path / Path(name).name).write_bytes(data)
    again = read_problem(tmp_path / "problem.json")
    assert problem_to_dict(again) == problem_to_dict(problem)
    assert problem_digest(again) == problem_digest(problem)
    assert again.timezone == "Asia/Jakarta"
    assert again.sessions[0].start == dt.datetime(2025, 5, 16, 8, 0)
    document = read_plan_document(tmp_path / "plan.json")
    assert document.plan == result.plan
    assert document.result["status"] == result.status.value
    assert json.loads(files["json/problem.json"])["format"] == "teamkit-problem"


def test_problem_file_errors_name_the_file(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text('{"format": "teamkit-plan", "version": 1}', encoding="utf-8")
    with pytest.raises(tk.PlanFileError, match=r"problem.json: not a teamkit problem file \(format is 'teamkit-plan'"):
        read_problem(path)
    path.write_text('{"format": "teamkit-problem", "version": 1, "problem": {"participants": [], "sessions": 3}}')
    with pytest.raises(tk.PlanFileError, match="problem.json: .*problem.sessions"):
        read_problem(path)
    path.write_text('{"format": "teamkit-problem", "version": 2, "problem": {}}')
    with pytest.raises(tk.PlanFileError, match="unsupported problem file version 2"):
        read_problem(path)
    doc = {"format": "teamkit-problem", "version": 1, "problem": problem_to_dict(build())}
    doc["problem"]["sessions"][0]["start"] = "16 May, 8 o'clock"
    path.write_text(json.dumps(doc))
    with pytest.raises(tk.PlanFileError, match=r"not a date and time: \"16 May, 8 o'clock\""):
        read_problem(path)


# -- writing ----------------------------------------------------------------------------------


def test_export_writes_everything_or_nothing(solved, tmp_path):
    problem, result = solved
    out = tmp_path / "out"
    written = export(problem, result.plan, out, stamp=STAMP)
    assert {p.relative_to(out).parts[0] for p in written} == {"plan.xlsx", "csv", "calendars", "html", "json"}
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(FileExistsError, match="already exist.*nothing was written"):
        export(problem, result.plan, out, ["csv", "xlsx"])
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
    # an export that cannot be made writes nothing at all
    untimed = build(timed=False)
    again = tmp_path / "again"
    with pytest.raises(ExportError):
        export(untimed, result.plan, again, ["csv", "ics"])
    assert not again.exists()
    # force replaces, and the same plan gives the same files
    export(problem, result.plan, out, stamp=STAMP, force=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_export_refuses_a_plan_for_another_problem(solved, tmp_path):
    _, result = solved
    other = tk.Model()
    for k in range(6):
        other.add_participant(f"x{k}")
    other.add_session("am", team_size=3)
    other.add_session("pm", team_size=3)
    out = tmp_path / "out"
    with pytest.raises(tk.PlanFileError, match=r"session 'am', team \d+: unknown participant 'p\d\d'"):
        export(other.data(), result.plan, out)
    assert not out.exists()


def test_agenda_table_rows_follow_the_views(solved):
    problem, result = solved
    table = agenda_table(problem, result.plan)
    view = tk.agenda(problem, result.plan)
    assert [(r[0], r[4], r[7], r[8], r[9]) for r in table.rows] == [
        (v.participant, v.slot, v.team, v.role, v.station) for v in view
    ]


# -- safe names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("Siti Nurhaliza", "siti-nurhaliza"),
        ("José Ñúñez", "jose-nunez"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("  .hidden ", "hidden"),
        ("CON", "con-file"),
        ("lpt1.txt", "lpt1.txt-file"),
        ("李雷", "file"),
        ("", "file"),
        ("a" * 100, "a" * 60),
    ],
)
def test_file_stem(text, stem):
    assert file_stem(text) == stem


def test_unique_file_names_ignore_case():
    assert unique_file_names(["ana", "Ana", "ana", "ana-2"], ".ics") == [
        "ana.ics",
        "Ana-2.ics",
        "ana-3.ics",
        "ana-2-2.ics",
    ]


def test_workbook_bytes_of_empty_table():
    from teamkit.export.tables import Table

    data = workbook_bytes([Table(name="Empty", columns=("a",), rows=())])
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["Empty"]


def test_metrics_name_the_exercises_repeated_and_who_repeats_them():
    from tests.test_checker_activities import RULES, build, problem, valid

    data, plan = problem(*RULES), build(valid())
    report = tk.check(data, plan)
    values = dict(metrics_table(data, plan, report).rows)
    # s3 of that plan: a, b, c and g at B again, e and f at C again; d repeats nothing
    assert values["exercises repeated over the event"] == 6
    assert values["exercise repeated over the event: B"] == 4
    assert values["exercise repeated over the event: C"] == 2
    assert "exercise repeated over the event: A" not in values
    assert values["people repeating 0 exercises over the event"] == 1
    assert values["people repeating 1 exercise over the event"] == 6
