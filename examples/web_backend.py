"""teamkit behind a web back end, with the standard library only: a WSGI application that
takes a problem as JSON, solves it within a time limit and answers with plan.json, and that
turns a plan into its export files, zipped. Bad input gets a 400 answer saying what is wrong.

    python examples/web_backend.py          # posts a problem to the app, without a network
    python examples/web_backend.py serve    # serves it on http://127.0.0.1:8000

Then, from another terminal::

    curl -s -X POST http://127.0.0.1:8000/solve -H 'Content-Type: application/json' \\
         -d '{"roster": "id,unit\\na,x\\nb,y\\nc,x\\nd,y\\n", "settings": {"team_size": 2, "spread": ["unit"]}}'

A solve holds its worker for up to its time limit: behind a real server, run the app with
several worker processes, or hand the solves to a pool of processes (see
docs/howto/integration.md).
"""

from __future__ import annotations

# --8<-- [start:app]
import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

import teamkit as tk
from teamkit.exceptions import ExportError
from teamkit.export import export_files
from teamkit.io import plan_from_dict, problem_from_dict, problem_to_dict, read_roster_text
from teamkit.io.plan_json import PLAN_FORMAT, dumps, plan_document

#: The longest solve a request may ask for, in seconds, and the default.
MAX_TIME_LIMIT = 30.0
DEFAULT_TIME_LIMIT = 5.0
#: The largest request body accepted, in bytes.
MAX_BODY = 2_000_000
#: The keys of "settings", for a request that sends a roster.
SETTINGS = ("team_size", "sessions", "spread", "balance", "meet_at_most")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class BadRequest(Exception):
    """The request is wrong; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: str = "400 Bad Request") -> None:
        super().__init__(message)
        self.status = status


def make_app(max_time_limit: float = MAX_TIME_LIMIT) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application: ``POST /solve`` and ``POST /export``."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        try:
            if path not in ROUTES:
                raise BadRequest(f"no such path {path!r}; the paths are {', '.join(ROUTES)}", "404 Not Found")
            if method != "POST":
                raise BadRequest(f"{path} takes POST, not {method}", "405 Method Not Allowed")
            status, content_type, body = ROUTES[path](read_json(environ), max_time_limit)
        except BadRequest as e:
            status, content_type, body = e.status, "application/json", error_body(str(e))
        except (tk.ModelError, tk.PlanFileError, tk.RosterError, ExportError) as e:  # the input is wrong
            status, content_type, body = "400 Bad Request", "application/json", error_body(str(e))
        except Exception as e:  # noqa: BLE001 - a bug: log it, and tell the client no more than that
            print(f"teamkit app: {type(e).__name__}: {e}", file=environ.get("wsgi.errors", sys.stderr))
            status, content_type, body = "500 Internal Server Error", "application/json", error_body("internal error")
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app


def error_body(message: str, **more: Any) -> bytes:
    return json.dumps({"error": message, **more}, ensure_ascii=False).encode("utf-8")


def read_json(environ: dict[str, Any]) -> dict[str, Any]:
    """The request body as a JSON object, or :class:`BadRequest` saying why not."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number") from None
    if length > MAX_BODY:
        raise BadRequest(f"the body has {length} bytes; at most {MAX_BODY} are accepted", "413 Content Too Large")
    raw = environ["wsgi.input"].read(length)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise BadRequest(f"line {e.lineno}, column {e.colno}: not valid JSON: {e.msg}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    return data


# --8<-- [end:app]
# --8<-- [start:solve]
def solve_route(data: dict[str, Any], max_time_limit: float) -> tuple[str, str, bytes]:
    """``POST /solve``: ``{"problem": {...}}`` (the problem as ``problem_to_dict`` gives it)
    or ``{"roster": "<CSV text>", "settings": {...}}``, with optional ``time_limit`` and
    ``seed``. Answers with plan.json, or 422 when the request is proved impossible."""
    known(data, ("problem", "roster", "settings", "time_limit", "seed"), "the body")
    if ("problem" in data) == ("roster" in data):
        raise BadRequest('give either "problem" (a problem as JSON) or "roster" (CSV text) with "settings"')
    problem = problem_from_dict(data["problem"]) if "problem" in data else from_roster(data)
    time_limit = data.get("time_limit", DEFAULT_TIME_LIMIT)
    if not isinstance(time_limit, (int, float)) or isinstance(time_limit, bool) or not 0 < time_limit <= max_time_limit:
        raise BadRequest(f"time_limit must be a number of seconds above 0 and at most {max_time_limit:g}")
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise BadRequest("seed must be a whole number")

    result = tk.solve(problem, time_limit=float(time_limit), seed=seed)
    if result.plan is None:  # no plan at all: proved impossible, say why
        body = error_body("no plan meets every hard rule", status=result.status.value, explanation=result.explanation)
        return "422 Unprocessable Content", "application/json", body
    document = plan_document(result.plan, problem=problem, result=result)
    return "200 OK", "application/json", dumps(document).encode("utf-8")


def from_roster(data: dict[str, Any]) -> tk.ProblemData:
    """A problem from a roster (CSV text) and a few settings."""
    roster, settings = data["roster"], data.get("settings")
    if not isinstance(roster, str):
        raise BadRequest('"roster" must be the text of a CSV file, with a header row and an "id" column')
    if not isinstance(settings, dict) or "team_size" not in settings:
        raise BadRequest('"settings" must be an object with at least "team_size"')
    known(settings, SETTINGS, "settings")
    model = tk.Model()
    model.add_participants(read_roster_text(roster, "roster"))
    sessions = settings.get("sessions", ["teams"])
    if not isinstance(sessions, list) or not sessions or not all(isinstance(s, str) for s in sessions):
        raise BadRequest('"sessions" must be a list of session ids')
    for session in sessions:
        model.add_session(session, team_size=settings["team_size"])
    for attribute in names(settings, "spread"):
        model.add_constraint(tk.Spread(attribute))
    for attribute in names(settings, "balance"):
        model.add_constraint(tk.Balance(attribute))
    if "meet_at_most" in settings:
        times = settings["meet_at_most"]
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise BadRequest('"meet_at_most" must be a whole number, 1 or more')
        model.add_constraint(tk.MeetAtMost(times))
    return model.data()  # ModelError for anything that does not fit: an unknown column, sizes...


def known(data: dict[str, Any], keys: Iterable[str], where: str) -> None:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise BadRequest(f"unknown keys {unknown} in {where}; the keys are: {', '.join(keys)}")


def names(settings: dict[str, Any], key: str) -> list[str]:
    value = settings.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f'"{key}" must be a list of column names')
    return value


