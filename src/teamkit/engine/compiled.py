"""One session of a problem as arrays: what the heuristics and the CP-SAT model read.

People are renumbered ``0..m-1`` in the order of ``present`` (the problem's indices of the
participants who attend). Categorical values become integer codes, numeric ones floats with
NaN for missing, pair rules become index pairs.
"""

from __future__ import annotations

import attrs
import numpy as np

from teamkit.constraints import (
    Apart,
    Balance,
    Constraint,
    Diversity,
    Hierarchy,
    NoIsolation,
    NumericBalance,
    Pin,
    Spread,
    Together,
)
from teamkit.model import ProblemData, is_missing


@attrs.define
class Categorical:
    """An attribute as codes; code 0 is "missing"."""

    codes: np.ndarray  # (m,) int
    values: list  # values[code]; values[0] is None
    totals: np.ndarray  # count of each code among the people present


@attrs.define
class CompiledConstraint:
    constraint: Constraint
    name: str
    data: dict


@attrs.define
class CompiledSession:
    problem: ProblemData
    index: int  # session index
    present: np.ndarray  # (m,) problem indices
    low: np.ndarray  # (T,) size bounds
    high: np.ndarray
    constraints: list[CompiledConstraint]
    categorical: dict[str, Categorical]

    @property
    def m(self) -> int:
        return len(self.present)

    @property
    def num_teams(self) -> int:
        return len(self.low)


def numeric_column(problem: ProblemData, attribute: str) -> np.ndarray:
    out = np.full(problem.num_participants, np.nan)
    for i, p in enumerate(problem.participants):
        value = p.get(attribute)
        if not is_missing(value) and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[i] = float(value)
    return out


def is_numeric_attribute(problem: ProblemData, attribute: str) -> bool:
    values = [p.get(attribute) for p in problem.participants if not is_missing(p.get(attribute))]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def categorical_column(problem: ProblemData, present: np.ndarray, attribute: str) -> Categorical:
    """``attribute`` of the people ``present`` (problem indices) as integer codes."""
    values: list = [None]
    code_of: dict = {}
    codes = np.zeros(len(present), dtype=np.int64)
    for k, i in enumerate(present):
        value = problem.participants[i].get(attribute)
        if is_missing(value):
            continue
        code = code_of.get(value)
        if code is None:
            code = code_of[value] = len(values)
            values.append(value)
        codes[k] = code
    totals = np.bincount(codes, minlength=len(values))
    return Categorical(codes, values, totals)


def compile_session(problem: ProblemData, k: int, extra: list[CompiledConstraint] | None = None) -> CompiledSession:
    """Session ``k`` as arrays. ``extra``: constraints the multi-session engine derives for
    this session (across-session rules seen with the other sessions fixed, kept teams);
    the across-session constraints themselves are skipped here."""
    layout = problem.layout(k)
    present = np.asarray(layout.present, dtype=np.int64)
    local = {int(i): j for j, i in enumerate(present)}
    session_id = problem.sessions[k].id
    categorical: dict[str, Categorical] = {}

    def cat(attribute: str) -> Categorical:
        if attribute not in categorical:
            categorical[attribute] = categorical_column(problem, present, attribute)
        return categorical[attribute]

    def local_pairs(pairs) -> np.ndarray:
        kept = [(local[a], local[b]) for a, b in pairs if a in local and b in local]
        return np.asarray(kept, dtype=np.int64).reshape(-1, 2)

    compiled = []
    for c, name in zip(problem.constraints, problem.constraint_names()):
        if not c.applies_to(session_id) or c.across_sessions or c.stage != "teams":
            continue
        data: dict = {}
        if isinstance(c, Spread) and c.values is not None:
            # Values the rule does not count are coded as missing, which spread ignores.
            full = cat(c.attribute)
            kept = np.array([v is not None and c.counts(v) for v in full.values])
            codes = np.where(kept[full.codes], full.codes, 0)
            data["cat"] = Categorical(codes, full.values, np.bincount(codes, minlength=len(full.values)))
        elif isinstance(c, (Spread, Balance, NoIsolation)):
            data["cat"] = cat(c.attribute)
            if isinstance(c, NoIsolation):
                table = data["cat"]
                wanted = None if c.values is None else set(c.values)
                mask = np.array(
                    [v is not None and (wanted is None or v in wanted or str(v) in wanted) for v in table.values]
                )
                data["mask"] = mask
        elif isinstance(c, NumericBalance):
            data["x"] = numeric_column(problem, c.attribute)[present]
        elif isinstance(c, Diversity):
            if c.distances is not None:
                data["matrix"] = np.asarray(c.distances)[np.ix_(present, present)]
            else:
                cats, nums = [], []
                for attribute in c.attributes:
                    if is_numeric_attribute(problem, attribute):
                        column = numeric_column(problem, attribute)
                        finite = column[~np.isnan(column)]
                        spread = float(finite.max() - finite.min()) if finite.size else 0.0
                        if spread > 0:
                            nums.append(column[present] / spread)
                    else:
                        # Diversity counts "missing" as a value of its own, like the checker.
                        table = cat(attribute)
                        cats.append(table)
                data["cats"] = cats
                data["nums"] = nums
        elif isinstance(c, (Together, Apart, Hierarchy)):
            data["pairs"] = local_pairs(problem.pairs(c))
        elif isinstance(c, Pin):
            i = problem.index(c.participant)
            if (c.session is None or c.session == session_id) and i in local:
                data["person"] = local[i]
                data["team"] = c.team - 1
            else:
                continue
        compiled.append(CompiledConstraint(c, name, data))
    compiled.extend(extra or ())
    sizes = layout.sizes
    return CompiledSession(
        problem=problem,
        index=k,
        present=present,
        low=np.array([a for a, _ in sizes], dtype=np.int64),
        high=np.array([b for _, b in sizes], dtype=np.int64),
        constraints=compiled,
        categorical=categorical,
    )
