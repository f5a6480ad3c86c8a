"""Shared pieces of the benchmarks: the foundation scenario, measuring, and output.

- :func:`roster_problem` builds the foundation scenario from a synthetic roster
  (``make_roster.build``): teams of 10 (the remainder makes some teams of 11), or teams
  within a size range, every categorical rule hard, the age balance soft, and with several
  sessions nobody meeting anyone twice.
- :func:`measure` runs one function in a fresh ``spawn`` subprocess and reports its wall time
  and that process's peak resident memory, so the memory of one run does not leak into the
  figure of the next.
- :func:`check_plan` and :func:`repeated_pairs` verify a plan and read its repeated meetings.
- :func:`print_table` and :func:`print_json_lines` write the results.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import make_roster  # noqa: E402  (benchmarks/make_roster.py, found through HERE)

import teamkit  # noqa: E402
from teamkit.model import ProblemData  # noqa: E402

#: Roster columns read as whole numbers; every other column is text.
INT_COLUMNS = ("age", "years_of_service")


def roster_rows(n: int, seed: int = 2025) -> list[dict[str, Any]]:
    """The generated roster, with ``age`` and ``years_of_service`` as ints, other columns as
    text and empty cells as ``None``."""
    if n < 90:
        raise ValueError(f"the roster generator needs n >= 90, got {n}")
    rows = []
    for raw in make_roster.build(n, random.Random(seed)):
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None or (isinstance(value, str) and value.strip() == ""):
                row[key] = None
            elif key in INT_COLUMNS:
                row[key] = int(value)
            else:
                row[key] = str(value)
        rows.append(row)
    return rows


def scenario_constraints(sessions: int = 1) -> list[teamkit.Constraint]:
    """The foundation scenario's rules: all hard except the age balance. With more than one
    session, also a hard ``MeetAtMost(1)``: nobody shares a team with the same person twice,
    the rule that makes planning several sessions more than planning one several times."""
    rules = [
        teamkit.Spread("unit"),
        teamkit.Balance("echelon"),
        teamkit.Balance("gender"),
        teamkit.Balance("district"),
        teamkit.Hierarchy("supervisor_id"),
        teamkit.NumericBalance("age", hard=False),
    ]
    if sessions > 1:
        rules.append(teamkit.MeetAtMost(1))
    return rules


def parse_sizes(text: str) -> tuple[int, int]:
    """``"8-10"`` -> ``(8, 10)``: a team size range ``LOW-HIGH`` with ``1 <= LOW <= HIGH``."""
    try:
        low, high = (int(part) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"a size range is LOW-HIGH, such as 8-10, got {text!r}") from None
    if not 1 <= low <= high:
        raise ValueError(f"a size range needs 1 <= LOW <= HIGH, got {text!r}")
    return low, high


def roster_problem(
    n: int, seed: int = 2025, sessions: int = 1, team_size: int = 10, sizes: tuple[int, int] | None = None
) -> ProblemData:
    """The foundation scenario on ``n`` generated people.

    ``sessions`` identical sessions ``s1`` ... ``sK`` (everyone attends each). Without
    ``sizes``: teams of ``team_size`` with ``remainder="larger"`` (so 305 people make 30 teams
    of 10 and 11). With ``sizes=(low, high)``: ``num_teams=round(n / ((low + high) / 2))``
    teams of ``low`` to ``high`` people, so the sizes may vary within the range. With more
    than one session the scenario adds a hard ``MeetAtMost(1)`` (see
    :func:`scenario_constraints`).
    """
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}")
    m = teamkit.Model(name=instance_name(n, seed, sessions, team_size, sizes))
    for row in roster_rows(n, seed):
        attributes = {k: v for k, v in row.items() if k not in ("id", "name")}
        m.add_participant(row["id"], row["name"] or "", attributes)
    for k in range(sessions):
        if sizes is None:
            m.add_session(f"s{k + 1}", team_size=team_size)
        else:
            low, high = sizes
            m.add_session(f"s{k + 1}", num_teams=round(n / ((low + high) / 2)), min_size=low, max_size=high)
    for c in scenario_constraints(sessions):
        m.add_constraint(c)
    return m.data()


def instance_name(
    n: int, seed: int, sessions: int = 1, team_size: int = 10, sizes: tuple[int, int] | None = None
) -> str:
    """A short, stable name for one generated instance: ``roster-n300-k1-t10-seed2025``, or
    ``roster-n300-k2-sizes8-10-seed2025`` with a size range."""
    teams = f"t{team_size}" if sizes is None else f"sizes{sizes[0]}-{sizes[1]}"
    return f"roster-n{n}-k{sessions}-{teams}-seed{seed}"


# -- checking ----------------------------------------------------------------------------------
def check_plan(problem: ProblemData, plan: Any, label: str) -> teamkit.CheckReport | None:
    """``teamkit.check(problem, plan)``, or ``None`` (with the error on stderr, prefixed by
    ``label``) when the checker fails, so one failed check does not end a long run."""
    try:
        return teamkit.check(problem, plan)
    except Exception as exc:  # noqa: BLE001 - reported, and the run goes on
        print(f"[{label}] teamkit.check failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return None


def repeated_pairs(report: teamkit.CheckReport | None) -> int | None:
    """The checker's count of repeated meetings, ``sum over pairs of max(0, meetings - 1)``
    (``report.meetings.repeated_pairs``); ``None`` without a report or when the checker does
    not count meetings."""
    meetings = getattr(report, "meetings", None)
    return None if meetings is None else meetings.repeated_pairs


def add_run_options(ap: argparse.ArgumentParser) -> None:
    """The options every benchmark script shares: the baseline on or off, JSON lines, and
    running in this process."""
    ap.add_argument(
        "--baseline", action=argparse.BooleanOptionalAction, default=True, help="also run the plain CP-SAT model"
    )
    ap.add_argument("--json", action="store_true", help="one JSON object per run instead of the table")
    ap.add_argument(
        "--in-process", action="store_true", help="run in this process (no subprocess; peak MiB only grows)"
    )


# -- measuring ---------------------------------------------------------------------------------
def peak_rss_mib() -> float:
    """The peak resident memory of this process so far, in MiB.

    Reads ``VmHWM`` from ``/proc/self/status`` where it exists (Linux): it belongs to the
    current program image only, so it is not inflated by the parent's pages at fork time.
    Elsewhere it falls back to ``getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux, bytes on
    macOS).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def _timed(fn: Callable[..., Any], args: tuple, setup: Callable[..., Any] | None, setup_args: tuple) -> tuple:
    if setup is not None:
        prepared = setup(*setup_args)
        args = (prepared, *args)
    started = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - started
    return result, seconds, peak_rss_mib()


