"""ResNet-18, CIFAR style, as the reference layer table has it (10 classes, 3x64x64 input).

CIFAR style: a 3x3 stride-1 stem and no max-pool, so the first stage runs at full 64x64 resolution.
"""

import torch
from torch import nn

STAGE_CHANNELS = (64, 128, 256, 512)
BLOCKS_PER_STAGE = 2


class BasicBlock(nn.Module):
    """conv3x3 + BN + ReLU, conv3x3 + BN, add the shortcut (1x1 conv + BN if the shape changes), ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Main branch first: the layer table lists the shortcut conv after conv2.
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """Stem, four stages of two basic blocks (stages 2-4 start with stride 2), pool, linear."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, STAGE_CHANNELS[0], 3, 1, padding=1, bias=False),
                                  nn.BatchNorm2d(STAGE_CHANNELS[0]), nn.ReLU())
        blocks, in_channels = [], STAGE_CHANNELS[0]
        for stage, channels in enumerate(STAGE_CHANNELS):
            for index in range(BLOCKS_PER_STAGE):
                stride = 2 if stage > 0 and index == 0 else 1
                blocks.append(BasicBlock(in_channels, channels, stride))
                in_channels = channels
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(STAGE_CHANNELS[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))
