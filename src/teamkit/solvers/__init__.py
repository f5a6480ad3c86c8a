"""Solver back ends. Only :mod:`teamkit.solvers.ortools` imports OR-Tools."""
