"""Cost of the functional simulation when it computes what the crossbars compute (docs/precision.md).

mbv3_small, placed on as few crossbars as possible, simulated functionally on 8 samples: with an ideal ADC
(today's int8 arithmetic), and at 8 input slices x 8 cell slices (1-bit DACs, 1-bit cells) through a
quantized 6-bit ADC and through one that covers every column sum; each run's first sample is checked bit for
bit against the bit-true oracle, and its cosine to the float model is printed.

    .venv/bin/python bench/precision_sim.py
"""
from __future__ import annotations

import time

import numpy as np

from rnc.backends.isa import lower_program
from rnc.backends.isa.lower import calibration_inputs
from rnc.backends.isa.reference import calibrate, run_float, run_quantized
from rnc.dialects.rnc import module_target, set_module_target
from rnc.driver.pipeline import canonicalize_pipeline, load_model, run_passes
from rnc.sim.isa_sim.functional import run_functional

SAMPLES = 8
SETTINGS = {
    "ideal ADC (today's int8)": {},
    "8x8 slices, 6-bit ADC": {"dac_bits": 1, "cell_bits": 1, "adc_bits": 6, "adc_model": "quantized"},
    "8x8 slices, 8-bit ADC": {"dac_bits": 1, "cell_bits": 1, "adc_bits": 8, "adc_model": "quantized"},
}


def placed_model(name: str, target_values: dict):
    module = load_model(name)
    run_passes(module, canonicalize_pipeline())
    set_module_target(module, module_target(module).with_values(**target_values))
    run_passes(module, "tile-partition,place{min-count}")
    return module


def main(name: str = "mbv3_small") -> None:
    for label, values in SETTINGS.items():
        placed = placed_model(name, values)
        calibration = calibration_inputs(placed)
        program = lower_program(placed, calibration)
        rng = np.random.default_rng(1)
        inputs = [rng.standard_normal(program.inputs[0].shape).astype(np.float32) for _ in range(SAMPLES)]
        started = time.perf_counter()
        outputs = [run_functional(program, [x])[0] for x in inputs]
        seconds = time.perf_counter() - started
        oracle = run_quantized(placed, calibrate(placed, calibration), inputs[:1])[0]
        scale = program.tensor(program.outputs[0]).scale
        exact = np.array_equal(outputs[0], oracle.astype(np.float32) * np.float32(scale))
        f = run_float(placed, inputs[:1])[0].ravel()
        o = outputs[0].ravel()
        cosine = float(np.dot(f, o) / np.linalg.norm(f) / np.linalg.norm(o))
        print(f"{name}, {label}: {program.xbars} crossbars; functional "
              f"simulation {seconds:.3f} s for {SAMPLES} samples ({seconds / SAMPLES * 1e3:.1f} ms a sample); "
              f"{'bit-exact' if exact else 'NOT bit-exact'} vs the bit-true oracle; cosine vs float {cosine:.4f}")


if __name__ == "__main__":
    main()
