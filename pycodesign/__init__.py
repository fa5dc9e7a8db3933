"""pycodesign — an open co-design kit for memristive neural-network hardware.

Packages, in the order data flows through them:

``data``     embedded 8×8 digits and breast-cancer tables, user MNIST IDX and CSV files, seeded splits
``nn``       single-layer perceptron and MLP training in numpy; Table-2 metrics; weights files
``mapping``  weights → conductances (differential / reference column), levels, ADC sizing
``devices``  Verilog-A memristor models: registry, OpenVAF cache, references, device inversion, read checks
``analog``   crossbar description, netlist writer, fast nodal solver, electrical metrics
``rtl``      Amaranth peripherals (decoder, sequencer, write-verify, argmax, ReLU, SAR) → Verilog; golden models
``system``   a network on an architecture: tiles, ADC codes, integer pipeline (:func:`system.evaluate`)
``costs``    energy, area and latency of a design
``flows``    what ``pycodesign run FLOW.yaml`` runs, one module per flow kind (orchestration only)
``reports``  plots (PNG), Markdown and HTML reports

Infrastructure: ``config`` (one typed configuration tree), ``spice`` (ngspice
runner, raw files, libngspice), ``toolchain`` (tool discovery and ``doctor``),
``results`` (one results folder per run), ``progress``, ``api`` (notebooks),
``cli``.

From a notebook: ``pycodesign.run_flow(path_or_config, **overrides)`` and
``pycodesign.load_run(folder)`` (:mod:`pycodesign.api`).
"""

__version__ = "0.1.0"

from .api import load_run, run_flow  # noqa: E402 - light: the flows load when a run starts

__all__ = ["run_flow", "load_run", "__version__"]
