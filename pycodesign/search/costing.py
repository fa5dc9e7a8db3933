"""The search's use of the cost model: every design priced by :func:`pycodesign.costs.costs_of_evaluation`.

A trial's energy per inference, area and latency are those of the kit's
adapter (:mod:`pycodesign.costs.adapter`) applied to the trial's first
Monte-Carlo evaluation: the architecture's ``technology`` section (node,
clock, read time, ADC model), the tile plan, the converters, the measured
layer inputs and the programmed conductances.  :func:`check_costable` is run
on every combination of the space before any trial, so a design the model
cannot price (an ideal converter, ADC bits outside the model's range) is
refused up front, naming the combination.
"""
from __future__ import annotations

__all__ = ["design_costs", "check_costable", "cost_summary"]


def cost_summary(report) -> dict:
    """Plain figures of a :class:`~pycodesign.costs.CostReport`: totals, components, latency breakdown."""
    lat: dict = {}
    for layer in report.layers:
        for k, v in layer.latency_s.items():
            lat[k] = max(lat.get(k, 0.0), float(v)) if k == "settle_s" else lat.get(k, 0.0) + float(v)
    return {"energy_j": float(report.energy_j), "area_mm2": float(report.area_mm2),
            "latency_s": float(report.latency_s), "tops_per_w": float(report.tops_per_w),
            "node_nm": report.technology.node_nm,
            "components": {k: {"energy_j": float(e), "area_um2": float(a)}
                           for k, (e, a) in report.component_totals().items()},
            "latency": lat}


def design_costs(evaluation, *, name: str = "design") -> dict:
    """:func:`cost_summary` of the evaluated design, plus ``"report"``: the CostReport itself (not JSON)."""
    from ..costs import costs_of_evaluation

    rep = costs_of_evaluation(evaluation, name=name)
    return {**cost_summary(rep), "report": rep}


def check_costable(architecture) -> None:
    """Raise ``ValueError`` when the cost model cannot price *architecture* (finite converters, ADC model range)."""
    from ..costs import AdcSpec, ConverterTable, DacSpec, adc_cost, get_technology

    conv, tech = architecture.converters, architecture.technology
    if conv.adc_bits is None or conv.dac_bits is None:
        raise ValueError("the cost model needs finite converters: converters.adc_bits and converters.dac_bits "
                         "must be set (not null)")
    table = None
    if tech.adc_model == "table":
        table = ConverterTable({b: dict(e) for b, e in tech.adc_table.items()})
    AdcSpec(conv.adc_bits, model=tech.adc_model, calibration=tech.adc_calibration, table=table)
    DacSpec(bits=conv.dac_bits)
    adc_cost(tech.adc_model, conv.adc_bits, get_technology(tech.node_nm), clock_hz=tech.clock_hz,
             calibration=tech.adc_calibration, table=table)
