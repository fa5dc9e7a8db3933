"""The kit's simulation errors, in one neutral module.

Both engines raise them: ngspice (:mod:`pycodesign.spice`) and the fast
solver (:mod:`pycodesign.analog.solver`), so a caller catches one class
whichever engine ran.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["SimulationError", "ConvergenceError"]


class SimulationError(RuntimeError):
    """ngspice did not produce a result.

    Attributes
    ----------
    log : str
        The ngspice output.
    deck : pathlib.Path or None
        The netlist that failed (batch runs keep it for inspection).
    """

    def __init__(self, message: str, *, log: str = "", deck: Path | None = None):
        self.log = log
        self.deck = deck
        tail = "\n".join(log.strip().splitlines()[-12:])
        where = f" (deck: {deck})" if deck else ""
        super().__init__(f"{message}{where}\n--- ngspice output (tail) ---\n{tail}" if tail else message + where)


class ConvergenceError(SimulationError):
    """ngspice failed to converge (time step too small, singular matrix, ...)."""
