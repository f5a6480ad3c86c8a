"""Calendars of a plan (iCalendar, RFC 5545, with the icalendar package): one per
participant, with an event for every slot they are in, and one for the whole event, with an
event per session.

Times come from the sessions (:attr:`~teamkit.Session.start`, ``slot_minutes``,
``break_minutes``). A start without a time zone is read in the problem's ``timezone``, and
the calendar then carries that zone's definition (VTIMEZONE), so phones show the right hour
wherever they are; without a ``timezone`` the times are "floating" (the same clock time in
every zone).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zoneinfo

import icalendar

from teamkit.exceptions import ExportError
from teamkit.export._safe import file_stem, unique_file_names
from teamkit.io.roster import csv_cell
from teamkit.model import ProblemData, Session
from teamkit.plan import Plan
from teamkit.views import agenda, rosters

PRODID = "-//teamkit//teamkit//EN"


def _zoned(moment: dt.datetime, zone: zoneinfo.ZoneInfo | None) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone) if zone is not None else moment
    if isinstance(moment.tzinfo, zoneinfo.ZoneInfo):
        return moment
    return moment.astimezone(dt.UTC)  # a bare offset has no zone name: UTC says it exactly


def _uid(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@teamkit"


def _calendar(name: str, stamp: dt.datetime) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _event(
    uid: str, stamp: dt.datetime, start: dt.datetime, end: dt.datetime, summary: str, description: str, location: str
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    return event


def _finish(cal: icalendar.Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()  # type: ignore[no-any-return]


def _timed_sessions(problem: ProblemData, plan: Plan) -> dict[str, Session]:
    sessions = {s.id: s for s in problem.sessions}
    timed = {sp.session: sessions[sp.session] for sp in plan.sessions if sessions[sp.session].start is not None}
    if not timed:
        raise ExportError(
            "no session has a start time, so there is nothing to put in a calendar: give the sessions "
            "start and slot_minutes (e.g. start = 2025-05-15T19:00:00, slot_minutes = 60)"
        )
    return timed


def calendar_files(
    problem: ProblemData, plan: Plan, *, stamp: dt.datetime | None = None, folder: str = "calendars"
) -> dict[str, bytes]:
    """``{folder/all.ics: ..., folder/<name>-<id>.ics: ..., folder/index.csv: ...}``: the
    event's calendar, one per participant who is in a team in a timed session (file names
    made safe and unique from their names and ids), and which file is whose. Sessions
    without times are left out; none with times raises
    :class:`~teamkit.exceptions.ExportError`.

    ``stamp`` is the DTSTAMP of every event (when the calendar was made; default: now, in
    UTC); give a fixed one for byte-identical files. Event UIDs depend only on the event,
    the session, the slot and the participant, so a calendar made again after a repair
    updates the same events in a calendar program.
    """
    timed = _timed_sessions(problem, plan)
    zone = zoneinfo.ZoneInfo(problem.timezone) if problem.timezone else None
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    event_name = problem.name or "Event"
    names = {p.id: p.name for p in problem.participants}
    files: dict[str, bytes] = {}

    whole = _calendar(event_name, when)
    by_session: dict[str, list[str]] = {}
    for row in rosters(problem, plan):
        if row.session not in timed:
            continue
        members = ", ".join(f"{m.name} ({m.role})" if m.role else m.name for m in row.members)
        stations = " / ".join(st or "plenary" for st in row.stations)
        by_session.setdefault(row.session, []).append(
            f"Team {row.team}: {members}" + (f" — stations: {stations}" if stations else "")
        )
    for sid, session in timed.items():
        start = _zoned(session.slot_times()[0][0], zone)
        end = _zoned(session.slot_times()[-1][1], zone)
        lines = by_session.get(sid, [])
        whole.add_component(
            _event(_uid(event_name, sid), when, start, end, f"{event_name}: {session.name}", "\n".join(lines), "")
        )
    files[f"{folder}/all.ics"] = _finish(whole)

    people: dict[str, icalendar.Calendar] = {}
    for r in agenda(problem, plan):
        session = timed.get(r.session)
        if session is None:
            continue
        cal = people.get(r.participant)
        if cal is None:
            cal = people[r.participant] = _calendar(f"{event_name} — {r.name}", when)
        start, end = session.slot_times()[(r.slot or 1) - 1]
        where = r.station or ("plenary" if r.slot is not None else "")
        slot = f", slot {r.slot}" if r.slot is not None else ""
        summary = f"{session.name}{slot}: team {r.team}" + (f" at {where}" if where else "")
        details = [f"Team {r.team}" + (f", your role: {r.role}" if r.role else "")]
        if r.teammates:
            details.append("With: " + ", ".join(names.get(m, m) for m in r.teammates))
        cal.add_component(
            _event(
                _uid(event_name, r.session, str(r.slot or 0), r.participant),
                when,
                _zoned(start, zone),
                _zoned(end, zone),
                summary,
                "\n".join(details),
                where,
            )
        )
    ids = list(people)
    file_names = unique_file_names([file_stem(f"{names[pid]}-{pid}", "participant") for pid in ids], ".ics")
    # which file is whose, for sending them out
    index = io.StringIO()
    writer = csv.writer(index, lineterminator="\r\n")
    writer.writerow(["participant_id", "name", "file"])
    for pid, name in zip(ids, file_names):
        files[f"{folder}/{name}"] = _finish(people[pid])
        writer.writerow([csv_cell(pid), csv_cell(names[pid]), name])
    files[f"{folder}/index.csv"] = index.getvalue().encode("utf-8")
    return files
