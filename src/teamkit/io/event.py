"""Event files: a whole problem (roster, sessions, roles, stations, instructors,
constraints) and solver options in TOML.

See ``docs/event-file.md`` for the format. The keys of ``[[sessions]]``, ``[[roles]]``,
``[[stations]]``, ``[[instructors]]`` and ``[[constraints]]`` are the fields of
:class:`~teamkit.model.Session`, :class:`~teamkit.activities.Role`,
:class:`~teamkit.activities.Station`, :class:`~teamkit.activities.Instructor` and of the
constraint classes, read from the classes themselves (``attrs.fields``), so a new field is a
new key without a change here. Reading is data only: nothing in the file is evaluated, and
the only files opened are those it names (the roster and distance files, relative to the
event file).
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Union

import attrs

from teamkit._text import did_you_mean
from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import CONSTRAINT_KINDS, Constraint, Diversity
from teamkit.exceptions import EventFileError, ModelError
from teamkit.io._files import read_input_bytes
from teamkit.io.roster import ColumnType, read_csv_rows, read_roster
from teamkit.model import Participant, ProblemData, Session, check_session_times


def _positive(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen
class SolverOptions:
    """How to run the solver: a time limit in seconds, a random seed (same seed, same plan)
    and the number of parallel workers. Passed to :func:`teamkit.solve`."""

    time_limit: float = attrs.field(default=10.0, validator=_positive)
    seed: int = 0
    workers: int = attrs.field(default=1, validator=_positive)


@attrs.frozen
class RepairOptions:
    """The ``[repair]`` table, for :func:`teamkit.repair` and ``teamkit repair``: the ids of
    the sessions already held (copied from the old plan as they happened), and what keeping
    one person's place is worth (see :func:`teamkit.repair`)."""

    held: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    stability: float = attrs.field(default=100.0, validator=_positive)


@attrs.frozen
class RosterSpec:
    """The ``[roster]`` table: which file, and how to read it (see :func:`read_roster`)."""

    file: str
    id_column: str = "id"
    name_column: str = "name"
    types: Mapping[str, ColumnType] | None = None


@attrs.frozen
class Availability:
    """An ``[[availability]]`` table: when one participant attends. ``absent`` lists
    sessions they miss; ``arrives`` is the first session they attend (absent before it);
    ``leaves`` the last (absent after it)."""

    participant: str
    absent: tuple[str, ...] = ()
    arrives: str | None = None
    leaves: str | None = None


@attrs.frozen
class Event:
    """An event file, loaded: the validated problem and the solver options.

    Attributes:
        problem: the participants, sessions and constraints.
        solver: the ``[solver]`` options.
        repair: the ``[repair]`` options.
        path: the event file.
        name: the event's ``name``, by default the file name without its extension.
    """

    problem: ProblemData
    solver: SolverOptions = SolverOptions()
    path: Path | None = None
    repair: RepairOptions = RepairOptions()
    name: str = ""


#: The top-level keys and tables of an event file.
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "name",
    "timezone",
    "roster",
    "solver",
    "repair",
    "sessions",
    "availability",
    "roles",
    "stations",
    "instructors",
    "constraints",
)

#: Extra keys of a diversity constraint that are not fields of :class:`Diversity`.
DIVERSITY_FILE_KEY = "distances_file"


#: The type of a field that selects by attributes (``Role.eligible``, ``AvoidStations.who``):
#: attribute -> a value or an array of values.
_VALUE_SETS = Mapping[str, tuple[Any, ...]]
#: The type of a field of free attributes (``Station.attributes``): attribute -> a value.
_ATTRIBUTE_TABLE = Mapping[str, Any]


class _Mismatch(Exception):
    pass


