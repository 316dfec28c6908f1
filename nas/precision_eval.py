"""A co-search candidate's accuracy under its precision: the top-1 of the program it compiles to.

The BatchNorm-recalibrated subnet becomes the chained block export with its trained weights
(nas/trained_blocks.py), partitioned as `rnc compile` partitions it under the search's target and target
values; each xbar layer takes its group's periphery (input bits, ADC bits, ...) and
`rnc.nas.precision_accuracy.QuantizedNetwork` runs the validation samples through the crossbars' arithmetic,
bit for bit what the ISA simulator computes for the compiled program. The activation scales come from
training images (`calibration_images`), which `rnc nas search --compile-best` hands to the compiler too.

The partitioned module is shared by every periphery of a network (cached per network); the accuracy by
every candidate whose layers compute with the same `LayerPrecision`s (ADC type and columns per ADC change
time and energy, not numbers).
"""
from __future__ import annotations

import numpy as np

from rnc.nas.hardware import remember, partition, with_peripherals
from rnc.nas.onnx_blocks import BlockExports
from rnc.nas.trained_blocks import trained_model

# Activation scales are max |x| over this many training images (the first of the seeded calibration batches):
# as many inputs as rnc compile's own calibration (rnc.backends.isa.lower.CALIBRATION_SAMPLES), at a float
# run of the IR each (25 ms at 16x16 pixels).
CALIBRATION_IMAGES = 4


def calibration_images(batches, count: int = CALIBRATION_IMAGES) -> list[list[np.ndarray]]:
    """The first `count` images of the calibration `batches` (torch tensors (B, C, H, W)) as input lists of
    one (1, C, H, W) array each: `CompileOptions.calibration` and `QuantizedNetwork`'s `calibration`."""
    images = [x for batch in batches for x in batch][:count]
    return [[np.ascontiguousarray(x[None].numpy(), dtype=np.float32)] for x in images]


class PrecisionAccuracy:
    """Top-1 accuracies under per-layer precision of the subnets of one search, on fixed validation samples."""

    def __init__(self, blocks: BlockExports, calibration: list[list[np.ndarray]], inputs: np.ndarray,
                 labels: np.ndarray, target: str | None = None, target_values: dict | None = None):
        self.blocks, self.calibration = blocks, calibration
        self.inputs, self.labels = inputs, labels          # (N, 1, C, H, W) float32, (N,) int64
        self.target, self.target_values = target, dict(target_values or {})
        self.accuracies: dict[tuple, float] = {}
        self._modules: dict[tuple, object] = {}

    def partitioned(self, network, subnet):
        """The partitioned module of `subnet` (the trained subnet of `network`), its layers at the target."""
        return remember(self._modules, network, lambda: partition(trained_model(self.blocks, subnet, network),
                                                                   self.target, self.target_values))

    def accuracy(self, network, subnet, layer_peripherals: dict) -> float:
        """Top-1 of `subnet` compiled with `layer_peripherals` (xbar layer index -> overrides)."""
        from rnc.dialects.rnc import module_target
        from rnc.dialects.xbar import module_layers
        from rnc.nas.precision_accuracy import QuantizedNetwork
        module = self.partitioned(network, subnet)
        target = module_target(module)
        key = (network, tuple(target.layer_precision(layer_peripherals.get(i, {}))
                              for i in range(len(module_layers(module)))))
        if key not in self.accuracies:
            quantized = QuantizedNetwork(with_peripherals(module, layer_peripherals), calibration=self.calibration)
            self.accuracies[key] = float(np.mean(quantized.top1(self.inputs) == self.labels))
        return self.accuracies[key]
