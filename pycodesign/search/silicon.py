"""The digital peripherals of a design as an ``hdl`` configuration: the logic that was costed, generated.

:func:`rtl_instances` reads the blocks the cost model priced for the design
(:func:`pycodesign.costs.design_from_evaluation`: per layer the argmax over
the classes on the signed accumulated codes — or the bounded ReLU with its
lanes, shift and limit for a hidden layer — and, per tile, the write-verify
controller and the row and column decoders), and adds the two blocks the
model does not count separately: the SAR ADC controller of the design's ADC
bits (its logic is inside every ADC model's figure) and the address
sequencer walking a tile when it is programmed.  :func:`hdl_config` turns
them into the configuration ``pycodesign hdl`` reads (one entry per distinct
block and parameters), so the Verilog generated for the chosen design is the
logic its cost table contains.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RtlInstance", "rtl_instances", "hdl_config"]


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
    costed : bool
        True when the cost model priced this block itself.
    """

    layer: int
    block: str
    params: dict
    instances: int
    ops_per_inference: float
    costed: bool = True

    @property
    def role(self) -> str:
        what = {"argmax": "winner-take-all over the classes", "relu": "bounded ReLU into the next layer's DACs",
                "write_verify_controller": "program-and-verify, one per tile",
                "decoder": "line select, one per tile", "sar_adc_controller": "SAR logic, one per ADC (inside the "
                "ADC's cost)", "address_sequencer": "walks a tile when programming, one per tile (not costed)"}
        return f"layer {self.layer + 1}: {what.get(self.block, self.block)}"


def rtl_instances(evaluation, design=None) -> list[RtlInstance]:
    """The blocks of an evaluated design (see the module doc).

    Parameters
    ----------
    evaluation : pycodesign.system.Evaluation
    design : pycodesign.costs.DesignDescription, optional
        Its cost description (default: :func:`pycodesign.costs.design_from_evaluation`).
    """
    from ..costs import design_from_evaluation

    design = design if design is not None else design_from_evaluation(evaluation)
    arch = evaluation.architecture
    out: list[RtlInstance] = []
    for k, (layer, lay_ev) in enumerate(zip(design.layers, evaluation.layers)):
        for b in layer.digital_blocks:
            out.append(RtlInstance(k, b.block, dict(b.params), b.instances, b.ops_per_inference, True))
        plan = lay_ev.plan
        n_adcs = sum(plan.adcs(ci) for ci in range(plan.n_col_tiles)) * plan.n_row_tiles
        out.append(RtlInstance(k, "sar_adc_controller", {"bits": arch.converters.adc_bits}, n_adcs, 1, False))
        out.append(RtlInstance(k, "address_sequencer",
                               {"rows": layer.tiles.tile_rows, "cols": layer.tiles.tile_cols}, plan.n_tiles, 0,
                               False))
    return out


def hdl_config(instances: list[RtlInstance]) -> dict:
    """The ``pycodesign hdl`` configuration: one entry per distinct block and parameters."""
    seen: dict[tuple, dict] = {}
    for inst in instances:
        key = (inst.block, tuple(sorted(inst.params.items())))
        if key not in seen:
            seen[key] = {"block": inst.block, **inst.params}
    return {"instances": list(seen.values())}
