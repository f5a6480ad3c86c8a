"""Session times (start, slot_minutes, break_minutes) and the event's time zone: validation,
slot times, the event file and the problem's JSON."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

import teamkit as tk
from teamkit.io.event import load_event
from teamkit.io.plan_json import problem_digest, problem_from_dict, problem_to_dict

MORNING = dt.datetime(2025, 5, 16, 8, 0)


def model(*sessions: dict, timezone: str | None = None) -> tk.Model:
    m = tk.Model(timezone=timezone)
    for k in range(6):
        m.add_participant(f"p{k}")
    for k, options in enumerate(sessions):
        m.add_session(f"s{k + 1}", team_size=3, **options)
    return m


def test_slot_times_follow_start_length_and_breaks():
    s = tk.Session("am", team_size=3, slots=3, start=MORNING, slot_minutes=50, break_minutes=10)
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in s.slot_times()] == [
        ("08:00", "08:50"),
        ("09:00", "09:50"),
        ("10:00", "10:50"),
    ]
    assert s.end == dt.datetime(2025, 5, 16, 10, 50)
    whole = tk.Session("talk", team_size=3, start=MORNING, slot_minutes=90)
    assert whole.slot_times() == ((MORNING, dt.datetime(2025, 5, 16, 9, 30)),)
    assert tk.Session("none", team_size=3).slot_times() == () and tk.Session("none", team_size=3).end is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": MORNING}, "start is given without slot_minutes"),
        ({"slot_minutes": 60}, "slot_minutes is given without start"),
        ({"start": "08:00", "slot_minutes": 60}, "start must be a date and time"),
        ({"start": dt.date(2025, 5, 16), "slot_minutes": 60}, "start must be a date and time"),
        ({"start": MORNING, "slot_minutes": 0}, "slot_minutes must be a positive whole number, got 0"),
        ({"start": MORNING, "slot_minutes": 1.5}, "slot_minutes must be a positive whole number"),
        ({"start": MORNING, "slot_minutes": 60, "break_minutes": -5}, "break_minutes must be a whole number, zero or"),
        ({"break_minutes": 5}, "break_minutes is given without start"),
    ],
)
def test_bad_session_times_are_named(options, message):
    with pytest.raises(tk.ModelError, match=f"session 'x': {message}"):
        tk.Session("x", team_size=3, **options)


def test_overlapping_sessions_are_refused():
    m = model(
        {"start": MORNING, "slot_minutes": 60, "slots": 2, "break_minutes": 15},
        {"start": dt.datetime(2025, 5, 16, 9, 0), "slot_minutes": 60},
    )
    with pytest.raises(
        tk.ModelError, match=r"sessions 's1' \(2025-05-16 08:00 to 10:15\) and 's2' \(from 2025-05-16 09:00\) overlap"
    ):
        m.data()
    # back to back is fine, in any order of the sessions
    m = model({"start": dt.datetime(2025, 5, 16, 9, 0), "slot_minutes": 60}, {"start": MORNING, "slot_minutes": 60})
    assert m.data().sessions[1].end == dt.datetime(2025, 5, 16, 9, 0)


def test_mixed_zones_and_unknown_timezone_are_refused():
    zoned = MORNING.replace(tzinfo=dt.UTC)
    m = model({"start": MORNING, "slot_minutes": 60}, {"start": zoned + dt.timedelta(days=1), "slot_minutes": 60})
    with pytest.raises(tk.ModelError, match="some session starts have a time zone and others do not"):
        m.data()
    with pytest.raises(tk.ModelError, match="unknown timezone 'Asia/Malang'"):
        model({}, timezone="Asia/Malang").data()
    assert model({}, timezone="Asia/Jakarta").data().timezone == "Asia/Jakarta"


def test_times_round_trip_through_json_and_keep_old_digests():
    plain = model({}, {}).data()
    timed = model(
        {"start": MORNING, "slot_minutes": 60, "slots": 2, "break_minutes": 10},
        {"start": dt.datetime(2025, 5, 16, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), "slot_minutes": 45},
    )
    with pytest.raises(tk.ModelError, match="some session starts have a time zone"):
        timed.data()
    timed = model(
        {"start": MORNING, "slot_minutes": 60, "slots": 2, "break_minutes": 10},
        {"start": dt.datetime(2025, 5, 16, 13, 0), "slot_minutes": 45},
        timezone="Asia/Jakarta",
    )
    timed.add_station("A", capacity=2)
    problem = timed.data()
    data = problem_to_dict(problem)
    assert data["timezone"] == "Asia/Jakarta"
    assert data["sessions"][0]["start"] == "2025-05-16T08:00:00" and data["sessions"][0]["break_minutes"] == 10
    assert "break_minutes" not in data["sessions"][1]  # the default is not written
    again = problem_from_dict(data)
    assert again.sessions == problem.sessions and again.timezone == problem.timezone
    assert problem_digest(again) == problem_digest(problem)
    # a problem without times is written exactly as before times existed
    old = problem_to_dict(plain)
    assert "timezone" not in old and not any(k in s for s in old["sessions"] for k in ("start", "slot_minutes"))


EVENT = """\
name = "Timed"
timezone = "Asia/Jakarta"
roster = "roster.csv"

