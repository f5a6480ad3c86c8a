"""What :func:`teamkit.solve` returns."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from teamkit.plan import Plan


class Status(enum.Enum):
    """How a solve ended. Every solver outcome maps to exactly one of these."""

    #: A plan that meets every hard constraint, proved to have the best objective.
    OPTIMAL = "optimal"
    #: A plan that meets every hard constraint; not proved optimal.
    FEASIBLE = "feasible"
    #: Proved: no plan meets every hard constraint. ``explanation`` says which conflict.
    INFEASIBLE = "infeasible"
    #: No plan meeting every hard constraint was found in time, and none was proved
    #: impossible. ``plan`` holds the best attempt, with its violations.
    UNKNOWN = "unknown"


@attrs.frozen
class Result:
    """The outcome of a solve.

    Attributes:
        status: see :class:`Status`.
        plan: the best plan found (``None`` when there is none); check ``feasible``.
        objective: the cost of ``plan`` (lower is better): weighted soft penalties minus
            weighted diversity; ``None`` without a plan.
        breakdown: each soft constraint's weighted contribution to ``objective``.
        bound: a proved lower bound on the objective, where one is known.
        runtime: wall-clock seconds.
        hard_violations: the total penalty of the hard constraints in ``plan`` (0 when feasible).
        explanation: for an infeasible or unsolved problem, the reasons in words.
        stopped_by: ``"converged"``, ``"proved"``, ``"time_limit"`` or ``"interrupted"``.
        seed: the seed the solve used.
        repeats: for an event with across-session rules, the repeated meetings in ``plan``
            (``sum over pairs of max(0, meetings - 1)``); ``None`` otherwise.
        repeat_bound: a lower bound on ``repeats`` that holds for every plan (the counting
            bound: team-mate places against people to fill them), so ``repeats -
            repeat_bound`` says how far from perfect mixing the plan can still be.
    """

    status: Status
    plan: Plan | None
    objective: float | None = None
    breakdown: Mapping[str, float] = attrs.field(factory=dict)
    bound: float | None = None
    runtime: float = 0.0
    hard_violations: float = 0.0
    explanation: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    stopped_by: str = "converged"
    seed: int = 0
    repeats: int | None = None
    repeat_bound: int | None = None

    @property
    def feasible(self) -> bool:
        """Whether ``plan`` meets every hard constraint."""
        return self.plan is not None and self.status in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def gap(self) -> float | None:
        """Relative distance between objective and bound, where both are known."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1e-9, abs(self.objective))

    def summary(self) -> str:
        """A few lines for a person to read."""
        lines = [f"status: {self.status.value}"]
        if self.objective is not None:
            bound = f" (bound {self.bound:.6g})" if self.bound is not None else ""
            lines.append(f"objective: {self.objective:.6g}{bound}")
        for name, value in self.breakdown.items():
            lines.append(f"  {name}: {value:.6g}")
        if self.repeats is not None:
            lines.append(f"repeated meetings: {self.repeats} (at least {self.repeat_bound} are unavoidable)")
        if self.hard_violations:
            lines.append(f"hard violations: {self.hard_violations:g}")
        lines.append(f"runtime: {self.runtime:.2f} s (stopped: {self.stopped_by})")
        lines.extend(f"- {line}" for line in self.explanation)
        return "\n".join(lines)
