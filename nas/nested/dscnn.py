"""REDS's DS-CNN S for keyword spotting (Zhang et al., "Hello Edge", as in the REDS scripts): a 10x4 conv
of stride 2, four depthwise-separable blocks, global average pooling and a linear classifier."""
from __future__ import annotations

import torch
from torch import nn

MFCC_SHAPE = (1, 1, 49, 10)     # one 1-second clip: 49 frames x 10 MFCCs (Hello Edge)
CLASSES = 12                    # Google Speech Commands: 10 words, silence, unknown


def _conv_bn(cin: int, cout: int, kernel, stride=1, groups: int = 1) -> nn.Sequential:
    padding = tuple(k // 2 for k in kernel) if isinstance(kernel, tuple) else kernel // 2
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class DSCNN(nn.Module):
    """DS-CNN with `channels` everywhere (S: 64) and `blocks` depthwise-separable blocks (S: 4), reading
    `in_channels` planes (1 MFCC plane; 3 for images)."""

    def __init__(self, channels: int = 64, blocks: int = 4, classes: int = CLASSES, in_channels: int = 1):
        super().__init__()
        self.stem = _conv_bn(in_channels, channels, (10, 4), stride=2)
        self.blocks = nn.Sequential(*(nn.Sequential(_conv_bn(channels, channels, 3, groups=channels),
                                                    _conv_bn(channels, channels, 1)) for _ in range(blocks)))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))
