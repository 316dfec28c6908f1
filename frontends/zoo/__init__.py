"""Built-in models: the three networks the reference layer tables describe.

`BUILTIN_MODELS` maps a name to a `ModelSpec`; `build_model(name, seed)` returns the network in eval mode with
seeded, well-conditioned weights. Importing this package does not import torch (the CLI lists the names
without it): each builder imports its model file, and torch with it, only when called.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import torch

DEFAULT_INPUT_SHAPE = (1, 3, 64, 64)
DEFAULT_NUM_CLASSES = 10

# BatchNorm statistics come from a few train-mode passes over seeded N(0, 1) noise images, each given a random
# gain and a random offset per channel, as photos differ in contrast and colour cast. Plain i.i.d. noise would
# give every image nearly the same global-average-pool features, so the squeeze-excite BatchNorms (which see
# one value per image) would learn variances ~1e-3 and amplify tiny differences ~30x: mbv3_small then kept
# only ~0.85 cosine similarity under 8-bit quantization, against >= 0.99 with this spread.
CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 8
CALIBRATION_GAIN_RANGE = (0.5, 2.0)
CALIBRATION_OFFSET_STD = 0.75
# BatchNorm affine parameters: gamma ~ U(GAMMA_RANGE), beta ~ U(-BETA_BOUND, BETA_BOUND).
GAMMA_RANGE = (0.5, 1.5)
BETA_BOUND = 0.1
# Biases of Conv2d/Linear layers ~ U(-BIAS_BOUND, BIAS_BOUND): small, but not zero, so bias paths get exercised.
BIAS_BOUND = 0.05


class UnknownModelError(ValueError):
    """A model name that is not in BUILTIN_MODELS; the message lists the known names."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = list(known)
        super().__init__(f"unknown model '{name}'; known models: {', '.join(self.known)}")


@dataclass(frozen=True)
class ModelSpec:
    """One built-in model: `builder(num_classes)` returns the bare (not yet initialised) torch module."""

    name: str
    builder: Callable[[int], "torch.nn.Module"]
    input_shape: tuple[int, ...] = DEFAULT_INPUT_SHAPE
    num_classes: int = DEFAULT_NUM_CLASSES
    description: str = ""


def _lazy_class(module: str, class_name: str) -> Callable[[int], "torch.nn.Module"]:
    """A builder that imports `module` (a file of this package) only when called."""

    def build(num_classes: int) -> "torch.nn.Module":
        model_class = getattr(importlib.import_module(f"{__name__}.{module}"), class_name)
        return model_class(num_classes=num_classes)

    build.__qualname__ = f"build_{module}"
    return build


BUILTIN_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("mbv3_small", _lazy_class("mbv3_small", "MobileNetV3Small"),
                  description="MobileNetV3-small: 11 bottlenecks with squeeze-excite, 63 weight layers"),
        ModelSpec("squeezenet", _lazy_class("squeezenet", "SqueezeNet"),
                  description="SqueezeNet 1.1: 8 fire modules, no BatchNorm, 26 weight layers"),
        ModelSpec("resnet18", _lazy_class("resnet18", "ResNet18"),
                  description="ResNet-18, CIFAR style (3x3 stem, no max-pool), 21 weight layers"),
    )
}


def model_names() -> list[str]:
    """Names of the built-in models, in registry order."""
    return list(BUILTIN_MODELS)


def get_spec(name: str) -> ModelSpec:
    """The spec of a built-in model; UnknownModelError if there is none of that name."""
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise UnknownModelError(name, model_names()) from None


def build_model(name: str, seed: int = 0) -> "torch.nn.Module":
    """Build a built-in model in eval mode with deterministic weights and calibrated BatchNorm statistics.

    The same (name, seed) always gives the same weights. The global torch RNG state is left as it was.
    """
    import torch

    spec = get_spec(name)
    generator = torch.Generator().manual_seed(seed)
    # Module constructors draw their default init from the global RNG; fork it so callers see no change.
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        model = spec.builder(spec.num_classes)
        initialize_weights(model, generator)
        calibrate_batchnorm(model, spec.input_shape[1:], generator)
    return model.eval()


def initialize_weights(model: "torch.nn.Module", generator: "torch.Generator") -> None:
    """Seeded init that keeps activations near unit scale: Kaiming-normal (fan-in) weights, small biases,
    BatchNorm gamma ~ U(0.5, 1.5) and beta small.

    The last layer gets gain 1 instead of ReLU's sqrt(2): no ReLU follows it to halve the variance again.
    """
    from torch import nn

    weighted = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for layer in weighted:
        gain_for = "linear" if layer is weighted[-1] else "relu"
        nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity=gain_for, generator=generator)
        if layer.bias is not None:
            nn.init.uniform_(layer.bias, -BIAS_BOUND, BIAS_BOUND, generator=generator)
    for norm in model.modules():
        if isinstance(norm, nn.BatchNorm2d):
            nn.init.uniform_(norm.weight, *GAMMA_RANGE, generator=generator)
            nn.init.uniform_(norm.bias, -BETA_BOUND, BETA_BOUND, generator=generator)
    covered = {id(p) for m in weighted for p in m.parameters()}
    covered |= {id(p) for m in model.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters()}
    missed = [n for n, p in model.named_parameters() if id(p) not in covered]
    if missed:  # a new layer type would otherwise keep unseeded default weights
        raise TypeError(f"initialize_weights does not cover parameters {missed}")


def calibration_batch(sample_shape: tuple[int, ...], generator: "torch.Generator") -> "torch.Tensor":
    """N(0, 1) noise images, each with a random gain and a random offset per channel."""
    import torch

    batch, channels = CALIBRATION_BATCH_SIZE, sample_shape[0]
    noise = torch.randn(batch, *sample_shape, generator=generator)
    gain = torch.empty(batch, 1, 1, 1).uniform_(*CALIBRATION_GAIN_RANGE, generator=generator)
    offset = torch.randn(batch, channels, 1, 1, generator=generator) * CALIBRATION_OFFSET_STD
    return noise * gain + offset


def calibrate_batchnorm(model: "torch.nn.Module", sample_shape: tuple[int, ...],
                        generator: "torch.Generator") -> None:
    """Give every BatchNorm realistic running statistics: the cumulative average (momentum=None) over a
    few train-mode passes on seeded calibration batches. Only BatchNorm layers run in train mode, so
    dropout stays off."""
    import torch
    from torch import nn

    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not norms:
        return
    model.eval()
    saved_momentum = [norm.momentum for norm in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
        norm.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(calibration_batch(sample_shape, generator))
    for norm, momentum in zip(norms, saved_momentum):
        norm.momentum = momentum
    model.eval()
