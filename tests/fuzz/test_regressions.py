"""The hostile inputs of issue #16 that are not files of the corpus: options, damaged models built here, and
the guard that keeps a NaN figure from being printed. Each answers as the exit codes say (README)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from fuzz_harness import run_rnc
from nn_onnx_cases import CASES, model, node, weights
from onnx import AttributeProto, TensorProto, helper


@pytest.fixture
def small(tmp_path, monkeypatch):
    """small_convnet.onnx in the current (temporary) folder."""
    monkeypatch.chdir(tmp_path)
    onnx.save(CASES["small_convnet"](), "small.onnx")
    return "small.onnx"


def _refused(argv: list[str], *fragments: str):
    outcome = run_rnc(argv)
    assert outcome.status == 2 and outcome.problem() is None, outcome
    for fragment in fragments:
        assert fragment in outcome.stderr, outcome.stderr
    return outcome


def test_an_absurd_crossbar_size_fails_fast(small):
    started = time.perf_counter()
    _refused(["compile", small, "--xbar-size", "100000000x100000000"],
             "invalid crossbar size '100000000x100000000': rows must be an integer in 1..4096 (cells)")
    assert time.perf_counter() - started < 5   # was: 69 s and 5.5 GB, then a latency of 6e16 ms


def test_a_crossbar_the_subarray_does_not_divide_says_which_flag_sets_it(small):
    _refused(["compile", small, "--xbar-size", "192x192", "--no-simulate", "--quiet"],
             "the subarray size 128 does not divide the 192 rows; give a divisor of 192 with --subarray-size")
    outcome = run_rnc(["compile", small, "--xbar-size", "192x192", "--subarray-size", "64", "--no-simulate",
                       "--quiet", "--out", "out"])
    assert outcome.status == 0, outcome


@pytest.mark.parametrize("xbars", ["10,,20", "10,", ",5"])
def test_empty_budgets_are_refused(small, xbars):
    _refused(["compile", small, "--xbars", xbars], f"--xbars expects N or N1,N2,... (positive integers), got '{xbars}'")


def test_a_budget_below_the_bound_says_the_bound_and_what_to_change(small):
    _refused(["compile", small, "--xbars", "1", "--no-simulate"],
             "small.onnx: pass 'place' failed: cannot place 3 tiles into 1 crossbars: area lower bound 2",
             "the budget must be at least 2 crossbars, or place without a budget for the fewest crossbars")


def test_an_unwritable_output_is_status_2_in_import_and_compile(small, tmp_path):
    (tmp_path / "file").write_text("x")
    _refused(["import", small, "-o", "file/sub/out.rir"], "cannot write 'file/sub/out.rir'")
    _refused(["compile", small, "--out", "file/sub"], "output folder 'file/sub' is not writable")


def test_an_empty_input_array_file(small):
    assert run_rnc(["import", small, "-o", "small.rir"]).status == 0
    open("empty.onnx", "wb").close()
    _refused(["run", "small.rir", "--input", "empty.onnx"], "cannot read input 'empty.onnx': the file is empty")


def _save(m, name: str) -> str:
    onnx.save(m, name)
    return name


def test_an_attribute_of_the_wrong_kind_names_file_node_and_op(small):
    # Issue #16: "TypeError: 'TypeProto' object is not iterable (frontends/onnx/spatial.py:20)".
    m = CASES["conv_bias_pads_strides"]()
    pads = next(a for a in m.graph.node[0].attribute if a.name == "pads")
    pads.type = AttributeProto.TYPE_PROTO
    pads.tp.tensor_type.elem_type = TensorProto.FLOAT
    _refused(["import", _save(m, "pads.onnx"), "-o", "out.rir"],
             "pads.onnx: node 'Conv_0' (Conv): attribute 'pads' must be INTS, got TYPE_PROTO")


def test_an_attribute_unknown_at_an_old_opset_is_still_type_checked(small):
    m = CASES["max_pool_ceil_dilated"]()
    m.opset_import[0].version = 6   # no schema has `dilations` there: the converter's own check answers
    dilations = next(a for a in m.graph.node[1].attribute if a.name == "dilations")
    dilations.type = AttributeProto.GRAPH
    _refused(["import", _save(m, "pool.onnx"), "-o", "out.rir"], "attribute 'dilations' must be INTS, got GRAPH")


def test_a_missing_optional_input_that_is_required(small):
    m = model([node("Gemm", ["x", ""])], {"x": (2, 3)})
    _refused(["import", _save(m, "gemm.onnx"), "-o", "out.rir"], "gemm.onnx: node 'Gemm_0' (Gemm): missing input #1")


@pytest.mark.parametrize("elem_type, name", [(TensorProto.FLOAT8E4M3FN, "float8_e4m3fn"), (TensorProto.STRING, "")])
def test_an_input_of_an_element_type_rnc_lacks(small, elem_type, name):
    graph = helper.make_graph([node("Relu", ["x"])], "g", [helper.make_tensor_value_info("x", elem_type, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    _refused(["import", _save(helper.make_model(graph), "typed.onnx"), "-o", "out.rir"],
             "typed.onnx: input 'x'", name)


@pytest.mark.parametrize("damage, fragment", [
    ("missing", "initializer 'w1': its external data file 'ext.data' is missing"),
    ("short", "initializer 'w1': its external data file 'ext.data' has 10 bytes; the tensor needs"),
])
def test_external_data_missing_or_short(small, damage, fragment):
    onnx.save(CASES["small_convnet"](), "ext.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="ext.data", size_threshold=0)
    with open("ext.data", "r+b") as data:
        data.truncate(0 if damage == "missing" else 10)
    if damage == "missing":
        os.unlink("ext.data")
    _refused(["import", "ext.onnx", "-o", "out.rir"], "cannot read 'ext.onnx': ", fragment)


def test_nan_weights_are_refused_before_the_functional_check(small):
    m = CASES["small_convnet"]()
    w1 = next(t for t in m.graph.initializer if t.name == "w1")
    array = onnx.numpy_helper.to_array(w1).copy()
    array[0, 0, 0, 0] = np.nan
    w1.CopyFrom(onnx.numpy_helper.from_array(array, "w1"))
    _refused(["compile", _save(m, "nan.onnx"), "--quiet", "--out", "out"],
             "nan.onnx: constant 'w1' holds NaN or infinite values")


def test_a_model_without_weight_layers(small):
    m = model([node("Relu", ["x"])], {"x": (1, 3, 4, 4)})
    _refused(["compile", _save(m, "relu.onnx"), "--no-simulate", "--quiet", "--out", "out"],
             "relu.onnx: the model has no layer with weights (conv, linear, matmul) to place on crossbars")


def test_a_non_finite_figure_is_an_internal_error_and_nothing_is_written(small, monkeypatch):
    import rnc.driver.pipeline as pipeline
    from rnc.sim.reference_timing import RefTimingResult
    monkeypatch.setattr(pipeline, "simulate", lambda layers, samples: RefTimingResult(float("nan"), samples, (), ()))
    monkeypatch.delenv("RNC_TRACEBACK", raising=False)
    outcome = run_rnc(["compile", small, "--no-simulate", "--quiet", "--out", "out"])
    assert outcome.status == 3 and outcome.stdout == ""
    assert "internal error: NonFiniteFigureError: the report of budget min has non-finite figures: " \
           "summary.latency_one_sample_ns = nan" in outcome.stderr
    assert not Path("out").exists() or not any(Path("out").iterdir())
