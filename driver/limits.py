"""Limits that protect the machine: the ranges of the compile options, and the memory a compile's
functional check needs, estimated before it runs.

`check_options` refuses option values outside their range (one line naming the option, the value and the
range): a sample count or a split factor beyond these bounds only costs time, never gives a better answer.

Placement and timing work on shapes only; the functional check (`simulate_isa`) runs the model three times on
real arrays (the ISA simulator, the quantized oracle, the float interpreter). A model with absurd shapes
(a 1 x 3 x 100000 x 100000 input) would take the machine's memory there, so `check_memory` refuses it first,
with the estimate. Crossbar geometry needs no estimate: its sizes are bounded (rnc.hw.peripherals,
MAX_XBAR_SIZE).
"""
from __future__ import annotations

import os

from rnc.ir.types import TensorType

GIB = 1 << 30
DEFAULT_MEMORY_LIMIT_GIB = 8.0        # a laptop's share; RNC_MEMORY_LIMIT_GIB or --memory-limit change it
# The functional check holds several copies of the model's tensors at once (calibration inputs, the float,
# quantized and simulated runs, im2col buffers): measured peak 6.5x `tensor_bytes` on a conv with a batch of
# 2**20 (15.8 GB for 2.4 GiB of tensors; a fuzz case of issue #16).
CHECK_COPIES = 8
MEMORY_LIMIT_ENV = "RNC_MEMORY_LIMIT_GIB"


# Work limits of the compile options (rnc's own): the reference times 8 samples; a depthwise layer has at
# most a few thousand channels to split; a crossbar holds at most 4096 x 4096 cells, so no cap on tiles per
# crossbar beyond that makes a difference; seeds are numpy's (non-negative).
MAX_SAMPLES = 10_000
DEFAULT_EVAL_SAMPLES = 100   # --eval-samples: a 1-point resolution; the digits validation split has 359
DEFAULT_CALIBRATION_SAMPLES = 100   # --calibration-samples: as many; the digits training split has 1438
MAX_DEPTHWISE_SPLIT = 4096
MAX_TILES_PER_XBAR = 4096 * 4096
MAX_CONFLICT_DISTANCE = 1_000_000
MAX_SEED = 2 ** 63 - 1
MAX_INPUT_DIM = 1 << 24


class LimitError(Exception):
    """An option outside its range, or an estimate above its limit: one line with both."""


def check_range(option: str, value, low, high) -> None:
    """Raises LimitError unless `value` is an integer from `low` to `high`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LimitError(f"{option} expects an integer in {low}..{high}, got {value!r}")


def check_options(options) -> None:
    """Raises LimitError for the first CompileOptions value out of its range (named as the CLI spells it)."""
    from rnc.hw.target import Target
    budget = Target.parameter("budget").allowed
    if options.budgets is not None:
        if not options.budgets:
            raise LimitError("--xbars expects at least one budget")
        for value in options.budgets:
            check_range("--xbars", value, int(budget.low), int(budget.high))
    check_range("--samples", options.samples, 1, MAX_SAMPLES)
    check_range("--depthwise-split", options.depthwise_split, 1, MAX_DEPTHWISE_SPLIT)
    check_range("--max-tiles-per-xbar", options.max_tiles_per_xbar, 0, MAX_TILES_PER_XBAR)
    if options.conflict_distance is not None:
        check_range("--conflict-distance", options.conflict_distance, 0, MAX_CONFLICT_DISTANCE)
    check_range("--seed", options.seed, 0, MAX_SEED)
    check_range("--eval-samples", options.eval_samples, 1, MAX_SAMPLES)
    check_range("--calibration-samples", options.calibration_samples, 1, MAX_SAMPLES)
    for dim in options.input_shape or ():
        check_range("--input-shape (each dimension)", dim, 1, MAX_INPUT_DIM)
    limit = options.memory_limit_gib
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float))
                              or not 0 < limit < float("inf")):
        raise LimitError(f"--memory-limit expects a positive number of GiB, got {limit!r}")


def default_memory_limit_gib() -> float:
    """RNC_MEMORY_LIMIT_GIB when set to a positive number, else DEFAULT_MEMORY_LIMIT_GIB."""
    text = os.environ.get(MEMORY_LIMIT_ENV, "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_MEMORY_LIMIT_GIB
    return value if 0 < value < float("inf") else DEFAULT_MEMORY_LIMIT_GIB


def tensor_bytes(module) -> int:
    """Bytes of every tensor the module's ops produce or take as arguments, all at once: an upper bound of
    one interpreter run's working set (it frees values after their last use)."""
    total = 0
    for op in module.walk():
        for region in op.regions:
            for block in region.blocks:
                total += sum(_bytes(arg.type) for arg in block.args)
        total += sum(_bytes(result.type) for result in op.results)
    return total


def _bytes(type_) -> int:
    if not isinstance(type_, TensorType) or not type_.has_static_shape:
        return 0
    return type_.num_elements * type_.numpy_dtype.itemsize


def check_memory(module, limit_gib: float, what: str) -> None:
    """Raises LimitError when `what` on `module` needs more than `limit_gib` GiB: CHECK_COPIES times
    `tensor_bytes`."""
    need = CHECK_COPIES * tensor_bytes(module)
    if need > limit_gib * GIB:
        raise LimitError(f"{what} needs about {need / GIB:.3g} GiB (copies of the model's tensors), more than "
                         f"the limit of {limit_gib:g} GiB (--memory-limit or {MEMORY_LIMIT_ENV} raise it; "
                         f"--no-simulate skips it)")
