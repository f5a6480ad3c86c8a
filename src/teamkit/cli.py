"""The ``teamkit`` command: ``teamkit solve``, ``check``, ``diff``, ``repair``, ``export`` and
``report`` (see ``docs/cli.md``).

Exit codes: 0 a feasible plan; 1 no feasible plan (or hard violations found); 2 bad input;
3 refused to overwrite an existing file; 4 an internal error (a bug in teamkit).
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import attrs
import click

from teamkit.exceptions import PlanFileError, SolverError, TeamkitError
from teamkit.io.event import Event, load_event
from teamkit.io.plan_json import (
    dumps,
    existing_outputs,
    jsonable,
    plan_document,
    problem_digest,
    problem_document,
    read_plan_document,
    read_problem,
    result_to_dict,
    write_files,
)
from teamkit.io.roster import teams_csv_text

EXIT_OK = 0
EXIT_NOT_FEASIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_EXISTS = 3
EXIT_INTERNAL = 4
#: A second Ctrl-C during a solve or repair (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

PLAN_FILE = "plan.json"
TEAMS_FILE = "teams.csv"
#: The whole problem a plan was made for, beside it, so that ``teamkit export`` and
#: ``teamkit report`` need only the plan file.
PROBLEM_FILE = "problem.json"


def _engine(module: str) -> Any:
    # Looked up at call time (and by module, since ``teamkit.solve`` the attribute is the
    # function), so the engine and checker load only for the commands that use them.
    return importlib.import_module(f"teamkit.{module}")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)


@contextmanager
def _input_errors() -> Iterator[None]:
    """Errors in what the user gave (event, roster, plan files) end with exit code 2 and a
    one-line message, never a traceback."""
    try:
        yield
    except SolverError as e:
        _fail(f"internal error (a bug in teamkit, please report it): {e}", EXIT_INTERNAL)
    except TeamkitError as e:
        _fail(str(e), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        # The first Ctrl-C ends the search with its best plan; a second one ends here.
        _fail("interrupted a second time: stopped without writing anything", EXIT_INTERRUPTED)


def _load(path: Path) -> Event:
    with _input_errors():
        return load_event(path)


def _check_out_folder(out: Path) -> None:
    """Ends with exit code 2 when DIR, or a folder it would be created in, is a file."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "" if folder == out else f": {folder}"
                _fail(f"--out {out}{where} exists and is not a folder", EXIT_BAD_INPUT)
            return


def _refuse_to_overwrite(out: Path, force: bool, also: tuple[str, ...] = ()) -> None:
    """Ends with exit code 3 before any work when DIR/plan.json, DIR/problem.json,
    DIR/teams.csv or the outputs ``also`` exist (unless ``force``), and with 2 when DIR (or
    a folder it would be created in) is a file."""
    _check_out_folder(out)
    if not force:
        clash = existing_outputs(out, [PLAN_FILE, PROBLEM_FILE, TEAMS_FILE, *also])
        if clash:
            _fail(
                f"{', '.join(map(str, clash))} already exist{'s' if len(clash) == 1 else ''}; "
                "nothing was written (use --force to overwrite, or choose another --out)",
                EXIT_EXISTS,
            )


