"""Ops beyond the built-in models compile end to end: imported from ONNX, placed, lowered, simulated bit for
bit against the quantized oracle and to cosine >= 0.99 against the float interpreter (which the frontend
tests hold to onnxruntime)."""
from __future__ import annotations

import sys
from pathlib import Path

import onnx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "frontends"))
from nn_onnx_cases import CASES  # noqa: E402

from rnc.driver import CompileError, CompileOptions, compile_model  # noqa: E402

# Cases with a weight layer (a model without one has nothing to place and is refused).
COMPILED = ["attention", "gemm_every_transpose", "gemm_alpha_beta_trans_a", "conv_grouped_dilated", "small_convnet",
            "conv_transpose_variants", "conv_transpose_1d"]


@pytest.mark.parametrize("case", COMPILED)
def test_compiles_with_the_functional_check(case, tmp_path):
    path = tmp_path / f"{case}.onnx"
    onnx.save(CASES[case](), path)
    result = compile_model(str(path), CompileOptions(simulate_isa=True, samples=1))
    check = result.last.isa.check
    assert check.passed, check.describe()


def test_placement_error_names_the_onnx_node(tmp_path):
    """A 7x7 depthwise kernel (49 rows) on 32-row crossbars: the error names the node and its kind."""
    from nn_onnx_cases import model, node, weights
    path = tmp_path / "dw.onnx"
    onnx.save(model([node("Conv", ["x", "w"], name="Conv_dw7", group=4, pads=[3, 3, 3, 3])], {"x": (1, 4, 9, 9)},
                    {"w": weights(4, 1, 7, 7)}), path)
    with pytest.raises(CompileError, match=r"layer 0 \(ONNX node 'Conv_dw7', depthwise\): a depthwise kernel of "
                                           r"49 rows does not fit 32 crossbar rows"):
        compile_model(str(path), CompileOptions(xbar_size="32x32"))


def test_lowering_error_names_the_onnx_node(tmp_path, monkeypatch):
    """A digital op the ISA lacks (relu, made unknown here) is named by its ONNX node and nn op."""
    from rnc.backends.isa import opcodes
    monkeypatch.setattr(opcodes, "SUPPORTED", opcodes.SUPPORTED - {"relu"})
    path = tmp_path / "net.onnx"
    onnx.save(CASES["small_convnet"](), path)
    with pytest.raises(CompileError, match=r"ONNX node 'Relu_0' \(nn.relu\) has no ISA digital instruction"):
        compile_model(str(path), CompileOptions(simulate_isa=True, samples=1))


def test_products_of_two_activations_are_charged_on_the_digital_unit(tmp_path):
    """Attention's Q K^T (2 x 6 x 8 by 2 x 8 x 6) and P V (2 x 6 x 6 by 2 x 6 x 8): `matmul` instructions of
    2 x outputs x contracted length operations, which the native model times, and charges energy for on a
    chip with activation units (ISAAC's; the reference chip has none, so its digital ops cost no energy)."""
    from rnc.backends.isa import parse_isa
    from rnc.dialects.isa import DigitalOp
    from rnc.sim.isa_sim.chip_map import ChipMap
    path = tmp_path / "attention.onnx"
    onnx.save(CASES["attention"](), path)
    run = compile_model(str(path), CompileOptions(simulate_isa=True, samples=1, target_file="isaac")).last.isa
    program = parse_isa(run.isa_text)
    products = [op for s in program.stages for op in s.instructions if isinstance(op, DigitalOp)
                and op.opcode == "matmul"]
    assert sorted(op.elems for op in products) == [2 * 72 * 8, 2 * 96 * 6]
    chip = ChipMap(program)
    for op in products:
        cost = chip.digital(op)
        assert cost.time_ns > 0 and cost.energy_pj > 0


def test_a_transposed_conv_crossbars_cannot_run_says_why(tmp_path):
    """A 1x1 transposed conv with pads 1 would need a conv with negative pads: the error names the node and
    what would make it run on crossbars."""
    from nn_onnx_cases import model, node, weights
    path = tmp_path / "neg.onnx"
    onnx.save(model([node("Conv", ["x", "w0"], ["c"]),
                     node("ConvTranspose", ["c", "w"], name="up_neg", strides=[2, 2], pads=[1, 1, 1, 1])],
                    {"x": (1, 4, 9, 9)}, {"w0": weights(4, 4, 1, 1), "w": weights(4, 3, 1, 1)}), path)
    with pytest.raises(CompileError, match=r"ONNX node 'up_neg' \(nn.conv_transpose2d\) has no ISA digital "
                                           r"instruction; it runs on crossbars .* pads <= dilation"):
        compile_model(str(path), CompileOptions(simulate_isa=True, samples=1))
