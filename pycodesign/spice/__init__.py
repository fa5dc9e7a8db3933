"""Run ngspice: as a batch process or in-process through PySpice's libngspice.

Both paths take the same netlist text (a SPICE deck *without* ``.control``) and
a list of analyses, load the OSDI models, and return every vector as a numpy
array, so callers can switch between them freely.

* :func:`run_batch` writes the deck to a folder, runs ``ngspice -b`` with a
  ``.control`` block (``pre_osdi``, ``set num_threads=1``, the analyses,
  ``write`` of a binary raw file per analysis) and parses the raw files at full
  double precision.  The deck, log and raw files stay in the folder, so a user
  can open the waveforms in any raw-file viewer.
* :class:`SharedNgspice` keeps one libngspice instance per process (it is a
  process-wide singleton in ngspice itself) and loads each OSDI library once.

No user or environment text reaches ngspice's control language: decks name
files relative to the work folder, OSDI libraries sit at kit-made or checked
paths, and every line is checked first (:mod:`~pycodesign.spice.safety`).

Failures raise :class:`SimulationError` (or :class:`ConvergenceError` for
time-step / singular-matrix / gmin-stepping failures) with the tail of the
ngspice log and the path of the deck.
"""
from ..errors import ConvergenceError, SimulationError
from .batch import run_batch
from .raw import read_raw
from .result import SpiceResult
from .shared import SharedNgspice, run_shared

__all__ = ["SimulationError", "ConvergenceError", "SpiceResult", "read_raw", "run_batch", "SharedNgspice",
           "run_shared"]
