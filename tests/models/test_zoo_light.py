"""The nine model-zoo structures shipped in the onnx package (`onnx/backend/test/data/light`: AlexNet,
DenseNet-121, Inception v1 and v2, ResNet-50, ShuffleNet, SqueezeNet, VGG-19, ZFNet-512 at 224x224, weights
filled with constants) compile end to end with the functional check. Each takes from 20 s to minutes, so
they run with RNC_SLOW_TESTS=1 (`bench/models.py --zoo` prints the same figures)."""
import os
from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx")

from rnc.driver import CompileOptions, compile_model  # noqa: E402

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = sorted(p.stem for p in LIGHT.glob("*.onnx"))


def test_the_onnx_package_ships_nine_zoo_structures():
    assert len(MODELS) == 9


@pytest.mark.skipif(os.environ.get("RNC_SLOW_TESTS") != "1", reason="minutes per model; set RNC_SLOW_TESTS=1")
@pytest.mark.parametrize("name", MODELS)
def test_zoo_structure_compiles_with_the_check(name):
    check = compile_model(str(LIGHT / f"{name}.onnx"), CompileOptions(simulate_isa=True)).last.isa.check
    assert check.passed, check.describe()
