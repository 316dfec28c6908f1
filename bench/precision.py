"""What lower precision costs and saves: mbv3_small and squeezenet, trained here on scikit-learn's digits, over
ADC bits x DAC bits per read x cells per weight, with a quantized ADC (adc_model = "quantized").

Per setting: crossbars used (fewest-crossbar placement), top-1 accuracy of the compiled program's numbers
on the digits validation split (rnc.nas.precision_accuracy's torch arithmetic: bit for bit the program's),
energy per inference and area of the tiles used (rnc-native model of the lowered program, rnc.hw's cost
model). Then the functional simulation's cost per sample at 8x8 slicing (1-bit DAC reads of 8-bit inputs,
1-bit cells), for the ISA simulator and for the torch arithmetic.

    .venv/bin/python bench/precision.py                 # the subsampled grid (minutes)
    .venv/bin/python bench/precision.py --full          # every one of the 6 x 4 x 4 settings
    .venv/bin/python bench/precision.py --adc-range     # ADC bits 3..8: worst-case vs calibrated ADC range,
                                                        # random vs data calibration (docs/precision.md)

The issue's "input bits {1,2,4,8}" are read here as the bits the DACs apply per read (dac_bits: 8, 4, 2 or 1
reads of the 8-bit input); "cells per weight" c sets cell_bits = 8 / c.
"""
from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from rnc.backends.isa.lower import calibration_inputs, lower_program
from rnc.dialects.rnc import module_target, set_module_target
from rnc.driver import CompileOptions, compile_model
from rnc.driver.eval_data import load_eval_data
from rnc.frontends.zoo import build_model
from rnc.nas.digits_model import export_image_model, train_on_digits
from rnc.nas.precision_accuracy import QuantizedNetwork
from rnc.sim.isa_sim import simulate
from rnc.sim.isa_sim.functional import run_functional

ADC_BITS = (3, 4, 5, 6, 7, 8)
DAC_BITS = (1, 2, 4, 8)
CELLS = (1, 2, 4, 8)
# The subsampled grid: every cells x DAC pair at the ADC bits a designer weighs first.
SUBSAMPLED_ADC_BITS = (4, 6, 8)
# (image size, optimizer steps, learning rate): squeezenet's three stride-2 stages need 32x32 inputs, and it
# learns at a lower rate without BatchNorm.
TRAINING = {"mbv3_small": (16, 300, 2e-3), "squeezenet": (32, 300, 1e-3)}
SIM_SAMPLES = 8


def train_and_export(name: str, folder: Path, steps: int | None = None) -> tuple[Path, float]:
    size, default_steps, lr = TRAINING[name]
    steps = steps or default_steps
    net = build_model(name)
    started = time.perf_counter()
    accuracy = train_on_digits(net, size, steps=steps, lr=lr)
    path = folder / f"{name}.onnx"
    export_image_model(net, size, path)
    print(f"{name}: trained on digits at {size}x{size}, {steps} steps in {time.perf_counter() - started:.0f} s: "
          f"float top-1 {100 * accuracy:.1f}% on the validation split")
    return path, accuracy


def with_target(module, **values):
    out = module.clone()
    set_module_target(out, module_target(module).with_values(**values))
    return out


def energy_and_area(placed, calibration) -> tuple[float, float]:
    """(energy per inference in uJ, area of the tiles used in mm2) of the lowered program."""
    e = simulate(lower_program(placed, calibration), samples=1).energy
    return e.energy_per_inference_pj / 1e6, e.area_mm2


