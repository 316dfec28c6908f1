"""One candidate's evaluation, a pure function of (settings, genes), runnable in any process.

`evaluate(settings, genes)` loads what it needs (data set, supernet checkpoint, the baseline's compile) once
per process and keeps it, so a worker pays for that once. The figures depend on the arguments only:
BatchNorm is recalibrated on batches drawn from `settings.seed` (the same batches for every candidate, so
accuracies differ by architecture, not by calibration luck), torch runs on one thread (thread count changes
float rounding) and packing has no time limit (see hardware.py). Serial, process-pool and dask runs
therefore give identical records.

Without peripheral genes the accuracy is the float accuracy of the network genes. With them (the co-search)
it is the program's: the top-1 of the BatchNorm-recalibrated subnet computed with the crossbars' arithmetic
under each layer's precision (nas/precision_eval.py), on the same target and target values
(`EvalSettings.target_values`, default `CO_SEARCH_TARGET_VALUES`) the hardware figures are compiled for;
the float accuracy of the same samples is kept beside it (`float_accuracy`). `accuracy_samples` takes the
first N validation samples only. A space without a supernet (vgg16) is searched for hardware objectives
only, and its records have no accuracy.
"""
from __future__ import annotations

import gc
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch

from rnc.nas.spaces import SearchSpace, make_space

CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 64
# The co-search's target keys on top of `--target`, for its evaluation, its hardware compiles and the
# compiled Pareto members alike (docs/nas.md "Target values"): ADC bits change the numbers only with a
# quantized ADC, and its range is calibrated on the search's calibration images (with the worst-case range
# of a 128-row tile no ADC below 8 bits is useful). Cell bits stay the target's unless `--cell-bits`: fewer
# bits per cell let smaller ADCs keep the accuracy (docs/precision.md) at more crossbars per layer.
CO_SEARCH_TARGET_VALUES = {"adc_model": "quantized", "adc_range": "calibrated"}


@dataclass(frozen=True)
class EvalSettings:
    """Everything an evaluation depends on besides the genes (picklable, sent with every task)."""
    supernet: str | None           # checkpoint path, absolute so that any worker finds it (None: no accuracy)
    data: str = "digits"
    data_dir: str | None = None
    image_size: int = 16
    data_limit: int | None = None  # first examples of each split only (quick runs, tests)
    xbars: int = 211
    samples: int = 8
    hw_image_size: int = 64
    seed: int = 0
    space: str = "mbv3"            # rnc.nas.spaces.SPACE_NAMES
    peripherals: bool = False      # peripheral genes per layer group
    cost: bool = False             # energy, area, EDAP of the native run (always with peripherals)
    target: str | None = None      # `rnc compile --target`: a chip name or an absolute path (None: default)
    power: tuple | None = None     # --power intermittent: rnc.nas.intermittent.POWER_KEYS as text
    # Target keys set on top of `target` ((key, value) pairs; None: CO_SEARCH_TARGET_VALUES with peripherals).
    target_values: tuple | None = None
    accuracy_samples: int | None = None   # first N validation samples for the accuracy (None: all)

    @property
    def search_space(self) -> SearchSpace:
        return make_space(self.space, self.peripherals)

    @property
    def target_overrides(self) -> dict:
        """The target values every compile of this search applies (CompileOptions.target_values)."""
        if self.target_values is not None:
            return dict(self.target_values)
        return dict(CO_SEARCH_TARGET_VALUES) if self.peripherals else {}

    @property
    def precision_accuracy(self) -> bool:
        """Whether the accuracy is the program's under each layer's precision (peripheral genes searched)."""
        return self.search_space.groups > 0 and self.supernet is not None


@dataclass
class _Context:
    """What one process keeps for one (supernet file, data, hardware settings) combination."""
    net: object
    data: object
    calibration: list
    hardware: object               # a HardwareEvaluator; `with_budget` gives one per crossbar budget
    precision: object = None       # a PrecisionAccuracy when the accuracy sees the precision
    accuracies: dict = field(default_factory=dict)         # network -> float accuracy
    subnets: dict = field(default_factory=dict)            # network -> recalibrated subnet (the last few)


_CONTEXTS: dict[tuple, _Context] = {}
# Threads of one process (a dask worker with processes=False) share the compiler's caches and torch's
# thread setting: one evaluation at a time per process.
_LOCK = threading.Lock()


def _context_key(s: EvalSettings) -> tuple:
    stat = os.stat(s.supernet) if s.supernet else None     # a rewritten checkpoint is a new context
    return (s.supernet, stat and stat.st_mtime_ns, stat and stat.st_size, s.data, s.data_dir, s.image_size,
            s.data_limit, s.samples, s.hw_image_size, s.seed, s.space, s.peripherals, s.cost, s.target,
            tuple(sorted(s.target_overrides.items())), s.accuracy_samples)


def _context(s: EvalSettings) -> _Context:
    key = _context_key(s)
    if key not in _CONTEXTS:
        from rnc.nas.data import load_dataset
        from rnc.nas.hardware import HardwareEvaluator
        from rnc.nas.supernet import Supernet
        from rnc.nas.train import load_checkpoint
        data = load_dataset(s.data, s.image_size, s.data_dir, s.data_limit)
        net, calibration = None, []
        if s.supernet:
            net = Supernet(data.num_classes)
            net.load_state_dict(load_checkpoint(s.supernet, "supernet")["state_dict"])
            net.eval()
            calibration = [_channels_last(x) for x in calibration_batches(data, s.seed)]
            data.val_x, data.val_y = validation(data, s.accuracy_samples)
            data.val_x = _channels_last(data.val_x)
        hardware = HardwareEvaluator(s.xbars, s.samples, s.hw_image_size, data.num_classes, s.seed,
                                     s.search_space, s.cost or s.peripherals, s.target, s.target_overrides)
        hardware.baseline
        precision = _precision_accuracy(s, data, calibration, hardware) if s.precision_accuracy else None
        _CONTEXTS[key] = _Context(net, data, calibration, hardware, precision)
        # The loaded tensors and modules live as long as the process: keep the collector from rescanning
        # them on every compile (a tenth of a candidate's time otherwise).
        gc.collect()
        gc.freeze()
    return _CONTEXTS[key]


