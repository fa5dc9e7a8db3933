"""Speed targets of the fast crossbar solver (issue 7, point 7), side by side with the old path and ngspice.

Run::

    .venv/bin/python benchmarks/solver_speed.py                 # ~2-4 min on 2 cores (ngspice included)
    .venv/bin/python benchmarks/solver_speed.py --no-spice      # solver rows only, ~1 min
    .venv/bin/python benchmarks/solver_speed.py --baseline none # without the pre-change solver

Two cases, 1,000 input vectors each, as in the issue:

* **256 x 256 linear**, 1 Ohm wordline and bitline segments, devices of
  1 kOhm-100 kOhm, inputs in [0, 0.2] V.  Target: <= 0.5 s.
* **64 x 20 QMM** memdiodes (kit preset, states in the middle 90 % of [0, 1]),
  1 Ohm segments, inputs in [0, V_READ].  Target: <= 0.8 s.

Every solver row times ``CrossbarSolver(spec, ...).solve(v)`` from scratch —
building the nodal matrices, ordering, factorising and solving — as the
search will call it, ``--repeats`` times; the table gives the best and the
median wall time and the median CPU time of the process (the machine is shared:
when the load average exceeds the 2 cores, wall time stretches and CPU time is
the steadier figure).  Rows:

* ``fast``: the default, ``linear_path`` / ``chord_path`` printed.  The
  linear path keeps its symbolic analysis (nested-dissection tree, index
  maps) per topology, as a search re-solving one architecture with new
  weights benefits from: ``first call`` clears it before every run,
  ``same topology`` does not;
* ``general path``: ``linear_method="sparse_lu"`` / ``nonlinear_method="sparse_lu"``
  (the fallback: SuperLU, as before, within the new iteration loop);
* ``before``: the solver module as of ``--baseline`` (a git revision, default
  the commit before this work), loaded from git next to the current one —
  the "today" of the issue;
* ``ngspice``: ``pycodesign.analog.simulate`` (deck, one ``ngspice -b`` job,
  raw file).  For 256 x 256 ngspice needs seconds per operating point, so it
  solves ``--n1`` and ``--n2`` vectors, the fixed and per-vector costs are
  fitted (t = a + b n) and 1,000 vectors are extrapolated (marked so).

The last columns are the largest relative difference of the output currents
from the general path and from ngspice (over the vectors ngspice solved).
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pycodesign.analog import CrossbarParasitics, CrossbarSolver, CrossbarSpec, simulate  # noqa: E402
from pycodesign.analog import solver as solver_mod  # noqa: E402
from pycodesign.devices.registry import get_model  # noqa: E402

#: The solver before the fast paths of issue 7 point 7 (this branch's parent on main).
DEFAULT_BASELINE = "18362f2"
WIRES = CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0)


def linear_case(n: int):
    rng = np.random.default_rng(2)
    g = 1.0 / rng.uniform(1e3, 100e3, size=(256, 256))
    return CrossbarSpec(g, parasitics=WIRES), rng.uniform(0.0, 0.2, size=(n, 256))


def qmm_case(n: int):
    rng = np.random.default_rng(3)
    m = get_model("qmm")
    lo, hi = m.state.bounds(m.resolve())
    x = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), size=(64, 20))
    return CrossbarSpec(x, device="qmm", parasitics=WIRES), rng.uniform(0.0, m.stimulus.v_read, size=(n, 64))


def load_baseline(rev: str):
    """The solver module at git revision ``rev``, importable next to the current one (or None, why)."""
    try:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:pycodesign/analog/solver.py"],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"git show {rev}: {getattr(exc, 'stderr', exc)!s}".strip()
    name = "pycodesign.analog._solver_baseline"
    mod = types.ModuleType(name)
    mod.__package__ = "pycodesign.analog"  # its relative imports resolve to today's package
    sys.modules[name] = mod  # dataclasses look their module up there
    try:
        exec(compile(src, f"<{rev}:pycodesign/analog/solver.py>", "exec"), mod.__dict__)
    except Exception as exc:  # an old revision may not import against today's package
        del sys.modules[name]
        return None, f"revision {rev} does not import here: {exc}"
    return mod, ""


def timed(fn, repeats: int):
    """Best and median wall time, median CPU time (s), and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), float(np.median(walls)), float(np.median(cpus)), out


