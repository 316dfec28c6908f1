"""Accuracy of a compiled program: each sample through the ISA functional simulator and the float model.

The simulator runs the lowered program's numbers (quantized weights and activations as the crossbars and
digital units compute them); the float interpreter runs the canonicalized nn model. Top-1 agreement is the
fraction of samples where both pick the same class; top-1 accuracy (with labels) is the program's hit rate,
beside the float model's on the same samples.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnc.driver.eval_data import EvalData
from rnc.sim.interpreter import run_module
from rnc.sim.isa_sim.functional import run_functional


@dataclass
class AccuracyResult:
    """report.json's "accuracy": what the compiled program gets right on `samples` samples of `data`."""

    data: str                              # "digits" or the folder
    samples: int
    top1_agreement: float                  # program and float model pick the same class
    top1_accuracy: float | None            # program's top-1 hits / samples (None without labels)
    float_top1_accuracy: float | None      # the float model's, same samples
    sim_seconds_per_sample: float          # wall time of the functional simulation per sample

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "samples": self.samples, "top1_agreement": self.top1_agreement,
                "top1_accuracy": self.top1_accuracy, "float_top1_accuracy": self.float_top1_accuracy,
                "sim_seconds_per_sample": self.sim_seconds_per_sample}

    def describe(self) -> str:
        """One line for the compile table."""
        head = f"accuracy on {self.data} ({self.samples} samples): "
        agree = f"top-1 agreement with the float model {100 * self.top1_agreement:.1f}%"
        if self.top1_accuracy is None:
            return head + agree + " (no labels)"
        return (head + f"top-1 {100 * self.top1_accuracy:.1f}% (float model {100 * self.float_top1_accuracy:.1f}%), "
                + agree)


def program_top1(program, data: EvalData) -> tuple[np.ndarray, float]:
    """(class picked by the program for each sample, wall seconds of the simulation per sample)."""
    started = time.perf_counter()
    picks = np.array([int(np.argmax(run_functional(program, [x])[0])) for x in data.inputs], dtype=np.int64)
    return picks, (time.perf_counter() - started) / max(1, len(data.inputs))


def float_top1(model, data: EvalData) -> np.ndarray:
    """Class picked by the float model for each sample."""
    return np.array([int(np.argmax(run_module(model, [x])[0])) for x in data.inputs], dtype=np.int64)


def evaluate_accuracy(program, model, data: EvalData) -> AccuracyResult:
    """The accuracy figures of `program` (an isa.program) against `model` (its nn module) on `data`."""
    ours, seconds = program_top1(program, data)
    exact = float_top1(model, data)
    labels = data.labels
    return AccuracyResult(data.source, len(ours), float(np.mean(ours == exact)),
                          None if labels is None else float(np.mean(ours == labels)),
                          None if labels is None else float(np.mean(exact == labels)), seconds)
