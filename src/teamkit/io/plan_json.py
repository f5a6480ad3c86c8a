"""Problems, plans and results as JSON, and writing files safely.

The conversion lives here, at the edge, in a private cattrs converter: constraint kinds are
a tagged union on their ``kind``, distance matrices become nested lists, read-only mappings
become plain objects. The model classes know nothing of JSON.

A plan file (``plan.json``, see ``docs/plan-json.md``) is::

    {"format": "teamkit-plan", "version": 1, "plan": {...}, "result": {...}, "problem": {...}}

``result`` and ``problem`` are optional. Keys that version 1 gained later (a result's
``repeats``; a team's ``roles`` and ``stations``, a session's ``staff``) are optional too:
files without them read as before, and they are written only when they say something (a
plan without roles or stations is written exactly as before), so the version stays 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import json
import math
import os
import secrets
import shutil
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Union

import attrs
import cattrs
import numpy as np
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.strategies import configure_tagged_union

from teamkit._frozen import FrozenMap
from teamkit._text import did_you_mean
from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import CONSTRAINT_KINDS, Constraint
from teamkit.exceptions import PlanFileError, TeamkitError
from teamkit.io._files import read_input_bytes
from teamkit.model import AttributeValue, Participant, ProblemData, Session
from teamkit.plan import Plan, SessionPlan, Team
from teamkit.result import Result

#: The ``format`` of a plan file.
PLAN_FORMAT = "teamkit-plan"
#: The ``version`` of the plan files this teamkit writes and reads.
PLAN_VERSION = 1

#: The ``format`` of a problem file (the whole problem as JSON).
PROBLEM_FORMAT = "teamkit-problem"
#: The ``version`` of the problem files this teamkit writes and reads.
PROBLEM_VERSION = 1

#: The keys of a problem as plain data (:func:`problem_to_dict`), in order; ``roles``,
#: ``stations`` and ``instructors`` may be absent (empty) when read.
PROBLEM_KEYS: tuple[str, ...] = (
    "name",
    "timezone",
    "participants",
    "sessions",
    "roles",
    "stations",
    "instructors",
    "constraints",
)

#: The keys of the ``result`` object of a plan file, in :class:`~teamkit.result.Result` order.
RESULT_KEYS: tuple[str, ...] = (
    "status",
    "objective",
    "breakdown",
    "bound",
    "runtime",
    "hard_violations",
    "explanation",
    "stopped_by",
    "seed",
    "repeats",
    "repeat_bound",
)


# -- the converter ------------------------------------------------------------------------------


def _strict(kind: type, check: Callable[[Any], bool], convert: Callable[[Any], Any] = lambda v: v) -> Any:
    def structure(value: Any, _: Any) -> Any:
        if not check(value):
            raise ValueError(f"expected {kind.__name__}, got {value!r}")
        return convert(value)

    return structure


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _structure_datetime(value: Any, _: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a date and time as text (e.g. '2025-05-15T19:00:00'), got {value!r}")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date and time: {value!r} (expected e.g. '2025-05-15T19:00:00')") from None


def _structure_attribute_value(value: Any, _: Any) -> AttributeValue:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise ValueError(f"an attribute value must be text, a number, a boolean or null, got {value!r}")


#: The type of the fields that select by attributes (``Role.eligible``, ``AvoidStations.who``
#: and ``.stations``): attribute -> the values allowed.
_VALUE_SETS = Mapping[str, tuple[Any, ...]]
#: The type of a station's free ``attributes``.
_ATTRIBUTE_TABLE = Mapping[str, Any]


def _structure_value_sets(value: Any, _: Any) -> dict[str, tuple[AttributeValue, ...]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of attribute -> list of values, got {value!r}")
    out = {}
    for attribute, values in value.items():
        if not isinstance(values, list) or not all(isinstance(v, (str, bool, int, float)) for v in values):
            raise ValueError(f"the values of {attribute!r} must be a list of text, numbers or booleans, got {values!r}")
        out[attribute] = tuple(values)
    return out


def _structure_attribute_table(value: Any, _: Any) -> dict[str, AttributeValue]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of attribute -> value, got {value!r}")
    return {str(k): _structure_attribute_value(v, None) for k, v in value.items()}


#: What structuring malformed data raises.
_STRUCTURE_ERRORS = (cattrs.BaseValidationError, TeamkitError, ValueError, TypeError, KeyError, AttributeError)


def _is_list_type(type_: Any) -> bool:
    """``tuple[X, ...]``: a JSON list of X."""
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _list_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], tuple[Any, ...]]]:
    """Structures ``tuple[X, ...]`` from a list only: a string is not a list of its letters."""

    def factory(type_: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        item = typing.get_args(type_)[0]

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"expected a list, got {value!r}")
            out, errors = [], []
            for k, v in enumerate(value):
                try:
                    out.append(conv.structure(v, item))
                except _STRUCTURE_ERRORS as e:  # gathered, and raised together with their indices
                    e.add_note(IterableValidationNote(f"Structuring {type_} @ index {k}", k, item))
                    errors.append(e)
            if errors:
                raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
            return tuple(out)

        return structure

    return factory


_ConstraintUnion = Union[tuple(CONSTRAINT_KINDS.values())]  # type: ignore[valid-type]  # noqa: UP007


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    # Reading is strict: a number where a name belongs is an error, not silently str()-ed.
    conv.register_structure_hook(str, _strict(str, lambda v: isinstance(v, str)))
    conv.register_structure_hook(int, _strict(int, _is_int))
    conv.register_structure_hook(float, _strict(float, _is_number, float))
    conv.register_structure_hook(bool, _strict(bool, lambda v: isinstance(v, bool)))
    conv.register_structure_hook_func(lambda t: t == AttributeValue, _structure_attribute_value)
    conv.register_structure_hook_func(lambda t: t == _VALUE_SETS, _structure_value_sets)
    conv.register_structure_hook_factory(_is_list_type, _list_hook(conv))
    conv.register_structure_hook_func(lambda t: t == _ATTRIBUTE_TABLE, _structure_attribute_table)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_unstructure_hook(np.ndarray, lambda a: a.tolist())
    conv.register_unstructure_hook(np.generic, lambda v: v.item())
    conv.register_unstructure_hook(MappingProxyType, lambda m: {k: conv.unstructure(v) for k, v in m.items()})
    conv.register_unstructure_hook(FrozenMap, lambda m: {k: conv.unstructure(v) for k, v in m.items()})

    # A team's roles and stations and a session's staff are written only when there are
    # some: a plan without them reads and writes exactly as before they existed.
    quiet = override(omit_if_default=True)
    conv.register_unstructure_hook(Team, make_dict_unstructure_fn(Team, conv, roles=quiet, stations=quiet))
    conv.register_unstructure_hook(SessionPlan, make_dict_unstructure_fn(SessionPlan, conv, staff=quiet))
    # Likewise a session's times: a problem without them is written as before.
    conv.register_unstructure_hook(
        Session, make_dict_unstructure_fn(Session, conv, start=quiet, slot_minutes=quiet, break_minutes=quiet)
    )

    configure_tagged_union(_ConstraintUnion, conv, tag_name="kind", tag_generator=lambda cls: cls.kind)

    def structure_constraint(value: Any, _: Any) -> Constraint:
        if not isinstance(value, Mapping):
            raise TypeError(f"a constraint must be an object, got {value!r}")
        if "kind" not in value:
            raise ValueError("a constraint needs a 'kind'")
        if value["kind"] not in CONSTRAINT_KINDS:
            kind = value["kind"]
            raise ValueError(
                f"unknown constraint kind {kind!r}{did_you_mean(kind, CONSTRAINT_KINDS)}; "
                f"the kinds are: {', '.join(CONSTRAINT_KINDS)}"
            )
        return conv.structure(value, _ConstraintUnion)  # type: ignore[no-any-return]

    # Exact-type hooks: a subclass (Spread) must keep its own generated hook.
    conv.register_structure_hook_func(lambda t: t is Constraint, structure_constraint)
    conv.register_unstructure_hook_func(lambda t: t is Constraint, lambda c: conv.unstructure(c, _ConstraintUnion))
    return conv


_converter = _make_converter()


def _describe_error(exc: BaseException, path: str) -> str:
    """One line for a person from a cattrs structuring error."""

    def fmt(e: BaseException, type_: Any) -> str:
        if isinstance(e, KeyError):
            return f"missing key {e.args[0]!r}" if e.args else "missing key"
        if isinstance(e, cattrs.ForbiddenExtraKeysError):
            return f"unknown keys {sorted(e.extra_fields)}"
        if isinstance(e, (TeamkitError, ValueError, TypeError)) and str(e):
            return str(e)
        return cattrs.v.format_exception(e, type_)

    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc, path=path, format_exception=fmt))
    return f"{fmt(exc, None)} @ {path}"


def _structure(value: Any, type_: Any, path: str) -> Any:
    try:
        return _converter.structure(value, type_)
    except _STRUCTURE_ERRORS as e:
        raise PlanFileError(_describe_error(e, path)) from None


# -- problems -----------------------------------------------------------------------------------


def problem_to_dict(problem: ProblemData) -> dict[str, Any]:
    """A problem as plain data (JSON-ready): the :data:`PROBLEM_KEYS` ``name``,
    ``timezone`` (only when set), ``participants``, ``sessions`` (a ``start`` as ISO 8601
    text), ``roles``, ``stations``, ``instructors`` and ``constraints`` (each with its
    ``kind``; a diversity matrix as nested lists, its rows in participant order)."""
    zone = {"timezone": problem.timezone} if problem.timezone is not None else {}
    return jsonable(  # type: ignore[no-any-return]
        {
            "name": problem.name,
            **zone,
            "participants": _converter.unstructure(problem.participants, tuple[Participant, ...]),
            "sessions": _converter.unstructure(problem.sessions, tuple[Session, ...]),
            "roles": _converter.unstructure(problem.roles, tuple[Role, ...]),
            "stations": _converter.unstructure(problem.stations, tuple[Station, ...]),
            "instructors": _converter.unstructure(problem.instructors, tuple[Instructor, ...]),
            "constraints": _converter.unstructure(problem.constraints, tuple[Constraint, ...]),
        }
    )


def problem_from_dict(data: Mapping[str, Any]) -> ProblemData:
    """The inverse of :func:`problem_to_dict`; the problem is validated as when built in code.
    ``roles``, ``stations``, ``instructors`` and ``constraints`` may be absent (none).

    Raises :class:`~teamkit.exceptions.PlanFileError` (a ``ValueError``) naming the key at
    fault when the data is malformed, and :class:`~teamkit.exceptions.ModelError` when it is
    well-formed but not a valid problem.
    """
    if not isinstance(data, Mapping):
        raise PlanFileError(f"a problem must be an object, got {type(data).__name__}")
    extra = sorted(set(data) - set(PROBLEM_KEYS))
    if extra:
        raise PlanFileError(f"unknown keys {extra} @ problem")
    for key in ("participants", "sessions"):
        if key not in data:
            raise PlanFileError(f"missing key {key!r} @ problem")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise PlanFileError(f"expected str, got {name!r} @ problem.name")
    timezone = data.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise PlanFileError(f"expected str, got {timezone!r} @ problem.timezone")
    participants = _structure(data["participants"], tuple[Participant, ...], "problem.participants")
    sessions = _structure(data["sessions"], tuple[Session, ...], "problem.sessions")
    roles = _structure(data.get("roles", []), tuple[Role, ...], "problem.roles")
    stations = _structure(data.get("stations", []), tuple[Station, ...], "problem.stations")
    instructors = _structure(data.get("instructors", []), tuple[Instructor, ...], "problem.instructors")
    constraints = _structure(data.get("constraints", []), tuple[Constraint, ...], "problem.constraints")
    return ProblemData(
        participants,
        sessions,
        constraints,
        name=name,
        roles=roles,
        stations=stations,
        instructors=instructors,
        timezone=timezone,
    )


#: Fields added to the problem after plan files first recorded its digest, with the value
#: that means "not used": left out of the digest at that value, so that a problem that does
#: not use them keeps the digest older plan files recorded.
_LATER_DEFAULTS = {
    "problem": {"roles": [], "stations": [], "instructors": []},
    "session": {"slots": 0, "plenary": []},
    "constraint": {"values": None},
}


def problem_digest(problem: ProblemData) -> str:
    """A SHA-256 of the problem's canonical JSON: equal problems have equal digests."""
    data = problem_to_dict(problem)
    for key, default in _LATER_DEFAULTS["problem"].items():
        if data.get(key, default) == default:
            data.pop(key, None)
    for part, items in (("session", data.get("sessions", [])), ("constraint", data.get("constraints", []))):
        for item in items:
            for key, default in _LATER_DEFAULTS[part].items():
                if key in item and item[key] == default:
                    del item[key]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- plans and results ----------------------------------------------------------------------------


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A plan as plain data: ``{"sessions": [{"session": id, "teams": [{"number": 1,
    "members": [ids]}, ...]}, ...]}``. A team also has ``"roles": {role: [ids]}`` and
    ``"stations": [station or None per slot]``, and a session ``"staff": [{"slot": 1,
    "station": name, "instructor": id}, ...]``, when they are not empty."""
    return jsonable(_converter.unstructure(plan, Plan))  # type: ignore[no-any-return]


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """The inverse of :func:`plan_to_dict`. Raises :class:`~teamkit.exceptions.PlanFileError`
    naming the key at fault."""
    return _structure(data, Plan, "plan")  # type: ignore[no-any-return]


def result_to_dict(result: Result) -> dict[str, Any]:
    """A result without its plan, as plain data: the :data:`RESULT_KEYS`; ``status`` as its
    value (``"optimal"``...), ``explanation`` as a list of lines."""
    return {
        "status": result.status.value,
        "objective": _number_or_none(result.objective),
        "breakdown": {str(k): _number_or_none(v) for k, v in result.breakdown.items()},
        "bound": _number_or_none(result.bound),
        "runtime": _number_or_none(result.runtime),
        "hard_violations": _number_or_none(result.hard_violations),
        "explanation": [str(line) for line in result.explanation],
        "stopped_by": str(result.stopped_by),
        "seed": int(result.seed),
        "repeats": None if result.repeats is None else int(result.repeats),
        "repeat_bound": None if result.repeat_bound is None else int(result.repeat_bound),
    }


def _number_or_none(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value  # type: ignore[no-any-return]


def jsonable(value: Any) -> Any:
    """Plain JSON data from anything the converter or a report gives (NumPy scalars, tuples,
    read-only mappings); non-finite floats become ``None`` since JSON has no NaN."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if attrs.has(type(value)):
        return jsonable(_converter.unstructure(value))
    return str(value)


