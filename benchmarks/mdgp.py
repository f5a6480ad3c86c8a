#!/usr/bin/env python3
"""Maximally diverse grouping on MDGPLIB: teamkit beside a plain CP-SAT model.

    python benchmarks/mdgp.py /work/shared/data/mdgplib/*_n120_* --seeds 3
    python benchmarks/mdgp.py Geo_n240_ss_01.txt --time-limit 20 --seeds 3 --json
    python benchmarks/mdgp.py FILE --time-limit 0.5 --no-baseline --save plans/

Each file is an MDGPLIB instance: a header ``n m ss|ds a1 b1 ... am bm`` (the size range of
each of the ``m`` groups), then one line ``i j d`` per pair ``i < j``. The objective is the
sum, over groups, of ``d(i, j)`` for every pair inside a group, maximised.

For each file and seed, ``teamkit.solve`` runs on the problem that
``teamkit.io.mdgp.mdgp_problem`` builds (elements ``e0``... in one session, one
``Diversity`` rule), and the plain CP-SAT model (:func:`plain_cpsat.solve_mdgp`, built from
the file alone) runs with the same time limit, each in a fresh subprocess
(:func:`common.measure`). Every plan is checked twice: by ``teamkit.check`` and by this
script, which reads the file with its own parser and recomputes the objective and the group
sizes from the returned groups. ``verified`` means both agree, the checker finds no
violation and every size lies in its range. The default time limits are Lai & Hao's
(n <= 12: 1 s, 120: 3 s, 240: 20 s, 480: 120 s). See benchmarks/README.md for the columns.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import common  # noqa: E402
import plain_cpsat  # noqa: E402

import teamkit  # noqa: E402
from teamkit.engine import mdgp  # noqa: E402
from teamkit.io.mdgp import mdgp_problem  # noqa: E402
from teamkit.model import ProblemData  # noqa: E402

#: Lai & Hao's time limits (Iterated maxima search for the maximally diverse grouping problem,
#: EJOR 2016) by number of elements: the first ``n`` at or above the instance's size applies.
TIME_LIMITS: tuple[tuple[int, float], ...] = ((12, 1.0), (120, 3.0), (240, 20.0), (480, 120.0))

#: Reference values, by instance: (value, kind).
#:
#: - ``IMS mean``: the mean over 3 seeds of Lai & Hao's iterated maxima search (their C++
#:   code), measured on the benchmark machine at their time limits (CPU seconds). The first
#:   seven below came with the benchmark's specification; the other seventeen of n = 120
#:   and 240 were measured the same way for this table (the authors' code as distributed
#:   with the R package anticlust, compiled with g++ 12 -O2 and run once per seed 1, 2 and
#:   3, two runs at a time on the two cores; see BENCHMARKS.md).
#: - ``optimum``: the exact optimum: published with the data for instance 01 of the small
#:   sets; for instance 02, proved here by the plain CP-SAT model (``ss``, and ``ds`` at
#:   n = 10) or by enumerating every grouping (:func:`enumerate_optimum`, ``ds`` at n = 12).
REFERENCES: dict[str, tuple[float, str]] = {
    # Given with the specification.
    "Geo_n120_ss_01": (101586.0, "IMS mean"),
    "RanInt_n120_ss_01": (47905.0, "IMS mean"),
    "RanReal_n120_ss_01": (47327.0, "IMS mean"),
    "RanReal_n120_ds_01": (50460.0, "IMS mean"),
    "Geo_n240_ss_01": (188830.0, "IMS mean"),
    "RanReal_n240_ss_01": (155063.0, "IMS mean"),
    "RanReal_n240_ds_01": (160014.0, "IMS mean"),
    # Optima.
    "Geo_n010_ss_01": (3660.67, "optimum"),
    "Geo_n010_ds_01": (3864.69, "optimum"),
    "Geo_n012_ss_01": (716.46, "optimum"),
    "Geo_n012_ds_01": (807.68, "optimum"),
    "RanInt_n010_ss_01": (1292.0, "optimum"),
    "RanInt_n010_ds_01": (1325.0, "optimum"),
    "RanInt_n012_ss_01": (985.0, "optimum"),
    "RanInt_n012_ds_01": (1059.0, "optimum"),
    "RanReal_n010_ss_01": (1427.85, "optimum"),
    "RanReal_n010_ds_01": (1437.81, "optimum"),
    "RanReal_n012_ss_01": (956.43, "optimum"),
    "RanReal_n012_ds_01": (1050.35, "optimum"),
    "Geo_n010_ss_02": (1404.80, "optimum"),
    "Geo_n010_ds_02": (1404.80, "optimum"),
    "Geo_n012_ss_02": (840.20, "optimum"),
    "Geo_n012_ds_02": (921.55, "optimum"),
    "RanInt_n010_ss_02": (1204.0, "optimum"),
    "RanInt_n010_ds_02": (1204.0, "optimum"),
    "RanInt_n012_ss_02": (856.0, "optimum"),
    "RanInt_n012_ds_02": (978.0, "optimum"),
    "RanReal_n010_ss_02": (1202.09, "optimum"),
    "RanReal_n010_ds_02": (1202.09, "optimum"),
    "RanReal_n012_ss_02": (972.55, "optimum"),
    "RanReal_n012_ds_02": (1093.06, "optimum"),
    # Measured for this table.
    "Geo_n120_ss_02": (54833.997, "IMS mean"),
    "Geo_n120_ds_01": (111880.472, "IMS mean"),
    "Geo_n120_ds_02": (61599.736, "IMS mean"),
    "RanInt_n120_ss_02": (47798.333, "IMS mean"),
    "RanInt_n120_ds_01": (51085.667, "IMS mean"),
    "RanInt_n120_ds_02": (51318.667, "IMS mean"),
    "RanReal_n120_ss_02": (47189.481, "IMS mean"),
    "RanReal_n120_ds_02": (50780.353, "IMS mean"),
    "Geo_n240_ss_02": (330246.628, "IMS mean"),
    "Geo_n240_ds_01": (200333.376, "IMS mean"),
    "Geo_n240_ds_02": (348447.172, "IMS mean"),
    "RanInt_n240_ss_01": (155454.0, "IMS mean"),
    "RanInt_n240_ss_02": (155118.0, "IMS mean"),
    "RanInt_n240_ds_01": (160366.667, "IMS mean"),
    "RanInt_n240_ds_02": (160034.333, "IMS mean"),
    "RanReal_n240_ss_02": (155308.414, "IMS mean"),
    "RanReal_n240_ds_02": (160433.598, "IMS mean"),
}

#: The best grouping teamkit has found for each instance of n = 120 and 240 without a
#: published optimum, in any run recorded in BENCHMARKS.md (that table's, and longer ones:
#: 30 s x 2 seeds at n = 120, 120 s x 1 seed at n = 240), its groups saved: a bar above the
#: references that shows how far a run of the time limit stays from what longer searches
#: reach.
BEST_KNOWN: dict[str, float] = {
    "Geo_n120_ss_02": 54851.563,
    "Geo_n120_ds_01": 111969.690,
    "Geo_n120_ds_02": 61913.049,
    "RanInt_n120_ss_02": 47826.0,
    "RanInt_n120_ds_01": 51171.0,
    "RanInt_n120_ds_02": 51400.0,
    "RanReal_n120_ss_02": 47243.161,
    "RanReal_n120_ds_02": 50904.026,
    "Geo_n240_ss_02": 330318.210,
    "Geo_n240_ds_01": 200381.429,
    "Geo_n240_ds_02": 348623.302,
    "RanInt_n240_ss_01": 155558.0,
    "RanInt_n240_ss_02": 155338.0,
    "RanInt_n240_ds_01": 160527.0,
    "RanInt_n240_ds_02": 160384.0,
    "RanReal_n240_ss_02": 155732.813,
    "RanReal_n240_ds_02": 160778.278,
}

#: CP-SAT workers for the baseline: teamkit's search for MDGP runs on one core.
WORKERS = 1

COLUMNS: list[tuple[str, ...]] = [
    ("instance", "instance"),
    ("n", "n"),
    ("solver", "solver"),
    ("seed", "seed"),
    ("time_limit", "limit s", "g"),
    ("status", "status"),
    ("objective", "objective", ",.2f"),
    ("reference", "reference", ",.2f"),
    ("reference_kind", "ref. kind"),
    ("gap", "gap %", "+.3f"),
    ("best_known", "best known", ",.2f"),
    ("gap_best", "gap best %", "+.3f"),
    ("verified", "verified"),
    ("seconds", "seconds"),
]


# -- the instance, read here apart from teamkit ------------------------------------------------
def read_instance(path: str | Path) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The distance matrix and the ``(low, high)`` size of every group of an MDGPLIB file,
    parsed here (not with teamkit's reader), so that the check below does not share code
    with what it checks."""
    tokens = Path(path).read_text(encoding="utf-8").split()
    n, m = int(tokens[0]), int(tokens[1])
    bounds = [(int(tokens[3 + 2 * g]), int(tokens[4 + 2 * g])) for g in range(m)]
    rest = tokens[3 + 2 * m :]
    D = np.zeros((n, n))
    for k in range(0, len(rest) - 2, 3):
        i, j, d = int(rest[k]), int(rest[k + 1]), float(rest[k + 2])
        D[i, j] = D[j, i] = d
    return D, bounds


