"""teamkit: plan team-building events with mixed teams, on OR-Tools CP-SAT."""

from teamkit.checker import CheckReport, Violation, check
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
from teamkit.exceptions import (
    EventFileError,
    ModelError,
    PlanFileError,
    RosterError,
    SolverError,
    TeamkitError,
    TeamkitWarning,
)
from teamkit.model import Model, Participant, ProblemData, Session
from teamkit.plan import Plan, SessionPlan, Team
from teamkit.result import Result, Status
from teamkit.solve import Progress, solve

__version__ = "0.1.0"

__all__ = [
    "Apart",
    "Balance",
    "CheckReport",
    "Constraint",
    "Diversity",
    "EventFileError",
    "Hierarchy",
    "Model",
    "ModelError",
    "NoIsolation",
    "NumericBalance",
    "Participant",
    "Pin",
    "Plan",
    "PlanFileError",
    "ProblemData",
    "Progress",
    "Result",
    "RosterError",
    "Session",
    "SessionPlan",
    "SolverError",
    "Spread",
    "Status",
    "Team",
    "TeamkitError",
    "TeamkitWarning",
    "Together",
    "Violation",
    "check",
    "solve",
]
