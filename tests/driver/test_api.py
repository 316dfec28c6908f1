"""The documented Python API (rnc.driver): a compile from Python has the figures `rnc compile` writes to
report.json and sweep.json for the same options, as typed attributes; modules, paths and errors."""
from __future__ import annotations

import json

import pytest

from rnc.driver import CompileError, CompileOptions, compile_model, compile_steps
from rnc.tools.rnc_cli import main

BUDGETS = [60, 80]
# report.json keys whose attribute has another name (every other key is an attribute of the run).
RENAMED = {"model": lambda result, run: result.model_name, "budget_xbars": lambda result, run: run.budget,
           "baseline_xbars": lambda result, run: result.baseline.xbars,
           "baseline_latency_ns": lambda result, run: result.baseline.latency_ns}
ISA_ATTRIBUTES = {"instructions": "instructions", "latency_one_sample_ns": "latency_one_ns",
                  "latency_ns": "latency_ns", "speedup_vs_isaac": "speedup", "energy_vs_isaac": "energy_vs_isaac",
                  "per_layer_ns": "per_layer_ns", "energy": "energy", "calibration": "calibration"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """`rnc compile` with the options below: its report.json and sweep.json."""
    out = tmp_path_factory.mktemp("cli")
    assert main(["compile", "squeezenet", "--xbars", ",".join(map(str, BUDGETS)), "--duplicate", "--quiet",
                 "--out", str(out)]) == 0
    return json.loads((out / "report.json").read_text()), json.loads((out / "sweep.json").read_text())


@pytest.fixture(scope="module")
def result():
    return compile_model("squeezenet", CompileOptions(budgets=BUDGETS, duplicate=True, simulate_isa=True))


def _assert_run_matches(result, run, summary: dict) -> None:
    for key, value in summary.items():
        if key == "compile_seconds":      # wall clock: differs between any two compiles
            assert run.compile_seconds > 0
        elif key == "isa":
            _assert_isa_matches(run.isa, value)
        elif key in RENAMED:
            assert RENAMED[key](result, run) == value, key
        else:
            assert getattr(run, key) == value, key


def _assert_isa_matches(isa, figures: dict) -> None:
    for key, value in figures.items():
        if key == "functional_check":
            for name, figure in value.items():
                if name != "min_cosine":
                    assert getattr(isa.check, name) == figure, name
        elif key != "timing_model":
            assert getattr(isa, ISA_ATTRIBUTES[key]) == value, key


def test_last_run_has_every_figure_of_report_json(result, written):
    report, _ = written
    assert result.last is result.runs[-1] and result.last.budget == BUDGETS[-1]
    _assert_run_matches(result, result.last, report["summary"])
    assert {key: getattr(result.baseline, key) for key in report["baseline"]} == report["baseline"]
    assert json.loads(json.dumps(result.last.mapping)) == report["mapping"]


def test_every_run_has_the_figures_of_sweep_json(result, written):
    _, sweep = written
    assert [s["budget_xbars"] for s in sweep] == [r.budget for r in result.runs]
    for run, summary in zip(result.runs, sweep):
        _assert_run_matches(result, run, summary)


def test_to_json_is_report_json_but_for_wall_time(result, written):
    report = json.loads(json.dumps(written[0]))       # a copy: the fixture is shared
    ours = json.loads(result.to_json())
    for figures in (ours, report):
        figures["summary"].pop("compile_seconds")
        assert figures.pop("step_seconds").keys() == result.step_seconds.keys()
        figures.pop("total_seconds")
    assert ours == report


def test_report_times_every_step_and_the_whole_compile(result, written):
    report, _ = written
    steps = report["step_seconds"]
    assert list(steps) == ["import", "canonicalize", "partition", "ISAAC-like baseline program",
                           "place (budget 60)", "lower and simulate (budget 60)",
                           "place (budget 80)", "lower and simulate (budget 80)"]
    assert all(t > 0 for t in steps.values())
    # The steps cover the compile from the import on: their sum is the total but for option checks.
    assert sum(steps.values()) <= report["total_seconds"] < sum(steps.values()) + 1.0
    assert report["summary"]["compile_seconds"] < report["total_seconds"]


def test_module_and_onnx_path_compile_like_the_name(tmp_path):
    import torch

    from rnc.driver import load_model
    from rnc.frontends.torch import export_onnx
    from rnc.frontends.zoo import build_model, get_spec
    from rnc.ir.printer import print_module
    options = CompileOptions(budgets=[60])
    by_name = compile_model("squeezenet", options)
    module = load_model("squeezenet")
    before = print_module(module)
    steps = []
    from_module = compile_model(module, options, progress=steps.append)
    assert print_module(module) == before               # the caller's module is left as it was
    assert "import" not in steps and len(steps) == compile_steps(module, options)
    path = tmp_path / "sq.onnx"
    export_onnx(build_model("squeezenet"), torch.zeros(get_spec("squeezenet").input_shape), path)
    from_path = compile_model(path, options)
    assert from_path.model_name == "sq" and from_module.model_name == "model"
    for other in (from_module, from_path):
        assert other.last.mapping == by_name.last.mapping and other.last.latency_ns == by_name.last.latency_ns


@pytest.mark.parametrize("model, options, message", [
    ("lenet", CompileOptions(), "unknown model 'lenet'; built-in models: mbv3_small, squeezenet, resnet18"),
    ("squeezenet", CompileOptions(budgets=[40]), "cannot place 80 tiles into 40 crossbars: area lower bound 45"),
])
def test_user_errors_raise_compile_error(model, options, message):
    with pytest.raises(CompileError, match=message):
        compile_model(model, options)


@pytest.mark.parametrize("budgets, simulate", [([60, 80], False), ([60], True), (None, False)])
def test_progress_total_counts_every_step(budgets, simulate):
    options = CompileOptions(budgets=budgets, duplicate=True, simulate_isa=simulate)
    steps = []
    compile_model("squeezenet", options, progress=steps.append)
    assert len(steps) == compile_steps("squeezenet", options) and len(set(steps)) == len(steps)
