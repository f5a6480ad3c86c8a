"""What each soft rule costs a plan, and how far it is from the best it could be on its own.

A plan's objective is a sum over the soft rules; when they pull against each other (a pin
that breaks the balance of its team), each one pays for the others. :func:`soft_report`
shows the bill: for every soft rule its penalty and weighted contribution in the plan (as
the independent checker computes them), and the penalty the engine reaches when it
optimises that rule alone, every hard rule kept and the other soft rules dropped. The
difference is what the compromise costs that rule; where the solve alone proves a bound,
the report says how good that rule could ever be.

Example::

    report = teamkit.soft_report(problem, result.plan, time_limit_each=2.0)
    print(report.summary())
"""

from __future__ import annotations

import math

import attrs

from teamkit.checker import check
from teamkit.constraints import Constraint, Diversity
from teamkit.model import ProblemData
from teamkit.plan import Plan
from teamkit.result import Result, Status
from teamkit.solve import solve


@attrs.frozen
class SoftRow:
    """One soft rule in a :class:`SoftReport`.

    Attributes:
        name: the rule's name, as :meth:`ProblemData.constraint_names` gives it.
        kind: the rule's kind (``"balance"``, ``"pin"``...).
        weight: its weight.
        penalty: its penalty in the plan (for diversity: the sum of within-team distances,
            which it maximises).
        contribution: what it adds to the plan's objective: ``weight * penalty``
            (``-weight * penalty`` for diversity).
        alone: its penalty in the best plan found when it is the only soft rule (every hard
            rule kept); ``None`` when that solve found no plan meeting the hard rules.
        bound: the best penalty it could ever reach on its own, proved by that solve (a
            lower bound; for diversity an upper bound); ``None`` where none was proved.
        status: how that solve ended.
    """

    name: str
    kind: str
    weight: float
    penalty: float
    contribution: float
    alone: float | None
    bound: float | None
    status: Status

    @property
    def _sign(self) -> float:
        """+1 for rules whose penalty is a cost, -1 for diversity, whose penalty is a gain."""
        return -1.0 if self.kind == Diversity.kind else 1.0

    @property
    def alone_contribution(self) -> float | None:
        """What the rule would add to the objective at its own best: ``weight * alone``."""
        return None if self.alone is None else self._sign * self.weight * self.alone

    @property
    def gap(self) -> float | None:
        """What sharing the plan with the other soft rules costs this one, in objective
        units: ``contribution - alone_contribution`` (zero or more when the solve alone
        found its best)."""
        alone = self.alone_contribution
        return None if alone is None else self.contribution - alone

    @property
    def proved(self) -> bool:
        """Whether ``alone`` is proved to be the best the rule can do on its own."""
        return self.alone is not None and self.bound is not None and math.isclose(self.alone, self.bound, abs_tol=1e-6)


@attrs.frozen
class SoftReport:
    """The soft rules of a plan, one :class:`SoftRow` each, in the problem's order.

    Attributes:
        rows: one per soft rule.
        objective: the plan's objective (the sum of the contributions), from the checker.
        feasible: whether the plan meets every hard rule.
    """

    rows: tuple[SoftRow, ...]
    objective: float
    feasible: bool

    def row(self, name: str) -> SoftRow:
        """The row of the soft rule called ``name``."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no soft rule called {name!r}; the soft rules are {[r.name for r in self.rows]}")

    def summary(self) -> str:
        """A table for people: each soft rule's weight, penalty and cost in the plan, the
        penalty it reaches on its own, what it could ever reach (proved), and the gap."""
        if not self.rows:
            return "no soft rules: the plan has no objective to share"
        header = ("soft rule", "weight", "penalty", "cost", "alone", "proved best", "gap")
        table = [header]
        for r in self.rows:
            table.append(
                (
                    r.name,
                    _number(r.weight),
                    _number(r.penalty),
                    _number(r.contribution),
                    _number(r.alone),
                    _number(r.bound),
                    _number(r.gap),
                )
            )
        widths = [max(len(line[j]) for line in table) for j in range(len(header))]
        lines = [
            "  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j]) for j, cell in enumerate(line))
            for line in table
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(
            f"objective: {_number(self.objective)}" + ("" if self.feasible else " (the plan breaks hard rules)")
        )
        lines.append(
            "alone: the penalty when the rule is the only soft one (hard rules kept); gap: cost minus "
            "its cost alone, what the other soft rules cost it"
        )
        return "\n".join(lines)


def soft_report(problem: ProblemData, plan: Plan, *, time_limit_each: float = 2.0, seed: int = 0) -> SoftReport:
    """Each soft rule's share of ``plan``'s objective, and the best it reaches on its own.

    The penalties and contributions are the checker's (:func:`teamkit.check`), so they add
    up to the objective it reports. For ``alone``, the problem is solved once per soft rule
    with every hard rule kept and the other soft rules removed, for ``time_limit_each``
    seconds with ``seed``; that solve's proved bound, where it has one, is ``bound``.

    A rule that reaches its best only in a plan that breaks others shows a gap: the
    difference is the price of the compromise, and a large one says which weight to
    reconsider.
    """
    if not isinstance(problem, ProblemData):
        raise TypeError(f"soft_report() takes ProblemData (from Model.data()), got {type(problem).__name__}")
    if not isinstance(plan, Plan):
        raise TypeError(f"soft_report() takes a Plan, got {type(plan).__name__}")
    if time_limit_each <= 0:
        raise ValueError(f"time_limit_each must be positive, got {time_limit_each!r}")
    report = check(problem, plan)
    names = problem.constraint_names()
    rows = []
    for index, (c, name) in enumerate(zip(problem.constraints, names)):
        if c.hard:
            continue
        alone, bound, status = _alone(problem, index, time_limit_each, seed)
        rows.append(
            SoftRow(
                name=name,
                kind=c.kind,
                weight=c.weight,
                penalty=report.penalties[name],
                contribution=report.breakdown[name],
                alone=alone,
                bound=bound,
                status=status,
            )
        )
    return SoftReport(rows=tuple(rows), objective=report.objective, feasible=report.feasible)


def _alone(problem: ProblemData, index: int, seconds: float, seed: int) -> tuple[float | None, float | None, Status]:
    """The penalty of soft rule ``index`` optimised alone, a proved bound on it, and the
    solve's status. The rule keeps its place among the hard rules, and is looked up by that
    place: its name may change when soft rules of the same name before it are dropped."""
    rule: Constraint = problem.constraints[index]
    kept = [c for k, c in enumerate(problem.constraints) if c.hard or k == index]
    position = sum(1 for k, c in enumerate(problem.constraints[:index]) if c.hard)
    alone = problem.replace(constraints=kept)
    name = alone.constraint_names()[position]
    result: Result = solve(alone, time_limit=seconds, seed=seed)
    penalty = check(alone, result.plan).penalties[name] if result.feasible and result.plan is not None else None
    bound = None
    if result.bound is not None:
        # The solve's objective is this rule's contribution alone: weight x penalty, or
        # minus that for diversity, so its lower bound bounds the penalty.
        sign = -1.0 if isinstance(rule, Diversity) else 1.0
        bound = sign * result.bound / rule.weight
    return penalty, bound, result.status


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isclose(value, round(value), abs_tol=1e-9):
        return str(round(value))
    return f"{value:.4g}"