def objective(D: np.ndarray, groups: list[int]) -> float:
    """The MDGP objective of ``groups`` (the group of each element), from scratch."""
    label = np.asarray(groups)
    total = 0.0
    for g in np.unique(label):
        members = np.flatnonzero(label == g)
        total += float(np.triu(D[np.ix_(members, members)], 1).sum())
    return total


def enumerate_optimum(path: str | Path) -> float:
    """The exact optimum of a small instance (n up to about 12), by scoring every grouping
    whose sizes lie in their ranges; used for the ``optimum`` references no solver proved."""
    D, bounds = read_instance(path)
    n, m = len(D), len(bounds)
    low = np.array([b[0] for b in bounds])
    high = np.array([b[1] for b in bounds])
    head = min(n, 4)
    tail = np.array(list(itertools.product(range(m), repeat=n - head)), dtype=np.int8).reshape(-1, n - head)
    best = -np.inf
    for first in itertools.product(range(m), repeat=head):
        labels = np.concatenate([np.broadcast_to(np.array(first, dtype=np.int8), (len(tail), head)), tail], axis=1)
        counts = np.stack([(labels == g).sum(axis=1) for g in range(m)], axis=1)
        labels = labels[((counts >= low) & (counts <= high)).all(axis=1)]
        if not len(labels):
            continue
        value = np.zeros(len(labels))
        for i in range(n):
            for j in range(i + 1, n):
                value += D[i, j] * (labels[:, i] == labels[:, j])
        best = max(best, float(value.max()))
    return best


