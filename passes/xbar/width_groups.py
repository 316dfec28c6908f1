"""The channel groups of a partitioned module, as the width knapsack of nested subnetworks sees them.

Each tensor's channel dimension (dim 1 of N x C x H x W and of N x C) belongs to a group. A conv or linear
`xbar.layer` starts a new group; a depthwise layer, an activation, a pool or a flatten keeps its input's;
an elementwise add, sub, mul or div of two grouped tensors joins their groups (residual adds, squeeze-excite
gates). Anything else (concat, reshape, transpose, matmul layers...) and the function's inputs and outputs
fix the groups it touches at full width, so the widths chosen stay valid for the whole graph.

Importance defaults to each output channel's L1 weight magnitude (REDS's baseline); a permuted model with
sorted Taylor scores can pass its own.
"""
from __future__ import annotations

import numpy as np

from rnc.dialects.nn.constant import constant_of
from rnc.dialects.xbar import LayerOp, module_layers
from rnc.ir.core import Operation, Value
from rnc.passes.xbar.matrices import layer_matrix
from rnc.passes.xbar_algorithms.nested.network import ChannelGroup, WeightLayer, WidthNetwork
from rnc.passes.xbar_algorithms.nested.union_find import UnionFind
from rnc.passes.xbar_algorithms.tiling import LayerMatrix

KEEPS_CHANNELS = {"nn.relu", "nn.clip", "nn.sigmoid", "nn.hard_sigmoid", "nn.hard_swish", "nn.tanh",
                  "nn.batch_norm", "nn.dropout", "nn.identity", "nn.max_pool", "nn.avg_pool",
                  "nn.global_avg_pool", "nn.pad", "nn.flatten"}
JOINS_CHANNELS = {"nn.add", "nn.sub", "nn.mul", "nn.div"}


def layer_facts(layer: LayerOp) -> tuple[LayerMatrix, str, str]:
    """(matrix, kind, name) of an `xbar.layer`: the one place this module reads xbar op accessors."""
    return layer_matrix(layer), layer.kind, layer.results[0].name_hint or f"layer{layer.layer}"


class _Groups(UnionFind):
    """Channel groups as disjoint sets, with each group's channel count and whether it is fixed."""

    def __init__(self):
        super().__init__()
        self.channels: list[int] = []
        self.fixed: list[bool] = []

    def new(self, channels: int, fixed: bool = False) -> int:  # type: ignore[override]
        self.channels.append(channels)
        self.fixed.append(fixed)
        return super().new()

    def join(self, a: int, b: int) -> int:
        fixed = self.fixed[self.find(a)] or self.fixed[self.find(b)]
        root = super().join(a, b)
        self.fixed[root] = fixed
        return root

    def fix(self, g: int) -> None:
        self.fixed[self.find(g)] = True


def _channels(v: Value) -> int | None:
    shape = getattr(v.type, "shape", None)
    return shape[1] if shape is not None and len(shape) in (2, 4) and shape[1] else None


def _magnitude(weight: Value, out_channels: int) -> np.ndarray:
    """L1 magnitude per output channel (conv OIHW and linear N x K both lead with the outputs)."""
    array = constant_of(weight)
    if array is None:
        return np.ones(out_channels)
    return np.abs(array.reshape(array.shape[0], -1)).sum(axis=1).astype(float)


def width_network(module: Operation, granularity: int = 8, xbar_rows: int | None = None,
                  xbar_cols: int | None = None) -> tuple[WidthNetwork, list[LayerOp]]:
    """The width problem of a partitioned module and its `xbar.layer` ops in the same (execution) order."""
    groups = _Groups()
    of: dict[Value, int] = {}
    rows_per_channel: dict[Value, int] = {}      # a flatten of C x H x W gives each channel H*W rows
    layers = module_layers(module)
    raw: list[tuple[LayerOp, LayerMatrix, str, str, int, int]] = []

    def group(v: Value, fixed: bool = False) -> int | None:
        if v not in of and _channels(v) is not None and constant_of(v) is None:
            of[v] = groups.new(_channels(v), fixed)
        return of.get(v)

    for op in module.walk():
        if op.name == "func.func":
            for arg in op.regions[0].blocks[0].args:
                group(arg, fixed=True)
            continue
        if isinstance(op, LayerOp):
            matrix, kind, name = layer_facts(op)
            source = op.operands[0]
            g_in = group(source)
            out = op.results[0]
            if kind == "depthwise" and g_in is not None:
                of[out] = g_in
            else:
                of[out] = groups.new(matrix.cols, fixed=kind not in ("conv", "linear") or g_in is None)
                if g_in is not None and kind not in ("conv", "linear"):
                    groups.fix(g_in)
            raw.append((op, matrix, kind, name, g_in if g_in is not None else of[out], of[out]))
            continue
        grouped = [of[v] for v in op.operands if group(v) is not None]
        if op.name in KEEPS_CHANNELS and grouped and op.results:
            of[op.results[0]] = grouped[0]
            source = op.operands[0]
            spatial = 1
            if op.name == "nn.flatten" and len(source.type.shape) == 4:
                spatial = int(np.prod(source.type.shape[2:]))
            rows_per_channel[op.results[0]] = rows_per_channel.get(source, 1) * spatial
        elif op.name in JOINS_CHANNELS and grouped:
            for g in grouped[1:]:
                groups.join(grouped[0], g)
            for r in op.results:
                of[r] = grouped[0]
        else:
            for g in grouped:
                groups.fix(g)
            if op.name == "func.return":
                continue
            for r in op.results:
                if group(r) is not None:
                    groups.fix(of[r])
    return _network(groups, raw, rows_per_channel, granularity, xbar_rows, xbar_cols), layers


def _network(groups: _Groups, raw, rows_per_channel, granularity, xbar_rows, xbar_cols) -> WidthNetwork:
    roots = sorted({groups.find(g) for *_, g_in, g_out in raw for g in (g_in, g_out)})
    number = {root: i for i, root in enumerate(roots)}
    channel_groups = [ChannelGroup(f"g{i}", groups.channels[root], groups.fixed[root]) for i, root in
                      enumerate(roots)]
    layers = []
    for op, matrix, kind, name, g_in, g_out in raw:
        gi, go = number[groups.find(g_in)], number[groups.find(g_out)]
        if kind == "depthwise":
            kernel_area, positions = matrix.rows, matrix.cycles // matrix.cols
        else:
            kind = "linear" if kind == "linear" else "conv"
            kernel_area = matrix.rows // channel_groups[gi].channels if kind == "conv" else \
                rows_per_channel.get(op.operands[0], 1)
            positions = matrix.cycles
        if kind != "depthwise" and kernel_area * channel_groups[gi].channels != matrix.rows:
            channel_groups[gi] = ChannelGroup(channel_groups[gi].name, channel_groups[gi].channels, True)
            kernel_area = matrix.rows // channel_groups[gi].channels
        shape = getattr(op.operands[0].type, "shape", None)
        in_positions = int(np.prod(shape[2:])) if shape is not None and len(shape) == 4 else 0
        layers.append(WeightLayer(name, kind, gi, go, kernel_area, positions, _magnitude(op.operands[1], matrix.cols),
                                  in_positions=in_positions))
    kwargs = {k: v for k, v in (("xbar_rows", xbar_rows), ("xbar_cols", xbar_cols)) if v is not None}
    return WidthNetwork(channel_groups, layers, granularity=granularity, **kwargs)
