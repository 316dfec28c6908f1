"""The channel groups of a torch model, found by tracing it (torch.fx), and the tensors each group indexes.

A group is one channel dimension shared along the chain: the producer's output rows (conv or linear weight
dim 0 and bias), the batch norms and depthwise convs after it, the consumers' input columns (weight dim 1),
and every branch of a residual add or squeeze-excite multiply. Permuting a group's channels consistently
in all these places leaves the network's function unchanged. The network's input and output groups, and
groups that reach an op this module does not know (concat, reshape, ...), are fixed: never permuted.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field

import torch
from torch import fx, nn

from rnc.passes.xbar_algorithms.nested.union_find import UnionFind

KEEPS = (nn.ReLU, nn.ReLU6, nn.Hardswish, nn.Hardsigmoid, nn.Sigmoid, nn.SiLU, nn.Tanh, nn.GELU, nn.Identity,
         nn.Dropout, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten)
KEEP_FUNCTIONS = {torch.flatten, torch.relu, torch.sigmoid, nn.functional.relu, nn.functional.hardswish,
                  nn.functional.adaptive_avg_pool2d}
JOIN_FUNCTIONS = {operator.add, operator.mul, torch.add, torch.mul, operator.iadd, operator.imul}


@dataclass
class Slot:
    """One place a group's channels index: `role` "out" (dim 0 of weight and bias: a producer's units or a
    depthwise conv's filters), "in" (dim 1 of a consumer's weight, times `repeat` for a flatten of H x W
    positions) or "bn" (a batch norm's affine parameters and running statistics)."""

    name: str
    module: nn.Module
    role: str
    repeat: int = 1


@dataclass
class ChannelGroup:
    """A set of slots that share one channel order; `fixed` groups keep their order."""

    channels: int
    slots: list[Slot] = field(default_factory=list)
    fixed: bool = False


def _is_depthwise(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d) and m.groups > 1 and m.groups == m.in_channels == m.out_channels


def channel_groups(model: nn.Module, example: torch.Tensor) -> list[ChannelGroup]:
    """The model's channel groups, in order of first appearance (a trace plus shape propagation)."""
    traced = fx.symbolic_trace(model)
    fx.passes.shape_prop.ShapeProp(traced).propagate(example)
    modules = dict(traced.named_modules())
    uf = UnionFind()
    of: dict[fx.Node, int] = {}
    repeat: dict[fx.Node, int] = {}
    slots: dict[int, list[Slot]] = {}
    channels: dict[int, int] = {}
    fixed: set[int] = set()

    def new(node: fx.Node, count: int) -> int:
        g = uf.new()
        channels[g] = count
        of[node] = g
        return g

    def add(g: int, slot: Slot) -> None:
        slots.setdefault(g, []).append(slot)

    for node in traced.graph.nodes:
        args = [a for a in node.args if isinstance(a, fx.Node) and a in of]
        module = modules.get(node.target) if node.op == "call_module" else None
        if node.op == "placeholder":
            fixed.add(new(node, node.meta["tensor_meta"].shape[1]))
        elif isinstance(module, (nn.Conv2d, nn.Linear)) and args:
            g_in = of[args[0]]
            if _is_depthwise(module):
                of[node] = g_in
                add(g_in, Slot(node.target, module, "out"))
            elif isinstance(module, nn.Conv2d) and module.groups > 1:
                fixed.add(g_in)
                fixed.add(new(node, module.out_channels))
            else:
                add(g_in, Slot(node.target, module, "in", repeat.get(args[0], 1)))
                add(new(node, module.weight.shape[0]), Slot(node.target, module, "out"))
        elif isinstance(module, nn.BatchNorm2d) and args:
            of[node] = of[args[0]]
            add(of[node], Slot(node.target, module, "bn"))
        elif (isinstance(module, KEEPS) or (node.op == "call_function" and node.target in KEEP_FUNCTIONS)) and args:
            of[node] = of[args[0]]
            shape = args[0].meta["tensor_meta"].shape
            flattens = isinstance(module, nn.Flatten) or node.target is torch.flatten
            repeat[node] = repeat.get(args[0], 1) * (int(torch.tensor(shape[2:]).prod()) if flattens else 1)
        elif node.op == "call_function" and node.target in JOIN_FUNCTIONS and args:
            g = of[args[0]]
            for other in args[1:]:
                g = uf.join(g, of[other])
            of[node] = g
        else:
            for a in args:
                fixed.add(of[a])
    roots: dict[int, ChannelGroup] = {}
    for g in list(channels):
        root = uf.find(g)
        group = roots.setdefault(root, ChannelGroup(channels[root]))
        group.slots += slots.get(g, [])
        group.fixed = group.fixed or g in fixed
    return list(roots.values())