def time_limit_for(n: int) -> float:
    """Lai & Hao's time limit for ``n`` elements (:data:`TIME_LIMITS`)."""
    for size, seconds in TIME_LIMITS:
        if n <= size:
            return seconds
    return TIME_LIMITS[-1][1]


def groups_of(problem: ProblemData, plan: teamkit.Plan) -> list[int]:
    """The group of each element (0-based, input order) in a teamkit plan."""
    session = plan.sessions[0]
    team = {member: t.number - 1 for t in session.teams for member in t.members}
    return [team[p.id] for p in problem.participants]


# -- the runs (module-level, so a spawned subprocess can import them) ----------------------------
def run_teamkit(problem: ProblemData, time_limit: float, seed: int) -> tuple[str, list[int] | None]:
    result = teamkit.solve(problem, time_limit=time_limit, seed=seed)
    if result.plan is None:
        return result.status.value, None
    return result.status.value, groups_of(problem, result.plan)


def run_baseline(path: str, time_limit: float, seed: int) -> tuple[str, list[int] | None]:
    D, bounds = read_instance(path)
    groups, status, _ = plain_cpsat.solve_mdgp(D, bounds, time_limit=time_limit, seed=seed, workers=WORKERS)
    return status, groups


def verify(
    problem: ProblemData, D: np.ndarray, bounds: list[tuple[int, int]], groups: list[int], label: str
) -> tuple[bool | None, float]:
    """``(verified, objective)``: the objective recomputed here from the file's distances;
    verified when every element has a group, every size lies in its range, and
    ``teamkit.check`` finds no violation and the same objective (``None`` when the checker
    failed)."""
    value = objective(D, groups)
    label_of = np.asarray(groups)
    if len(label_of) != len(D) or label_of.min() < 0 or label_of.max() >= len(bounds):
        return False, value
    sizes = np.bincount(label_of, minlength=len(bounds))
    sizes_ok = all(low <= s <= high for s, (low, high) in zip(sizes, bounds))
    assignment = label_of[None, :]
    report = common.check_plan(problem, teamkit.Plan.from_assignment(problem, assignment), label)
    if report is None:
        return None, value
    same = abs(-report.objective - value) <= 1e-6 * max(1.0, abs(value))
    return bool(sizes_ok and report.feasible and same), value