def _is_scalar(value: Any) -> bool:
    """A string, a boolean, a whole number or a finite number: what an attribute holds."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (str, int, bool))


def _coerce(value: Any, hint: Any) -> Any:
    """``value`` checked against the type ``hint`` (converted where TOML differs: an array
    becomes a tuple, a whole number where a float is expected a float); raises _Mismatch."""
    if hint is Any:
        return value
    if hint == _VALUE_SETS:
        if not isinstance(value, dict):
            raise _Mismatch
        sets = {}
        for key, values in value.items():
            items = values if isinstance(values, list) else [values]
            if not all(_is_scalar(v) for v in items):
                raise _Mismatch
            sets[key] = tuple(items)
        return sets
    if hint == _ATTRIBUTE_TABLE:
        if not isinstance(value, dict) or not all(_is_scalar(v) for v in value.values()):
            raise _Mismatch
        return dict(value)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        for arm in args:
            if arm is type(None):
                continue
            try:
                return _coerce(value, arm)
            except _Mismatch:
                pass
        raise _Mismatch
    if origin is Literal:
        if isinstance(value, str) and value in args:
            return value
        raise _Mismatch
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise _Mismatch
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Mismatch
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch
    if hint is str:
        if isinstance(value, str):
            return value
        raise _Mismatch
    if hint is dt.datetime:
        # a TOML date-time (1979-05-27T07:32:00, with or without an offset), or the same as text
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                raise _Mismatch from None
        raise _Mismatch
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            if isinstance(value, str) and args[0] is str:
                return (value,)  # `sessions = "d1"` for `sessions = ["d1"]`
            if not isinstance(value, list):
                raise _Mismatch
            return tuple(_coerce(v, args[0]) for v in value)
        if not isinstance(value, list) or len(value) != len(args):
            raise _Mismatch
        return tuple(_coerce(v, a) for v, a in zip(value, args, strict=True))
    if origin in (collections.abc.Mapping, dict):
        if not isinstance(value, dict):
            raise _Mismatch
        key_type, value_type = args or (Any, Any)
        return {_coerce(k, key_type): _coerce(v, value_type) for k, v in value.items()}
    return value


def _describe(hint: Any, plural: bool = False) -> str:
    """The type ``hint`` in words, e.g. "a whole number" or "an array of strings"."""
    if hint == _VALUE_SETS:
        return ("tables" if plural else "a table") + " whose values are strings, numbers or booleans, or arrays of them"
    if hint == _ATTRIBUTE_TABLE:
        return ("tables" if plural else "a table") + " whose values are strings, numbers or booleans"
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        arms = [a for a in args if a is not type(None)]
        return " or ".join(_describe(a, plural) for a in arms)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    simple = {
        bool: ("true or false", "booleans"),
        int: ("a whole number", "whole numbers"),
        float: ("a number", "numbers"),
        str: ("a string", "strings"),
        dt.datetime: ("a date and time such as 2025-05-15T19:00:00", "dates and times"),
    }
    if hint in simple:
        return simple[hint][1 if plural else 0]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return ("arrays" if plural else "an array") + " of " + _describe(args[0], plural=True)
        if len(set(args)) == 1:
            inner = _describe(args[0], plural=True)
        else:
            inner = "values (" + ", ".join(_describe(a) for a in args) + ")"
        return f"{'arrays' if plural else 'an array'} of {len(args)} {inner}"
    if origin in (collections.abc.Mapping, dict):
        inner = f" whose values are {_describe(args[1], plural=True)}" if len(args) == 2 and args[1] is not Any else ""
        return ("tables" if plural else "a table") + inner
    return "values" if plural else "a value"


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _table_lines(text: str, name: str) -> list[int]:
    """The line numbers of the ``[[name]]`` headers, in order."""
    pattern = re.compile(r"^\s*\[\[\s*" + re.escape(name) + r"\s*\]\]")
    return [k for k, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


class _Loader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.source = os.fspath(path)
        self.text = text
        self.folder = path.parent

    def fail(self, where: str, message: str) -> EventFileError:
        prefix = f"{self.source}: {where}: " if where else f"{self.source}: "
        return EventFileError(prefix + message)

    # -- generic table -> attrs class -------------------------------------------------------
    def build(
        self, cls: type, table: Mapping[str, Any], where: str, *, skip: Iterable[str] = (), extra: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Checks ``table`` against the init fields of ``cls`` and returns the keyword
        arguments; keys in ``skip`` are left out silently, keys in ``extra`` are allowed."""
        hints = typing.get_type_hints(cls)
        fields = {f.alias: f for f in attrs.fields(cls) if f.init}
        allowed = [*fields, *skip, *extra]
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            if key in skip or key in extra:
                continue
            if key not in fields:
                raise self.fail(
                    where, f"unknown key {key!r}{did_you_mean(key, allowed)}; the keys are: {', '.join(allowed)}"
                )
            hint = hints.get(fields[key].name, Any)
            try:
                kwargs[key] = _coerce(value, hint)
            except _Mismatch:
                raise self.fail(
                    where, f"{key} must be {_describe(hint)}, got {value!r} ({_toml_type(value)})"
                ) from None
        for alias, field in fields.items():
            if field.default is attrs.NOTHING and alias not in kwargs:
                raise self.fail(where, f"missing key {alias!r}")
        return kwargs

    def make(self, cls: type, kwargs: Mapping[str, Any], where: str) -> Any:
        try:
            return cls(**kwargs)
        except (ModelError, ValueError, TypeError) as e:
            raise self.fail(where, str(e)) from None

    def table(self, doc: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail("", f"{key!r} must be a table [{key}], got {value!r} ({_toml_type(value)})")
        return value

    def tables(self, doc: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any], int | None]]:
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail("", f"{key!r} must be an array of tables ([[{key}]]), got {_toml_type(value)}")
        lines = _table_lines(self.text, key)
        out = []
        for k, table in enumerate(value, start=1):
            out.append((f"{key}[{k}]", table, lines[k - 1] if len(lines) == len(value) else None))
        return out

    # -- the parts ----------------------------------------------------------------------------
    def load(self) -> Event:
        try:
            doc = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            raise self.fail("", f"not valid TOML: {e}") from None
        for key, value in doc.items():
            if key not in TOP_LEVEL_KEYS:
                if isinstance(value, dict):
                    what = f"table [{key}]"
                elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                    what = f"table [[{key}]]"
                else:
                    what = f"key {key!r}"
                raise self.fail(
                    "",
                    f"unknown top-level {what}{did_you_mean(key, TOP_LEVEL_KEYS)}; "
                    f"an event file has: {', '.join(TOP_LEVEL_KEYS)}",
                )
        name = doc.get("name", self.path.stem)
        if not isinstance(name, str):
            raise self.fail("", f"name must be a string, got {name!r} ({_toml_type(name)})")
        solver = self.solver(doc)
        participants = self.roster(doc)
        sessions = self.sessions(doc, participants)
        sessions = self.availability(doc, participants, sessions)
        # what no single session shows: duplicate ids, kept teams, nobody left by availability
        teams_only = tuple(_teams_only(s) for s in sessions)
        self.check("", ProblemData, participants, teams_only)
        roles = self.roles(doc, participants, teams_only)
        stations = self.stations(doc, participants, sessions)
        # sessions with station slots need stations; instructors need the stations they name
        base = self.check("", ProblemData, participants, sessions, roles=roles, stations=stations)
        instructors = self.instructors(doc, base)
        base = base.replace(instructors=instructors)
        constraints = self.constraints(doc, base)
        timezone = doc.get("timezone")
        if timezone is not None and not isinstance(timezone, str):
            raise self.fail("", f"timezone must be a string, got {timezone!r} ({_toml_type(timezone)})")
        problem = self.check("", base.replace, constraints=[c for _, c in constraints], name=name, timezone=timezone)
        repair = self.repair(doc, problem)
        return Event(problem=problem, solver=solver, path=self.path, name=name, repair=repair)

    def check(self, where: str, build: Callable[..., ProblemData], *args: Any, **kwargs: Any) -> ProblemData:
        """``build(*args, **kwargs)``, with the :class:`ModelError` it raises turned into an
        error at ``where``."""
        try:
            return build(*args, **kwargs)
        except (ModelError, ValueError) as e:
            raise self.fail(where, str(e)) from None

    def solver(self, doc: Mapping[str, Any]) -> SolverOptions:
        table = self.table(doc, "solver")
        if table is None:
            return SolverOptions()
        return self.make(SolverOptions, self.build(SolverOptions, table, "[solver]"), "[solver]")  # type: ignore[no-any-return]

    def repair(self, doc: Mapping[str, Any], problem: ProblemData) -> RepairOptions:
        table = self.table(doc, "repair")
        if table is None:
            return RepairOptions()
        held = table.get("held", [])
        if not isinstance(held, list) or not all(isinstance(sid, str) for sid in held):
            raise self.fail("[repair]", f"held must be a list of session ids, got {held!r} ({_toml_type(held)})")
        options: RepairOptions = self.make(RepairOptions, self.build(RepairOptions, table, "[repair]"), "[repair]")
        known = [s.id for s in problem.sessions]
        for sid in options.held:
            if sid not in known:
                raise self.fail("[repair]", f"held: {sid!r} is not a session{did_you_mean(sid, known)}")
        return options

    def roster(self, doc: Mapping[str, Any]) -> tuple[Participant, ...]:
        value = doc.get("roster")
        if value is None:
            raise self.fail("", 'missing [roster]: name the roster file, e.g. roster = "roster.csv"')
        if isinstance(value, str):
            value = {"file": value}
        elif not isinstance(value, dict):
            raise self.fail("", f"roster must be a file name or a table [roster], got {value!r} ({_toml_type(value)})")
        spec: RosterSpec = self.make(RosterSpec, self.build(RosterSpec, value, "[roster]"), "[roster]")
        path = self.resolve(spec.file, "[roster]", "file")
        return read_roster(path, id_column=spec.id_column, name_column=spec.name_column, types=spec.types)

    def resolve(self, name: str, where: str, key: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            what = "is not a file" if path.exists() else "not found"
            raise self.fail(where, f"{key} {name!r} {what} (looked for {path.resolve()})")
        return path

    def sessions(self, doc: Mapping[str, Any], participants: tuple[Participant, ...]) -> tuple[Session, ...]:
        if "sessions" not in doc:
            raise self.fail("", "no [[sessions]]: add at least one session")
        sessions = []
        for where, table, line in self.tables(doc, "sessions"):
            sid = table.get("id")
            where = self.where(where, sid if isinstance(sid, str) else None, line)
            session = self.make(Session, self.build(Session, table, where), where)
            # the checks that need the roster: absent ids, sizes that add up
            self.check(where, ProblemData, participants, (attrs.evolve(_teams_only(session), keep_teams=False),))
            sessions.append(session)
        if not sessions:
            raise self.fail("", "no [[sessions]]: add at least one session")
        self.check("[[sessions]]", check_session_times, sessions)
        return tuple(sessions)

    def availability(
        self, doc: Mapping[str, Any], participants: tuple[Participant, ...], sessions: tuple[Session, ...]
    ) -> tuple[Session, ...]:
        """Applies the ``[[availability]]`` tables to the sessions' ``absent`` lists."""
        ids = {p.id for p in participants}
        order = [s.id for s in sessions]
        absent: dict[str, list[str]] = {s.id: list(s.absent) for s in sessions}
        for where, table, line in self.tables(doc, "availability"):
            pid = table.get("participant")
            where = self.where(where, pid if isinstance(pid, str) else None, line)
            entry: Availability = self.make(Availability, self.build(Availability, table, where), where)
            if entry.participant not in ids:
                raise self.fail(
                    where, f"unknown participant {entry.participant!r}{did_you_mean(entry.participant, ids)}"
                )
            missed: list[str] = []
            for key, sid in [("absent", s) for s in entry.absent] + [
                ("arrives", entry.arrives),
                ("leaves", entry.leaves),
            ]:
                if sid is None:
                    continue
                if sid not in order:
                    raise self.fail(
                        where, f"{key}: unknown session {sid!r}{did_you_mean(sid, order)}; sessions are {order}"
                    )
                k = order.index(sid)
                missed += [sid] if key == "absent" else order[:k] if key == "arrives" else order[k + 1 :]
            for sid in missed:
                if entry.participant not in absent[sid]:
                    absent[sid].append(entry.participant)
        return tuple(attrs.evolve(s, absent=tuple(absent[s.id])) for s in sessions)

    @staticmethod
    def where(where: str, label: str | None, line: int | None) -> str:
        details = [d for d in (label, f"line {line}" if line else None) if d]
        return f"{where} ({', '.join(details)})" if details else where

    def entries(self, doc: Mapping[str, Any], key: str, cls: type, label: str) -> list[tuple[str, Any]]:
        """The ``[[key]]`` tables as instances of ``cls``, each with its place in the file
        (named by its ``label`` key)."""
        out = []
        for where, table, line in self.tables(doc, key):
            name = table.get(label)
            where = self.where(where, name if isinstance(name, str) else None, line)
            out.append((where, self.make(cls, self.build(cls, table, where), where)))
        return out

    def roles(
        self, doc: Mapping[str, Any], participants: tuple[Participant, ...], sessions: tuple[Session, ...]
    ) -> tuple[Role, ...]:
        """The ``[[roles]]``, each checked with those before it (a duplicate name, or too many
        seats for the smallest team, is the fault of the role that adds it)."""
        roles: list[Role] = []
        for where, role in self.entries(doc, "roles", Role, "name"):
            self.check(where, ProblemData, participants, sessions, roles=(*roles, role))
            roles.append(role)
        return tuple(roles)

    def stations(
        self, doc: Mapping[str, Any], participants: tuple[Participant, ...], sessions: tuple[Session, ...]
    ) -> tuple[Station, ...]:
        """The ``[[stations]]``, each checked against the sessions and those before it."""
        stations: list[Station] = []
        for where, station in self.entries(doc, "stations", Station, "name"):
            self.check(where, ProblemData, participants, sessions, stations=(*stations, station))
            stations.append(station)
        return tuple(stations)

    def instructors(self, doc: Mapping[str, Any], base: ProblemData) -> tuple[Instructor, ...]:
        """The ``[[instructors]]``, each checked against the sessions, the stations and those
        before it."""
        instructors: list[Instructor] = []
        for where, instructor in self.entries(doc, "instructors", Instructor, "id"):
            self.check(where, base.replace, instructors=(*instructors, instructor))
            instructors.append(instructor)
        return tuple(instructors)

    def constraints(self, doc: Mapping[str, Any], base: ProblemData) -> list[tuple[str, Constraint]]:
        out = []
        for where, table, line in self.tables(doc, "constraints"):
            kind = table.get("kind")
            if kind is None:
                raise self.fail(
                    self.where(where, None, line), f"missing key 'kind'; the kinds are: {', '.join(CONSTRAINT_KINDS)}"
                )
            if not isinstance(kind, str) or kind not in CONSTRAINT_KINDS:
                raise self.fail(
                    self.where(where, None, line),
                    f"unknown kind {kind!r}{did_you_mean(str(kind), CONSTRAINT_KINDS)}; "
                    f"the kinds are: {', '.join(CONSTRAINT_KINDS)}",
                )
            where = self.where(where, kind, line)
            cls = CONSTRAINT_KINDS[kind]
            extra = (DIVERSITY_FILE_KEY,) if cls is Diversity else ()
            kwargs = self.build(cls, table, where, skip=("kind",), extra=extra)
            if DIVERSITY_FILE_KEY in table:
                if "distances" in kwargs:
                    raise self.fail(where, f"give distances or {DIVERSITY_FILE_KEY}, not both")
                kwargs["distances"] = self.distances(table[DIVERSITY_FILE_KEY], where, base)
            constraint = self.make(cls, kwargs, where)
            # the checks that need the roster, the sessions, roles, stations and instructors
            self.check(where, base.replace, constraints=(constraint,))
            out.append((where, constraint))
        return out

    def distances(self, name: Any, where: str, base: ProblemData) -> dict[tuple[str, str], float]:
        """The ``a,b,distance`` rows of a distances file as ``{(a, b): distance}``."""
        if not isinstance(name, str):
            raise self.fail(where, f"{DIVERSITY_FILE_KEY} must be a string, got {name!r} ({_toml_type(name)})")
        path = self.resolve(name, where, DIVERSITY_FILE_KEY)
        source = os.fspath(path)

        def fail(message: str) -> EventFileError:
            return self.fail(where, f"{source}: {message}")

        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise fail(f"not UTF-8 text (at byte offset {e.start})") from None
        try:
            rows = read_csv_rows(text, source, error=EventFileError)
        except EventFileError as e:
            raise self.fail(where, str(e)) from None
        if not rows:
            raise fail("the file is empty; expected the columns a,b,distance")
        header_line, header = rows[0]
        columns = [c.strip() for c in header]
        expected = ["a", "b", "distance"]
        for column in columns:
            if column not in expected:
                raise fail(
                    f"line {header_line}: unknown column {column!r}{did_you_mean(column, expected)}; expected a,b,distance"
                )
        for column in expected:
            if column not in columns:
                raise fail(f"line {header_line}: no {column!r} column; expected a,b,distance")
        ia, ib, idist = (columns.index(c) for c in expected)
        pairs: dict[tuple[str, str], float] = {}
        seen: dict[frozenset[str], int] = {}
        for line, row in rows[1:]:
            if len(row) != len(columns):
                raise fail(f"line {line} has {len(row)} fields, the header has {len(columns)}")
            a, b, d = row[ia].strip(), row[ib].strip(), row[idist].strip()
            for pid in (a, b):
                if not base.has_participant(pid):
                    ids = [p.id for p in base.participants]
                    raise fail(f"line {line}: unknown participant {pid!r}{did_you_mean(pid, ids)}")
            if a == b:
                raise fail(f"line {line}: {a!r} is paired with themself")
            try:
                value = float(d)
            except ValueError:
                raise fail(f"line {line}: distance {d!r} is not a number") from None
            if not math.isfinite(value):
                raise fail(f"line {line}: distance {d!r} is not a finite number")
            key = frozenset((a, b))
            if key in seen:
                raise fail(f"line {line}: the pair {a!r}, {b!r} is already on line {seen[key]}")
            seen[key] = line
            pairs[(a, b)] = value
        return pairs


def _teams_only(session: Session) -> Session:
    """The session as far as its teams go: without slots, so that it needs no stations."""
    return attrs.evolve(session, slots=0, plenary=())


def load_event(path: str | os.PathLike[str]) -> Event:
    """Reads an event file (TOML; see ``docs/event-file.md``) and its roster.

    Raises :class:`~teamkit.exceptions.EventFileError` naming the file and the table or key
    at fault (and the line, where TOML tells it), including for problems the model rejects
    (sizes that cannot add up, an unknown attribute); errors in the roster file itself raise
    :class:`~teamkit.exceptions.RosterError` naming the roster file and line.
    """
    event_path = Path(path)
    source = os.fspath(path)
    data = read_input_bytes(event_path, EventFileError, "event file", "the event file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise EventFileError(f"{source}: line {line}: not UTF-8 text (at byte offset {e.start})") from None
    return _Loader(event_path, text.removeprefix("\ufeff")).load()


__all__ = ["Event", "RosterSpec", "SolverOptions", "load_event"]
