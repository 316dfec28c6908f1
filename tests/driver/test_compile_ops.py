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

from rnc.driver import CompileOptions, compile_model  # noqa: E402

# Cases with a weight layer (a model without one has nothing to place and is refused).
COMPILED = ["attention", "gemm_every_transpose", "gemm_alpha_beta_trans_a", "conv_grouped_dilated", "small_convnet"]


@pytest.mark.parametrize("case", COMPILED)
def test_compiles_with_the_functional_check(case, tmp_path):
    path = tmp_path / f"{case}.onnx"
    onnx.save(CASES[case](), path)
    result = compile_model(str(path), CompileOptions(simulate_isa=True, samples=1))
    check = result.last.isa.check
    assert check.passed, check.describe()
