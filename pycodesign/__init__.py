"""pycodesign — an open co-design kit for memristive neural-network hardware.

Packages, in the order data flows through them:

``data``     embedded 8×8 digits, user-supplied MNIST IDX files, seeded splits
``nn``       single-layer perceptron and MLP training in numpy; Table-2 metrics
``mapping``  weights → conductances (differential / reference column), levels, ADC sizing
``devices``  Verilog-A memristor models: registry, OpenVAF cache, ngspice runners, references
``analog``   crossbar description, netlist writer, fast nodal solver, SPICE inference
``rtl``      Amaranth peripherals (decoder, sequencer, write-verify, argmax, ReLU) → Verilog
``flows``    what ``pycodesign run FLOW.yaml`` runs, one module per flow kind
``reports``  plots (PNG) and Markdown reports

Infrastructure: ``config`` (typed YAML flow configuration), ``toolchain``
(tool discovery and ``doctor``), ``results`` (one results folder per run), ``cli``.
"""

__version__ = "0.1.0"
