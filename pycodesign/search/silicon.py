"""The digital peripherals a design needs, sized from its evaluation (RTL for ``pycodesign hdl`` and costs).

:func:`rtl_instances` lists every block of :mod:`pycodesign.rtl` one design
uses, per layer, with how many copies and how often each works per
inference.  The same list feeds the cost model (digital blocks) and the
``hdl`` configuration written for the chosen design (:func:`hdl_config`), so
the Verilog generated is the logic that was costed.

Per layer, for tiles of ``R × C`` physical devices (``tile_rows ×
tile_cols``, or the whole layer when untiled):

* ``decoder`` n = R (wordline select) and n = C (bitline select), one each
  per tile — programming only (no operations per inference);
* ``address_sequencer`` R × C per tile — walks the tile when programming;
* ``write_verify_controller`` per tile: its ``partitions`` are the columns
  verified in parallel — one per ADC of the tile (each verify read goes
  through an ADC), made the largest divisor of C not above that — and
  ``cols = C / partitions``; pulses and cycles from the ``rtl`` section;
* ``sar_adc_controller`` with the ADC bits, one per ADC (its logic is part
  of every ADC model's figure, so the cost model does not add it again);
* hidden layers: the bounded ``relu`` (``width_in`` = the accumulated code
  width, ``width_out`` = the DAC bits, its ``shift``/``limit`` from the
  evaluation) with one lane per hidden unit, once per inference;
* the last layer: ``argmax`` over the classes on the signed accumulated
  codes, once per inference.

Code width of a layer's accumulated outputs: the accumulator width when row
tiles are added, else B bits (signed ADC) or B + 1 (difference of two
unsigned B-bit codes, ``differential: digital``).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RtlInstance", "rtl_instances", "hdl_config", "code_width"]


@dataclass(frozen=True)
class RtlInstance:
    """One block of one layer.

    Attributes
    ----------
    layer : int
        0-based layer index.
    block : str
        Block name as in ``hdl/config.yaml``.
    params : dict
    instances : int
        Copies in the layer.
    ops_per_inference : float
        Operations of one copy per inference (0: used when programming only).
    role : str
        What it does here (for reports and YAML comments).
    costed : bool
        False when the cost model already includes it (the SAR controller).
    """

    layer: int
    block: str
    params: dict
    instances: int
    ops_per_inference: float
    role: str
    costed: bool = True


def code_width(layer, adc_bits: int, digital: bool) -> int:
    """Bits of a layer's accumulated signed output codes."""
    if layer.accumulator_bits is not None:
        return int(layer.accumulator_bits)
    return adc_bits + 1 if digital else adc_bits


def _largest_divisor_at_most(n: int, cap: int) -> int:
    return max(d for d in range(1, max(1, min(n, cap)) + 1) if n % d == 0)


def rtl_instances(architecture, evaluation, rtl) -> list[RtlInstance]:
    """The blocks of a design (see the module doc).

    Parameters
    ----------
    architecture : pycodesign.config.Architecture
    evaluation : pycodesign.system.Evaluation
        Any evaluation of the design (tile plans, accumulator widths, ReLU shift and limit).
    rtl : pycodesign.search.config.RtlSection

    Raises
    ------
    ValueError
        An ideal DAC or ADC (``null`` bits): there is no converter to size logic for.
    """
    conv = architecture.converters
    if conv.adc_bits is None or conv.dac_bits is None:
        raise ValueError("RTL and digital costs need finite converters: converters.adc_bits and "
                         "converters.dac_bits must be set (not null)")
    t = architecture.tiling
    digital = architecture.mapping.scheme == "differential" and architecture.array.differential == "digital"
    out: list[RtlInstance] = []
    n_layers = len(evaluation.layers)
    for k, layer in enumerate(evaluation.layers):
        plan = layer.plan
        full_r, full_c = plan.physical_shape(0, 0)
        r = t.tile_rows if t.tile_rows is not None else full_r
        c = t.tile_cols if t.tile_cols is not None else full_c
        n_tiles = plan.n_tiles
        adcs_per_tile = max(plan.adcs(ci) for ci in range(plan.n_col_tiles))
        n_adcs = sum(plan.adcs(ci) for ci in range(plan.n_col_tiles)) * plan.n_row_tiles
        parts = _largest_divisor_at_most(c, adcs_per_tile)
        tag = f"layer {k + 1}"
        out += [
            RtlInstance(k, "decoder", {"n": r}, n_tiles, 0, f"{tag}: wordline select of a {r}-row tile"),
            RtlInstance(k, "decoder", {"n": c}, n_tiles, 0, f"{tag}: bitline select of a {c}-column tile"),
            RtlInstance(k, "address_sequencer", {"rows": r, "cols": c}, n_tiles, 0,
                        f"{tag}: walks a {r} x {c} tile when programming"),
            RtlInstance(k, "write_verify_controller",
                        {"rows": r, "cols": c // parts, "partitions": parts, "max_pulses": rtl.max_pulses,
                         "read_cycles": rtl.read_cycles, "write_cycles": rtl.write_cycles}, n_tiles, 0,
                        f"{tag}: program-and-verify, {parts} column group(s) of {c // parts} verified in parallel"),
            RtlInstance(k, "sar_adc_controller", {"bits": conv.adc_bits}, n_adcs, 0,
                        f"{tag}: SAR logic of each of the {n_adcs} ADC(s) (inside the ADC's cost)", costed=False),
        ]
        width = code_width(layer, conv.adc_bits, digital)
        n_out = int(layer.codes.shape[1])
        if k < n_layers - 1:
            params = {"width_in": width, "width_out": conv.dac_bits, "lanes": n_out,
                      "shift": int(layer.relu_shift or 0)}
            if layer.relu_limit is not None:
                params["limit"] = int(layer.relu_limit)
            out.append(RtlInstance(k, "relu", params, 1, 1,
                                   f"{tag}: bounded ReLU into the next layer's {conv.dac_bits}-bit DACs"))
        else:
            out.append(RtlInstance(k, "argmax", {"n": n_out, "width": width, "signed": True,
                                                 "pipeline_every": rtl.argmax_pipeline_every}, 1, 1,
                                   f"{tag}: winner-take-all over {n_out} signed {width}-bit codes"))
    return out


def hdl_config(instances: list[RtlInstance]) -> dict:
    """The ``pycodesign hdl`` configuration of a design: one entry per distinct block and parameters."""
    seen: dict[tuple, dict] = {}
    for inst in instances:
        key = (inst.block, tuple(sorted(inst.params.items())))
        if key not in seen:
            seen[key] = {"block": inst.block, **inst.params}
    return {"instances": list(seen.values())}
