"""Cost model: energy, area and latency of a memristive design, per inference and per layer.

Fill a :class:`DesignDescription` (units in every field name), call
:func:`estimate_costs`, and read the :class:`CostReport` (``to_dict()`` for
``metrics.json``, :func:`markdown_report` for ``report.md``,
:func:`plot_cost_breakdown` for the stacked-bar PNG).  Documentation and every
source: ``docs/costs.md``.
"""
from .adapter import costs_of_architecture, costs_of_evaluation, design_from_architecture, design_from_evaluation
from .converters import (ADC_MODELS, AdcCost, ConverterEntry, ConverterTable, adc_cost, sar_adc_area_um2,
                         sar_adc_energy_j, survey_adc_area_um2, survey_adc_energy_j)
from .design import (AdcSpec, ArrayEnergyInput, DacSpec, DesignDescription, DigitalBlockUse, LayerDesign,
                     TiaSpec, TileGeometry)
from .model import (ComponentCost, CostReport, LayerCost, array_read_energy_j, cell_area_um2, digital_block_cost,
                    digital_gate_count, digital_synthesis, estimate_costs,
                    line_capacitance_per_cell_f, rc_settling_time_s)
from .report import markdown_report, markdown_table, plot_cost_breakdown
from .technology import TECHNOLOGIES, Technology, get_technology, known_nodes

__all__ = ["costs_of_evaluation", "costs_of_architecture", "design_from_evaluation", "design_from_architecture",
           "ADC_MODELS", "AdcCost", "ConverterEntry", "ConverterTable", "adc_cost", "sar_adc_area_um2",
           "sar_adc_energy_j", "survey_adc_area_um2", "survey_adc_energy_j",
           "AdcSpec", "ArrayEnergyInput", "DacSpec", "DesignDescription", "DigitalBlockUse", "LayerDesign",
           "TiaSpec", "TileGeometry",
           "ComponentCost", "CostReport", "LayerCost", "array_read_energy_j", "cell_area_um2", "digital_block_cost",
           "digital_gate_count", "digital_synthesis", "estimate_costs",
           "line_capacitance_per_cell_f", "rc_settling_time_s",
           "markdown_report", "markdown_table", "plot_cost_breakdown",
           "TECHNOLOGIES", "Technology", "get_technology", "known_nodes"]
