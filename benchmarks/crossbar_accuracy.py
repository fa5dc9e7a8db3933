"""Fast solver vs ngspice: largest relative error of the output currents, case by case.

Run::

    .venv/bin/python benchmarks/crossbar_accuracy.py            # ~5 min on 2 cores
    .venv/bin/python benchmarks/crossbar_accuracy.py --vectors 50

Cases (issue 3, "Done when"): 64x20 and 128x64 crossbars, wire segment
resistance r_row = r_col in {0.1, 0.3, 1, 3, 10} ohm, single- and dual-side
wordline connection; linear devices of 1 kOhm-100 kOhm (target <= 1e-6) and
QMM memdiodes with states spread over (0.05, 0.95) read at up to V_READ
(target <= 1e-3).  ngspice results come from the binary raw file at full
double precision.  The error is max over outputs and vectors of
|I_solver - I_ngspice| / |I_ngspice|.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pycodesign.analog import CrossbarParasitics, CrossbarSpec, simulate, solve  # noqa: E402
from pycodesign.devices.registry import get_model, list_models  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", type=int, default=10)
    ap.add_argument("--r", type=float, nargs="+", default=[0.1, 0.3, 1.0, 3.0, 10.0])
    args = ap.parse_args(argv)
    devices = ["linear"] + (["qmm"] if "qmm" in list_models() else [])
    if "qmm" not in devices:
        print("model 'qmm' is not registered: linear cases only")
    print(f"{'device':<7} {'array':<7} {'r [ohm]':>8} {'side':<6} {'max rel err':>12} {'target':>7}")
    worst = {}
    for device in devices:
        target = 1e-6 if device == "linear" else 1e-3
        for rows, cols in [(64, 20), (128, 64)]:
            for r in args.r:
                for dual in (False, True):
                    rng = np.random.default_rng(rows * 7 + cols + int(100 * r) + dual)
                    if device == "linear":
                        state = 1.0 / rng.uniform(1e3, 100e3, size=(rows, cols))
                        v = rng.uniform(0.0, 0.3, size=(args.vectors, rows))
                    else:
                        m = get_model(device)
                        lo, hi = m.state.bounds(m.resolve())
                        state = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), size=(rows, cols))
                        v = rng.uniform(0.0, m.stimulus.v_read, size=(args.vectors, rows))
                    spec = CrossbarSpec(state, device=device, dual_side=dual,
                                        parasitics=CrossbarParasitics(r_row_ohm=r, r_col_ohm=r))
                    a = solve(spec, v).outputs
                    b = simulate(spec, v).outputs
                    err = float(np.max(np.abs(a - b) / np.abs(b)))
                    worst[device] = max(worst.get(device, 0.0), err)
                    print(f"{device:<7} {rows}x{cols:<4} {r:>8g} {'dual' if dual else 'single':<6} {err:>12.2e} "
                          f"{target:>7.0e}{'' if err <= target else '  FAIL'}", flush=True)
    for device, err in worst.items():
        target = 1e-6 if device == "linear" else 1e-3
        print(f"worst {device}: {err:.2e} (target {target:.0e}: {'met' if err <= target else 'NOT met'})")
    return 0 if all(e <= (1e-6 if d == "linear" else 1e-3) for d, e in worst.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
