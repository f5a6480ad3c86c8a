"""Ctrl-C during a solve: the first press returns the best plan so far, the second aborts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

import teamkit as tk
from teamkit.engine import clock
from teamkit.io.plan_json import read_plan_document
from teamkit.solvers.ortools.session import _solver, run

from .helpers import golfers

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name == "nt", reason="POSIX signals")


def press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def hard_model(n: int = 120, groups: int = 10, seed: int = 0) -> cp_model.CpModel:
    """A diverse-grouping model CP-SAT cannot finish for minutes (see benchmarks/mdgp.py)."""
    rng = np.random.default_rng(seed)
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{g}") for g in range(groups)] for i in range(n)]
    for i in range(n):
        model.add_exactly_one(x[i])
    for g in range(groups):
        model.add(sum(x[i][g] for i in range(n)) == n // groups)
    terms = []
    for i in range(n):
        for j in range(i + 1, n):
            for g in range(groups):
                w = model.new_bool_var("")
                model.add_implication(w, x[i][g])
                model.add_implication(w, x[j][g])
                terms.append(int(rng.integers(1, 100)) * w)
    model.maximize(sum(terms))
    return model


def test_the_first_ctrl_c_returns_the_best_plan_so_far():
    problem = golfers(8, 4, 10, tk.MeetAtMost(1, hard=False))
    pressed: list[float] = []

    def progress(p: tk.Progress) -> None:
        if not pressed:
            pressed.append(p.elapsed)
            press_ctrl_c()

    result = tk.solve(problem, time_limit=120, seed=0, progress=progress)
    assert pressed, "the solve never reported progress"
    assert result.stopped_by == "interrupted"
    assert any("interrupted" in line for line in result.explanation)
    # Returned at once, not at the limit: the stop is what ended it.
    assert result.runtime < 60, result.runtime
    assert result.plan is not None and result.feasible
    report = tk.check(problem, result.plan)
    assert report.feasible, report.summary()
    assert abs(result.objective - report.objective) <= 1e-6 * max(1.0, abs(report.objective))
    # The handler is back and the stop is over: the next solve runs normally.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not clock.stop_requested()
    again = tk.solve(golfers(3, 3, 2, tk.MeetAtMost(1)), time_limit=10, seed=0)
    assert again.stopped_by != "interrupted" and again.feasible


def test_ctrl_c_inside_cpsat_stops_it_at_once():
    model = hard_model()
    timer = threading.Timer(1.0, press_ctrl_c)
    with clock.interruptible():
        timer.start()
        started = time.monotonic()
        status = run(_solver(120.0, 0, 1), model)
        elapsed = time.monotonic() - started
        assert clock.stop_requested()
        assert clock.expired(float("inf")) and clock.left(float("inf")) == 0.0
    timer.join()
    assert status != cp_model.OPTIMAL
    # Stopped by the signal, not by the two minutes it was given.
    assert elapsed < 60, elapsed
    assert not clock.stop_requested()


def test_the_second_ctrl_c_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt), clock.interruptible():
        press_ctrl_c()
        time.sleep(0.05)  # the handler runs between bytecodes
        assert clock.stop_requested()
        press_ctrl_c()
        time.sleep(1.0)
        pytest.fail("the second Ctrl-C did not raise")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not clock.stop_requested()


def test_nested_calls_and_other_threads_leave_the_handler_alone():
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def in_thread() -> None:
        with clock.interruptible():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == [before]
    with clock.interruptible():
        outer = signal.getsignal(signal.SIGINT)
        assert outer is not before
        with clock.interruptible():
            assert signal.getsignal(signal.SIGINT) is outer
        # The inner call ending does not end the outer one's handling.
        assert signal.getsignal(signal.SIGINT) is outer
    assert signal.getsignal(signal.SIGINT) is before


def test_a_stop_asked_for_in_code_ends_a_repair_with_its_best_plan():
    model = tk.Model()
    for i in range(32):
        model.add_participant(f"p{i + 1:02d}")
    for r in range(6):
        model.add_session(f"r{r + 1}", team_size=4, remainder="exact")
    model.add_constraint(tk.MeetAtMost(1, hard=False))
    problem = model.data()
    plan = tk.solve(problem, time_limit=10, seed=0).plan
    for pid in ("p01", "p02", "p03", "p04"):
        model.set_absent(pid, ["r4"])
    changed = model.data()
    with clock.interruptible():
        outcome = tk.repair(
            changed, plan, held=["r1", "r2", "r3"], time_limit=120, seed=0, progress=lambda p: clock.request_stop()
        )
    assert not clock.stop_requested()
    assert outcome.result.stopped_by == "interrupted"
    assert outcome.result.runtime < 60, outcome.result.runtime
    assert outcome.result.plan is not None
    report = tk.check(outcome.problem, outcome.result.plan)
    assert report.feasible, report.summary()


def test_ctrl_c_on_the_command_line_saves_the_best_plan(tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        "from teamkit.cli import main; main()",
        "solve",
        str(ROOT / "examples" / "malang_three_days.toml"),
        "--out",
        str(out),
        "--time-limit",
        "240",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    # Wait for the progress lines (plain lines on a pipe) of the second pass over the six
    # sessions, when a plan with every hard rule met is in hand, then press Ctrl-C.
    assert process.stderr is not None
    for line in process.stderr:
        if " pass 3:" in line:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stdout + stderr
    assert "stopped: interrupted" in stdout
    document = read_plan_document(out / "plan.json")
    assert document.result is not None and document.result["stopped_by"] == "interrupted"
    problem = tk.io.read_problem(out / "problem.json")
    assert tk.check(problem, document.plan).feasible
