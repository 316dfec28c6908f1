"""The model corpus: small but complete versions of the networks people export, defined here (no downloads).

Each entry builds a seeded torch module and names its input shape; `tests/models/test_corpus.py` exports each
with both torch exporters and compiles it end to end, and `bench/models.py` prints the figures. The shapes are
small so that the whole corpus compiles in seconds; the structure of each network is complete (stem, every
kind of block, head).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn
import torch.nn.functional as F


def _conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: type | None = nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


# ---- MobileNetV2 -----------------------------------------------------------------------------------------
class InvertedResidual(nn.Module):
    """Expand (1x1), depthwise 3x3, project (1x1, linear); a residual when the shape is kept."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [_conv_bn(cin, hidden, 1, act=nn.ReLU6)]
        layers += [_conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6), _conv_bn(hidden, cout, 1, act=None)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


class MobileNetV2(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 16, 3, 2, act=nn.ReLU6)
        self.blocks = nn.Sequential(InvertedResidual(16, 8, 1, 1), InvertedResidual(8, 12, 2, 6),
                                    InvertedResidual(12, 12, 1, 6), InvertedResidual(12, 16, 2, 6))
        self.head = _conv_bn(16, 64, 1, act=nn.ReLU6)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---- ShuffleNetV2 ----------------------------------------------------------------------------------------
