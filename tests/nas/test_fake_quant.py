"""The torch arithmetic (rnc.nas.fake_quant) computes what the crossbars compute: bit for bit against the
numpy oracle for any precision setting; a straight-through layer for training."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.backends.isa import bit_true
from rnc.hw.precision import LayerPrecision
from rnc.nas import fake_quant


@st.composite
def precisions(draw) -> LayerPrecision:
    """Any precision, with the worst-case ADC range or calibrated shifts (one per read, any values)."""
    input_bits, weight_bits = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    dac_bits = draw(st.integers(1, input_bits))
    reads = -(-input_bits // dac_bits)
    shifts = draw(st.one_of(st.just(()), st.lists(st.integers(0, 12), min_size=reads, max_size=reads).map(tuple)))
    return LayerPrecision(input_bits=input_bits, dac_bits=dac_bits,
                          weight_bits=weight_bits, cell_bits=draw(st.integers(1, weight_bits)),
                          adc_bits=draw(st.integers(1, 10)), adc_model=draw(st.sampled_from(["ideal", "quantized"])),
                          weight_sign=draw(st.sampled_from(["offset", "differential"])), adc_shifts=shifts)


@st.composite
def layers(draw):
    """(x, w, row blocks) of a small random layer; x is (P, K) or per-column (P, N, K)."""
    p, k, n = draw(st.integers(1, 4)), draw(st.integers(1, 40)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    x = rng.integers(-127, 128, (p, n, k) if draw(st.booleans()) else (p, k))
    cuts = sorted(set(draw(st.lists(st.integers(1, k - 1), max_size=3)))) if k > 1 else []
    bounds = [0, *cuts, k]
    return x, rng.integers(-127, 128, (k, n)), list(zip(bounds, bounds[1:]))


@settings(max_examples=200, deadline=None)
@given(layers(), precisions())
def test_crossbar_mvm_is_the_oracle_bit_for_bit(layer, precision):
    x, w, blocks = layer
    ours = fake_quant.crossbar_mvm(torch.from_numpy(x), torch.from_numpy(w), precision, blocks)
    assert torch.equal(ours, torch.round(ours))
    np.testing.assert_array_equal(ours.numpy().astype(np.int64), bit_true.crossbar_mvm(x, w, precision, blocks))


@settings(max_examples=50, deadline=None)
@given(layers(), precisions())
def test_digits_and_adc_are_the_oracles(layer, precision):
    x, w, _ = layer
    for ours, theirs in zip(fake_quant.input_slices(torch.from_numpy(x).double(), precision),
                            bit_true.input_slices(x, precision)):
        np.testing.assert_array_equal(ours.numpy(), theirs)
    for (s1, j1, g1), (s2, j2, g2) in zip(fake_quant.weight_digits(torch.from_numpy(w).double(), precision),
                                          bit_true.weight_digits(w, precision)):
        assert (s1, j1) == (s2, j2)
        np.testing.assert_array_equal(g1.numpy(), g2)
    sums = x.reshape(-1)[:, None] * 37
    for shift in range(4):
        np.testing.assert_array_equal(
            fake_quant.adc_convert(torch.from_numpy(sums).double(), shift, precision.adc_max_code).numpy(),
            bit_true.adc_convert(sums, shift, precision.adc_max_code))


def test_fake_quant_linear_takes_the_crossbar_value_and_the_float_gradient():
    torch.manual_seed(0)
    x = torch.randn(5, 300, requires_grad=True)
    w = torch.randn(7, 300, requires_grad=True)
    b = torch.randn(7)
    p = LayerPrecision(adc_bits=4, adc_model="quantized", cell_bits=2)
    blocks = fake_quant.tile_row_blocks(300, 128)
    s_in, s_out = float(x.detach().abs().max()) / 127, 30.0 / 127
    y = fake_quant.fake_quant_linear(x, w, b, p, s_in, s_out, blocks)
    qw, sw = fake_quant.quantize_weights(w.detach().T)
    qb = torch.round(b.to(torch.float64) / (s_in * sw))
    expected = fake_quant.layer_integers(fake_quant.quantize(x.detach(), s_in), qw, qb, p, blocks, s_in, sw, s_out)
    assert torch.equal(y.detach().double(), (expected * s_out).float().double())
    y.sum().backward()
    torch.testing.assert_close(x.grad, w.detach().sum(0).expand(5, -1))
