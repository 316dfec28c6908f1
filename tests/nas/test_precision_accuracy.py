"""rnc.nas.precision_accuracy runs a compiled model as its ISA program does: the same outputs as the simulator,
bit for bit, and the accuracy `rnc compile --eval-data` reports."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from rnc.backends.isa.lower import calibration_inputs, lower_program
from rnc.driver import CompileOptions, compile_model
from rnc.driver.eval_data import load_eval_data
from rnc.nas.precision_accuracy import QuantizedNetwork, precision_accuracy
from rnc.sim.isa_sim.functional import run_functional


def _simulated(result, inputs):
    placed = result.last.placed
    program = lower_program(placed, calibration_inputs(placed, 0))
    return np.concatenate([run_functional(program, [x])[0] for x in inputs])


# (target keys for every layer, overrides of layer 0): the ideal default, then quantized ADCs with bit-serial
# inputs and sliced cells, offset and differential weights, narrowed inputs and a layer of its own.
SETTINGS = {
    "ideal": ({}, {}),
    "4-bit ADC, 2-bit DAC, 2-bit cells": ({"adc_model": "quantized", "adc_bits": 4, "dac_bits": 2, "cell_bits": 2}, {}),
    "differential, 6-bit inputs": ({"adc_model": "quantized", "adc_bits": 6, "weight_sign": "differential",
                                   "input_bits": 6, "cell_bits": 4}, {}),
    "layer 0 alone at 8x8 slicing": ({"adc_model": "quantized"}, {"adc_bits": 3, "cell_bits": 1, "dac_bits": 1}),
    "calibrated 4-bit ADC, 1-bit cells": ({"adc_model": "quantized", "adc_bits": 4, "cell_bits": 1,
                                          "adc_range": "calibrated"}, {}),
}


@pytest.mark.parametrize("model", ["digits cnn", "mbv3_small"])
@pytest.mark.parametrize("setting", SETTINGS)
def test_a_compiled_model_is_the_simulators_bit_for_bit(digits_onnx, model, setting, tmp_path):
    """Every output of the batched torch run equals the ISA simulator's, at any precision setting."""
    torch.set_num_threads(1)
    if model == "mbv3_small":
        from rnc.frontends.zoo import build_model
        from rnc.nas.digits_model import export_image_model
        path = tmp_path / "mbv3.onnx"
        export_image_model(build_model("mbv3_small"), 16, path)
    else:
        path, _ = digits_onnx
    values, layer0 = SETTINGS[setting]
    result = compile_model(str(path), CompileOptions(target_values=values, layer_peripherals={0: layer0}))
    data = load_eval_data("digits", result.model, 4)
    ours = QuantizedNetwork(result.partitioned).outputs(data.inputs[:, 0])
    np.testing.assert_array_equal(ours, _simulated(result, data.inputs))


def test_precision_accuracy_is_the_compiled_programs(digits_onnx):
    """With the target's own settings, precision_accuracy is the accuracy `rnc compile --eval-data` reports;
    a 1-bit ADC costs accuracy."""
    torch.set_num_threads(1)
    digits_model, _ = digits_onnx
    compiled = compile_model(str(digits_model), CompileOptions(simulate_isa=True, samples=1, eval_data="digits",
                                                               eval_samples=60))
    assert precision_accuracy(str(digits_model), {}, "digits", samples=60) == \
        compiled.accuracy.top1_accuracy
    coarse = precision_accuracy(str(digits_model), {0: {"adc_bits": 1}}, "digits", samples=60,
                                           target_values={"adc_model": "quantized"})
    assert coarse < compiled.accuracy.top1_accuracy


def test_a_torch_module_needs_an_input_shape():
    with pytest.raises(ValueError, match="input_shape"):
        precision_accuracy(torch.nn.Linear(3, 2), {}, "digits")


def test_calibrated_on_data_it_computes_the_compiled_programs_shifts_and_numbers(digits_onnx):
    """Given the compile's calibration inputs, QuantizedNetwork finds the ADC shifts `rnc compile
    --calibration-data` put in the program, and computes its outputs; precision_accuracy agrees with the
    accuracy the compile reports."""
    torch.set_num_threads(1)
    path, _ = digits_onnx
    values = {"adc_model": "quantized", "adc_bits": 4, "cell_bits": 2, "adc_range": "calibrated"}
    compiled = compile_model(str(path), CompileOptions(target_values=values, simulate_isa=True, samples=1,
                                                       calibration_data="digits", calibration_samples=24,
                                                       eval_data="digits", eval_samples=40))
    program = compiled.last.isa.program
    assert compiled.last.isa.to_dict()["calibration"] == {"inputs": "digits", "samples": 24, "seed": None,
                                                          "adc_range": "calibrated"}
    train = load_eval_data("digits", compiled.model, 24, split="train")
    ours = QuantizedNetwork(compiled.partitioned, calibration=[[x] for x in train.inputs])
    assert ours.adc_shifts == {int(w.sym_name[1:]): w.adc_shifts for w in program.weights}
    assert any(any(shifts) for shifts in ours.adc_shifts.values())
    data = load_eval_data("digits", compiled.model, 40)
    simulated = np.concatenate([run_functional(program, [x])[0] for x in data.inputs])
    np.testing.assert_array_equal(ours.outputs(data.inputs[:, 0]), simulated)
    assert precision_accuracy(str(path), {}, "digits", samples=40, target_values=values, calibration_data="digits",
                              calibration_samples=24) == compiled.accuracy.top1_accuracy
