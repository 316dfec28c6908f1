"""`rnc compile --eval-data`: the compiled program's accuracy on digits and on a folder of .npy files, and
one-line errors (exit status 2) naming the file for data it cannot use."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rnc.driver import CompileOptions, compile_model
from rnc.driver.eval_data import load_eval_data
from rnc.driver.pipeline import load_model
from rnc.tools.rnc_cli import main

SAMPLES = 40


def _compile(path, data, samples=SAMPLES):
    return compile_model(str(path), CompileOptions(simulate_isa=True, samples=1, eval_data=str(data),
                                                   eval_samples=samples))


def _digits_folder(folder, onnx, labels=True, count=SAMPLES):
    data = load_eval_data("digits", load_model(str(onnx)), count)
    folder.mkdir()
    np.save(folder / "inputs.npy", data.inputs[:, 0])
    if labels:
        np.save(folder / "labels.npy", data.labels)
    return data


def test_digits_accuracy_of_a_trained_model(digits_onnx):
    path, trained_accuracy = digits_onnx
    assert trained_accuracy > 0.85                       # the fixture really learned the digits
    result = _compile(path, "digits")
    acc = result.accuracy
    assert acc.data == "digits" and acc.samples == SAMPLES
    assert acc.top1_accuracy > 0.8 and acc.float_top1_accuracy > 0.8
    assert acc.top1_agreement >= 0.9                     # 8 bits keep nearly every decision
    assert acc.sim_seconds_per_sample > 0
    report = json.loads(result.to_json())
    assert report["summary"]["accuracy"]["top1_accuracy"] == acc.top1_accuracy
    assert "top1_*" in report["units"]


def test_a_folder_gives_the_figures_of_the_same_samples(digits_onnx, tmp_path):
    path, _ = digits_onnx
    _digits_folder(tmp_path / "data", path)
    folder = _compile(path, tmp_path / "data").accuracy
    digits = _compile(path, "digits").accuracy
    assert folder.data == str(tmp_path / "data")
    assert (folder.top1_accuracy, folder.top1_agreement) == (digits.top1_accuracy, digits.top1_agreement)


def test_a_folder_without_labels_reports_agreement_only(digits_onnx, tmp_path):
    path, _ = digits_onnx
    _digits_folder(tmp_path / "data", path, labels=False, count=10)
    acc = _compile(path, tmp_path / "data").accuracy
    assert acc.samples == 10 and acc.top1_accuracy is None and acc.float_top1_accuracy is None
    assert "no labels" in acc.describe()


def test_the_cli_prints_the_accuracy_line_and_writes_it_to_the_reports(digits_onnx, tmp_path, capsys):
    path, _ = digits_onnx
    out = tmp_path / "out"
    assert main(["compile", str(path), "--eval-data", "digits", "--eval-samples", "12", "--samples", "1",
                 "--quiet", "--out", str(out)]) == 0
    assert "accuracy on digits (12 samples): top-1 " in capsys.readouterr().out
    assert json.loads((out / "report.json").read_text())["summary"]["accuracy"]["samples"] == 12
    assert 'id="accuracy"' in (out / "report.html").read_text()


def _bad(folder, inputs=None, labels=None):
    folder.mkdir(exist_ok=True)
    if inputs is not None:
        np.save(folder / "inputs.npy", inputs)
    if labels is not None:
        np.save(folder / "labels.npy", labels)
    return folder


GOOD = np.zeros((4, 3, 8, 8), np.float32)
BAD_DATA = {
    "no inputs.npy": (None, None, "inputs.npy: no such file"),
    "wrong shape": (np.zeros((4, 3, 16, 16), np.float32), None, "inputs.npy: shape [4, 3, 16, 16], expected (N, 3, 8, 8)"),
    "non-finite": (np.full((4, 3, 8, 8), np.nan, np.float32), None, "inputs.npy: holds NaN or infinite values"),
    "text": (np.array([["a"] * 8] * 8), None, "inputs.npy: expected numbers"),
    "labels missing for some inputs": (GOOD, np.zeros(3, np.int64), "labels.npy: 3 labels for 4 inputs"),
    "float labels": (GOOD, np.zeros(4, np.float32), "labels.npy: expected a 1-D array of integer class indices"),
    "labels out of range": (GOOD, np.array([0, 1, 2, 10]), "labels.npy: labels must be class indices 0..9"),
}


@pytest.mark.parametrize("case", BAD_DATA)
def test_bad_data_is_one_line_naming_the_file(digits_onnx, tmp_path, capsys, case):
    path, _ = digits_onnx
    inputs, labels, message = BAD_DATA[case]
    folder = _bad(tmp_path / "data", inputs, labels)
    assert main(["compile", str(path), "--eval-data", str(folder), "--quiet", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("rnc compile: error: ")
    assert f"{folder}/{message}" in err, err


@pytest.mark.parametrize("argv, message", [
    (["--eval-data", "no/such/folder"], "--eval-data 'no/such/folder': neither 'digits' nor a folder"),
    (["--eval-data", "digits", "--no-simulate"], "cannot be used with --no-simulate"),
])
def test_bad_options_are_one_line(digits_onnx, tmp_path, capsys, argv, message):
    path, _ = digits_onnx
    assert main(["compile", str(path), *argv, "--quiet", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_eval_samples_has_a_range(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compile", "m.onnx", "--eval-data", "digits", "--eval-samples", "0"])
    assert stop.value.code == 2
    assert "argument --eval-samples: expects an integer in 1..10000, got '0'" in capsys.readouterr().err


def test_digits_needs_square_images(tmp_path, capsys):
    import torch
    from torch import nn

    from rnc.frontends.torch import export_onnx
    path = tmp_path / "wide.onnx"
    export_onnx(nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 12, 10)), torch.zeros(1, 3, 8, 12), path)
    assert main(["compile", str(path), "--eval-data", "digits", "--quiet", "--out", str(tmp_path / "o")]) == 2
    assert f"{path}: --eval-data digits needs a model taking square images" in capsys.readouterr().err
