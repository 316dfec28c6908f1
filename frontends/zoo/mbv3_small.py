"""MobileNetV3-small as the reference layer table has it (10 classes, 3x64x64 input).

Differences from the MobileNetV3 paper, kept because the reference has them: every bottleneck (even the first,
whose expansion equals its input width) has an expansion conv and squeeze-excite; the projection conv is
followed by the activation; the shortcut is a strided 1x1 conv + BN whenever the shape changes; the
squeeze-excite convs have BatchNorm and no bias.
"""

from collections import OrderedDict

import torch
from torch import nn

# (in, kernel, stride, expansion, out, activation) per bottleneck, from the reference README.
BOTTLENECKS = (
    (16, 3, 1, 16, 16, nn.ReLU),
    (16, 3, 2, 72, 24, nn.ReLU),
    (24, 3, 1, 88, 24, nn.ReLU),
    (24, 5, 2, 96, 40, nn.Hardswish),
    (40, 5, 1, 240, 40, nn.Hardswish),
    (40, 5, 1, 240, 40, nn.Hardswish),
    (40, 5, 1, 120, 48, nn.Hardswish),
    (48, 5, 1, 144, 48, nn.Hardswish),
    (48, 5, 2, 288, 96, nn.Hardswish),
    (96, 5, 1, 576, 96, nn.Hardswish),
    (96, 5, 1, 576, 96, nn.Hardswish),
)
STEM_CHANNELS = 16
HEAD_CHANNELS = 576
CLASSIFIER_HIDDEN = 1280
SE_REDUCTION = 4
DROPOUT = 0.2


class ConvBN(nn.Sequential):
    """Conv2d (no bias) + BatchNorm2d, then `activation` if given."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int = 1, stride: int = 1,
                 groups: int = 1, activation: type[nn.Module] | None = None):
        layers = OrderedDict(
            conv=nn.Conv2d(in_channels, out_channels, kernel, stride, padding=kernel // 2, groups=groups,
                           bias=False),
            bn=nn.BatchNorm2d(out_channels),
        )
        if activation is not None:
            layers["act"] = activation()
        super().__init__(layers)


class SqueezeExcite(nn.Module):
    """Channel gate: global average pool, 1x1 conv c -> c/4 + ReLU, 1x1 conv c/4 -> c + hard-sigmoid."""

    def __init__(self, channels: int):
        super().__init__()
        squeezed = channels // SE_REDUCTION
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = ConvBN(channels, squeezed, activation=nn.ReLU)
        self.expand = ConvBN(squeezed, channels, activation=nn.Hardsigmoid)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.expand(self.reduce(self.pool(x)))


class Bottleneck(nn.Module):
    """Expansion 1x1, depthwise kxk, squeeze-excite, projection 1x1, plus a (possibly 1x1-conv) shortcut."""

    def __init__(self, in_channels: int, kernel: int, stride: int, expansion: int, out_channels: int,
                 activation: type[nn.Module]):
        super().__init__()
        self.expand = ConvBN(in_channels, expansion, activation=activation)
        self.depthwise = ConvBN(expansion, expansion, kernel, stride, groups=expansion, activation=activation)
        self.se = SqueezeExcite(expansion)
        self.project = ConvBN(expansion, out_channels, activation=activation)
        reshapes = in_channels != out_channels or stride != 1
        self.shortcut = ConvBN(in_channels, out_channels, stride=stride) if reshapes else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The main branch runs before the shortcut: the layer table lists the shortcut conv last.
        out = self.project(self.se(self.depthwise(self.expand(x))))
        return out + self.shortcut(x)


class MobileNetV3Small(nn.Module):
    """Stem conv, eleven bottlenecks, 1x1 head conv, pool, two-layer classifier."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.stem = ConvBN(3, STEM_CHANNELS, kernel=3, stride=2, activation=nn.Hardswish)
        self.blocks = nn.Sequential(*(Bottleneck(*config) for config in BOTTLENECKS))
        self.head = ConvBN(BOTTLENECKS[-1][4], HEAD_CHANNELS, activation=nn.Hardswish)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(HEAD_CHANNELS, CLASSIFIER_HIDDEN),
            nn.Hardswish(),
            nn.Dropout(DROPOUT),
            nn.Linear(CLASSIFIER_HIDDEN, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.head(self.blocks(self.stem(x))))
        return self.classifier(torch.flatten(x, 1))