def channel_shuffle(x, groups: int):
    n, c, h, w = x.shape
    return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleUnit(nn.Module):
    """Stride 1: split the channels, transform one half; stride 2: both branches downsample."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        half = cout // 2
        if stride > 1:
            self.left = nn.Sequential(_conv_bn(cin, cin, 3, stride, groups=cin, act=None), _conv_bn(cin, half, 1))
        side = cin if stride > 1 else half
        self.right = nn.Sequential(_conv_bn(side, half, 1), _conv_bn(half, half, 3, stride, groups=half, act=None),
                                   _conv_bn(half, half, 1))

    def forward(self, x):
        if self.stride == 1:
            a, b = x.chunk(2, dim=1)
            out = torch.cat((a, self.right(b)), 1)
        else:
            out = torch.cat((self.left(x), self.right(x)), 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(_conv_bn(3, 16, 3, 2), nn.MaxPool2d(3, 2, 1))
        self.stages = nn.Sequential(ShuffleUnit(16, 32, 2), ShuffleUnit(32, 32, 1), ShuffleUnit(32, 64, 2),
                                    ShuffleUnit(64, 64, 1))
        self.last = _conv_bn(64, 128, 1)
        self.fc = nn.Linear(128, classes)

    def forward(self, x):
        x = self.last(self.stages(self.stem(x)))
        return self.fc(x.mean((2, 3)))


# ---- ResNeXt ---------------------------------------------------------------------------------------------
class ResNeXtBlock(nn.Module):
    """1x1 reduce, grouped 3x3 (cardinality groups), 1x1 expand, projection shortcut when needed."""

    def __init__(self, cin: int, cout: int, stride: int, cardinality: int = 4, width: int = 4) -> None:
        super().__init__()
        inner = cardinality * width
        self.body = nn.Sequential(_conv_bn(cin, inner, 1), _conv_bn(inner, inner, 3, stride, groups=cardinality),
                                  _conv_bn(inner, cout, 1, act=None))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout else _conv_bn(cin, cout, 1, stride, act=None))

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


class ResNeXt(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 16, 3, 1)
        self.layers = nn.Sequential(ResNeXtBlock(16, 32, 1), ResNeXtBlock(32, 32, 1), ResNeXtBlock(32, 64, 2))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1))


# ---- EfficientNet-B0 -------------------------------------------------------------------------------------
class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, squeezed: int, act: type = nn.SiLU) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.act = act()
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.expand(self.act(self.reduce(s))))


class MBConv(nn.Module):
    """EfficientNet's block: expand, depthwise, squeeze-excite, project; SiLU throughout."""

    def __init__(self, cin: int, cout: int, k: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [_conv_bn(cin, hidden, 1, act=nn.SiLU)]
        layers += [_conv_bn(hidden, hidden, k, stride, groups=hidden, act=nn.SiLU),
                   SqueezeExcite(hidden, max(1, cin // 4)), _conv_bn(hidden, cout, 1, act=None)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


class EfficientNetB0(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 16, 3, 2, act=nn.SiLU)
        self.blocks = nn.Sequential(MBConv(16, 8, 3, 1, 1), MBConv(8, 12, 3, 2, 6), MBConv(12, 12, 5, 1, 6),
                                    MBConv(12, 20, 5, 2, 6))
        self.head = _conv_bn(20, 64, 1, act=nn.SiLU)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---- RegNet ----------------------------------------------------------------------------------------------
class RegNetBlock(nn.Module):
    """RegNetY's block: 1x1, grouped 3x3 (group width 8), squeeze-excite (ReLU), 1x1, residual."""

    def __init__(self, cin: int, cout: int, stride: int, group_width: int = 8) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv_bn(cin, cout, 1), _conv_bn(cout, cout, 3, stride, groups=cout // group_width),
                                  SqueezeExcite(cout, cin // 4, nn.ReLU), _conv_bn(cout, cout, 1, act=None))
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else _conv_bn(cin, cout, 1, stride, act=None)

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


class RegNet(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 16, 3, 2)
        self.stages = nn.Sequential(RegNetBlock(16, 24, 2), RegNetBlock(24, 24, 1), RegNetBlock(24, 48, 2))
        self.fc = nn.Linear(48, classes)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.stages(self.stem(x)), 1), 1))


# ---- DenseNet --------------------------------------------------------------------------------------------
class DenseLayer(nn.Module):
    def __init__(self, cin: int, growth: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, 2 * growth, 1, bias=False),
                                  nn.BatchNorm2d(2 * growth), nn.ReLU(), nn.Conv2d(2 * growth, growth, 3, 1, 1, bias=False))

    def forward(self, x):
        return torch.cat((x, self.body(x)), 1)


class DenseNet(nn.Module):
    def __init__(self, classes: int = 10, growth: int = 8) -> None:
        super().__init__()
        c = 16
        layers: list[nn.Module] = [nn.Conv2d(3, c, 3, 1, 1, bias=False)]
        for block in range(2):
            for _ in range(3):
                layers.append(DenseLayer(c, growth))
                c += growth
            if block == 0:  # transition: BN, ReLU, 1x1 halving the channels, 2x2 average pooling
                layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2)]
                c //= 2
        layers += [nn.BatchNorm2d(c), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


# ---- Inception block -------------------------------------------------------------------------------------
class Inception(nn.Module):
    """GoogLeNet's module: 1x1, 1x1->3x3, 1x1->5x5 (as two 3x3) and 3x3 max pool->1x1 branches, concatenated."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 16, 3, 2)
        self.b1 = _conv_bn(16, 8, 1)
        self.b2 = nn.Sequential(_conv_bn(16, 8, 1), _conv_bn(8, 12, 3))
        self.b3 = nn.Sequential(_conv_bn(16, 4, 1), _conv_bn(4, 6, 3), _conv_bn(6, 6, 3))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), _conv_bn(16, 6, 1))
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat((self.b1(x), self.b2(x), self.b3(x), self.b4(x)), 1)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---- U-Net -----------------------------------------------------------------------------------------------
class UNet(nn.Module):
    """Two levels down (max pool), a bottleneck, two up: one by bilinear upsampling + conv, one by a
    transposed convolution; skip connections concatenated; a 1x1 head per pixel."""

    def __init__(self, classes: int = 3) -> None:
        super().__init__()
        self.enc1 = nn.Sequential(_conv_bn(3, 8), _conv_bn(8, 8))
        self.enc2 = nn.Sequential(_conv_bn(8, 16), _conv_bn(16, 16))
        self.mid = _conv_bn(16, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = _conv_bn(32, 16)
        self.up1 = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), _conv_bn(16, 8, 1))
        self.dec1 = _conv_bn(16, 8)
        self.head = nn.Conv2d(8, classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat((self.up2(m), e2), 1))
        d1 = self.dec1(torch.cat((self.up1(d2), e1), 1))
        return self.head(d1)


class UpsamplingNet(nn.Module):
    """Down twice by strided convs, up by two transposed convs of the two common shapes (k=2 s=2; k=3 s=2 p=1
    output_padding=1), a skip concatenation between them, a 1x1 output conv."""

    def __init__(self) -> None:
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU())
        self.down2 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.up2 = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        self.out = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        d1 = self.down1(x)
        u1 = torch.relu(self.up1(self.down2(d1)))
        return self.out(torch.relu(self.up2(torch.cat([u1, d1], dim=1))))


# ---- MLP -------------------------------------------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self, features: int = 64, classes: int = 10) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, 64), nn.GELU(),
                                 nn.LayerNorm(64), nn.Linear(64, classes))

    def forward(self, x):
        return self.net(x)


# ---- Vision transformer ----------------------------------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        out = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(out)


class EncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int, approximate: str) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(approximate=approximate), nn.Linear(2 * dim, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    """Patch embedding (4x4 conv), a class token, learned positions, two encoder blocks (exact and tanh GELU),
    a final LayerNorm and a linear head on the class token."""

    def __init__(self, classes: int = 10, dim: int = 32, heads: int = 2, image: int = 16, patch: int = 4) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        tokens = (image // patch) ** 2
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.pos = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.5)
        self.blocks = nn.Sequential(EncoderBlock(dim, heads, "none"), EncoderBlock(dim, heads, "tanh"))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat((self.cls.expand(x.shape[0], -1, -1), x), 1) + self.pos
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


# ---- keyword spotting ------------------------------------------------------------------------------------
class DSCNN(nn.Module):
    """Hello Edge's DS-CNN on 49x10 MFCC frames: a 10x4 stride-2 conv, four depthwise-separable blocks, average
    pooling and a linear classifier of 12 keywords."""

    def __init__(self, classes: int = 12, width: int = 32) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, (10, 4), 2, (5, 1), bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.blocks = nn.Sequential(*[nn.Sequential(_conv_bn(width, width, 3, groups=width), _conv_bn(width, width, 1))
                                      for _ in range(4)])
        self.pool = nn.AvgPool2d((25, 5))  # the whole 25x5 feature map of a 49x10 input
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


@dataclass(frozen=True)
class CorpusModel:
    """A corpus entry: how to build it and the shape of one input sample (batch 1)."""

    name: str
    build: Callable[[], nn.Module]
    input_shape: tuple[int, ...]


CORPUS = [CorpusModel("mobilenet_v2", MobileNetV2, (1, 3, 32, 32)),
          CorpusModel("shufflenet_v2", ShuffleNetV2, (1, 3, 32, 32)),
          CorpusModel("resnext", ResNeXt, (1, 3, 16, 16)),
          CorpusModel("efficientnet_b0", EfficientNetB0, (1, 3, 32, 32)),
          CorpusModel("regnet", RegNet, (1, 3, 32, 32)),
          CorpusModel("densenet", DenseNet, (1, 3, 16, 16)),
          CorpusModel("inception", Inception, (1, 3, 32, 32)),
          CorpusModel("unet", UNet, (1, 3, 16, 16)),
          CorpusModel("upsampling", UpsamplingNet, (1, 1, 16, 16)),
          CorpusModel("mlp", MLP, (1, 64)),
          CorpusModel("vit", VisionTransformer, (1, 3, 16, 16)),
          CorpusModel("ds_cnn", DSCNN, (1, 1, 49, 10))]


def build(entry: CorpusModel, seed: int = 0) -> nn.Module:
    """The entry's module with seeded weights and non-trivial batch-norm statistics, in eval mode."""
    torch.manual_seed(seed)
    module = entry.build()
    generator = torch.Generator().manual_seed(seed + 1)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
    return module.eval()
