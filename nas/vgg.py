"""XPert's search space: a VGG16-style backbone with a width per layer, and the fixed VGG16 it compares with.

Layout (XPert's `Phase1_VGG16_backbone.py`): 13 conv layers, 3x3 kernels with padding 1, each followed by
BatchNorm and ReLU; a 2x2 max-pool after layers 2, 4, 7 and 10 (1-based), so at a 32x32 input the five
stages run at 32, 16, 8, 4 and 2 pixels; then the 2x2 map is flattened into one linear classifier. Each conv
layer's output channels are a gene over `CHANNELS`. VGG16 itself is the member with 64, 64, 128, 128, 256 x3,
512 x6 channels (`VGG16_CHANNELS`).
"""
from __future__ import annotations

CHANNELS = (64, 128, 256, 512)
LAYERS = 13
POOL_AFTER = (1, 3, 6, 9)                  # 0-based layers followed by a 2x2 max-pool (XPert's pool_layers)
KERNEL = 3
STRIDE = 1
IMAGE_SIZE = 32                            # CIFAR-10, where the stages are 32/16/8/4/2
VGG16_CHANNELS = (64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512)


def feature_sizes(image_size: int = IMAGE_SIZE) -> list[int]:
    """Input feature size (pixels a side) of each conv layer."""
    sizes, size = [], image_size
    for i in range(LAYERS):
        sizes.append(size)
        if i in POOL_AFTER:
            size //= 2
    return sizes


def output_size(image_size: int = IMAGE_SIZE) -> int:
    """Feature size after the last conv layer (the classifier flattens size x size x channels)."""
    return feature_sizes(image_size)[-1]


def _define_vgg_net():
    """The torch module class, defined on first use (torch is imported then, not with the space's geometry)."""
    import torch
    from torch import nn

    class VggNet(nn.Module):
        """The backbone with `channels[i]` output channels at conv layer i, then a linear classifier."""

        def __init__(self, channels, num_classes: int = 10, image_size: int = IMAGE_SIZE):
            super().__init__()
            if len(channels) != LAYERS:
                raise ValueError(f"a VGG backbone has {LAYERS} conv layers, got {len(channels)} widths")
            if output_size(image_size) < 1:
                raise ValueError(f"a {image_size}x{image_size} input is too small for {len(POOL_AFTER)} 2x2 pools")
            layers, in_c = [], 3
            for i, c in enumerate(channels):
                layers += [nn.Conv2d(in_c, c, KERNEL, STRIDE, KERNEL // 2, bias=False), nn.BatchNorm2d(c),
                           nn.ReLU(inplace=True)]
                if i in POOL_AFTER:
                    layers.append(nn.MaxPool2d(2, 2))
                in_c = c
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Linear(in_c * output_size(image_size) ** 2, num_classes)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.classifier(torch.flatten(self.features(x), 1))

    return VggNet


def __getattr__(name: str):
    """`VggNet` (PEP 562): every `rnc` command reads this module's geometry; only a model needs torch."""
    if name == "VggNet":
        globals()["VggNet"] = _define_vgg_net()
        return globals()["VggNet"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def channels_of(genes) -> tuple[int, ...]:
    """Output channels per conv layer from the width genes (indices into CHANNELS)."""
    return tuple(CHANNELS[int(g)] for g in genes)


VGG16_GENES = tuple(CHANNELS.index(c) for c in VGG16_CHANNELS)