def _write_plan(
    out: Path, problem: Any, result: Any, feasible: bool, force: bool, exports: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Writes DIR/plan.json (any plan, with the outcome) with DIR/problem.json, and
    DIR/teams.csv and the ``exports`` (a feasible plan only), all or nothing; returns the
    files written."""
    files: dict[str, str | bytes] = {}
    if result.plan is not None:
        files[PLAN_FILE] = dumps(plan_document(result.plan, problem=problem, result=result))
        files[PROBLEM_FILE] = dumps(problem_document(problem))
        if feasible:
            files[TEAMS_FILE] = teams_csv_text(problem, result.plan)
            files.update(exports or {})
    if not files:
        return []
    try:
        return list(write_files(out, files, force=force))
    except FileExistsError as e:
        _fail(str(e), EXIT_EXISTS)
    except OSError as e:
        _fail(f"cannot write to {out}: {e.strerror or e}", EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=importlib.import_module("teamkit").__version__, prog_name="teamkit")
def main() -> None:
    """Plan team-building events: mixed teams per session, under constraints.

    Describe the event in a TOML file (roster, sessions, constraints), then run
    `teamkit solve EVENT.toml --out DIR`; `teamkit check EVENT.toml DIR/plan.json`
    re-checks a plan independently.
    """


def _progress_text(p: Any, time_limit: float | None = None) -> str:
    """One progress snapshot in words: the phase and session, hard violations, the best
    objective and the bound so far."""
    parts = []
    for label, value in (
        ("hard violations", p.hard_violations),
        ("objective", p.objective),
        ("bound", getattr(p, "bound", None)),
    ):
        if value is not None:
            parts.append(f"{label} {value:.6g}")
    session = getattr(p, "session", None)
    where = f"{session} " if session else ""
    return f"{where}{p.phase}: {', '.join(parts)}"


@contextmanager
def _progress(
    quiet: bool, time_limit: float | None = None, console: Any = None
) -> Iterator[Callable[[Any], None] | None]:
    """The progress callback for a solve or repair, or ``None`` when ``quiet``.

    On a terminal, one live line on stderr (rich) shows the elapsed time against the limit,
    the phase, hard violations, the best objective and the bound; in a log or a pipe, one
    plain line per snapshot, so that the output stays readable there.
    """
    if quiet:
        yield None
        return
    from rich.console import Console

    console = console or Console(stderr=True, highlight=False)
    if not console.is_terminal:

        def line(p: Any) -> None:
            click.echo(f"[{p.elapsed:7.1f}s] {_progress_text(p)}", err=True)

        yield line
        return

    from rich.live import Live
    from rich.spinner import Spinner

    started = time.monotonic()
    limit = f" of {time_limit:g}" if time_limit else ""
    spinner = Spinner("dots", text="starting")
    last = {"text": "", "shown": 0.0}
    with Live(spinner, console=console, refresh_per_second=8, transient=False) as display:

        def live(p: Any) -> None:
            last["text"] = _progress_text(p)
            spinner.update(text=f"{p.elapsed:6.1f} s{limit}  {last['text']}")
            now = time.monotonic()
            if now - last["shown"] >= 0.1:  # at most ten redraws a second, however often called
                last["shown"] = now
                display.refresh()

        yield live
        spinner.update(text=f"{time.monotonic() - started:6.1f} s{limit}  done; last: {last['text']}")


def _report_to_dict(report: Any) -> dict[str, Any]:
    violations = []
    for v in report.violations:
        item = jsonable(v) if attrs.has(type(v)) else {}
        if not isinstance(item, dict):
            item = {}
        item["message"] = str(v.message)
        violations.append(item)
    return {
        "feasible": bool(report.feasible),
        "hard_violations": jsonable(report.hard_violations),
        "objective": jsonable(report.objective),
        "penalties": jsonable(report.penalties),
        "breakdown": jsonable(report.breakdown),
        "violations": violations,
        "teams": jsonable(getattr(report, "teams", ())),
        "meetings": jsonable(report.meetings),
        "activities": _activities_to_dict(report.activities),
    }


def _activities_to_dict(activities: Any) -> dict[str, Any] | None:
    """Roles and stations of a check report; station load keyed by session, then slot."""
    if activities is None:
        return None
    load: dict[str, dict[str, Any]] = {}
    for (session, slot), stations in activities.station_load.items():
        load.setdefault(session, {})[str(slot)] = jsonable(stations)
    return {
        "role_turns": jsonable(activities.role_turns),
        "turn_distribution": {
            role: {str(k): v for k, v in d.items()} for role, d in activities.turn_distribution.items()
        },
        "repeats_within_day": activities.repeats_within_day,
        "repeats_over_event": activities.repeats_over_event,
        "repeats_by_station": jsonable(activities.repeats_by_station),
        "repeat_distribution": {str(k): v for k, v in activities.repeat_distribution.items()},
        "station_load": load,
    }


def _describe_problem(event: Event) -> str:
    p = event.problem

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"{event.name}: {count(p.num_participants, 'participant')}, {count(len(p.sessions), 'session')}, "
        f"{count(len(p.constraints), 'constraint')}"
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


@main.command()
@click.argument("event_file", metavar="EVENT.toml", type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", "out", required=True, type=click.Path(path_type=Path), help="Folder for plan.json and teams.csv."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to search (default: the event's [solver] time_limit, else 10).",
)
@click.option("--seed", type=int, help="Random seed: the same seed gives the same plan.")
@click.option("--workers", type=click.IntRange(min=1), help="Parallel search workers.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--export",
    "export_formats",
    multiple=True,
    metavar="FORMATS",
    help="Also export a feasible plan into DIR: xlsx, csv, ics, html, json or all (comma-separated or repeated).",
)
@click.option("--force", is_flag=True, help="Overwrite plan.json, problem.json, teams.csv and exports if they exist.")
def solve(
    event_file: Path,
    out: Path,
    time_limit: float | None,
    seed: int | None,
    workers: int | None,
    quiet: bool,
    as_json: bool,
    export_formats: tuple[str, ...],
    force: bool,
) -> None:
    """Plan the teams of EVENT.toml and write DIR/plan.json, DIR/problem.json and
    DIR/teams.csv (and, with --export, the workbook, CSV files, calendars and pages).

    Exit code 0: a feasible plan; 1: none found (plan.json holds the best attempt, if any,
    and no teams.csv or exports are written); 2: bad input; 3: refused to overwrite.
    """
    event = _load(event_file)
    overrides = {k: v for k, v in (("time_limit", time_limit), ("seed", seed), ("workers", workers)) if v is not None}
    options = attrs.evolve(event.solver, **overrides)
    formats = _export_formats(export_formats, event.problem) if export_formats else ()
    _refuse_to_overwrite(out, force, also=_export_outputs(formats))
    if not quiet and not as_json:
        click.echo(_describe_problem(event), err=True)

    problem = event.problem
    with _input_errors(), _progress(quiet, options.time_limit) as progress:
        result = _engine("solve").solve(
            problem,
            time_limit=options.time_limit,
            seed=options.seed,
            workers=options.workers,
            progress=progress,
        )
        report = _engine("checker").check(problem, result.plan) if result.plan is not None else None

    feasible = bool(result.feasible) and (report is None or bool(report.feasible))
    disagree = bool(result.feasible) and report is not None and not report.feasible
    exports = None
    if formats and feasible:
        with _input_errors():
            exports = _engine("export").export_files(problem, result.plan, formats, result=result)
    written = _write_plan(out, problem, result, feasible, force, exports)

    if as_json:
        doc = {
            "event": event.name,
            **result_to_dict(result),
            "feasible": feasible,
            "check": _report_to_dict(report) if report is not None else None,
            "files": [str(p) for p in written],
        }
        click.echo(json.dumps(jsonable(doc), sort_keys=True, indent=2, allow_nan=False))
    else:
        click.echo(result.summary())
        if report is not None:
            click.echo("check:")
            click.echo(_indent(report.summary()))
        if disagree:
            click.echo(
                "the checker finds hard violations in a plan the solver called feasible: "
                "this is a bug in teamkit, please report it"
            )
        if result.plan is None:
            click.echo("no plan was found; nothing was written")
        elif not feasible:
            click.echo(
                f"no feasible plan: {out / PLAN_FILE} holds the best attempt, which breaks hard constraints; "
                f"no {TEAMS_FILE}{' or exports' if formats else ''} written"
            )
        _echo_written(written)
    raise click.exceptions.Exit(EXIT_OK if feasible else EXIT_NOT_FEASIBLE)


def _export_formats(given: tuple[str, ...], problem: Any) -> tuple[str, ...]:
    """The formats of ``--format``/``--export`` (comma-separated or repeated); exit code 2
    naming an unknown one, or calendars asked for sessions without times."""
    names = [name.strip() for value in given for name in value.split(",") if name.strip()]
    with _input_errors():
        return _engine("export").check_formats(names, problem)  # type: ignore[no-any-return]


def _export_outputs(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The top-level files and folders the formats write (``plan.xlsx``, ``csv``...)."""
    outputs = _engine("export").OUTPUTS
    return tuple(outputs[f].rstrip("/") for f in formats)


def _echo_written(written: list[Path], limit: int = 12) -> None:
    """Lists the files written, at most ``limit`` of them one per line, then a count per
    folder (a calendar per participant makes hundreds)."""
    for path in written[:limit]:
        click.echo(f"wrote {path}")
    rest = written[limit:]
    folders: dict[Path, int] = {}
    for path in rest:
        folders[path.parent] = folders.get(path.parent, 0) + 1
    for folder, count in folders.items():
        click.echo(f"wrote {count} more file{'s' if count != 1 else ''} in {folder}")


@main.command()
@click.argument("event_file", metavar="EVENT.toml", type=click.Path(path_type=Path))
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(event_file: Path, plan_file: Path, as_json: bool) -> None:
    """Check PLAN.json against EVENT.toml: list every violation and metric.

    Exit code 0: the plan meets every hard constraint; 1: it breaks some; 2: bad input.
    """
    event = _load(event_file)
    with _input_errors():
        document = read_plan_document(plan_file)
    stale = _stale_plan_warning(event_file, event.problem, plan_file, document, "checking")
    warnings = [] if stale is None else [stale]
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    try:
        report = _engine("checker").check(event.problem, document.plan)
    except SolverError as e:
        _fail(f"internal error (a bug in teamkit, please report it): {e}", EXIT_INTERNAL)
    except TeamkitError as e:  # the plan does not fit the event: unknown session, participant...
        _fail(f"{plan_file}: {e}", EXIT_BAD_INPUT)
    if as_json:
        doc = {"event": event.name, "plan": str(plan_file), **_report_to_dict(report), "warnings": warnings}
        click.echo(json.dumps(jsonable(doc), sort_keys=True, indent=2, allow_nan=False))
    else:
        click.echo(report.summary())
    raise click.exceptions.Exit(EXIT_OK if report.feasible else EXIT_NOT_FEASIBLE)


def _stale_plan_warning(source: Path, problem: Any, plan_file: Path, document: Any, doing: str) -> str | None:
    """The warning for a plan file made for another version of the problem read from
    ``source`` (``doing`` it anyway: "checking", "comparing"), or ``None``."""
    recorded: Mapping[str, Any] = document.problem or {}
    if "sha256" in recorded and recorded["sha256"] != problem_digest(problem):
        return (
            f"{plan_file} was made for a different problem than {source} "
            f"(the roster, sessions or constraints changed since); {doing} it anyway"
        )
    return None


def _plan_with_problem(plan_file: Path, event_file: Path | None, doing: str) -> tuple[Any, Any, list[str]]:
    """The plan file's document, the problem it is for (from ``event_file``, else from
    problem.json beside the plan) and any warning, printed on stderr."""
    with _input_errors():
        document = read_plan_document(plan_file)
    if event_file is not None:
        problem = _load(event_file).problem
        source = event_file
    else:
        source = plan_file.parent / PROBLEM_FILE
        if not source.exists():
            _fail(
                f"{plan_file}: no {PROBLEM_FILE} beside it to say what the plan is for; "
                "give the event file with --event EVENT.toml",
                EXIT_BAD_INPUT,
            )
        with _input_errors():
            problem = read_problem(source)
    warnings = [w for w in [_stale_plan_warning(source, problem, plan_file, document, doing)] if w is not None]
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    return document, problem, warnings


# -- diff --------------------------------------------------------------------------------------------
def _diff_to_dict(found: Any) -> dict[str, Any]:
    """A plan diff as plain data: every change in full (the text output caps long lists)."""
    sessions = []
    for s in found.sessions:
        sessions.append(
            {
                "session": s.session,
                "changed": s.changed,
                "num_teams": {"before": s.num_teams[0], "after": s.num_teams[1]},
                "teams_changed": list(s.teams_changed),
                "moves": [jsonable(m) for m in s.moves],
                "joined": list(s.joined),
                "left": list(s.left),
                "roles": [jsonable(r) for r in s.roles],
                "stations": [jsonable(c) for c in s.stations],
                "staff": [jsonable(c) for c in s.staff],
            }
        )
    return {
        "changed": found.changed,
        "feasible": {"before": found.before_check.feasible, "after": found.after_check.feasible},
        "sessions": sessions,
        "metrics": [
            {"metric": row.metric, "before": row.before, "after": row.after, "changed": row.changed}
            for row in found.metrics
        ],
    }


@main.command()
@click.argument("event_file", metavar="EVENT.toml", type=click.Path(path_type=Path))
@click.argument("before_file", metavar="BEFORE.json", type=click.Path(path_type=Path))
@click.argument("after_file", metavar="AFTER.json", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def diff(event_file: Path, before_file: Path, after_file: Path, as_json: bool) -> None:
    """Compare two plans of EVENT.toml: who moved, roles, stations, staff and metrics.

    Teams are matched by number. Exit code 0: AFTER.json meets every hard constraint; 1: it
    breaks some (whether the plans differ does not change the code); 2: bad input.
    """
    event = _load(event_file)
    with _input_errors():
        documents = [read_plan_document(before_file), read_plan_document(after_file)]
    warnings = [
        w
        for path, document in zip((before_file, after_file), documents)
        if (w := _stale_plan_warning(event_file, event.problem, path, document, "comparing")) is not None
    ]
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    with _input_errors():  # a plan that does not fit: the message names its file
        found = _engine("diff").diff(
            event.problem, documents[0].plan, documents[1].plan, labels=(str(before_file), str(after_file))
        )
    if as_json:
        doc = {
            "event": event.name,
            "before": str(before_file),
            "after": str(after_file),
            **_diff_to_dict(found),
            "warnings": warnings,
        }
        click.echo(json.dumps(jsonable(doc), sort_keys=True, indent=2, allow_nan=False))
    else:
        click.echo(found.summary())
    raise click.exceptions.Exit(EXIT_OK if found.after_check.feasible else EXIT_NOT_FEASIBLE)


# -- repair ------------------------------------------------------------------------------------------
@main.command()
@click.argument("event_file", metavar="EVENT.toml", type=click.Path(path_type=Path))
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", "out", required=True, type=click.Path(path_type=Path), help="Folder for plan.json and teams.csv."
)
@click.option(
    "--held",
    multiple=True,
    metavar="SESSION",
    help="A session already held, copied from PLAN.json (repeat for several; default: the event's [repair] held).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to search (default: the event's [solver] time_limit, else 10).",
)
@click.option("--seed", type=int, help="Random seed: the same seed gives the same plan.")
@click.option(
    "--stability",
    type=click.FloatRange(min=0, min_open=True),
    help="What keeping one person's place is worth (default: the event's [repair] stability, else 100).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--force", is_flag=True, help="Overwrite plan.json, problem.json and teams.csv if they exist.")
def repair(
    event_file: Path,
    plan_file: Path,
    out: Path,
    held: tuple[str, ...],
    time_limit: float | None,
    seed: int | None,
    stability: float | None,
    quiet: bool,
    as_json: bool,
    force: bool,
) -> None:
    """Re-plan EVENT.toml from PLAN.json after a change, keeping every place it can.

    EVENT.toml holds the event as it now is (absentees, closed stations, new rules). The
    sessions held are copied from PLAN.json; the others keep their teams, routes and roles
    except where the change forces a move. Writes DIR/plan.json and DIR/teams.csv and prints
    every move with its reason. Exit codes as for `teamkit solve`.
    """
    event = _load(event_file)
    with _input_errors():
        document = read_plan_document(plan_file)
    options = attrs.evolve(
        event.solver, **{k: v for k, v in (("time_limit", time_limit), ("seed", seed)) if v is not None}
    )
    held = held or event.repair.held
    _refuse_to_overwrite(out, force)
    with _input_errors(), _progress(quiet or as_json, options.time_limit) as progress:
        try:
            repaired = _engine("repair").repair(
                event.problem,
                document.plan,
                held=held,
                time_limit=options.time_limit,
                seed=options.seed,
                workers=options.workers,
                stability=stability or event.repair.stability,
                progress=progress,
            )
        except PlanFileError as e:  # the old plan does not fit the event: the message names its file
            raise PlanFileError(f"{plan_file}: {e}") from None
    result = repaired.result
    feasible = bool(result.feasible)
    written = _write_plan(out, repaired.problem, result, feasible, force)
    if as_json:
        doc = {
            "event": event.name,
            **result_to_dict(result),
            "feasible": feasible,
            "held": list(repaired.held),
            "kept": repaired.kept,
            "team_counts": dict(repaired.team_counts),
            "moves": [jsonable(m) for m in repaired.moves],
            "sessions": [jsonable(c) for c in repaired.sessions],
            "check": _report_to_dict(repaired.check) if repaired.check is not None else None,
            "files": [str(p) for p in written],
        }
        click.echo(json.dumps(jsonable(doc), sort_keys=True, indent=2, allow_nan=False))
    else:
        click.echo(repaired.summary())
        if repaired.team_counts:
            sessions = ", ".join(repaired.team_counts)
            click.echo(
                f"to check this plan against {event_file}, give {sessions} their number of teams "
                "(num_teams) instead of team_size there"
            )
        if result.plan is None:
            click.echo("no plan was found; nothing was written")
        elif not feasible:
            click.echo(f"no feasible repair: {out / PLAN_FILE} holds the best attempt; no {TEAMS_FILE} was written")
        _echo_written(written)
    raise click.exceptions.Exit(EXIT_OK if feasible else EXIT_NOT_FEASIBLE)


# -- export and report ----------------------------------------------------------------------------
@main.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    default=("all",),
    show_default=True,
    metavar="FORMATS",
    help="xlsx, csv, ics, html, json or all (comma-separated or repeated).",
)
@click.option("--out", "-o", "out", required=True, type=click.Path(path_type=Path), help="Folder for the exports.")
@click.option(
    "--event",
    "event_file",
    type=click.Path(path_type=Path),
    help=f"The event file the plan is for (default: the {PROBLEM_FILE} beside PLAN.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the files written as one JSON object.")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def export(
    plan_file: Path, formats: tuple[str, ...], out: Path, event_file: Path | None, as_json: bool, force: bool
) -> None:
    """Export PLAN.json for the people who use it: a workbook (xlsx), CSV files, calendars
    (ics), printable pages (html) and JSON, into DIR, all or nothing.

    The problem comes from the problem.json that `teamkit solve` writes beside the plan, or
    from --event. Calendars need session times (start, slot_minutes); with `all` they are
    left out when the sessions have none. Exit code 0: written; 2: bad input; 3: refused to
    overwrite (nothing written).
    """
    document, problem, warnings = _plan_with_problem(plan_file, event_file, "exporting")
    chosen = _export_formats(formats, problem)
    _check_out_folder(out)
    with _input_errors():  # a plan that does not fit its problem: the message names the file
        try:
            files = _engine("export").export_files(problem, document.plan, chosen)
        except TeamkitError as e:
            raise type(e)(f"{plan_file}: {e}") from None
    try:
        written = write_files(out, files, force=force)
    except FileExistsError as e:
        _fail(str(e), EXIT_EXISTS)
    except OSError as e:
        _fail(f"cannot write to {out}: {e.strerror or e}", EXIT_BAD_INPUT)
    if as_json:
        doc = {
            "plan": str(plan_file),
            "formats": list(chosen),
            "files": [str(p) for p in written],
            "warnings": warnings,
        }
        click.echo(json.dumps(doc, sort_keys=True, indent=2))
    else:
        _echo_written(written)


