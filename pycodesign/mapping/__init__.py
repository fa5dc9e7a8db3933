"""Map trained weights to memristor conductances (Aguirre et al. 2024, Eq. 2, 4-9).

* :mod:`.weights` -- :func:`map_weights` and its result :class:`MappedWeights`:
  the differential and reference-column schemes, the bias row and the
  review's worked example (Eq. 6-9).
* :mod:`.quantize` -- conductance states (:func:`linear_levels`), the one
  quantiser of the kit (:func:`quantize_to_levels`, nearest state, ties to
  the lower state) and :func:`snap_to_linear_levels` for finite device
  states.
* :mod:`.resolution` -- converter resolution for a dot product
  (:func:`adc_levels_needed`, :func:`adc_bits_needed`, :func:`adc_bits_review`).

Device states for the mapped conductances come from
:func:`pycodesign.devices.state_for_conductance`.
"""
from .quantize import MAX_LEVELS, TIE_RTOL, linear_levels, quantize_to_levels, snap_to_linear_levels
from .resolution import adc_bits_needed, adc_bits_review, adc_levels_needed
from .weights import SCHEMES, MappedWeights, map_weights

__all__ = [
    "SCHEMES",
    "MappedWeights",
    "map_weights",
    "quantize_to_levels",
    "snap_to_linear_levels",
    "linear_levels",
    "MAX_LEVELS",
    "TIE_RTOL",
    "adc_levels_needed",
    "adc_bits_needed",
    "adc_bits_review",
]
