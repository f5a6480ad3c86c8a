"""teamkit: plan team-building events with mixed teams, on OR-Tools CP-SAT."""

from teamkit.checker import CheckReport, Violation, check
from teamkit.constraints import (
    Apart,
    AvoidRepeats,
    Balance,
    Constraint,
    Diversity,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
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
    "AvoidRepeats",
    "Balance",
    "CheckReport",
    "Constraint",
    "Diversity",
    "EventFileError",
    "Hierarchy",
    "MeetAtMost",
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
    "Reach",
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