[[sessions]]
id = "am"
team_size = 3
start = 2025-05-16T08:00:00
slot_minutes = 60

[[sessions]]
id = "pm"
team_size = 3
start = "2025-05-16 13:00"
slot_minutes = 45
"""


def write(tmp_path, event: str):
    (tmp_path / "roster.csv").write_text("id,name\n" + "".join(f"p{k},P{k}\n" for k in range(6)), encoding="utf-8")
    path = tmp_path / "event.toml"
    path.write_text(textwrap.dedent(event), encoding="utf-8")
    return path


def test_event_file_reads_toml_datetimes_and_text(tmp_path):
    problem = load_event(write(tmp_path, EVENT)).problem
    assert problem.timezone == "Asia/Jakarta"
    assert problem.sessions[0].start == MORNING
    assert problem.sessions[1].start == dt.datetime(2025, 5, 16, 13, 0)
    offset = load_event(
        write(
            tmp_path,
            EVENT.replace("08:00:00\n", "08:00:00+07:00\n").replace('"2025-05-16 13:00"', "2025-05-16T13:00:00+07:00"),
        )
    )
    assert offset.problem.sessions[0].start.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("start = 2025-05-16T08:00:00", "start = 2025-05-16"),
            r"sessions\[1\] \(am, line 5\): start must be a date and time such as 2025-05-15T19:00:00, got datetime.date",
        ),
        (
            ('start = "2025-05-16 13:00"', 'start = "after lunch"'),
            r"sessions\[2\] \(pm, line 11\): start must be a date and time such as 2025-05-15T19:00:00, got 'after lunch'",
        ),
        (
            ("slot_minutes = 45", "slot_minutes = 45.5"),
            r"sessions\[2\] \(pm, line 11\): slot_minutes must be a whole number",
        ),
        (('timezone = "Asia/Jakarta"', 'timezone = "WIB"'), r"event.toml: unknown timezone 'WIB'"),
        (('timezone = "Asia/Jakarta"', "timezone = 7"), r"event.toml: timezone must be a string, got 7"),
        (
            ('start = "2025-05-16 13:00"', 'start = "2025-05-16 08:30"'),
            r"event.toml: \[\[sessions\]\]: sessions 'am' \(2025-05-16 08:00 to 09:00\) and 'pm' \(from 2025-05-16 08:30\) overlap",
        ),
        (
            ("slot_minutes = 60\n", ""),
            r"sessions\[1\] \(am, line 5\): session 'am': start is given without slot_minutes",
        ),
    ],
)
def test_event_file_time_errors_name_the_place(tmp_path, change, message):
    with pytest.raises(tk.EventFileError, match=message):
        load_event(write(tmp_path, EVENT.replace(*change)))
