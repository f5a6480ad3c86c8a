"""The engine's numba kernels (``_mdgp_kernel``, ``_anneal_kernel``): whether they may load,
and each one loaded once.

Where numba is missing, fails to load (built for another numpy, say), or the environment
variable ``TEAMKIT_NUMBA=0`` turns it off, :func:`load` gives ``None`` and the caller takes
its plain path: the numpy walk of the diversity search, the sequential planner of events with
stations.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

#: Each kernel once asked for: its module, or ``None`` when it could not load.
_loaded: dict[str, ModuleType | None] = {}


def installed() -> bool:
    """Whether the kernels would be tried (numba is installed and not turned off), without
    loading any."""
    return os.environ.get("TEAMKIT_NUMBA", "1") != "0" and importlib.util.find_spec("numba") is not None


def load(name: str) -> ModuleType | None:
    """The kernel module ``teamkit.engine.<name>``, or ``None`` where it cannot load."""
    if name not in _loaded:
        module = None
        if installed():
            try:
                module = importlib.import_module(f"teamkit.engine.{name}")
            except Exception:  # noqa: BLE001 - numba broken: the caller's plain path
                module = None
        _loaded[name] = module
    return _loaded[name]
