"""What an ngspice run returns, and how its log is judged."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ConvergenceError

__all__ = ["SpiceResult", "check_log"]

# Messages after which ngspice has given up on an analysis.
_FATAL_CONVERGENCE = (
    "timestep too small",
    "simulation(s) aborted",
    "too many iterations without convergence",
    "transient op failed",
    "dc solution failed",
    "iteration limit reached",
    "no convergence",
)
# Messages that explain a failure but that ngspice may also print on its way to
# a solution (gmin stepping fails, then source stepping succeeds): never fatal alone.
_CONVERGENCE_HINTS = _FATAL_CONVERGENCE + ("singular matrix", "gmin stepping failed", "source stepping failed")


@dataclass
class SpiceResult:
    """Vectors of each analysis, in the order the analyses were given.

    ``plots[k]`` maps lower-case vector names (``time``, ``v(out)``,
    ``i(vdd)``, ``@n1[x]`` ...) to float64 (or complex128) arrays.
    """

    plots: list[dict[str, np.ndarray]]
    log: str = ""
    workdir: Path | None = None
    raw_files: list[Path] = field(default_factory=list)

    def __getitem__(self, name: str) -> np.ndarray:
        """A vector of the last analysis."""
        return self.plots[-1][name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.plots[-1]


def check_log(log: str, deck: Path | None) -> None:
    """Raise :class:`ConvergenceError` if *log* says ngspice gave up on an analysis."""
    low = log.lower()
    if any(pat in low for pat in _FATAL_CONVERGENCE):
        hints = "; ".join(p for p in _CONVERGENCE_HINTS if p in low)
        raise ConvergenceError(f"ngspice did not converge ({hints})", log=log, deck=deck)
