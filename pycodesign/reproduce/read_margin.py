"""Item 7 — read margin vs partitions and dual-side connection (Aguirre et al. 2024, Fig. 18, Supp. Figs. 9-10).

The review: dividing a large crossbar into partitions "whose reduced size
improves their read margin (that is the portion of the applied voltage in
the inputs that is actually delivered to the memristors)" (text next to
Supplementary Figs. 9b/10), and the Dual Side Connection "improves the
voltage delivery to each synapse … by connecting the two terminals of each
wordline to the same input stimuli" (Fig. 18).  Neither is given as a number.

The kit measures the read margin ``V_device / V_applied`` over every device
with every wordline at V_READ (worst and mean, :mod:`pycodesign.analog.
metrics`) and the accuracy of the digits SLP (65 × 20 devices with the bias
row) for ``budget.partitions`` × single/dual side × ``budget.r_wire_ohm``
(rows and columns), on the reference architecture.
"""
from __future__ import annotations


from ..system import evaluate
from .claims import DIFFERS, TREND, Claim, pct
from .context import Context, reference_architecture

__all__ = ["run"]


def run(ctx: Context) -> dict:
    """The partitions × side × wire grid for the digits SLP; two claims."""
    ds = ctx.images
    b = ctx.budget
    net = ctx.slp
    label = next(iter(ctx.networks()))
    cmd = ctx.command_for(7)
    parts_ = [int(p) for p in b.partitions]
    wires = [float(r) for r in b.r_wire_ohm]
    grid = []
    for r in wires:
        for dual in (False, True):
            for p in parts_:
                arch = reference_architecture(array={"r_row_ohm": r, "r_col_ohm": r, "dual_side": dual,
                                                     "partitions": p})
                ev = evaluate(net, arch, ds.x_test, ds.y_test, engine="solver", seed=ctx.seed,
                              metrics_images=b.metrics_images)
                e = ev.layers[0].electrical
                grid.append({"r_wire_ohm": r, "dual_side": dual, "partitions": p, "accuracy": ev.accuracy,
                             "read_margin_worst": e.read_margin_worst, "read_margin_mean": e.read_margin_mean,
                             "read_margin_inputs_worst": e.read_margin_inputs_worst,
                             "power_wires_w": e.power_wires_w, "power_devices_w": e.power_devices_w})
        ctx.progress(f"item 7: {r:g} Ohm: worst read margin single " + ", ".join(
            f"{g['partitions']}P {g['read_margin_worst']:.3f}" for g in grid if g["r_wire_ohm"] == r
            and not g["dual_side"]))

    def cell(r, dual, p):
        return next(g for g in grid if g["r_wire_ohm"] == r and g["dual_side"] == dual and g["partitions"] == p)

    # (a) more partitions -> better worst read margin, at every wire resistance and side
    mono = all(cell(r, d, parts_[k + 1])["read_margin_worst"] >= cell(r, d, parts_[k])["read_margin_worst"]
               for r in wires for d in (False, True) for k in range(len(parts_) - 1))
    r_top = max(wires)
    kit = "; ".join(f"{'dual' if d else 'single'} side, {r_top:g} Ω: " + ", ".join(
        f"{p}P {cell(r_top, d, p)['read_margin_worst']:.3f}" for p in parts_) for d in (False, True))
    claims = [Claim(7, "partitioning improves the read margin",
                    "Aguirre et al. 2024, Supplementary Figs. 9b/10 (text)", "higher read margin (qualitative)",
                    f"worst read margin: {kit}", TREND if mono else DIFFERS,
                    (f"the worst read margin rises with the partitions at every wire resistance "
                     f"({', '.join(f'{r:g}' for r in wires)} Ω) and both connections; the review gives no number"
                     if mono else "the worst read margin does not rise with the partitions everywhere"), cmd)]
    # (b) dual-side delivers more voltage: the mean read margin (delivery to every device) at least as high
    # everywhere; exceptions of the worst device are listed
    better_mean = all(cell(r, True, p)["read_margin_mean"] >= cell(r, False, p)["read_margin_mean"]
                      for r in wires for p in parts_)
    worse_worst = [(r, p) for r in wires for p in parts_
                   if cell(r, True, p)["read_margin_worst"] < cell(r, False, p)["read_margin_worst"]]
    kit = "; ".join(f"{p}P, {r_top:g} Ω: mean single {cell(r_top, False, p)['read_margin_mean']:.3f} / dual "
                    f"{cell(r_top, True, p)['read_margin_mean']:.3f}, worst {cell(r_top, False, p)['read_margin_worst']:.3f}"
                    f" / {cell(r_top, True, p)['read_margin_worst']:.3f}" for p in (parts_[0], parts_[-1]))
    acc = (f"; accuracy at {r_top:g} Ω, 1P single {pct(cell(r_top, False, parts_[0])['accuracy'])} vs "
           f"{parts_[-1]}P dual {pct(cell(r_top, True, parts_[-1])['accuracy'])}")
    if better_mean:
        why = ("dual-side wordlines raise the mean read margin for every partition count and wire resistance"
               + (", and the worst one too" if not worse_worst else
                  "; the worst one everywhere but at " + ", ".join(f"{p}P/{r:g} Ω" for r, p in worse_worst)
                  + ", where the bitline drop dominates (one long bitline per column): dual-side wordlines put "
                    "more voltage on the devices, so more current flows into the same bitlines and the device "
                    "at their far end sees a little less"))
    else:
        why = "dual-side wordlines do not raise the mean read margin everywhere"
    claims.append(Claim(7, "dual-side connection improves the voltage delivered to each device",
                        "Aguirre et al. 2024, Fig. 18", "better voltage delivery (qualitative)",
                        f"read margin: {kit}{acc}", TREND if better_mean else DIFFERS, why, cmd))
    return {"item": 7, "title": "Aguirre et al. 2024: read margin vs partitions × single/dual side × wires",
            "network": label, "partitions": parts_, "r_wire_ohm": wires, "grid": grid,
            "claims": [c.to_dict() for c in claims]}
