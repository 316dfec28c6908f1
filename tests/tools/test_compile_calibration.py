"""`rnc compile --adc-range calibrated` and `--calibration-data`: the program carries its calibrated ADC
shifts (.rir and .isa, round trip), report.json says what calibrated it, the default is unchanged, and a
bad option is one line."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnc.backends.isa import parse_isa, print_program
from rnc.tools.rnc_cli import main

QUANTIZED = ["--adc-model", "quantized", "--adc-bits", "4", "--cell-bits", "2"]


@pytest.fixture(scope="module")
def calibrated_out(digits_onnx, tmp_path_factory):
    path, _ = digits_onnx
    out = tmp_path_factory.mktemp("calibrated")
    assert main(["compile", str(path), *QUANTIZED, "--adc-range", "calibrated", "--calibration-data", "digits",
                 "--calibration-samples", "16", "--samples", "1", "--emit", "all", "--quiet", "--out", str(out)]) == 0
    return out


def test_the_program_carries_its_calibrated_shifts(calibrated_out):
    text = (calibrated_out / "program.isa").read_text()
    weights = [line for line in text.splitlines() if line.startswith("weight ")]
    assert weights and all(" adc_shifts=[" in line for line in weights)
    assert print_program(parse_isa(text)) == text
    assert "adc_shifts = [" in (calibrated_out / "placed.rir").read_text()
    report = json.loads((calibrated_out / "report.json").read_text())
    isa = report["summary"]["isa"]
    assert isa["calibration"] == {"inputs": "digits", "samples": 16, "seed": None, "adc_range": "calibrated"}
    assert isa["functional_check"]["bit_exact_vs_quantized_oracle"]


def test_the_default_calibrates_on_random_inputs_with_the_worst_case_range(digits_onnx, tmp_path):
    path, _ = digits_onnx
    assert main(["compile", str(path), *QUANTIZED, "--samples", "1", "--quiet", "--out", str(tmp_path)]) == 0
    assert "adc_shifts" not in (tmp_path / "program.isa").read_text()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["isa"]["calibration"] == {"inputs": "random", "samples": 4, "seed": 0,
                                                       "adc_range": "worst-case"}


def test_data_calibration_sets_other_activation_scales(digits_onnx, calibrated_out, tmp_path):
    path, _ = digits_onnx
    assert main(["compile", str(path), *QUANTIZED, "--adc-range", "calibrated", "--samples", "1", "--quiet",
                 "--out", str(tmp_path)]) == 0
    scales = [{t.sym_name: t.scale for t in parse_isa((out / "program.isa").read_text()).tensors}
              for out in (calibrated_out, tmp_path)]
    assert scales[0].keys() == scales[1].keys() and scales[0] != scales[1]


@pytest.mark.parametrize("args, message", [
    (["--calibration-data", "digits", "--no-simulate"], "--calibration-data calibrates the simulated program"),
    (["--calibration-data", "/no/such/folder"], "--calibration-data '/no/such/folder': neither 'digits' nor"),
    (["--calibration-samples", "0"], "--calibration-samples"),
    (["--adc-range", "percentile"], "invalid choice: 'percentile'"),
])
def test_a_bad_calibration_option_is_one_line(digits_onnx, tmp_path, args, message):
    path, _ = digits_onnx
    done = subprocess.run([sys.executable, "-m", "rnc.tools.rnc_cli", "compile", str(path), *args, "--quiet",
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_calibrated_range_with_an_ideal_adc_is_noted(digits_onnx, tmp_path, capsys):
    path, _ = digits_onnx
    assert main(["compile", str(path), "--adc-range", "calibrated", "--samples", "1", "--out", str(tmp_path),
                 "--quiet"]) == 0
    assert "a calibrated ADC range changes nothing" in capsys.readouterr().err
    assert "adc_shifts" not in (tmp_path / "program.isa").read_text()


def test_given_calibration_inputs_and_calibration_data_are_refused_together():
    """The library's calibration inputs (rnc nas search's images) and --calibration-data name two sources."""
    from rnc.driver import CompileOptions, compile_model
    from rnc.driver.pipeline import CompileError
    with pytest.raises(CompileError, match="give calibration inputs or --calibration-data, not both"):
        compile_model("mbv3_small", CompileOptions(simulate_isa=True, calibration=[], calibration_data="digits"))
