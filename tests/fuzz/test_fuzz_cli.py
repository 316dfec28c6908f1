"""Random option values for `rnc compile` and `rnc import`: a one-line error naming the option, or a run
whose figures are all finite; never a traceback, an internal error or a hang (issue #16)."""
from __future__ import annotations

import random

import onnx
import pytest
from fuzz_harness import failures_report, run_rnc
from nn_onnx_cases import CASES, model, node, weights

SEED = 160
COMPILE_CASES = 120
IMPORT_CASES = 40
NUMBERS = ["0", "1", "2", "-1", "3", "64", "1e3", "nan", "inf", "", " ", "abc", "0x10", "1_0", "99999999999999999999",
           "4097", "10000", "10001", "2.5", "-0"]
OPTIONS = {
    "--xbars": NUMBERS + ["10,,20", "10,", ",", "1,2,3", "60,80", "5,-5", "1000000", "1000001"],
    "--xbar-size": ["128x128", "64x64", "192x192", "0x5", "5000x5000", "4096x4096", "x", "128", "128x", "axb",
                    "-128x128", "1x1", "3x3", "100000000x100000000", "128x128x1"],
    "--subarray-size": NUMBERS,
    "--samples": NUMBERS,
    "--seed": NUMBERS,
    "--depthwise-split": NUMBERS,
    "--conflict-distance": NUMBERS + ["off", "OFF", "of"],
    "--max-tiles-per-xbar": NUMBERS,
    "--memory-limit": NUMBERS + ["1e-9", "1e300"],
    "--input-shape": ["1x4x9x9", "1x4x9", "0x4x9x9", "1xax9x9", "", "x", "-1x4x9x9", "1x4x99999999x9"],
}
FLAGS = ["--duplicate", "--min-xbars", "--json", "--no-simulate"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    onnx.save(CASES["small_convnet"](), str(folder / "small.onnx"))
    dynamic_batch = model([node("Conv", ["x", "w"])], {"x": ("N", 4, 9, 9)}, {"w": weights(6, 4, 3, 3)})
    onnx.save(dynamic_batch, str(folder / "dyn.onnx"))
    return folder


def _random_options(rng: random.Random) -> list[str]:
    argv = []
    for option in rng.sample(sorted(OPTIONS), rng.randint(1, 3)):
        argv += [option, rng.choice(OPTIONS[option])]
    argv += rng.sample(FLAGS, rng.randint(0, 2))
    if "--no-simulate" not in argv and rng.random() < 0.7:   # the functional check only now and then: speed
        argv.append("--no-simulate")
    return argv


def test_random_compile_options(tmp_path, monkeypatch, models):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED)
    problems = []
    for index in range(COMPILE_CASES):
        out = tmp_path / f"out{index}"
        options = _random_options(rng)
        outcome = run_rnc(["compile", str(models / "small.onnx"), "--quiet", "--out", str(out), *options])
        problem = outcome.problem(report=out / "report.json")
        if problem:
            problems.append(problem)
    assert not problems, failures_report(problems)


def test_random_import_input_shapes(tmp_path, monkeypatch, models):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED + 1)
    problems = []
    for _ in range(IMPORT_CASES):
        shapes = [rng.choice(OPTIONS["--input-shape"] + ["x=1x4x9x9", "y=1x4x9x9", "=1x4x9x9", "x=", "x=2x4x9x9"])
                  for _ in range(rng.randint(1, 2))]
        argv = ["import", str(models / "dyn.onnx"), "-o", "out.rir"]
        for shape in shapes:
            argv += ["--input-shape", shape]
        problem = run_rnc(argv).problem()
        if problem:
            problems.append(problem)
    assert not problems, failures_report(problems)