def calibration_batches(data, seed: int) -> list[torch.Tensor]:
    """The training batches BatchNorm is recalibrated on (and the activation scales calibrated from)."""
    return data.calibration_batches(CALIBRATION_BATCHES, CALIBRATION_BATCH_SIZE, seed)


def validation(data, samples: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels) of the first `samples` validation examples (None: all) the accuracies are measured on."""
    return data.val_x[:samples], data.val_y[:samples]


def _precision_accuracy(s: EvalSettings, data, calibration: list, hardware):
    from rnc.nas.onnx_blocks import BlockExports
    from rnc.nas.precision_eval import PrecisionAccuracy, calibration_images
    blocks = hardware.blocks if s.hw_image_size == s.image_size else BlockExports(s.image_size, data.num_classes)
    inputs = data.val_x.contiguous().numpy()[:, None]
    return PrecisionAccuracy(blocks, calibration_images(calibration), inputs, data.val_y.numpy(), s.target,
                             s.target_overrides)


def _channels_last(t: torch.Tensor) -> torch.Tensor:
    """The memory layout torch's CPU convolutions run fastest on here (a fifth less time)."""
    return t.to(memory_format=torch.channels_last)


def recalibrated_subnet(ctx: _Context, network):
    """The subnet of `network` with the supernet's weights and BatchNorm recalibrated (the last few kept)."""
    from rnc.nas.hardware import remember
    from rnc.nas.supernet import recalibrate_bn, subnet_module

    def make():
        sub = _channels_last(subnet_module(ctx.net, network))
        recalibrate_bn(sub, ctx.calibration)
        return sub
    return remember(ctx.subnets, network, make)


def candidate_accuracy(ctx: _Context, genes) -> float:
    from rnc.nas.train import accuracy
    return accuracy(recalibrated_subnet(ctx, genes), ctx.data.val_x, ctx.data.val_y)


def evaluate(settings: EvalSettings, genes, accuracy: float | None = None) -> dict:
    """The record of one candidate: accuracy, then the hardware figures at `settings.xbars` (with
    `settings.power`, its intermittent figures; a candidate without an execution design keeps accuracy None).
    A known `accuracy` (from a search at another budget, same settings otherwise; with peripherals the
    precision accuracy of these genes) is used instead of recomputed."""
    space = settings.search_space
    genes = space.canonical(genes)
    network, _ = space.split(genes)
    with _LOCK:
        torch.set_num_threads(1)
        ctx = _context(settings)
        hardware = ctx.hardware.with_budget(settings.xbars)
        hw = hardware.evaluate(genes)
        record = {"architecture": space.describe(genes), "accuracy": None, "latency_ns": hw.latency_ns,
                  "speedup": hw.speedup, "xbars_used": hw.xbars_used, "utilization": hw.utilization,
                  "feasible": hw.feasible}
        if hw.cost is not None:
            record |= cost_fields(hw.cost)
        if space.groups:
            record["peripherals"] = space.describe_peripherals(genes)
        if settings.power is not None:
            from rnc.nas.intermittent import options_of, power_record
            record |= power_record(hardware.intermittent(genes, options_of(settings.power)))
            if not record["intermittent_feasible"]:
                return record          # no execution design: not fine-tuned, no accuracy
        if accuracy is not None and ctx.precision is None:
            ctx.accuracies[network] = accuracy
        if network not in ctx.accuracies and ctx.net is not None:
            ctx.accuracies[network] = candidate_accuracy(ctx, network)
        record["accuracy"] = ctx.accuracies.get(network)
        if ctx.precision is not None:
            record["float_accuracy"] = record["accuracy"]
            record["accuracy"] = accuracy if accuracy is not None else ctx.precision.accuracy(
                network, recalibrated_subnet(ctx, network), hardware.layer_peripherals(genes))
        return record


def cost_fields(cost) -> dict:
    """A `hardware.Costs` as candidate record fields (the CSV columns)."""
    return {"energy_pj": cost.energy_per_inference_pj, "area_mm2": cost.area_mm2, "edap": cost.edap_pj_ns_mm2,
            "tops_per_w": cost.tops_per_w, "tops_per_mm2": cost.tops_per_mm2,
            "native_latency_ns": cost.native_latency_ns}


def member_scoring(settings: EvalSettings):
    """The co-search's `members.MemberScoring` (None when the accuracy does not see the precision), from this
    process's context: the Pareto members then compile to the programs that were scored."""
    from rnc.nas.members import MemberScoring
    if not settings.precision_accuracy:
        return None
    with _LOCK:
        ctx = _context(settings)
    p = ctx.precision

    def subnet_of(network):
        with _LOCK, one_torch_thread():     # the evaluation's float rounding: the same weights
            return recalibrated_subnet(ctx, network)
    return MemberScoring(subnet_of, p.calibration, p.inputs, p.labels, settings.image_size, ctx.data.num_classes)


@contextmanager
def one_torch_thread():
    """Torch on one thread (an evaluation's float rounding), the caller's thread count restored after."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