def dumps(data: Any) -> str:
    """Deterministic JSON: keys sorted, ``indent=2``, floats as Python's ``repr``, a final
    newline. Equal data gives byte-identical text."""
    return json.dumps(jsonable(data), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def plan_document(plan: Plan, *, problem: ProblemData | None = None, result: Result | None = None) -> dict[str, Any]:
    """The content of a plan file (see :func:`write_plan`) as plain data."""
    doc: dict[str, Any] = {"format": PLAN_FORMAT, "version": PLAN_VERSION, "plan": plan_to_dict(plan)}
    if problem is not None:
        doc["problem"] = {
            "name": problem.name,
            "participants": problem.num_participants,
            "sessions": [s.id for s in problem.sessions],
            "sha256": problem_digest(problem),
        }
        # named when the problem has some, so that a problem without them is recorded as before
        for key, names in (
            ("roles", [r.name for r in problem.roles]),
            ("stations", [s.name for s in problem.stations]),
            ("instructors", [i.id for i in problem.instructors]),
        ):
            if names:
                doc["problem"][key] = names
    if result is not None:
        # Without the runtime, which differs from run to run: the same solve (problem, seed
        # and options) writes the same file, byte for byte.
        doc["result"] = {k: v for k, v in result_to_dict(result).items() if k != "runtime"}
    return doc


def write_plan(
    path: str | os.PathLike[str], plan: Plan, *, problem: ProblemData | None = None, result: Result | None = None
) -> None:
    """Writes ``plan`` to a plan file, atomically.

    With ``problem``, the plan is first checked to fit it (same sessions, known participants,
    nobody in two teams; else :class:`~teamkit.exceptions.PlanFileError`) and the file
    records the problem's name, size and digest. With ``result``, it records the solve's
    outcome (:func:`result_to_dict`). The output is deterministic: equal arguments give
    byte-identical files.
    """
    if problem is not None:
        plan.to_assignment(problem)
    atomic_write_text(path, dumps(plan_document(plan, problem=problem, result=result)))


def problem_document(problem: ProblemData) -> dict[str, Any]:
    """The content of a problem file: ``{"format": "teamkit-problem", "version": 1,
    "problem": {...}}`` with the whole problem (:func:`problem_to_dict`)."""
    return {"format": PROBLEM_FORMAT, "version": PROBLEM_VERSION, "problem": problem_to_dict(problem)}


def read_problem(path: str | os.PathLike[str]) -> ProblemData:
    """Reads a problem file written from :func:`problem_document` (``problem.json``); the
    problem is validated as when built in code.

    Raises :class:`~teamkit.exceptions.PlanFileError` naming the file (and the line and
    column of a JSON syntax error, or the key at fault), or
    :class:`~teamkit.exceptions.ModelError` when the data is well-formed but not a valid
    problem.
    """
    source = os.fspath(path)
    doc = _read_json_object(path, "problem file", "the problem")
    _check_document(doc, source, "problem", PROBLEM_FORMAT, PROBLEM_VERSION, ("problem",))
    try:
        return problem_from_dict(doc["problem"])
    except TeamkitError as e:
        raise type(e)(f"{source}: {e}") from None


def _check_document(
    doc: Mapping[str, Any], source: str, kind: str, format_: str, version: int, keys: Sequence[str]
) -> None:
    """The ``format`` and ``version`` of a plan or problem file, its top-level ``keys`` (the
    first one required), each refused with the file named."""
    if doc.get("format") != format_:
        found = f"format is {doc['format']!r}" if "format" in doc else "no 'format' key"
        raise PlanFileError(f"{source}: not a teamkit {kind} file ({found}, expected {format_!r})")
    if doc.get("version") != version:
        raise PlanFileError(
            f"{source}: unsupported {kind} file version {doc.get('version')!r} (this teamkit reads version {version})"
        )
    extra = sorted(set(doc) - {"format", "version", *keys})
    if extra:
        raise PlanFileError(f"{source}: unknown top-level keys {extra}")
    if keys[0] not in doc:
        raise PlanFileError(f"{source}: missing key {keys[0]!r}")


def _read_json_object(path: str | os.PathLike[str], noun: str, what: str) -> dict[str, Any]:
    source = os.fspath(path)
    data = read_input_bytes(path, PlanFileError, noun, what)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PlanFileError(f"{source}: not UTF-8 text (at byte offset {e.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise PlanFileError(f"{source}: line {e.lineno}, column {e.colno}: not valid JSON: {e.msg}") from None
    if not isinstance(doc, dict):
        raise PlanFileError(f"{source}: not a teamkit {noun} (expected a JSON object, got {type(doc).__name__})")
    return doc


@attrs.frozen
class PlanDocument:
    """A plan file as read: the plan, and the optional ``result`` and ``problem`` objects as
    plain data."""

    plan: Plan
    result: Mapping[str, Any] | None = None
    problem: Mapping[str, Any] | None = None


def read_plan_document(path: str | os.PathLike[str]) -> PlanDocument:
    """Reads a whole plan file. Raises :class:`~teamkit.exceptions.PlanFileError` naming the
    file (and the line and column of a JSON syntax error, or the key at fault)."""
    source = os.fspath(path)
    doc = _read_json_object(path, "plan file", "the plan")
    _check_document(doc, source, "plan", PLAN_FORMAT, PLAN_VERSION, ("plan", "result", "problem"))
    try:
        plan = plan_from_dict(doc["plan"])
    except PlanFileError as e:
        raise PlanFileError(f"{source}: {e}") from None
    for key in ("result", "problem"):
        if key in doc and not isinstance(doc[key], dict):
            raise PlanFileError(f"{source}: {key!r} must be an object")
    result = doc.get("result")
    if result is not None:
        # repeats and repeat_bound came later in version 1, and the runtime is no longer
        # written (see plan_document): files with or without them read
        missing = [k for k in RESULT_KEYS if k not in result and k not in ("runtime", "repeats", "repeat_bound")]
        if missing:
            raise PlanFileError(f"{source}: result: missing keys {missing}")
    return PlanDocument(plan=plan, result=result, problem=doc.get("problem"))


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Reads the plan of a plan file written by :func:`write_plan`.

    Raises :class:`~teamkit.exceptions.PlanFileError` naming the file: missing file, invalid
    JSON (with line and column), another format or version, missing or unknown keys.
    """
    return read_plan_document(path).plan


# -- safe writing ---------------------------------------------------------------------------------


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Writes ``text`` to ``path`` so that readers see the old file or the new one, never a
    half-written one: the text goes to a temporary file in the same folder, which then
    replaces ``path`` (``os.replace``). Line endings are written as given."""
    target = Path(path)
    temp = _temp_name(target)
    try:
        with open(temp, "x", encoding=encoding, newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _some_paths(paths: Sequence[Path], shown: int = 5) -> str:
    """The first ``shown`` paths, then how many more (an export writes hundreds)."""
    names = ", ".join(map(str, paths[:shown]))
    return names if len(paths) <= shown else f"{names} and {len(paths) - shown} more"


def existing_outputs(directory: str | os.PathLike[str], names: Sequence[str]) -> list[Path]:
    """The files among ``directory/name`` that exist already."""
    folder = Path(directory)
    return [folder / name for name in names if os.path.lexists(folder / name)]


def _relative_file(name: str) -> Path:
    """``name`` as a path inside an output folder: plain parts joined by ``/``, no ``..``."""
    parts = name.split("/")
    if not name or any(not part or part in (".", "..") or Path(part).name != part or "\\" in part for part in parts):
        raise ValueError(f"not a plain file name: {name!r}")
    return Path(*parts)


def write_files(
    directory: str | os.PathLike[str], files: Mapping[str, str | bytes], *, force: bool = False
) -> list[Path]:
    """Writes several files (``{file name: text or bytes}``) into ``directory``, all or
    nothing. A name may hold sub-folders (``"calendars/all.ics"``) but no ``..``; text is
    written as UTF-8 with its line endings as given.

    The files are written into a temporary folder beside ``directory`` and then moved in;
    when ``directory`` does not exist, the temporary folder is renamed to it, so all files
    appear at once. Without ``force`` an existing file is never replaced: the call raises
    :class:`FileExistsError` before writing anything. Returns the paths written.
    """
    target = Path(directory)
    names = list(files)
    relative = [_relative_file(name) for name in names]
    for folder in (target, *target.parents):  # the folder, or one it would be made in, is a file
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(f"{folder} exists and is not a folder")
            break
    if not force:
        clash = existing_outputs(target, [os.fspath(r) for r in relative])
        if clash:
            raise FileExistsError(
                f"{_some_paths(clash)} already exist{'s' if len(clash) == 1 else ''}; "
                "nothing was written (use --force to overwrite)"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _temp_name(target)
    os.mkdir(staging)
    try:
        for rel, content in zip(relative, files.values()):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            with open(staging / rel, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        if not target.exists():
            try:
                os.rename(staging, target)
                return [target / rel for rel in relative]
            except OSError:
                target.mkdir(exist_ok=True)  # created meanwhile: move the files one by one
        if not force:
            clash = existing_outputs(target, [os.fspath(r) for r in relative])
            if clash:
                raise FileExistsError(
                    f"{_some_paths(clash)} appeared while writing; nothing was written (use --force to overwrite)"
                )
        for rel in relative:
            if (target / rel).is_dir():
                raise IsADirectoryError(f"{target / rel} is a folder; nothing more was written")
        for rel in relative:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target / rel)
        return [target / rel for rel in relative]
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
