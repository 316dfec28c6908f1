"""The weight-sharing supernet and the plain torch modules of its subnets.

The supernet holds the largest network (kernel 7, expansion 6, depth 4 everywhere) built from the same module
classes as the zoo's mbv3_small. A subnet uses, once-for-all style, the centre kxk crop of each 7x7
depthwise kernel, the first channels of each expanded layer (and of its BatchNorm and squeeze-excite), and
the first blocks of each stage. `subnet_module` copies those slices into a plain `SubnetNet`, which exports to
ONNX like any user model.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnc.frontends.zoo.mbv3_small import (CLASSIFIER_HIDDEN, DROPOUT, HEAD_CHANNELS, Bottleneck, ConvBN)
from rnc.nas import space
from rnc.nas.dead_taps import live_conv2d, live_taps_only

ACTIVATIONS = {"relu": nn.ReLU, "hswish": nn.Hardswish}


def _block_tuple(config: tuple) -> tuple:
    in_c, k, s, e, out_c, act = config
    return (in_c, k, s, e, out_c, ACTIVATIONS[act])


class SubnetNet(nn.Module):
    """mbv3_small's layout with the given bottlenecks (in, kernel, stride, expansion, out, activation)."""

    def __init__(self, blocks: list[tuple], num_classes: int = 10):
        super().__init__()
        self.stem = ConvBN(3, space.STEM_CHANNELS, kernel=3, stride=2, activation=nn.Hardswish)
        self.blocks = nn.Sequential(*(Bottleneck(*_block_tuple(b)) for b in blocks))
        self.head = ConvBN(blocks[-1][4], HEAD_CHANNELS, activation=nn.Hardswish)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(HEAD_CHANNELS, CLASSIFIER_HIDDEN), nn.Hardswish(),
                                        nn.Dropout(DROPOUT), nn.Linear(CLASSIFIER_HIDDEN, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.head(self.blocks(self.stem(x))))
        return self.classifier(torch.flatten(x, 1))


def _largest_blocks() -> list[tuple]:
    return [space.FIRST_BLOCK] + [b.as_tuple()[:1] + (max(space.KERNELS),) + b.as_tuple()[2:]
                                  for b in space.decode(space.largest_genes())]


class Supernet(SubnetNet):
    """The largest subnet's weights; `forward(x, genes)` runs any subnet on slices of them."""

    def __init__(self, num_classes: int = 10):
        super().__init__(_largest_blocks(), num_classes)

    def forward(self, x: torch.Tensor, genes=None) -> torch.Tensor:
        configs = space.decode(space.largest_genes() if genes is None else genes)
        x = self.blocks[0](self.stem(x))
        for c in configs:
            x = self._block(self.blocks[1 + c.index], c, x)
        x = self.pool(self.head(x))
        return self.classifier(torch.flatten(x, 1))

    def _block(self, block: Bottleneck, c: space.BlockConfig, x: torch.Tensor) -> torch.Tensor:
        e = c.expansion
        out = _conv_bn(block.expand, x, block.expand.conv.weight[:e, :c.in_channels])
        dw = block.depthwise.conv.weight
        crop = (dw.shape[-1] - c.kernel) // 2
        out = _conv_bn(block.depthwise, out, dw[:e, :, crop:crop + c.kernel, crop:crop + c.kernel],
                       stride=c.stride, padding=c.kernel // 2, groups=e)
        squeezed = e // 4
        gate = F.adaptive_avg_pool2d(out, 1)
        gate = _conv_bn(block.se.reduce, gate, block.se.reduce.conv.weight[:squeezed, :e])
        gate = _conv_bn(block.se.expand, gate, block.se.expand.conv.weight[:e, :squeezed])
        out = out * gate
        out = _conv_bn(block.project, out, block.project.conv.weight[:, :e])
        return out + block.shortcut(x)


def _conv_bn(m: ConvBN, x: torch.Tensor, weight: torch.Tensor, stride: int = 1, padding: int = 0,
             groups: int = 1) -> torch.Tensor:
    """ConvBN `m` run with a slice of its weight; BatchNorm uses (and in training updates) the first channels."""
    x = live_conv2d(x, weight, None, stride, padding, groups)
    bn, c = m.bn, weight.shape[0]
    x = F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c], bn.weight[:c], bn.bias[:c],
                     bn.training, bn.momentum, bn.eps)
    return m.act(x) if hasattr(m, "act") else x


def subnet_configs(genes) -> list[tuple]:
    return [space.FIRST_BLOCK] + [c.as_tuple() for c in space.decode(genes)]


def subnet_module(supernet: Supernet, genes, num_classes: int | None = None) -> SubnetNet:
    """A plain `SubnetNet` for `genes` with the supernet's shared weights copied in (eval mode)."""
    if num_classes is None:
        num_classes = supernet.classifier[-1].out_features
    net = SubnetNet(subnet_configs(genes), num_classes)
    # Subnet block j -> supernet block: the first is fixed, the others keep their elastic index.
    block_map = {"0": "0"} | {str(j + 1): str(c.index + 1) for j, c in enumerate(space.decode(genes))}
    source = supernet.state_dict()
    state = {}
    for key, target in net.state_dict().items():
        parts = key.split(".")
        if parts[0] == "blocks":
            parts[1] = block_map[parts[1]]
        state[key] = _slice_like(source[".".join(parts)], target.shape)
    net.load_state_dict(state)
    return net.eval()


def _slice_like(tensor: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """First entries along channel dims, centre crop along the kernel dims of a 4-D conv weight."""
    index = []
    for dim, (have, want) in enumerate(zip(tensor.shape, shape)):
        if tensor.dim() == 4 and dim >= 2:
            start = (have - want) // 2
            index.append(slice(start, start + want))
        else:
            index.append(slice(0, want))
    return tensor[tuple(index)].clone()


def recalibrate_bn(module: nn.Module, batches) -> None:
    """Reset BatchNorm statistics and re-estimate them (cumulative average) on `batches` of inputs."""
    bns = [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    module.train()
    with torch.no_grad(), live_taps_only(module):
        for x in batches:
            module(x)
    for bn in bns:
        bn.momentum = 0.1
    module.eval()
