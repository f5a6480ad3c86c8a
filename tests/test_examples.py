"""Every example runs: the scripts in examples/ end to end, and every example event file
through `teamkit solve`, with the plans verified by the independent checker."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

import teamkit as tk
from teamkit.cli import main
from teamkit.io.event import load_event
from teamkit.io.plan_json import read_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
EVENTS = sorted(EXAMPLES.glob("*.toml"))


def test_there_are_examples():
    assert SCRIPTS and EVENTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs(script, capsys):
    namespace = runpy.run_path(str(script))
    problem = namespace["build"]()
    result = namespace["main"]()
    assert "status:" in capsys.readouterr().out
    assert result.feasible, result.summary()
    report = tk.check(problem, result.plan)
    assert report.feasible, report.summary()
    assert report.objective == pytest.approx(result.objective, rel=1e-9, abs=1e-9)
    if result.repeats is not None:
        assert result.repeats == report.meetings.repeated_pairs == 0


@pytest.mark.parametrize("event", EVENTS, ids=lambda p: p.name)
def test_example_event_solves(event, tmp_path):
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["solve", str(event), "--out", str(out), "--json"])
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout)
    assert summary["status"] in ("optimal", "feasible")
    problem = load_event(event).problem
    report = tk.check(problem, read_plan(out / "plan.json"))
    assert report.feasible, report.summary()
    assert report.meetings.repeated_pairs == 0
