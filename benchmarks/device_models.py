"""Per device model: OpenVAF compile time (cold cache), characterisation time, ngspice vs numpy.

Run::

    .venv/bin/python benchmarks/device_models.py            # ~1-2 min on 2 cores

For every registered memristor model:

* compile: wall time of ``openvaf-r`` on the model's Verilog-A, in a fresh
  empty cache (``PYCODESIGN_CACHE`` pointed at a temporary folder);
* characterisation: wall time of ``pycodesign run flows/characterize_<model>.yaml``
  (sweeps, pulse trains, read disturb, plots), run in-process into a temporary
  results folder;
* ngspice vs numpy: one sine period at the model's first hinted frequency,
  the numpy reference integrated on ngspice's own time grid and voltage;
  max |i_ngspice - i_numpy| in A and relative to max |i|.

Prints a Markdown table and writes ``results/benchmarks/device_models.json``.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


EXTRA_PRESETS = [("vteam", "pt_hf_ti", 1.0, 2.0)]


def main() -> int:
    from pycodesign.cli import main as cli
    from pycodesign.devices import characterize as ch
    from pycodesign.devices import get_model, list_models
    from pycodesign.devices.compile import compile_va, last_compile_info
    from pycodesign.devices.simulate import simulate_device

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PYCODESIGN_CACHE"] = str(Path(tmp) / "cache")
        for name in list_models():
            m = get_model(name)
            if not m.memristive:
                continue
            compile_va(m.va_path)
            t_compile = last_compile_info(m.va_path).seconds
            flow = ROOT / "flows" / f"characterize_{name}.yaml"
            t0 = time.perf_counter()
            rc = cli(["run", str(flow), "--out", str(Path(tmp) / "res"), "--name", name, "-q"])
            t_char = time.perf_counter() - t0
            h = m.stimulus
            t, v = ch.periodic_wave("sine", h.amplitude_v, h.frequencies_hz[0])
            tr = simulate_device(m, t, v)
            p = m.resolve()
            ref = m.reference.simulate(tr.t, tr.v, p, p[m.state.initial_param])
            diff = float(np.max(np.abs(tr.i - ref.i)))
            rel = diff / float(np.max(np.abs(ref.i)))
            rows.append({"model": name, "compile_s": t_compile, "characterize_s": t_char,
                         "characterize_ok": rc == 0, "max_abs_diff_a": diff, "max_rel_diff": rel,
                         "stated_tol": h.ref_rel_tol, "sine": f"{h.amplitude_v:g} V, {h.frequencies_hz[0]:g} Hz"})
            print(f"{name}: compile {t_compile:.2f} s, characterisation {t_char:.1f} s, "
                  f"max |di| {diff:.2e} A ({rel:.2e} rel)", flush=True)
        # presets whose drive differs from the model's hints: (model, preset, amplitude V, frequency Hz)
        for name, preset, amp, f in EXTRA_PRESETS:
            m = get_model(name)
            t, v = ch.periodic_wave("sine", amp, f)
            tr = simulate_device(m, t, v, preset=preset)
            p = m.resolve(preset=preset)
            ref = m.reference.simulate(tr.t, tr.v, p, p[m.state.initial_param])
            diff = float(np.max(np.abs(tr.i - ref.i)))
            rows.append({"model": f"{name} ({preset})", "compile_s": float("nan"), "characterize_s": float("nan"),
                         "characterize_ok": True, "max_abs_diff_a": diff,
                         "max_rel_diff": diff / float(np.max(np.abs(ref.i))), "stated_tol": 1e-2,
                         "sine": f"{amp:g} V, {f:g} Hz"})
    print("\n| model | compile [s] | characterisation [s] | sine | max abs diff [A] | max rel diff | stated tol |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['compile_s']:.2f} | {r['characterize_s']:.1f}{'' if r['characterize_ok'] else ' (FAILED)'} "
              f"| {r['sine']} | {r['max_abs_diff_a']:.2e} | {r['max_rel_diff']:.2e} | {r['stated_tol']:g} |")
    out = ROOT / "results" / "benchmarks" / "device_models.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    return 0 if all(r["characterize_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
