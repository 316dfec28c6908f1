"""Calibrated ADC ranges (target key adc_range = "calibrated", docs/precision.md).

Per `xbar.layer` and input read k, the shift t_k is the smallest ADC step 2^t_k whose adc_bits of codes hold
the largest |column sum| that read produces on the calibration inputs, over all the layer's tiles and cell
slices (`LayerPrecision.range_shift`): no calibration sum is clipped beyond the top code. A layer whose ADC
is exact in the worst case keeps shift 0.

Layers are calibrated in execution order on the program's own integers (the bit-true oracle,
`reference.run_quantized`): a layer sees what the layers before it compute with their calibrated ranges,
as in the compiled program. The calibration inputs run as one batch (models taking one sample, batch 1),
in chunks of at most CHUNK_ELEMENTS input rows per layer, each chunk widening the ranges the chunks before
it found; a model whose input has another batch size runs one sample per chunk.

`rnc compile` (`calibrate_module`) and `rnc.nas.precision_accuracy.QuantizedNetwork` both call
`calibrate_adc_shifts`: given the same calibration inputs, they compute the same shifts.
"""
from __future__ import annotations

import numpy as np

from rnc.dialects.func import find_function
from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import LayerOp, module_layers

from .bit_true import calibrated_mvm
from .reference import calibrate, quantized_layer, run_quantized

# Input rows (positions x matrix rows) of one layer per chunk: 2^23 int64 values take 64 MiB, and the
# oracle holds about one array per input read at once (rnc's own bound, far above digits-sized models).
CHUNK_ELEMENTS = 1 << 23


def calibrate_module(module, samples: list[list[np.ndarray]]) -> dict[int, float]:
    """The activation scales of a partitioned or placed `module` from float runs on `samples` (lists of
    input arrays); when its target calibrates its ADCs (`Target.calibrates_adc`) and a layer has no
    `adc_shifts` yet, also sets every layer's from the same samples (`set_adc_shifts`). What `rnc compile`
    does before lowering."""
    scales = calibrate(module, samples)
    if needs_adc_shifts(module):
        set_adc_shifts(module, scales, samples)
    return scales


def needs_adc_shifts(module) -> bool:
    """True when the module's target calibrates its ADCs and some layer carries no `adc_shifts`."""
    return module_target(module).calibrates_adc and any(not layer.adc_shifts for layer in module_layers(module))


def set_adc_shifts(module, scales: dict[int, float], samples: list[list[np.ndarray]]) -> None:
    """Sets every xbar.layer's `adc_shifts` attribute to those `calibrate_adc_shifts` finds."""
    shifts = calibrate_adc_shifts(module, scales, samples)
    for layer in module_layers(module):
        layer.adc_shifts = shifts[layer.layer]


def calibrate_adc_shifts(module, scales: dict[int, float], samples: list[list[np.ndarray]]
                         ) -> dict[int, tuple[int, ...]]:
    """{xbar.layer index: one ADC shift per input read} calibrated on `samples` with activation `scales`
    (`reference.calibrate`); the layers' own `adc_shifts` attributes are ignored."""
    target = module_target(module)
    shifts: dict[int, tuple[int, ...]] = {}

    def run_layer(layer: LayerOp, q_in: np.ndarray, s_in: float, s_out: float) -> np.ndarray:
        worst = target.layer_precision(layer.peripheral_overrides)      # no shifts: the worst case
        shifts.setdefault(layer.layer, (0,) * worst.input_slices)     # an exact layer keeps 0

        def mvm(x, w, precision, blocks):
            acc, calibrated = calibrated_mvm(x, w, precision, blocks, floor=shifts[layer.layer])
            shifts[layer.layer] = calibrated.adc_shifts
            return acc

        return quantized_layer(layer, q_in, s_in, s_out, worst, mvm)

    for chunk in _chunks(module, samples):
        run_quantized(module, scales, [np.concatenate(arrays) for arrays in zip(*chunk)], run_layer,
                      batch=len(chunk) if len(chunk) > 1 else None)
    return shifts


def _chunks(module, samples: list[list[np.ndarray]]) -> list[list[list[np.ndarray]]]:
    """The samples in runs of as many as keep each layer's input rows within CHUNK_ELEMENTS (one at a time
    when the model's inputs do not take one sample each)."""
    args = find_function(module).regions[0].blocks[0].args
    if any(not a.type.shape or a.type.shape[0] != 1 for a in args):
        size = 1
    else:
        per_sample = max((layer.cycles * layer.rows for layer in module_layers(module)), default=1)
        size = max(1, CHUNK_ELEMENTS // max(1, per_sample))
    samples = [list(s) if isinstance(s, (list, tuple)) else [s] for s in samples]
    return [samples[i:i + size] for i in range(0, len(samples), size)]
