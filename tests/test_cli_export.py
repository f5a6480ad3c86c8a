"""The command line's outputs: `teamkit solve --export`, `teamkit export`, `teamkit report`,
the problem.json beside a plan, and the live progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import openpyxl
from click.testing import CliRunner
from rich.console import Console

from teamkit.checker import check
from teamkit.cli import _progress, main
from teamkit.io.plan_json import read_plan, read_problem

from .test_cli import EVENT, files_in, project

TIMED = EVENT.replace(
    'id = "s1"\nteam_size = 4\n', 'id = "s1"\nteam_size = 4\nstart = 2025-05-15T19:00:00\nslot_minutes = 90\n'
).replace('id = "s2"\nnum_teams = 2\n', 'id = "s2"\nnum_teams = 2\nstart = "2025-05-16 08:00"\nslot_minutes = 60\n')
TIMED = TIMED.replace('roster = "roster.csv"\n', 'roster = "roster.csv"\ntimezone = "Asia/Jakarta"\n')


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_solve_writes_the_problem_beside_the_plan(tmp_path):
    out = tmp_path / "out"
    result = run("solve", project(tmp_path, TIMED), "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert files_in(out) == ["plan.json", "problem.json", "teams.csv"]
    problem = read_problem(out / "problem.json")
    assert problem.timezone == "Asia/Jakarta"
    assert check(problem, read_plan(out / "plan.json")).feasible


def test_solve_export_all_writes_every_format(tmp_path):
    out = tmp_path / "out"
    result = run("solve", project(tmp_path, TIMED), "--out", out, "-q", "--export", "all")
    assert result.exit_code == 0, result.output
    assert files_in(out) == ["calendars", "csv", "html", "json", "plan.json", "plan.xlsx", "problem.json", "teams.csv"]
    assert sorted(files_in(out / "html")) == ["agendas.html", "index.html", "team-cards.html", "timetables.html"]
    assert len(files_in(out / "calendars")) == 8 + 2  # one per participant, all.ics, index.csv
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert book.sheetnames[:2] == ["s1", "s2"] and "Agenda" in book.sheetnames
    assert "wrote 8 more files in" in result.stdout or "more files in" in result.stdout


def test_solve_export_refuses_bad_formats_before_solving(tmp_path):
    event = project(tmp_path, TIMED)
    result = run("solve", event, "--out", tmp_path / "out", "-q", "--export", "xlsx,pdf")
    assert result.exit_code == 2
    assert "error: unknown export format 'pdf'; the formats are: xlsx, csv, ics, html, json (or all)" in result.stderr
    assert not (tmp_path / "out").exists()
    untimed = project(tmp_path / "u" if (tmp_path / "u").mkdir() is None else tmp_path, EVENT)
    result = run("solve", untimed, "--out", tmp_path / "out", "-q", "--export", "ics")
    assert result.exit_code == 2
    assert "calendars (ics) need session times" in result.stderr
    assert not (tmp_path / "out").exists()


def test_solve_export_refuses_to_overwrite_an_export(tmp_path):
    out = tmp_path / "out"
    (out / "html").mkdir(parents=True)
    result = run("solve", project(tmp_path, TIMED), "--out", out, "-q", "--export", "html")
    assert result.exit_code == 3
    assert "html already exists; nothing was written" in result.stderr
    assert files_in(out) == ["html"]


def test_export_reads_the_problem_beside_the_plan(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    out = tmp_path / "exports"
    result = run("export", tmp_path / "plan" / "plan.json", "--format", "csv", "-f", "json", "--out", out)
    assert result.exit_code == 0, result.output
    assert files_in(out) == ["csv", "json"]
    assert files_in(out / "json") == ["plan.json", "problem.json"]
    assert (out / "json" / "problem.json").read_bytes() == (tmp_path / "plan" / "problem.json").read_bytes()
    # a second export into the same folder is refused, and changes nothing
    before = tree(out)
    again = run("export", tmp_path / "plan" / "plan.json", "--format", "csv,xlsx", "--out", out)
    assert again.exit_code == 3
    assert "already exist" in again.stderr and "nothing was written" in again.stderr
    assert tree(out) == before
    forced = run("export", tmp_path / "plan" / "plan.json", "--format", "csv", "--out", out, "--force")
    assert forced.exit_code == 0 and tree(out) == before  # same plan, same bytes


def test_export_json_lists_the_files(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    result = run("export", tmp_path / "plan" / "plan.json", "--out", tmp_path / "x", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["formats"] == ["xlsx", "csv", "ics", "html", "json"]
    assert all(Path(f).exists() for f in doc["files"])
    assert str(tmp_path / "x" / "calendars" / "all.ics") in doc["files"]


def test_export_without_a_problem_asks_for_the_event(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    (tmp_path / "plan" / "problem.json").unlink()
    result = run("export", tmp_path / "plan" / "plan.json", "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert "plan.json: no problem.json beside it" in result.stderr and "--event EVENT.toml" in result.stderr
    assert not (tmp_path / "x").exists()
    result = run("export", tmp_path / "plan" / "plan.json", "--event", tmp_path / "event.toml", "--out", tmp_path / "x")
    assert result.exit_code == 0, result.output
    assert "calendars" in files_in(tmp_path / "x")


def test_export_warns_about_a_plan_for_another_problem(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    changed = project(tmp_path, TIMED.replace("slot_minutes = 90", "slot_minutes = 80"))
    result = run("export", tmp_path / "plan" / "plan.json", "--event", changed, "-f", "csv", "--out", tmp_path / "x")
    assert result.exit_code == 0
    assert "was made for a different problem than" in result.stderr and "exporting it anyway" in result.stderr


def test_export_of_a_plan_that_does_not_fit(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    other = project(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path, TIMED)
    text = other.read_text().replace('id = "s2"', 'id = "s3"')
    other.write_text(text)
    result = run("export", tmp_path / "plan" / "plan.json", "--event", other, "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert "plan.json:" in result.stderr and "s2" in result.stderr
    assert not (tmp_path / "x").exists()


def test_report_prints_the_check_and_the_mix(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    result = run("report", tmp_path / "plan" / "plan.json")
    assert result.exit_code == 0, result.output
    assert "feasible: every hard constraint is met" in result.stdout
    assert "team mix (over every team of every session):" in result.stdout
    assert "unit: " in result.stdout
    doc = json.loads(run("report", tmp_path / "plan" / "plan.json", "--json", "--soft").stdout)
    assert doc["feasible"] is True
    assert [row["name"] for row in doc["soft"]] == ["spread(unit<=1)"]
    assert doc["soft"][0]["alone"] <= doc["soft"][0]["penalty"]


def test_report_exit_code_follows_the_check(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    # the same plan against an event that now keeps everyone from one unit apart
    strict = project(tmp_path, TIMED.replace("hard = false\n", ""))
    result = run("report", tmp_path / "plan" / "plan.json", "--event", strict)
    assert result.exit_code in (0, 1)
    assert result.exit_code == (0 if "feasible: every hard constraint is met" in result.stdout else 1)


def snapshot(**kw):
    values = {"elapsed": 1.5, "phase": "local search", "session": "s1", "hard_violations": 0, "objective": 12.5}
    values["bound"] = 3.0
    values.update(kw)
    return SimpleNamespace(**values)


def test_progress_on_a_terminal_is_one_live_line():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with _progress(False, 30, console=console) as show:
        show(snapshot())
        show(snapshot(elapsed=2.5, objective=10.0))
    text = buffer.getvalue()
    assert "1.5 s of 30  s1 local search: hard violations 0, objective 12.5, bound 3" in text
    assert "done; last: s1 local search: hard violations 0, objective 10, bound 3" in text


def test_progress_in_a_pipe_is_plain_lines(capsys):
    console = Console(file=io.StringIO(), force_terminal=False)
    with _progress(False, 30, console=console) as show:
        show(snapshot())
    err = capsys.readouterr().err
    assert err == "[    1.5s] s1 local search: hard violations 0, objective 12.5, bound 3\n"
    with _progress(True, 30) as show:
        assert show is None


def test_report_draws_the_plots(tmp_path):
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    result = run("report", tmp_path / "plan" / "plan.json", "--plots", tmp_path / "plots")
    assert result.exit_code == 0, result.output
    # no balance rule: the balance of the first few text attributes with few values
    assert files_in(tmp_path / "plots") == ["balance-boss.png", "balance-unit.png", "meetings.png", "new-contacts.png"]
    assert all((tmp_path / "plots" / n).read_bytes().startswith(b"\x89PNG") for n in files_in(tmp_path / "plots"))
    again = run("report", tmp_path / "plan" / "plan.json", "--plots", tmp_path / "plots")
    assert again.exit_code == 3 and "meetings.png" in again.stderr and "already exist" in again.stderr


def test_report_plots_without_matplotlib_say_how_to_install(tmp_path, monkeypatch):
    import teamkit.plots

    def missing():
        raise ImportError('teamkit\'s plots need matplotlib, which is not installed: pip install "teamkit[plot]"')

    monkeypatch.setattr(teamkit.plots, "_matplotlib", missing)
    assert run("solve", project(tmp_path, TIMED), "--out", tmp_path / "plan", "-q").exit_code == 0
    result = run("report", tmp_path / "plan" / "plan.json", "--plots", tmp_path / "plots")
    assert result.exit_code == 2
    assert 'pip install "teamkit[plot]"' in result.stderr
    assert not (tmp_path / "plots").exists()
