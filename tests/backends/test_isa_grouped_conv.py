"""Grouped convolution on crossbars: tiles per group or block-diagonal, simulated bit for bit against the
quantized oracle and close to the float interpreter, whatever the tiling, copies or placement."""
from __future__ import annotations

import numpy as np
import pytest

from isa_models import GROUPED_NET, partitioned_net, place_one_per_xbar, replicate_layer
from rnc.backends.isa import lower_program
from rnc.backends.isa.lower import calibration_inputs
from rnc.backends.isa.quantize import dequantize
from rnc.backends.isa.reference import calibrate, run_float, run_quantized
from rnc.dialects.xbar import module_layers
from rnc.ir.verifier import verify
from rnc.passes.xbar_algorithms.tiling import LayerMatrix, grouped_layout
from rnc.sim.isa_sim import simulate

X = np.random.default_rng(3).standard_normal((1, 32, 8, 8)).astype(np.float32)


def _program(layout: str, variant: str = "plain"):
    m = partitioned_net(passes=f"partition{{grouped={layout}}}", net=GROUPED_NET)
    if variant == "replicated":
        replicate_layer(m, 0, 2)
        replicate_layer(m, 1, 3)
    place_one_per_xbar(m, reverse=variant == "reversed")
    verify(m)
    return m, lower_program(m)


@pytest.mark.parametrize("layout", ["per-group", "block-diagonal"])
@pytest.mark.parametrize("variant", ["plain", "reversed", "replicated"])
def test_grouped_conv_is_bit_exact_and_close_to_float(layout, variant):
    m, program = _program(layout, variant)
    out = simulate(program, [X]).outputs[0]
    ref = run_quantized(m, calibrate(m, calibration_inputs(m)), [X])[0]
    assert np.array_equal(out, dequantize(ref, program.tensor(program.outputs[0]).scale))
    f = run_float(m, [X])[0].ravel()
    assert np.dot(out.ravel(), f) / np.linalg.norm(out) / np.linalg.norm(f) >= 0.99


def test_layouts_tile_as_documented():
    m, _ = _program("per-group")
    first, second = module_layers(m)
    assert len(first.tiles) == 8 and {t.cycles for t in first.tiles} == {64}       # a tile per group
    assert len(second.tiles) == 8 and {t.rows.size for t in second.tiles} == {128, 16}  # 2 row blocks a group
    m, program = _program("block-diagonal")
    first = module_layers(m)[0]
    assert [t.groups for t in first.tiles] == [3, 3, 2] and first.tiles[0].height == 108
    assert {m.mode for s in program.stages for m in s.mvms} == {"grp"}


def test_auto_takes_block_diagonal_only_where_it_saves_crossbars():
    small = LayerMatrix(0, 36, 128, 32 * 64, group_cols=4)        # ResNeXt-like: 32 groups of 36 x 4
    assert len(grouped_layout(small, "auto", 6)) == 11              # 3 groups a tile: 2 crossbars, not 6
    assert len(grouped_layout(small, "auto", None)) == 32           # no tile cap: per group wastes nothing
    wide = LayerMatrix(0, 144, 64, 4 * 64, group_cols=16)           # too tall for two groups a crossbar
    assert len(grouped_layout(wide, "auto", 6)) == 8
