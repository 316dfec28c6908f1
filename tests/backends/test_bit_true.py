"""The bit-true oracle (rnc.backends.isa.bit_true) against the arithmetic's definition (docs/precision.md):
exact whenever the ADC is, each conversion as written, the error of a quantized ADC within its steps."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.backends.isa.bit_true import adc_convert, calibrated_mvm, crossbar_mvm, input_slices, narrow, weight_digits
from rnc.hw.precision import LayerPrecision

INT8 = st.integers(-127, 127)


@st.composite
def precisions(draw, adc_model=None) -> LayerPrecision:
    input_bits = draw(st.integers(1, 12))
    weight_bits = draw(st.integers(1, 12))
    return LayerPrecision(input_bits=input_bits, dac_bits=draw(st.integers(1, min(input_bits, 8))),
                          weight_bits=weight_bits, cell_bits=draw(st.integers(1, min(weight_bits, 8))),
                          adc_bits=draw(st.integers(1, 12)),
                          adc_model=adc_model or draw(st.sampled_from(["ideal", "quantized"])),
                          weight_sign=draw(st.sampled_from(["offset", "differential"])))


@st.composite
def layers(draw, per_column: bool = False):
    """(x, w, row blocks) of a small random layer."""
    p, k, n = draw(st.integers(1, 4)), draw(st.integers(1, 20)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-127, 128, (p, n, k) if per_column else (p, k))
    w = rng.integers(-127, 128, (k, n))
    cuts = sorted(set(draw(st.lists(st.integers(1, k - 1), max_size=3)))) if k > 1 else []
    bounds = [0, *cuts, k]
    return x, w, list(zip(bounds, bounds[1:]))


def _exact(x, w):
    return np.einsum("pnk,kn->pn", x, w) if x.ndim == 3 else x @ w


@settings(max_examples=200, deadline=None)
@given(layers(), precisions(adc_model="ideal"))
def test_an_ideal_adc_at_full_width_computes_x_dot_w_exactly(layer, p):
    x, w, blocks = layer
    wide = LayerPrecision(input_bits=max(p.input_bits, 8), dac_bits=p.dac_bits, weight_bits=max(p.weight_bits, 8),
                          cell_bits=p.cell_bits, adc_bits=p.adc_bits, weight_sign=p.weight_sign)
    assert np.array_equal(crossbar_mvm(x, w, wide, blocks), _exact(x, w))


@settings(max_examples=100, deadline=None)
@given(layers(per_column=True), precisions(adc_model="ideal"))
def test_per_column_inputs_are_a_depthwise_layer(layer, p):
    x, w, _ = layer
    wide = LayerPrecision(input_bits=8, dac_bits=min(p.dac_bits, 8), weight_bits=8, cell_bits=p.cell_bits,
                          weight_sign=p.weight_sign)
    assert np.array_equal(crossbar_mvm(x, w, wide), _exact(x, w))


@settings(max_examples=200, deadline=None)
@given(layers(), precisions())
def test_slicing_and_sign_are_exact_and_only_narrowing_and_the_adc_lose(layer, p):
    """Narrowed to input_bits and weight_bits and with an ideal ADC, the result is the narrowed product; a
    quantized ADC then errs by at most half a step per conversion."""
    x, w, blocks = layer
    exact = _narrowed_product(x, w, p)
    ideal = LayerPrecision(**{**p.__dict__, "adc_model": "ideal"})
    assert np.array_equal(crossbar_mvm(x, w, ideal, blocks), exact)
    assert np.all(np.abs(crossbar_mvm(x, w, p, blocks) - exact) <= _one_step_per_conversion(p, blocks))


@settings(max_examples=200, deadline=None)
@given(layers(), precisions(adc_model="quantized"))
def test_calibrated_ranges_hold_every_sum_and_are_never_coarser(layer, p):
    """calibrated_mvm's shifts (one per read) compute what crossbar_mvm computes with them, step no coarser
    than the worst case, and clip no sum of x: its error stays within a step per conversion."""
    x, w, blocks = layer
    acc, calibrated = calibrated_mvm(x, w, p, blocks)
    assert len(calibrated.adc_shifts) == p.input_slices
    assert np.array_equal(acc, crossbar_mvm(x, w, calibrated, blocks))
    assert all(calibrated.adc_shift(r1 - r0, k) <= p.adc_shift(r1 - r0, k)
               for r0, r1 in blocks for k in range(p.input_slices))
    assert np.all(np.abs(acc - _narrowed_product(x, w, p)) <= _one_step_per_conversion(calibrated, blocks))
    _, floored = calibrated_mvm(x, w, p, blocks, floor=(12,) * p.input_slices)
    assert floored.adc_shifts == tuple(max(12, t) for t in calibrated.adc_shifts)


def _narrowed_product(x, w, p: LayerPrecision) -> np.ndarray:
    xb, wb = (narrow(v, s, b).astype(np.int64) for v, s, b in ((x, p.input_shift, p.input_bits),
                                                           (w, p.weight_shift, p.weight_bits)))
    return (xb @ wb) << (p.input_shift + p.weight_shift)


def _one_step_per_conversion(p: LayerPrecision, blocks) -> int:
    """The largest error of the ADC conversions when none clips beyond its top code: half a step of
    rounding, or the top code's clipping, less than one step each."""
    bound = 0
    for r0, r1 in blocks:
        for k in range(p.input_slices):
            shift = p.adc_shift(r1 - r0, k)
            if shift:
                bound += p.cols_per_weight * (1 << shift) << (p.dac_bits * k + p.cell_bits * (p.cells_per_weight - 1))
    return bound << (p.input_shift + p.weight_shift)