def rel_err(a, b) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7, help="runs of each fast row (slow rows: 3)")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of the 'before' solver, or 'none'")
    ap.add_argument("--no-spice", action="store_true", help="skip the ngspice rows")
    ap.add_argument("--n1", type=int, default=2, help="vectors of the first 256x256 ngspice run")
    ap.add_argument("--n2", type=int, default=4, help="vectors of the second 256x256 ngspice run")
    args = ap.parse_args(argv)
    n = args.vectors
    print(f"python {platform.python_version()}, numpy {np.__version__}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    base, why = (None, "skipped") if args.baseline == "none" else load_baseline(args.baseline)
    if base is None:
        print(f"before ({args.baseline}): {why}", flush=True)

    rows = []  # (case, row, vectors, best, median, cpu, path, err vs general, err vs ngspice, note)
    for case, make, target, kind in (("256x256 linear", linear_case, 0.5, "linear"),
                                     ("64x20 QMM", qmm_case, 0.8, "nonlinear")):
        spec, v = make(n)
        opt = "linear_method" if kind == "linear" else "nonlinear_method"

        def run(**kw):
            s = CrossbarSolver(spec, **kw)
            out = s.solve(v).outputs
            return out, (s.linear_path if kind == "linear" else s.chord_path)

        b, m, c, (ref, gpath) = timed(lambda: run(**{opt: "sparse_lu"}), 3)
        general = (case, "general path", n, b, m, c, gpath, 0.0, None, "")
        verdict = lambda m_: f"target <= {target} s: {'met' if m_ <= target else 'NOT met'} (median wall)"  # noqa: E731
        if kind == "linear":  # the nested-dissection plan is kept per topology: time without it too
            def cold():
                solver_mod._PLANS.clear()
                return run()
            b, m, c, (out, path) = timed(cold, args.repeats)
            rows.append((case, "fast, first call", n, b, m, c, path, rel_err(out, ref), None, verdict(m)))
        b, m, c, (out, path) = timed(run, args.repeats)
        rows.append((case, "fast (auto)" if kind != "linear" else "fast, same topology", n, b, m, c, path,
                     rel_err(out, ref), None, verdict(m)))
        rows.append(general)
        fast_out = out
        if base is not None:
            b, m, c, old = timed(lambda: base.CrossbarSolver(spec).solve(v).outputs, 3 if kind == "linear" else 3)
            rows.append((case, f"before ({args.baseline})", n, b, m, c, "", rel_err(old, ref), None, ""))
        print(f"{case}: solver rows done", flush=True)
        if args.no_spice:
            continue
        if kind == "linear":
            n1, n2 = args.n1, args.n2
            t1, _, c1, r1 = timed(lambda: simulate(spec, v[:n1]).outputs, 1)
            t2, _, c2, r2 = timed(lambda: simulate(spec, v[:n2]).outputs, 1)
            slope = (t2 - t1) / (n2 - n1)
            t_sp = t1 - slope * n1 + slope * n
            err = max(rel_err(fast_out[:n1], r1), rel_err(fast_out[:n2], r2))
            rows.append((case, "ngspice", n, t_sp, t_sp, float("nan"), "", None, err,
                         f"extrapolated: {t1 - slope * n1:.1f} s + {n} x {slope:.2f} s (fit of {n1} and {n2} vectors)"))
        else:
            t_sp, _, _, r = timed(lambda: simulate(spec, v).outputs, 1)
            rows.append((case, "ngspice", n, t_sp, t_sp, float("nan"), "", None, rel_err(fast_out, r), "measured, 1 run"))
        print(f"{case}: ngspice done", flush=True)

    print(f"\nload average {os.getloadavg()[0]:.2f} at end\n")
    head = (f"| {'case':<15} | {'row':<18} | {'vectors':>7} | {'best [s]':>8} | {'median [s]':>10} | "
            f"{'CPU [s]':>7} | {'path':<17} | {'vs general':>10} | {'vs ngspice':>10} | note")
    print(head)
    print("|" + "|".join("-" * (len(p) if p else 5) for p in head.split("|")[1:]) + "|")
    fmt = lambda x: "" if x is None else (f"{x:.1e}" if x > 0 else "0")  # noqa: E731
    for case, row, nv, b, m, c, path, eg, es, note in rows:
        cpu = "" if np.isnan(c) else f"{c:.3f}"
        print(f"| {case:<15} | {row:<18} | {nv:>7d} | {b:>8.3f} | {m:>10.3f} | {cpu:>7} | {path or '':<17} | "
              f"{fmt(eg):>10} | {fmt(es):>10} | {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
