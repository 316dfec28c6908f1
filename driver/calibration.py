"""The inputs `rnc compile` calibrates its program on: seeded random inputs (the default) or data
(`--calibration-data digits|DIR`, read by the loader of --eval-data; digits: its training split, never the
samples --eval-data measures).

Float runs on them set the activation scales (rnc.backends.isa.reference.calibrate); with target key
adc_range = "calibrated", the program's runs on them set its ADC ranges too
(rnc.backends.isa.adc_calibration). report.json's "isa" records which inputs (`Calibration.to_dict`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnc.backends.isa.lower import CALIBRATION_SAMPLES, calibration_inputs

RANDOM = "random"


@dataclass
class Calibration:
    """The calibration inputs of a compile and where they come from."""

    source: str                           # "random" (seeded standard-normal), "digits" or the folder
    samples: list[list[np.ndarray]]       # each one input list of the model
    seed: int | None = None               # the random inputs' seed

    def to_dict(self, adc_range: str) -> dict[str, Any]:
        """report.json's "isa" "calibration": the inputs, how many, and how the ADC range was set."""
        return {"inputs": self.source, "samples": len(self.samples), "seed": self.seed, "adc_range": adc_range}


def random_calibration(module, seed: int) -> Calibration:
    """The default: CALIBRATION_SAMPLES seeded standard-normal inputs (`lower.calibration_inputs`)."""
    return Calibration(RANDOM, calibration_inputs(module, seed, CALIBRATION_SAMPLES), seed)


def data_calibration(source: str, inputs: np.ndarray) -> Calibration:
    """Calibration on data: `inputs` (N, *the model's input shape), one sample each."""
    return Calibration(source, [[x] for x in inputs])