def one_run(
    solver: str, path: str, problem: ProblemData, seed: int, time_limit: float, in_process: bool
) -> tuple[dict[str, Any], list[int] | None]:
    """One solve, measured and verified: the JSON record and the groups (or ``None``)."""
    name = Path(path).stem
    D, bounds = read_instance(path)
    reference, kind = REFERENCES.get(name, (None, None))
    record: dict[str, Any] = {
        "instance": name,
        "n": len(D),
        "groups": len(bounds),
        "sizes": "ss" if all(low == high for low, high in bounds) else "ds",
        "solver": solver,
        "seed": seed,
        "time_limit": time_limit,
        "workers": WORKERS if solver == "plain-cpsat" else None,
        "status": None,
        "objective": None,
        "reference": reference,
        "reference_kind": kind,
        "gap": None,
        "best_known": BEST_KNOWN.get(name),
        "gap_best": None,
        "verified": None,
        "seconds": None,
        "peak_mib": None,
    }
    if solver == "plain-cpsat" and plain_cpsat.mdgp_units(len(D), len(bounds)) > plain_cpsat.MAX_BOOLEANS:
        record.update(status="too large", seconds=0.0)
        return record, None
    if solver == "teamkit":
        fn, setup, setup_args = run_teamkit, mdgp_problem, (path,)
        args: tuple = (time_limit, seed)
    else:
        fn, setup, setup_args = run_baseline, None, ()
        args = (path, time_limit, seed)
    measured = common.measure_run(
        f"{solver} {name} seed={seed}",
        record,
        fn,
        *args,
        setup=setup,
        setup_args=setup_args,
        in_process=in_process,
        time_limit=time_limit,
    )
    if measured is None:
        return record, None
    (status, groups), seconds, peak = measured
    record.update(status=status, seconds=seconds, peak_mib=peak, verified=False)
    if groups is not None:
        verified, value = verify(problem, D, bounds, groups, f"{solver} {name} seed={seed}")
        record.update(verified=verified, objective=value)
        record.update(gap=gap(value, reference), gap_best=gap(value, record["best_known"]))
    return record, groups


def gap(value: float | None, bar: float | None) -> float | None:
    """``100 * (value - bar) / bar``, or ``None`` without both."""
    if value is None or not bar:
        return None
    return 100.0 * (value - bar) / bar


