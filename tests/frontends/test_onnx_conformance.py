"""ONNX's own conformance cases (pytorch-converted/ and pytorch-operator/, shipped inside the onnx package):
every case whose ops rnc supports must import, run in the interpreter and match the expected outputs.

A case is out of scope when the importer reports it unsupported (an op or op form rnc lacks: 3-d convs,
ConvTranspose, PRelu, ...); any other failure fails the test. The in-scope count must not drop below what
was measured when the frontend was written.
"""
from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402

from nn_compare import TOLERANCE, relative_error  # noqa: E402

from rnc.frontends.onnx import UnsupportedError, import_onnx  # noqa: E402
from rnc.sim.interpreter import run_module  # noqa: E402

DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"
SUITES = ("pytorch-converted", "pytorch-operator")
# Measured with onnx 1.23: 63 in-scope cases of 117 (all passing).
MIN_IN_SCOPE = 63


def cases() -> list[Path]:
    return sorted(p for suite in SUITES for p in (DATA / suite).glob("test_*") if (p / "model.onnx").exists())


def run_case(case: Path) -> str:
    """'pass', 'unsupported: <reason>' or 'fail: <reason>'."""
    try:
        module = import_onnx(case / "model.onnx")
    except UnsupportedError as e:
        return f"unsupported: {e}"
    for data_set in sorted(case.glob("test_data_set_*")):
        inputs = [numpy_helper.to_array(onnx.load_tensor(str(f))) for f in sorted(data_set.glob("input_*.pb"))]
        expected = [numpy_helper.to_array(onnx.load_tensor(str(f))) for f in sorted(data_set.glob("output_*.pb"))]
        got = run_module(module, inputs)
        errors = [relative_error(g, e) for g, e in zip(got, expected)]
        if len(got) != len(expected) or max(errors) > TOLERANCE:
            return f"fail: {data_set.name}: relative errors {errors}"
    return "pass"


def test_conformance_cases(record_property):
    if not DATA.exists():
        pytest.skip(f"{DATA} not found")
    results = {case.parent.name + "/" + case.name: run_case(case) for case in cases()}
    in_scope = {name: r for name, r in results.items() if not r.startswith("unsupported")}
    failures = {name: r for name, r in in_scope.items() if r != "pass"}
    record_property("in_scope", len(in_scope))
    record_property("total", len(results))
    assert not failures
    assert len(in_scope) >= MIN_IN_SCOPE, f"only {len(in_scope)} of {len(results)} cases in scope"