def table(path: Path, samples: int, adc_grid) -> None:
    base = compile_model(str(path), CompileOptions())
    data = load_eval_data("digits", base.model, samples)
    ideal = float(np.mean(QuantizedNetwork(base.partitioned).top1(data.inputs) == data.labels))
    print(f"ideal ADC (the default target: 8-bit program, exact column sums): top-1 {100 * ideal:.1f}%, "
          f"{base.last.xbars_used} crossbars")
    print(f"{'cells':>5} {'dac':>4} {'adc':>4} {'xbars':>6} {'top-1':>7} {'energy uJ':>10} {'area mm2':>9}")
    for cells in CELLS:
        run = compile_model(str(path), CompileOptions(target_values={"cell_bits": 8 // cells})).last
        placed, xbars = run.placed, run.xbars_used
        calibration = calibration_inputs(placed, 0)
        for dac, adc in itertools.product(DAC_BITS, adc_grid):
            module = with_target(placed, dac_bits=dac, adc_bits=adc, adc_model="quantized")
            top1 = float(np.mean(QuantizedNetwork(module).top1(data.inputs) == data.labels))
            energy, area = energy_and_area(module, calibration)
            print(f"{cells:>5} {dac:>4} {adc:>4} {xbars:>6} {100 * top1:>6.1f}% {energy:>10.3f} {area:>9.3f}",
                  flush=True)


# The arithmetic of the --adc-range table: (cells per weight, DAC bits per read, weight sign), 1-bit reads of
# 8-bit inputs; offset weights keep every cell near its middle level, differential ones leave most at 0.
RANGE_SLICINGS = ((1, 1, "offset"), (4, 1, "offset"), (4, 1, "differential"), (8, 1, "offset"))
RANGE_MODES = (("worst-case", "random"), ("worst-case", "digits"), ("calibrated", "random"),
               ("calibrated", "digits"))


def adc_range_table(path: Path, samples: int, calibration_samples: int) -> None:
    """Top-1 on the digits validation split at ADC bits 3..8: the worst-case ADC range against the calibrated
    one, each calibrated on the compile's random inputs or on the digits training split (the first
    `calibration_samples`), as `rnc compile --adc-range ... [--calibration-data digits]` compiles it."""
    base = compile_model(str(path), CompileOptions())
    data = load_eval_data("digits", base.model, samples)
    train = load_eval_data("digits", base.model, calibration_samples, split="train")
    calibrations = {"random": None, "digits": [[x] for x in train.inputs]}
    print(f"ADC range x calibration inputs (random: {len(calibration_inputs(base.partitioned, 0))} seeded "
          f"normal inputs; digits: {calibration_samples} training images), quantized ADC; top-1 on "
          f"{len(data.inputs)} validation samples")
    for mode, inputs in (("ideal ADC", None), ("ideal ADC, data calibration", calibrations["digits"])):
        top1 = float(np.mean(QuantizedNetwork(base.partitioned, calibration=inputs).top1(data.inputs) == data.labels))
        print(f"  {mode}: {100 * top1:.1f}%")
    columns = [f" {range_}/{source:>6}" for range_, source in RANGE_MODES]
    header, widths = "".join(columns), [len(c) for c in columns]
    for cells, dac, sign in RANGE_SLICINGS:
        values = {"cell_bits": 8 // cells, "weight_sign": sign}
        compiled = compile_model(str(path), CompileOptions(target_values=values))
        partitioned = compiled.partitioned
        print(f"cells per weight {cells}, DAC bits {dac}, {sign} weights, {compiled.last.xbars_used} crossbars\n"
              f"{'adc':>4}{header}")
        for adc in ADC_BITS:
            row = []
            for range_, source in RANGE_MODES:
                module = with_target(partitioned, dac_bits=dac, adc_bits=adc, adc_model="quantized",
                                     adc_range=range_)
                net = QuantizedNetwork(module, calibration=calibrations[source])
                row.append(float(np.mean(net.top1(data.inputs) == data.labels)))
            print(f"{adc:>4}" + "".join(f"{100 * v:>{width - 1}.1f}%" for v, width in zip(row, widths)), flush=True)
        # 4-bit inputs (XPert's shipped precision) at the largest ADC, calibrated range and data calibration.
        module = with_target(partitioned, dac_bits=dac, adc_bits=max(ADC_BITS), input_bits=4, adc_model="quantized",
                             adc_range="calibrated")
        top1 = np.mean(QuantizedNetwork(module, calibration=calibrations["digits"]).top1(data.inputs) == data.labels)
        print(f"  4-bit inputs, {max(ADC_BITS)}-bit ADC, calibrated on digits: {100 * top1:.1f}%", flush=True)


def simulation_cost(path: Path) -> None:
    """Seconds per sample of the ISA functional simulator and of the torch arithmetic at 8x8 slicing."""
    placed = compile_model(str(path), CompileOptions(target_values={"cell_bits": 1, "dac_bits": 1,
                                                                    "adc_model": "quantized"})).last.placed
    data = load_eval_data("digits", placed, SIM_SAMPLES)
    program = lower_program(placed, calibration_inputs(placed, 0))
    started = time.perf_counter()
    for x in data.inputs:
        run_functional(program, [x])
    sim = (time.perf_counter() - started) / SIM_SAMPLES
    started = time.perf_counter()
    QuantizedNetwork(placed).top1(data.inputs)
    torch_cost = (time.perf_counter() - started) / SIM_SAMPLES
    print(f"8x8 slicing, {SIM_SAMPLES} samples: ISA functional simulator {sim * 1e3:.1f} ms/sample "
          f"({sim * SIM_SAMPLES:.2f} s for {SIM_SAMPLES}), torch arithmetic {torch_cost * 1e3:.1f} ms/sample "
          f"(calibration included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="every ADC bit width 3..8 (default: 4, 6, 8)")
    parser.add_argument("--samples", type=int, default=100, help="validation samples per setting (default 100)")
    parser.add_argument("--models", default="mbv3_small,squeezenet")
    parser.add_argument("--steps", type=int, help="training steps (default: 300 per model)")
    parser.add_argument("--adc-range", action="store_true",
                        help="only the table of worst-case vs calibrated ADC ranges (ADC bits 3..8)")
    parser.add_argument("--calibration-samples", type=int, default=100,
                        help="digits training images the --adc-range table calibrates on (default 100)")
    args = parser.parse_args()
    torch.set_num_threads(1)   # the machine is shared; the small layers run fastest on one thread
    if args.adc_range:
        with tempfile.TemporaryDirectory() as tmp:
            for name in args.models.split(","):
                path, _ = train_and_export(name, Path(tmp), args.steps)
                started = time.perf_counter()
                adc_range_table(path, args.samples, args.calibration_samples)
                print(f"{name}: table in {time.perf_counter() - started:.0f} s")
        return
    adc_grid = ADC_BITS if args.full else SUBSAMPLED_ADC_BITS
    print(f"grid: ADC bits {adc_grid}{'' if args.full else ' (subsampled; --full for 3..8)'} x DAC bits per "
          f"read {DAC_BITS} x cells per weight {CELLS}; quantized ADC, offset weights; {args.samples} samples")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            path, _ = train_and_export(name, Path(tmp), args.steps)
            started = time.perf_counter()
            table(path, args.samples, adc_grid)
            print(f"{name}: table in {time.perf_counter() - started:.0f} s")
            simulation_cost(path)


if __name__ == "__main__":
    main()
