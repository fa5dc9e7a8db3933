"""Fuzz campaign for the flow loader: many more seeded mutated flow files than the default test run.

Run::

    .venv/bin/python benchmarks/fuzz_loader.py                      # 50,000 cases, ~1 min on 2 cores
    .venv/bin/python benchmarks/fuzz_loader.py --cases 200000 --seed 7

Uses the generator of ``tests/test_fuzz_loader.py`` (byte edits, nasty YAML
tokens, structural edits of the parsed tree, duplicated lines, re-encodings,
alias bombs; every tenth case through a real file and ``load_flow``, the
others through the same code from the bytes) and prints, per mutation
class, how many cases loaded as valid flows, how many were refused with
``ConfigError``, and anything else (which is a defect, listed with the
case).  Exits 1 if any case escaped as another exception, hit the loader's
safety net, produced an over-long message or took longer than the bound.
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("test_fuzz_loader", ROOT / "tests" / "test_fuzz_loader.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bound-s", type=float, default=2.0, help="largest acceptable time of one call (s)")
    args = ap.parse_args(argv)
    fz = _fuzz_module()
    with tempfile.TemporaryDirectory(prefix="pycodesign-fuzz-") as tmp:
        t0 = time.perf_counter()
        counts, slowest, failures = fz.run_cases(args.cases, args.seed, Path(tmp), bound_s=args.bound_s)
        total = time.perf_counter() - t0
    by_kind: dict = collections.defaultdict(collections.Counter)
    for (kind, outcome), n in counts.items():
        by_kind[kind][outcome] += n
    outcomes = sorted({o for c in by_kind.values() for o in c})
    print(f"{args.cases} cases, seed {args.seed}, {total:.1f} s ({1e3 * total / args.cases:.2f} ms/case), "
          f"slowest call {1e3 * slowest:.0f} ms (bound {args.bound_s} s)")
    print(f"{'mutation':<10} " + " ".join(f"{o:>12}" for o in outcomes) + f" {'total':>8}")
    for kind in sorted(by_kind):
        c = by_kind[kind]
        print(f"{kind:<10} " + " ".join(f"{c.get(o, 0):>12}" for o in outcomes) + f" {sum(c.values()):>8}")
    tot = collections.Counter()
    for c in by_kind.values():
        tot.update(c)
    print(f"{'all':<10} " + " ".join(f"{tot.get(o, 0):>12}" for o in outcomes) + f" {sum(tot.values()):>8}")
    print(f"defects: {len(failures)}")
    for kind, what, data in failures[:20]:
        print(f"  [{kind}] {what}\n    case starts: {data[:120]!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
