"""Fast solver vs ngspice: time for 1,000 input vectors through crossbars with parasitics.

Run::

    .venv/bin/python benchmarks/crossbar_solver.py            # ~3-5 min on 2 cores
    .venv/bin/python benchmarks/crossbar_solver.py --full     # also runs 256x256 fully in ngspice (~1 h)

Both engines get the same circuit description (``CrossbarSpec``): linear
devices of 1 kOhm-100 kOhm (seeded), wordline/bitline segments of 1 Ohm,
1 fF line-to-line, crossing and to-ground capacitances (open at DC, but in
the deck), ideal TIAs, inputs uniform in [0, 0.2] V.

* ngspice time: wall time of one ``pycodesign.analog.simulate`` call (deck
  writing, one ``ngspice -b`` job solving every vector as a DC-sweep point,
  reading the binary raw file).
* solver time: wall time of building the circuit, factorising and solving
  every vector (``CrossbarSolver(spec).solve(v)``).

Both are measured side by side in the same run.  For 256x256, ngspice needs
several seconds per operating point, so unless ``--full`` is given it is
timed on two small batches (n1 and n2 vectors), the fixed cost and the cost
per vector are fitted (t = a + b n), and the time for 1,000 vectors is
extrapolated as a + 1000 b (marked "extrapolated" in the table).  The last
column is the largest relative difference between the two engines' output
currents over the vectors ngspice actually solved.

``--qmm`` adds a 64x20 row with QMM memdiodes (chord and Newton iterations in the
solver) if the ``qmm`` model is registered.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pycodesign.analog import CrossbarParasitics, CrossbarSolver, CrossbarSpec, simulate  # noqa: E402
from pycodesign.devices.registry import get_model, list_models  # noqa: E402

PARASITICS = CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0, c_line_to_line_f=1e-15, c_crossing_f=1e-15,
                                c_to_ground_f=1e-15)


def make_case(rows: int, cols: int, n: int, seed: int, device: str = "linear"):
    rng = np.random.default_rng(seed)
    if device == "linear":
        state = 1.0 / rng.uniform(1e3, 100e3, size=(rows, cols))
        v = rng.uniform(0.0, 0.2, size=(n, rows))
    else:
        m = get_model(device)
        lo, hi = m.state.bounds(m.resolve())
        state = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), size=(rows, cols))
        v = rng.uniform(0.0, m.stimulus.v_read, size=(n, rows))
    return CrossbarSpec(state, device=device, parasitics=PARASITICS), v


def time_solver(spec, v):
    t0 = time.perf_counter()
    out = CrossbarSolver(spec).solve(v).outputs
    return time.perf_counter() - t0, out


def time_spice(spec, v):
    t0 = time.perf_counter()
    out = simulate(spec, v).outputs
    return time.perf_counter() - t0, out


def rel_err(a, b):
    return float(np.max(np.abs(a - b) / np.abs(b)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", type=int, default=1000)
    ap.add_argument("--full", action="store_true", help="run 256x256 fully in ngspice instead of extrapolating")
    ap.add_argument("--n1", type=int, default=2, help="small batch for the 256x256 ngspice fit")
    ap.add_argument("--n2", type=int, default=8, help="second batch for the 256x256 ngspice fit")
    ap.add_argument("--qmm", action="store_true", help="add a 64x20 QMM row (Newton)")
    args = ap.parse_args(argv)
    n = args.vectors
    rows_out = []

    print(f"python {platform.python_version()}, numpy {np.__version__}; {os.cpu_count()} CPUs; "
          f"parasitics {PARASITICS.to_dict()}", flush=True)

    # 64x20: both engines, every vector
    spec, v = make_case(64, 20, n, seed=1)
    t_sp, i_sp = time_spice(spec, v)
    t_so, i_so = time_solver(spec, v)
    rows_out.append(("64x20 linear", n, t_sp, "measured", t_so, rel_err(i_so, i_sp)))
    print(f"64x20: ngspice {t_sp:.2f} s, solver {t_so:.4f} s", flush=True)

    if args.qmm:
        if "qmm" in list_models():
            spec_q, vq = make_case(64, 20, n, seed=3, device="qmm")
            t_sp, i_sp = time_spice(spec_q, vq)
            t_so, i_so = time_solver(spec_q, vq)
            rows_out.append(("64x20 QMM (chord+Newton)", n, t_sp, "measured", t_so, rel_err(i_so, i_sp)))
            print(f"64x20 QMM: ngspice {t_sp:.2f} s, solver {t_so:.3f} s", flush=True)
        else:
            print("64x20 QMM: skipped, model 'qmm' is not registered", flush=True)

    # 256x256
    spec, v = make_case(256, 256, n, seed=2)
    t_so, i_so = time_solver(spec, v)
    print(f"256x256: solver {t_so:.2f} s for {n} vectors", flush=True)
    if args.full:
        t_sp, i_sp = time_spice(spec, v)
        rows_out.append(("256x256 linear", n, t_sp, "measured", t_so, rel_err(i_so, i_sp)))
    else:
        n1, n2 = args.n1, args.n2
        t1, i1 = time_spice(spec, v[:n1])
        print(f"256x256: ngspice {t1:.1f} s for {n1} vectors", flush=True)
        t2, i2 = time_spice(spec, v[:n2])
        print(f"256x256: ngspice {t2:.1f} s for {n2} vectors", flush=True)
        b = (t2 - t1) / (n2 - n1)
        a = t1 - b * n1
        t_sp = a + b * n
        err = max(rel_err(i_so[:n1], i1), rel_err(i_so[:n2], i2))
        rows_out.append(("256x256 linear", n, t_sp,
                         f"extrapolated: {a:.1f} s + {n} x {b:.2f} s (fit of {n1} and {n2} vectors)", t_so, err))

    print()
    print(f"{'array':<20} {'vectors':>7} {'ngspice [s]':>12} {'solver [s]':>11} {'ratio':>9} "
          f"{'max rel err':>12}  ngspice timing")
    for name, nv, tsp, note, tso, err in rows_out:
        print(f"{name:<20} {nv:>7d} {tsp:>12.2f} {tso:>11.4f} {tsp / tso:>8.0f}x {err:>12.2e}  {note}")
    ratio = rows_out[0][2] / rows_out[0][4]
    print(f"\ntarget: fast solver >= 100x faster than ngspice at 64x20 -> {ratio:.0f}x: "
          f"{'met' if ratio >= 100 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
