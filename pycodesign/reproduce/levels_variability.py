"""Item 6 — conductance levels × device variability (Souto Garnelo et al., Fig. 15, §3.2.3, §4.4).

The study reports that "setting a finite number of conductance states did not
alter accuracy" and "for both our models two conductance steps were
sufficient to quantize weights" (its batch-normalised CNNs on MNIST and
CIFAR-10), while a growing σ of the device variability "deteriorated
performance drastically" (§4.4, Fig. 15).

The kit sweeps linearly spaced states per device (``budget.levels``) ×
log-normal device-to-device σ of ln G (``budget.sigmas``) on the reference
architecture, ``budget.seeds`` seeds per cell with σ > 0 (σ = 0 is
deterministic: one run), for the digits SLP and MLP.

Why the two disagree on levels: with ``x`` states per device a differential
pair stores ``2x − 1`` weight values; with 2 states they are
``{−w_max, 0, +w_max}`` and every weight below ``w_max/2`` rounds to 0 — most
of a softmax-regression SLP's 650 weights, whose small weights carry its
templates.  A CNN whose every layer is followed by batch normalisation
re-scales its pre-activations after each layer, which can absorb coarse
(binary/ternary) weights; the study also used MemTorch's
quantisation of its own mapping, not this one.
"""
from __future__ import annotations

import numpy as np

from ..system import evaluate
from .claims import DIFFERS, REPRODUCED, TREND, Claim, pct
from .context import Context, reference_architecture

__all__ = ["run", "FLAT_POINTS", "min_levels"]

#: Levels whose σ = 0 accuracy is within this many points of the finest count as "not altering accuracy".
FLAT_POINTS = 1.0


def min_levels(levels, acc, *, flat_points: float = FLAT_POINTS) -> int:
    """Fewest levels from which every larger count stays within ``flat_points`` of the finest's accuracy."""
    pairs = sorted(zip(levels, acc))
    top = pairs[-1][1]
    best = pairs[-1][0]
    for lv, a in reversed(pairs):
        if 100 * (top - a) <= flat_points + 1e-9:  # accuracies are ratios of counts: no float-rounding misses
            best = lv
        else:
            break
    return best


def run(ctx: Context) -> dict:
    """The levels × σ grid for both digits networks; two claims."""
    ds = ctx.images
    b = ctx.budget
    levels = [int(x) for x in b.levels]
    sigmas = [float(x) for x in b.sigmas]
    seeds = [1000 * ctx.seed + s for s in range(b.seeds)]
    base = reference_architecture()
    cmd = ctx.command_for(6)
    nets = {}
    for label, net in ctx.networks().items():
        mean = np.zeros((len(levels), len(sigmas)))
        std = np.zeros_like(mean)
        runs = {}
        for i, lv in enumerate(levels):
            for j, sg in enumerate(sigmas):
                arch = base.replace(mapping=base.mapping.replace(levels=lv),
                                    nonideal=base.nonideal.replace(variability_sigma=sg))
                ss = seeds if sg > 0 else seeds[:1]
                acc = [evaluate(net, arch, ds.x_test, ds.y_test, engine="solver", seed=s).accuracy for s in ss]
                mean[i, j], std[i, j] = float(np.mean(acc)), float(np.std(acc))
                runs[f"{lv},{sg:g}"] = acc
        j0 = sigmas.index(0.0) if 0.0 in sigmas else None
        # with 2 states per device a weight survives only if |w| >= w_max/2 (w_max: the layer's largest |w|,
        # bias row included, as map_weights sets it)
        zeroed = []
        for W, bias in net.weights:
            w = np.abs(np.vstack([W, bias[None, :]]))
            zeroed.append(float(np.mean(w < 0.5 * w.max())))
        nets[label] = {"mean": mean.tolist(), "std": std.tolist(), "runs": runs, "zeroed_at_2_levels": zeroed,
                       "min_levels_at_sigma0": (min_levels(levels, mean[:, j0]) if j0 is not None else None)}
        ctx.progress(f"item 6: {label}: sigma 0: " + ", ".join(f"{lv}: {pct(mean[i, j0])}" for i, lv in
                                                              enumerate(levels)) if j0 is not None else "")
    claims = []
    if 0.0 in sigmas:
        j0 = sigmas.index(0.0)
        need = {lab: res["min_levels_at_sigma0"] for lab, res in nets.items()}
        parts = [f"{lab}: " + ", ".join(f"{lv} levels {pct(np.asarray(res['mean'])[i, j0])}"
                                         for i, lv in enumerate(levels)) + f" (needs >= {need[lab]})"
                 for lab, res in nets.items()]
        if all(n == min(levels) for n in need.values()):
            v, why = REPRODUCED, f"every level count is within {FLAT_POINTS:g} point of {max(levels)} levels"
        else:
            v, why = DIFFERS, (
                "with 2 states a differential pair stores only {-w_max, 0, +w_max}: weights below w_max/2 round to "
                "0 -- " + ", ".join(f"{100 * np.mean(res['zeroed_at_2_levels']):.0f} % of the weights ({lab})"
                                    for lab, res in nets.items()) + "; the study's batch-normalised CNNs re-scale "
                "every layer's pre-activations, which can absorb ternary weights (and MemTorch quantises with its "
                "own mapping). Network matters: the kit's networks need >= "
                + ", ".join(f"{n} ({lab})" for lab, n in need.items())
                + f" levels to stay within {FLAT_POINTS:g} point of {max(levels)} levels")
        claims.append(Claim(6, "the number of conductance levels barely matters (2 suffice)",
                            "Souto Garnelo et al. (MemTorch), Fig. 15, §4.4", "2 states sufficient (σ = 0)",
                            "; ".join(parts), v, why, cmd))
    if len(sigmas) > 1:
        i_top = levels.index(max(levels))
        parts, falls = [], []
        for lab, res in nets.items():
            m, sd = np.asarray(res["mean"])[i_top], np.asarray(res["std"])[i_top]
            falls.append(bool(m[-1] < m[0] - 0.01) and all(m[k + 1] <= m[k] + 0.005 for k in range(len(m) - 1)))
            parts.append(f"{lab} ({max(levels)} levels): " + ", ".join(
                f"σ {sg:g}: {pct(a)} ± {100 * s:.1f}" for sg, a, s in zip(sigmas, m, sd)))
        claims.append(Claim(6, "accuracy falls as the device variability σ grows",
                            "Souto Garnelo et al. (MemTorch), Fig. 15, §4.4", "deterioration with σ",
                            "; ".join(parts), TREND if all(falls) else DIFFERS,
                            ("mean accuracy falls with σ (non-increasing within 0.5 point per step); the kit's σ is "
                             "of ln G, the study's a MemTorch resistance σ, so the axes are not the same")
                            if all(falls) else "the mean accuracy does not fall monotonically with σ", cmd))
    return {"item": 6, "title": "MemTorch study: conductance levels × device variability", "levels": levels,
            "sigmas": sigmas, "seeds": seeds, "networks": nets, "flat_points": FLAT_POINTS,
            "claims": [c.to_dict() for c in claims]}
