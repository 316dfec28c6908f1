"""SqueezeNet 1.1 as the reference layer table has it (10 classes, 3x64x64 input, no BatchNorm)."""

import torch
from torch import nn

# (in, squeeze, expand1x1, expand3x3) per fire module; "pool" marks a max-pool between them.
FEATURES = (
    "pool",
    (64, 16, 64, 64), (128, 16, 64, 64), "pool",
    (128, 32, 128, 128), (256, 32, 128, 128), "pool",
    (256, 48, 192, 192), (384, 48, 192, 192), (384, 64, 256, 256), (512, 64, 256, 256),
)
STEM_CHANNELS = 64
DROPOUT = 0.5


def _max_pool() -> nn.MaxPool2d:
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


class Fire(nn.Module):
    """Squeeze 1x1 + ReLU, then concat(expand 1x1 + ReLU, expand 3x3 + ReLU) along channels."""

    def __init__(self, in_channels: int, squeeze: int, expand1x1: int, expand3x3: int):
        super().__init__()
        self.squeeze = nn.Conv2d(in_channels, squeeze, kernel_size=1)
        self.expand1x1 = nn.Conv2d(squeeze, expand1x1, kernel_size=1)
        self.expand3x3 = nn.Conv2d(squeeze, expand3x3, kernel_size=3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.squeeze(x))
        return torch.cat([self.relu(self.expand1x1(x)), self.relu(self.expand3x3(x))], dim=1)


class SqueezeNet(nn.Module):
    """Unpadded strided stem, fire modules between max-pools, 1x1 conv classifier, global average pool."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, STEM_CHANNELS, kernel_size=3, stride=2), nn.ReLU()]
        layers += [_max_pool() if item == "pool" else Fire(*item) for item in FEATURES]
        self.features = nn.Sequential(*layers)
        last_channels = FEATURES[-1][2] + FEATURES[-1][3]
        self.classifier = nn.Sequential(
            nn.Dropout(DROPOUT),
            nn.Conv2d(last_channels, num_classes, kernel_size=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.classifier(self.features(x)), 1)