# --8<-- [end:solve]
# --8<-- [start:export]
def export_route(data: dict[str, Any], max_time_limit: float) -> tuple[str, str, bytes]:
    """``POST /export``: ``{"problem": {...}, "plan": <plan.json>, "formats": ["csv", ...]}``;
    answers with a zip of the export files."""
    known(data, ("problem", "plan", "formats"), "the body")
    for key in ("problem", "plan"):
        if key not in data:
            raise BadRequest(f'missing "{key}"')
    document = data["plan"]
    if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT or "plan" not in document:
        raise BadRequest('"plan" must be a plan.json document, as /solve returns it')
    problem = problem_from_dict(data["problem"])
    plan = plan_from_dict(document["plan"])
    files = export_files(problem, plan, data.get("formats", "all"))  # {path: bytes}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return "200 OK", "application/zip", buffer.getvalue()


ROUTES = {"/solve": solve_route, "/export": export_route}


# --8<-- [end:export]
# --8<-- [start:client]


def call(app: Callable[..., Iterable[bytes]], path: str, body: Any = None, method: str = "POST") -> tuple[str, bytes]:
    """Calls the WSGI ``app`` as a server would, without a network: returns the status line and
    the body. ``body`` is JSON-ready data, or bytes sent as they are."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    setup_testing_defaults(environ)  # fills in the rest of a valid WSGI environ
    answer: list[str] = []
    chunks = app(environ, lambda status, headers: answer.append(status))
    return answer[0], b"".join(chunks)


def result_from_document(document: dict[str, Any]) -> tk.Result:
    """The :class:`teamkit.Result` that a plan.json document records (its plan and outcome)."""
    r = document["result"]
    return tk.Result(
        status=tk.Status(r["status"]),
        plan=plan_from_dict(document["plan"]),
        objective=r["objective"],
        breakdown=r["breakdown"],
        bound=r["bound"],
        runtime=r.get("runtime", 0.0),  # not written to plan files (it differs from run to run)
        hard_violations=r["hard_violations"],
        explanation=r["explanation"],
        stopped_by=r["stopped_by"],
        seed=r["seed"],
        repeats=r.get("repeats"),
        repeat_bound=r.get("repeat_bound"),
    )


# --8<-- [end:client]
# --8<-- [start:main]
def build() -> tk.ProblemData:
    """A small event: 16 people from four units, in teams of four for two rounds."""
    model = tk.Model("Two rounds")
    for k in range(16):
        model.add_participant(f"P{k + 1:02d}", attributes={"unit": "ABCD"[k % 4], "gender": "FM"[k // 2 % 2]})
    for session in ("round-1", "round-2"):
        model.add_session(session, team_size=4)
    model.add_constraint(tk.Spread("unit"))
    model.add_constraint(tk.Balance("gender"))
    model.add_constraint(tk.MeetAtMost(1))
    return model.data()


def main() -> tk.Result:
    """Posts the problem to the app, as a client of the web service would, and returns the
    result the answer records."""
    problem = build()
    request = {"problem": problem_to_dict(problem), "time_limit": 5, "seed": 1}
    status, body = call(make_app(), "/solve", request)
    print("HTTP", status)
    result = result_from_document(json.loads(body))
    print(result.summary())
    return result


# --8<-- [end:main]
if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        from wsgiref.simple_server import make_server

        with make_server("127.0.0.1", 8000, make_app()) as server:
            print("serving on http://127.0.0.1:8000 (POST /solve, POST /export); Ctrl-C stops")
            server.serve_forever()
    else:
        main()
