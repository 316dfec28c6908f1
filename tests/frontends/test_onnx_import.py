"""The ONNX frontend and the reference interpreter against onnxruntime, on tiny graphs covering every op.

Each case is imported, run by the interpreter and by onnxruntime on the same random inputs; outputs must
agree within 1e-4 of the output's scale, as imported and again after canonicalization.
"""
import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from nn_compare import TOLERANCE, canonicalize, onnxruntime_outputs, random_inputs, relative_error  # noqa: E402
from nn_onnx_cases import CASES, op_types  # noqa: E402

from rnc.frontends.onnx import import_onnx, supported_ops  # noqa: E402
from rnc.ir.printer import print_module  # noqa: E402
from rnc.ir.parser import parse_module  # noqa: E402
from rnc.sim.interpreter import run_module  # noqa: E402


def test_cases_cover_every_supported_op():
    used = set().union(*(op_types(make()) for make in CASES.values()))
    assert set(supported_ops()) - used == set()


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_matches_onnxruntime(case):
    model = CASES[case]()
    module = import_onnx(model)
    inputs = random_inputs(module)
    expected = onnxruntime_outputs(model, inputs)
    got = run_module(module, inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert relative_error(g, e) <= TOLERANCE, f"{case}: shapes {g.shape} vs {e.shape}"

    canonicalize(module)
    for g, e in zip(run_module(module, inputs), expected):
        assert relative_error(g, e) <= TOLERANCE, f"{case} after canonicalization"


@pytest.mark.parametrize("case", ["small_convnet", "conv_then_batch_norm", "pad_modes"])
def test_printed_module_round_trips_and_runs(case):
    model = CASES[case]()
    module = import_onnx(model)
    canonicalize(module)
    text = print_module(module)
    reparsed = parse_module(text)
    assert print_module(reparsed) == text
    inputs = random_inputs(module)
    for g, e in zip(run_module(reparsed, inputs), onnxruntime_outputs(model, inputs)):
        assert relative_error(g, e) <= TOLERANCE


def test_canonicalization_folds_batch_norm_and_removes_dropout():
    for case, gone in (("conv_then_batch_norm", "nn.batch_norm"), ("dropout_identity", "nn.dropout")):
        module = import_onnx(CASES[case]())
        assert any(op.name == gone for op in module.walk())
        canonicalize(module)
        assert not any(op.name in (gone, "nn.identity") for op in module.walk())


@pytest.mark.parametrize("case, approximate", [("gelu_erf_subgraph", "none"), ("gelu_tanh_subgraph", "tanh")])
def test_canonicalization_fuses_the_exported_gelu_subgraphs(case, approximate):
    module = import_onnx(CASES[case]())
    canonicalize(module)
    ops = [op for op in module.walk() if op.name.startswith("nn.")]
    assert [op.name for op in ops] == ["nn.gelu"]
    assert ops[0].approximate.value == approximate


def test_observe_sees_every_op_result():
    module = import_onnx(CASES["small_convnet"]())
    seen = []
    run_module(module, random_inputs(module), observe=lambda op, value: seen.append((op.name, value.shape)))
    ops = [op for op in module.walk() if op.name.startswith("nn.")]
    assert [name for name, _ in seen] == [op.name for op in ops]
    assert all(shape == op.results[0].type.shape for (_, shape), op in zip(seen, ops))


def test_inputs_by_name_or_position():
    module = import_onnx(CASES["gemm_variable_weight"]())
    x, w = random_inputs(module)
    by_position = run_module(module, [x, w])[0]
    by_name = run_module(module, {"w": w, "x": x})[0]
    np.testing.assert_array_equal(by_position, by_name)