@given(st.integers(-(1 << 20), 1 << 20), st.integers(0, 10), st.integers(1, 12))
def test_adc_convert_is_round_half_away_then_clip(s, shift, bits):
    got = int(adc_convert(np.array([s]), shift, (1 << bits) - 1)[0])
    if shift == 0:
        assert got == s
        return
    magnitude = min((abs(s) * 2 + (1 << shift)) // (2 << shift), (1 << bits) - 1)
    assert got == (magnitude << shift) * (1 if s >= 0 else -1)


@given(INT8, st.integers(1, 8))
def test_narrow_rounds_half_up_and_clips(v, bits):
    shift = max(0, 8 - bits)
    got = int(narrow(np.array([v]), shift, bits)[0])
    if shift == 0:
        assert got == v
    else:
        assert got == max(-(1 << (bits - 1)), min((1 << (bits - 1)) - 1, int(np.floor(v / 2**shift + 0.5))))


@given(st.lists(INT8, min_size=1, max_size=8), precisions())
def test_slices_and_digits_rebuild_the_values(values, p):
    x = np.array(values)
    slices = input_slices(x, p)
    assert all(np.all((s >= 0) & (s < (1 << p.dac_bits))) for s in slices[:-1])
    assert np.array_equal(sum(s << (p.dac_bits * k) for k, s in enumerate(slices)),
                          narrow(x, p.input_shift, p.input_bits))
    rebuilt = sum(sign * (g << (p.cell_bits * j)) for sign, j, g in weight_digits(x, p))
    offset = (1 << (p.weight_bits - 1)) if p.weight_sign == "offset" else 0
    assert np.array_equal(rebuilt - offset, narrow(x, p.weight_shift, p.weight_bits))


def test_a_4_bit_adc_on_128_rows_of_2_bit_cells_steps_by_2_to_the_6():
    p = LayerPrecision(cell_bits=2, adc_bits=4, adc_model="quantized")
    assert p.read_max(128, 0) == 128 * 1 * 3 and p.adc_shift(128, 0) == 9 - 4
    assert p.read_max(128, 7) == 128 * 1 * 3    # the signed top bit: |-1| x 3
    assert p.cols_per_weight == 4 and p.is_exact(5) and not p.is_exact(6)   # 15 fits 4 bits, 18 does not
    one_bit = LayerPrecision(cell_bits=1, adc_bits=8, adc_model="quantized")   # sums up to the rows
    assert one_bit.is_exact(255) and not one_bit.is_exact(256)


def test_calibrated_shifts_are_checked_and_capped_by_the_worst_case():
    p = LayerPrecision(cell_bits=2, adc_bits=4, adc_model="quantized", adc_shifts=(3,) * 8)
    assert p.adc_shift(128, 0) == 3 and p.adc_shift(5, 0) == 0     # 15 fits 4 bits: exact, whatever the shift
    assert p.range_shift(15) == 0 and p.range_shift(16) == 1 and p.range_shift(384) == 5
    assert LayerPrecision(adc_shifts=(9,) * 8).adc_shift(128, 0) == 0     # an ideal ADC is exact
    for shifts, match in (((1, 2), "one shift per input read"), ((0,) * 7 + (-1,), "non-negative"),
                          ([0] * 8, "tuple")):
        with pytest.raises(ValueError, match=match):
            LayerPrecision(adc_shifts=shifts)