def _child(conn: Any, fn: Callable[..., Any], args: tuple, setup: Any, setup_args: tuple) -> None:
    try:
        conn.send(("ok", _timed(fn, args, setup, setup_args)))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        import traceback

        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def measure(
    fn: Callable[..., Any],
    *args: Any,
    setup: Callable[..., Any] | None = None,
    setup_args: Sequence[Any] = (),
    isolate: bool = True,
    timeout: float | None = None,
) -> tuple[Any, float, float]:
    """Runs ``fn(*args)`` and returns ``(result, seconds, peak_mib)``.

    With ``setup``, ``fn(setup(*setup_args), *args)`` is run and only ``fn`` is timed (use it
    to build the problem outside the clock). With ``isolate`` (the default) everything runs
    in a fresh interpreter started with multiprocessing's ``spawn`` method, so ``peak_mib``
    is the peak of that one run (interpreter, imports and problem data included); ``fn``,
    ``setup``, their arguments and the result must then be picklable, and ``fn`` and
    ``setup`` must be module-level functions. Without ``isolate`` the peak is this process's
    high-water mark so far, which only grows from run to run.

    Raises ``RuntimeError`` with the child's traceback when the run fails or dies.
    """
    if not isolate:
        return _timed(fn, tuple(args), setup, tuple(setup_args))
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, tuple(args), setup, tuple(setup_args)), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            proc.kill()
            proc.join()
            raise RuntimeError(f"the measured run took longer than {timeout} s and was stopped")
        kind, payload = parent.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(f"the measured run died without a result (exit code {proc.exitcode})") from None
    finally:
        parent.close()
    proc.join()
    if kind != "ok":
        raise RuntimeError(f"the measured run failed: {payload}")
    return payload


# -- output ------------------------------------------------------------------------------------
def measure_run(
    label: str,
    record: dict[str, Any],
    fn: Callable[..., Any],
    *args: Any,
    setup: Callable[..., Any] | None,
    setup_args: Sequence[Any],
    in_process: bool,
    time_limit: float,
) -> tuple[Any, float, float] | None:
    """:func:`measure` as the benchmark scripts run it: in a fresh subprocess unless
    ``in_process``, stopped after ``max(900, 30 * time_limit)`` seconds. A failed run is
    reported on stderr under ``label`` and marked ``status="error"`` in ``record``; then
    ``None`` is returned."""
    try:
        return measure(
            fn,
            *args,
            setup=setup,
            setup_args=setup_args,
            isolate=not in_process,
            timeout=max(900.0, 30 * time_limit),
        )
    except RuntimeError as exc:
        print(f"[{label}] {exc}", file=sys.stderr)
        record.update(status="error")
        return None


def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return format(value, fmt)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, ...]]) -> str:
    """Plain-text table; ``columns`` are ``(key, heading)`` or ``(key, heading, float
    format)`` tuples (floats default to ``.2f``). Columns of numbers are right-aligned, others
    left-aligned; ``None`` shows as ``-``."""
    rows = list(rows)
    keys = [col[0] for col in columns]
    headings = [col[1] for col in columns]
    formats = [col[2] if len(col) > 2 else ".2f" for col in columns]
    cells = [[_cell(row.get(key), fmt) for key, fmt in zip(keys, formats)] for row in rows]
    widths = [max([len(h)] + [len(r[c]) for r in cells]) for c, h in enumerate(headings)]
    numeric = [all(_is_number(row.get(key)) or row.get(key) is None for row in rows) for key in keys]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(headings), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def print_table(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, ...]], file: TextIO | None = None
) -> None:
    """Prints :func:`format_table` to ``file`` (standard output by default)."""
    print(format_table(rows, columns), file=file or sys.stdout, flush=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def json_line(record: Mapping[str, Any]) -> str:
    """One record as one line of JSON (NaN and infinities become ``null``)."""
    return json.dumps(_jsonable(record), sort_keys=False, allow_nan=False)


def print_json_lines(records: Iterable[Mapping[str, Any]], file: TextIO | None = None) -> None:
    """Prints one JSON object per line."""
    out = file or sys.stdout
    for record in records:
        print(json_line(record), file=out, flush=True)
