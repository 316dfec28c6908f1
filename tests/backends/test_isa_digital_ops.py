"""Every op of the ONNX op cases that runs on the digital unit, compiled end to end behind a 1x1 conv: the
lowered program round-trips through `.isa` text, the simulator equals the quantized oracle bit for bit on
every output, and every output is close to onnxruntime's (cosine >= 0.99: 8-bit activations)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from onnx import helper, numpy_helper

pytest.importorskip("onnxruntime")
sys.path.insert(0, str(Path(__file__).parents[1] / "frontends"))

from nn_compare import cosine, onnxruntime_outputs  # noqa: E402
from nn_onnx_cases import CASES  # noqa: E402

from rnc.backends.isa import lower_program, parse_isa, print_program  # noqa: E402
from rnc.backends.isa.lower import calibration_inputs  # noqa: E402
from rnc.backends.isa.quantize import dequantize  # noqa: E402
from rnc.backends.isa.reference import calibrate, run_quantized  # noqa: E402
from rnc.driver import CompileOptions, compile_model  # noqa: E402
from rnc.frontends.onnx import import_onnx  # noqa: E402
from rnc.sim.isa_sim import simulate  # noqa: E402

DIGITAL_CASES = ["resize_nearest_scales_legacy_exporter", "resize_linear_sizes_dynamo_exporter",
                 "resize_every_coordinate_mode", "upsample_opset9", "resize_axes_opset18", "layer_norm",
                 "gelu_exact_and_tanh", "gelu_erf_subgraph", "gelu_tanh_subgraph", "functions", "softmax_every_axis", "slice_forms",
                 "slice_attributes_opset9", "split_forms", "split_attribute_opset11", "gather_constant_indices",
                 "expand_and_where", "cast_between_floats", "arithmetic_broadcast"]


def behind_a_conv(model):
    """The case's model with its input `x` (N x 4 x H x W) computed by a 1x1 convolution from a new input."""
    graph = model.graph
    x = next(i for i in graph.input if i.name == "x")
    stem_input = helper.make_tensor_value_info("stem_in", x.type.tensor_type.elem_type,
                                               [d.dim_value for d in x.type.tensor_type.shape.dim])
    weight = np.random.default_rng(3).standard_normal((4, 4, 1, 1)).astype(np.float32) * 0.5
    graph.initializer.append(numpy_helper.from_array(weight, "stem_w"))
    graph.node.insert(0, helper.make_node("Conv", ["stem_in", "stem_w"], ["x"], name="stem"))
    graph.input.remove(x)
    graph.input.insert(0, stem_input)
    return model


@pytest.mark.parametrize("case", DIGITAL_CASES)
def test_digital_op_compiles_and_simulates(case):
    model = behind_a_conv(CASES[case]())
    placed = compile_model(import_onnx(model), CompileOptions()).last.placed
    calibration = calibration_inputs(placed)
    program = lower_program(placed, calibration)
    assert print_program(parse_isa(print_program(program))) == print_program(program)
    x = np.random.default_rng(11).standard_normal(program.inputs[0].shape).astype(np.float32)
    ours = simulate(program, [x]).outputs
    oracle = run_quantized(placed, calibrate(placed, calibration), [x])
    expected = onnxruntime_outputs(model, [x])
    for name, got, want, q in zip(program.outputs, ours, expected, oracle):
        assert np.array_equal(got, dequantize(q, program.tensor(name).scale)), f"{case}: {name} not bit-exact"
        assert got.shape == want.shape
        assert cosine(got, want) >= 0.99, f"{case}: {name} cosine {cosine(got, want):.4f} vs onnxruntime"


def test_digital_ops_are_timed_and_charged_energy():
    """On a chip with activation units (ISAAC's; the reference chip's digital ops cost no energy), each new
    op's instruction takes time and energy by its elementary operations: one per output, three passes over the
    input for layer_norm, two taps per resized axis for a linear resize."""
    from rnc.dialects.isa import DigitalOp
    from rnc.sim.isa_sim.chip_map import ChipMap
    model = behind_a_conv(CASES["resize_linear_sizes_dynamo_exporter"]())
    run = compile_model(import_onnx(model), CompileOptions(simulate_isa=True, target_file="isaac")).last.isa
    program = parse_isa(run.isa_text)
    resize = next(op for s in program.stages for op in s.instructions if isinstance(op, DigitalOp))
    assert resize.opcode == "resize" and resize.elems == 4 * 18 * 13 * 4
    for case, opcode, elems in (("layer_norm", "layer_norm", 3 * 4 * 9 * 9), ("gelu_exact_and_tanh", "gelu", 324)):
        placed = compile_model(import_onnx(behind_a_conv(CASES[case]())), CompileOptions(target_file="isaac")).last
        program = lower_program(placed.placed)
        ops = [op for s in program.stages for op in s.instructions if isinstance(op, DigitalOp)]
        assert {op.elems for op in ops if op.opcode == opcode} == {elems}
    chip = ChipMap(program)
    for op in ops:
        cost = chip.digital(op)
        assert cost.time_ns > 0 and cost.energy_pj > 0
