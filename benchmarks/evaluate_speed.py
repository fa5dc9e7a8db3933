"""Speed of the evaluation core (issue 7, point 7), side by side with ngspice in one run.

Run::

    .venv/bin/python benchmarks/evaluate_speed.py            # ~2-4 min on 2 cores
    .venv/bin/python benchmarks/evaluate_speed.py --repeats 9

Rows
----
1. ``pycodesign.system.evaluate`` of the 8x8-digits SLP (65x20 devices:
   64 pixels + bias row, W+/W- pairs; 1 Ohm wires; 8-bit DAC/ADC) on all 539
   test images with the fast solver — the call a search makes per trial —
   beside the same evaluation with engine="spice" (ngspice, one job).
   Target: <= 0.1 s.
2. The exact linear solver, 256x256 devices, 1 Ohm wordline/bitline
   segments, 1,000 input vectors (build + factorise + solve). Target: <= 0.5 s.
   ngspice is timed on a few vectors and extrapolated (t = a + b n).
3. QMM memdiodes, 64x20 devices, 1 Ohm wires, 1,000 input vectors (Newton).
   Target: <= 0.8 s; ngspice on the same 1,000 vectors.

Times are medians over ``--repeats`` runs (min and max shown); BLAS is kept
to one thread so numpy and scipy do not fight over the 2 cores.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pycodesign.analog import CrossbarParasitics, CrossbarSolver, CrossbarSpec, simulate  # noqa: E402
from pycodesign.config import Architecture  # noqa: E402
from pycodesign.data import load_digits_dataset  # noqa: E402
from pycodesign.devices import state_for_conductance  # noqa: E402
from pycodesign.nn import train_slp  # noqa: E402
from pycodesign.system import evaluate  # noqa: E402


def timed(fn, repeats: int):
    out, times = None, []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, times


def fmt(times) -> str:
    return f"{statistics.median(times):.4f} s (min {min(times):.4f}, max {max(times):.4f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--spice-256-vectors", type=int, nargs=2, default=(2, 6),
                    help="two batch sizes for the 256x256 ngspice fit")
    args = ap.parse_args()
    print(f"# evaluation speed, {platform.node()}, {os.cpu_count()} cores, python {platform.python_version()}")
    rows = []

    # 1. the SLP evaluate
    ds = load_digits_dataset(seed=0)
    net = train_slp(ds.x_train, ds.y_train, epochs=100, lr=0.01, l2=1e-4, seed=0)
    arch = Architecture(array={"r_row_ohm": 1.0, "r_col_ohm": 1.0})
    ev, t_solver = timed(lambda: evaluate(net, arch, ds.x_test, ds.y_test), args.repeats)
    sp, t_spice = timed(lambda: evaluate(net, arch, ds.x_test, ds.y_test, engine="spice"), 1)
    same = bool(np.array_equal(ev.output_codes, sp.output_codes))
    rows.append(("SLP 65x20, 539 images, evaluate()", fmt(t_solver), f"{t_spice[0]:.2f} s",
                 f"{t_spice[0] / statistics.median(t_solver):.0f}x", "<= 0.1 s",
                 f"accuracy {ev.accuracy:.4f} both; codes identical: {same}"))

    # 2. 256x256 linear, 1,000 vectors
    rng = np.random.default_rng(1)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(256, 256))
    v = rng.uniform(0, 0.2, size=(1000, 256))
    spec = CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    res, t_lin = timed(lambda: CrossbarSolver(spec).solve(v), args.repeats)
    n1, n2 = args.spice_256_vectors
    t1 = time.perf_counter(); r1 = simulate(spec, v[:n1]); t1 = time.perf_counter() - t1
    t2 = time.perf_counter(); simulate(spec, v[:n2]); t2 = time.perf_counter() - t2
    b = (t2 - t1) / (n2 - n1)
    a = t1 - b * n1
    err = float(np.max(np.abs(res.outputs[:n1] - r1.outputs)) / np.max(np.abs(r1.outputs)))
    rows.append(("linear 256x256, 1,000 vectors, solver", fmt(t_lin), f"~{a + 1000 * b:.0f} s (extrapolated)",
                 f"~{(a + 1000 * b) / statistics.median(t_lin):.0f}x", "<= 0.5 s", f"max rel. diff {err:.1e}"))

    # 3. QMM 64x20, 1,000 vectors
    gq = rng.uniform(2e-5, 7e-4, size=(64, 20))
    xq = state_for_conductance("qmm", gq, v_read=0.2)
    vq = rng.uniform(0, 0.2, size=(1000, 64))
    qspec = CrossbarSpec(xq, device="qmm", parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    rq, t_q = timed(lambda: CrossbarSolver(qspec).solve(vq), args.repeats)
    sq, t_qs = timed(lambda: simulate(qspec, vq), 1)
    errq = float(np.max(np.abs(rq.outputs - sq.outputs)) / np.max(np.abs(sq.outputs)))
    rows.append(("QMM 64x20, 1,000 vectors, solver", fmt(t_q), f"{t_qs[0]:.2f} s",
                 f"{t_qs[0] / statistics.median(t_q):.0f}x", "<= 0.8 s", f"max rel. diff {errq:.1e}"))

    print("| case | solver / evaluate | ngspice | ratio | target | check |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