def mean_row(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The mean over the seeds of one instance and solver (objective over the runs with a
    plan; ``verified`` only when every run is)."""
    first = records[0]
    values = [r["objective"] for r in records if r["objective"] is not None]
    row = {k: first[k] for k in ("instance", "n", "solver", "time_limit", "reference", "reference_kind", "best_known")}
    row["seed"] = "mean"
    row["status"] = f"{len(values)}/{len(records)} plans"
    row["objective"] = float(np.mean(values)) if values else None
    row["verified"] = all(r["verified"] for r in records)
    row["seconds"] = float(np.mean([r["seconds"] for r in records if r["seconds"] is not None] or [np.nan]))
    row["gap"] = gap(row["objective"], row["reference"])
    row["gap_best"] = gap(row["objective"], row["best_known"])
    return row


def save_groups(directory: str, record: dict[str, Any], groups: list[int]) -> str:
    """Writes ``<instance>.<solver>.seed<k>.txt`` in ``directory``: the group of each
    element (0-based), one line per element in input order. Returns the path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{record['instance']}.{record['solver']}.seed{record['seed']}.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("".join(f"{g}\n" for g in groups))
    return path


def warm_up() -> str:
    """Compiles the diversity search's walk into numba's cache, where numba is installed, so
    that no timed run pays for the compilation (each run is a fresh process that loads it from
    the cache, as any process after the first does); says which walk the runs use."""
    if mdgp.compiled_walk() is None:
        return "in numpy (numba not installed, or TEAMKIT_NUMBA=0)"
    D = np.ones((6, 6)) - np.eye(6)
    mdgp.search(D, np.full(2, 3), np.full(2, 3), np.random.default_rng(0), iterations=3, compiled=True)
    import numba

    return f"compiled (numba {numba.__version__})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="MDGPLIB instances: teamkit beside a plain CP-SAT model")
    ap.add_argument("files", nargs="+", help="MDGPLIB instance files")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per solve, for both solvers (default: Lai & Hao's, by n: 1 s up to 12, 3 s up to 120, "
        "20 s up to 240, 120 s beyond)",
    )
    ap.add_argument("--seeds", type=int, default=1, metavar="K", help="run seeds 0 ... K-1 (default 1: seed 0)")
    ap.add_argument(
        "--baseline-seeds",
        type=int,
        default=None,
        metavar="K",
        help="seeds for the plain CP-SAT model (default: as many as --seeds)",
    )
    ap.add_argument("--save", metavar="DIR", default=None, help="write each run's groups to DIR (one line per element)")
    common.add_run_options(ap)
    args = ap.parse_args(argv)
    if args.time_limit is not None and args.time_limit <= 0:
        ap.error("--time-limit must be positive")
    if args.seeds < 1:
        ap.error("--seeds must be at least 1")
    if args.baseline_seeds is not None and args.baseline_seeds < 1:
        ap.error("--baseline-seeds must be at least 1")
    missing = [f for f in args.files if not os.path.isfile(f)]
    if missing:
        ap.error(f"no such file: {', '.join(missing)}")

    solvers = ["teamkit"] + (["plain-cpsat"] if args.baseline else [])
    walk = warm_up()
    rows: list[dict[str, Any]] = []
    for path in args.files:
        problem = mdgp_problem(path)
        limit = args.time_limit if args.time_limit is not None else time_limit_for(problem.num_participants)
        for solver in solvers:
            seeds = args.seeds if solver == "teamkit" or args.baseline_seeds is None else args.baseline_seeds
            records = []
            for seed in range(seeds):
                if not args.json:
                    print(f"running {solver} on {Path(path).stem} seed={seed} ...", file=sys.stderr, flush=True)
                record, groups = one_run(solver, path, problem, seed, limit, args.in_process)
                if args.save and groups is not None:
                    record["saved"] = save_groups(args.save, record, groups)
                records.append(record)
                if args.json:
                    common.print_json_lines([record])
            rows.extend(records)
            if seeds > 1:
                rows.append(mean_row(records))

    if not args.json:
        print(
            f"MDGPLIB, objective maximised (sum of distances within groups), {args.seeds} seed(s) for teamkit, "
            f"{args.baseline_seeds or args.seeds} for the baseline; "
            f"plain CP-SAT with {WORKERS} worker(s); teamkit's diversity search {walk}; "
            "gap % = (objective - reference) / reference"
        )
        common.print_table(rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
