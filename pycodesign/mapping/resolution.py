"""Converter resolution for an ``N``-row dot product.

:func:`adc_levels_needed` counts the distinct output levels of an ``N``-row
dot product exactly, ``N (2^K - 1)(2^M - 1) + 1``; :func:`adc_bits_review` is
the review's ``ceil(log2((2^K - 1)(2^M - 1) N))``, which forgets the zero
level (see :func:`adc_bits_needed`).
"""
from __future__ import annotations

import numbers

__all__ = ["adc_levels_needed", "adc_bits_needed", "adc_bits_review"]


def _bits_arg(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def adc_levels_needed(n_rows: int, input_bits: int, weight_bits: int, *, signed_weights: bool = False) -> int:
    """Distinct output levels of an ``N``-row dot product: ``N (2^K - 1)(2^M - 1) + 1``.

    With ``K``-bit inputs (0 .. 2^K - 1) and ``M``-bit weight magnitudes
    (0 .. 2^M - 1) the output spans the integers 0 .. ``N (2^K - 1)(2^M - 1)``,
    zero included, and a uniform ADC with a one-unit LSB needs a code for
    each.  With binary inputs or binary weights every one of them occurs;
    with multi-bit inputs *and* weights a few near the top cannot (``N = 3``,
    ``K = M = 2``: 23, 25 and 26), but the converter must still span them.
    ``signed_weights=True`` (differential read of weights
    ``-(2^M - 1) .. 2^M - 1``) doubles the span: ``2 N (2^K - 1)(2^M - 1) + 1``.
    """
    n = _bits_arg("n_rows", n_rows)
    k = _bits_arg("input_bits", input_bits)
    m = _bits_arg("weight_bits", weight_bits)
    span = n * (2**k - 1) * (2**m - 1)
    return (2 * span if signed_weights else span) + 1


def adc_bits_needed(n_rows: int, input_bits: int, weight_bits: int, *, signed_weights: bool = False) -> int:
    """ADC bits to resolve every output level: ``ceil(log2(adc_levels_needed(...)))``.

    Computed in integers.  It differs from the review's
    ``ceil(log2((2^K - 1)(2^M - 1) N))`` (:func:`adc_bits_review`) exactly when
    that product is a power of two -- since ``(2^K - 1)(2^M - 1)`` is odd,
    only for binary inputs and weights (``K = M = 1``) with ``N`` a power of
    two.  Example: binary inputs and weights on 256 rows give 257 levels
    (0 .. 256), which need 9 bits, while the review quotes 8.  For 5-bit
    weights, 256 rows and binary inputs both give 13 bits (7937 levels;
    review: ``log2(31 * 256 = 7936)`` -> 13).
    """
    levels = adc_levels_needed(n_rows, input_bits, weight_bits, signed_weights=signed_weights)
    return (levels - 1).bit_length()


def adc_bits_review(n_rows: int, input_bits: int, weight_bits: int) -> int:
    """The review's converter resolution ``ceil(log2((2^K - 1)(2^M - 1) N))``.

    Kept to compare with the paper; it counts the non-zero levels only and
    is one bit short when the product is a power of two (see
    :func:`adc_bits_needed`).  Binary inputs/weights, 256 rows: 8 bits;
    5-bit weights: 13 bits.
    """
    n = _bits_arg("n_rows", n_rows)
    k = _bits_arg("input_bits", input_bits)
    m = _bits_arg("weight_bits", weight_bits)
    product = (2**k - 1) * (2**m - 1) * n
    return (product - 1).bit_length()