@main.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path))
@click.option(
    "--event",
    "event_file",
    type=click.Path(path_type=Path),
    help=f"The event file the plan is for (default: the {PROBLEM_FILE} beside PLAN.json).",
)
@click.option(
    "--soft",
    is_flag=True,
    help="Also solve each soft rule on its own, to show how far the plan is from its best (a few seconds each).",
)
@click.option(
    "--time-limit-each",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Seconds per soft rule for --soft.",
)
@click.option(
    "--plots",
    "plots_dir",
    type=click.Path(path_type=Path),
    help='Also draw the plots as PNG files into this folder (needs pip install "teamkit[plot]").',
)
@click.option("--force", is_flag=True, help="Overwrite plot files that exist.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def report(
    plan_file: Path,
    event_file: Path | None,
    soft: bool,
    time_limit_each: float,
    plots_dir: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Report how good PLAN.json is: every violation, how mixed the teams are, repeated
    meetings, roles and exercises; with --soft, each soft rule's cost against its best;
    with --plots DIR, the plots as PNG files.

    Exit code 0: the plan meets every hard constraint; 1: it breaks some; 2: bad input;
    3: refused to overwrite a plot (nothing written).
    """
    document, problem, warnings = _plan_with_problem(plan_file, event_file, "reporting on")
    drawn: list[Path] = []
    if plots_dir is not None:
        try:
            with _input_errors():  # a plan that does not fit its problem: the message names the file
                try:
                    drawn = _engine("plots").save_plots(problem, document.plan, plots_dir, force=force)
                except TeamkitError as e:
                    raise type(e)(f"{plan_file}: {e}") from None
        except ImportError as e:
            _fail(str(e), EXIT_BAD_INPUT)
        except FileExistsError as e:
            _fail(str(e), EXIT_EXISTS)
        except OSError as e:
            _fail(f"cannot write to {plots_dir}: {e.strerror or e}", EXIT_BAD_INPUT)
    try:
        checked = _engine("checker").check(problem, document.plan)
        soft_rows = (
            _engine("report").soft_report(problem, document.plan, time_limit_each=time_limit_each) if soft else None
        )
    except SolverError as e:
        _fail(f"internal error (a bug in teamkit, please report it): {e}", EXIT_INTERNAL)
    except TeamkitError as e:
        _fail(f"{plan_file}: {e}", EXIT_BAD_INPUT)
    if as_json:
        doc = {"plan": str(plan_file), **_report_to_dict(checked), "warnings": warnings}
        doc["plots"] = [str(p) for p in drawn]
        if soft_rows is not None:
            doc["soft"] = [jsonable(row) for row in soft_rows.rows]
        click.echo(json.dumps(jsonable(doc), sort_keys=True, indent=2, allow_nan=False))
    else:
        click.echo(checked.summary())
        click.echo(_mix_summary(problem, checked))
        if soft_rows is not None:
            click.echo(soft_rows.summary())
        _echo_written(drawn)
    raise click.exceptions.Exit(EXIT_OK if checked.feasible else EXIT_NOT_FEASIBLE)


def _mix_summary(problem: Any, checked: Any) -> str:
    """How mixed the teams are, per counted attribute: over all teams of all sessions, the
    fewest and most distinct values in one team, and the largest count of one value."""
    lines = ["team mix (over every team of every session):"]
    attributes = sorted({a for t in checked.teams for a in t.counts})
    if not attributes:
        return "team mix: no attribute is balanced or spread"
    for attribute in attributes:
        distinct = [len(t.counts[attribute]) for t in checked.teams if attribute in t.counts]
        largest = [max(t.counts[attribute].values(), default=0) for t in checked.teams if attribute in t.counts]
        lines.append(
            f"  {attribute}: {min(distinct)} to {max(distinct)} different values per team, "
            f"at most {max(largest)} of one value"
        )
    return "\n".join(lines)


__all__ = ["main"]


if __name__ == "__main__":  # pragma: no cover
    main()
