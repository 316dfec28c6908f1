"""The width-selection problem of nested subnetworks.

A network is a set of channel groups and the weight layers between them. A channel group is one channel
dimension that several tensors share: a layer's output, the batch norm and depthwise conv after it, its
consumers' inputs, and every branch of a residual add. Channels are sorted by importance, so a subnetwork
keeps a prefix of each group: its decision is one width per group.

A layer reading a group of width a and writing one of width b is a crossbar matrix (conv: k*k*a x b,
depthwise: k*k x b, linear: a x b) cut into tiles by the real partitioner; an arc (a, b) carries those tiles'
count and cells, the layer's MACs and the importance kept (prefix sums of its unit and kernel scores, exact
for what is deployed). A depthwise layer reads and writes the same group, and so does a conv whose output
is added to its own input (x + conv(x)); their arcs have a = b.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnc.hw.target import DEFAULT_TARGET
from rnc.passes.xbar_algorithms.tiling import LayerMatrix, partition

KINDS = ("conv", "depthwise", "linear")


@dataclass(frozen=True)
class ChannelGroup:
    """A channel dimension shared by several tensors; `fixed` groups (the network's input, the classifier's
    output) always keep every channel."""

    name: str
    channels: int
    fixed: bool = False


@dataclass(frozen=True, eq=False)
class WeightLayer:
    """A crossbar layer from group `in_group` to group `out_group`, in execution order.

    `kernel_area` is k*k (1 for a linear layer), `positions` the MVMs per sample of a conv (Hout*Wout; 1 for
    a linear layer). `scores` holds one importance per output channel (sorted descending after the
    permutation); `kernel_scores`, optional, one per (output, input) channel pair. `in_positions` is the
    input's elements per channel (H*W of a conv's input; 0: the same as `positions`).
    """

    name: str
    kind: str
    in_group: int
    out_group: int
    kernel_area: int
    positions: int
    scores: np.ndarray
    kernel_scores: np.ndarray | None = None
    in_positions: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"layer {self.name}: unknown kind {self.kind!r}; expected one of {KINDS}")
        if self.kind == "depthwise" and self.in_group != self.out_group:
            raise ValueError(f"layer {self.name}: a depthwise layer reads and writes one group")

    def matrix(self, index: int, a: int, b: int) -> LayerMatrix:
        """The crossbar matrix of the layer at input width `a`, output width `b` (rnc's layer_shape)."""
        if self.kind == "depthwise":
            return LayerMatrix(index, self.kernel_area, b, b * self.positions, depthwise=True)
        return LayerMatrix(index, self.kernel_area * a, b, self.positions, linear=self.kind == "linear")

    def macs(self, a: int, b: int) -> int:
        """Multiply-accumulates per sample at widths (a, b)."""
        reads = 1 if self.kind == "depthwise" else a
        return self.kernel_area * reads * b * self.positions

    def activation(self, a: int, b: int) -> int:
        """Activation elements the layer holds at once at widths (a, b): its input and its output (REDS's
        per-layer memory constraint)."""
        return a * (self.in_positions or self.positions) + b * self.positions

    def value(self, a: int, b: int) -> float:
        """Importance kept at widths (a, b): the prefix sums of unit and kernel scores."""
        kept = float(np.sum(self.scores[:b]))
        if self.kernel_scores is not None:
            kept += float(np.sum(self.kernel_scores[:b, :a]))
        return kept


@dataclass(frozen=True)
class Limits:
    """Upper bounds on a subnetwork's resources; None leaves one free. Summed over layers: `cells` (weight
    cells, the area bound of the crossbars), `tiles` (the partitioner's tiles), `macs` (multiply-accumulates).
    `activation` bounds every single layer's input plus output elements (the peak activation memory)."""

    cells: int | None = None
    tiles: int | None = None
    macs: int | None = None
    activation: int | None = None

    def active(self) -> list[tuple[str, int]]:
        """(resource, bound) of the summed bounds that are set."""
        return [(name, bound) for name in ("cells", "tiles", "macs")
                if (bound := getattr(self, name)) is not None]


@dataclass(frozen=True)
class WidthArc:
    """Layer `layer` at input width `a` and output width `b`, with what it costs and keeps."""

    layer: int
    a: int
    b: int
    value: float
    cells: int
    tiles: int
    macs: int

    def resource(self, name: str) -> int:
        return getattr(self, name)


@dataclass(frozen=True)
class WidthChoice:
    """A subnetwork: the width of every group, and its summed value and resources."""

    widths: tuple[int, ...]
    value: float
    cells: int
    tiles: int
    macs: int


@dataclass
class WidthNetwork:
    """Groups, layers in execution order, and the width grid: multiples of a step up to each group's channels
    (and the full width), at least `min_width` (default: the step). The step is `granularity` doubled until
    a group has at most `max_choices` widths, so with a power-of-two granularity every step divides the
    crossbar's 128 columns (or is a multiple of them) and a wide classifier does not swamp the solver."""

    groups: list[ChannelGroup]
    layers: list[WeightLayer]
    granularity: int = 8
    min_width: int | None = None
    max_choices: int = 16
    xbar_rows: int = DEFAULT_TARGET.xbar_rows
    xbar_cols: int = DEFAULT_TARGET.weight_cols_per_xbar
    _arc_cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.granularity < 1:
            raise ValueError("granularity must be >= 1")
        for layer in self.layers:
            for g in (layer.in_group, layer.out_group):
                if not 0 <= g < len(self.groups):
                    raise ValueError(f"layer {layer.name}: group {g} does not exist")
            if len(layer.scores) != self.groups[layer.out_group].channels:
                raise ValueError(f"layer {layer.name}: {len(layer.scores)} scores for "
                                 f"{self.groups[layer.out_group].channels} channels")

    def widths(self, group: int) -> tuple[int, ...]:
        """The widths group `group` may take, ascending."""
        g = self.groups[group]
        if g.fixed:
            return (g.channels,)
        step = self.granularity
        while g.channels > step * self.max_choices:
            step *= 2
        low = min(self.min_width or step, g.channels)
        return tuple(sorted({w for w in range(step, g.channels, step) if w >= low} | {g.channels}))

    @property
    def full_widths(self) -> tuple[int, ...]:
        return tuple(g.channels for g in self.groups)

    def arc(self, index: int, a: int, b: int) -> WidthArc:
        """The arc of layer `index` at widths (a, b), its tiles from the real partitioner."""
        key = (index, a, b)
        if key not in self._arc_cache:
            layer = self.layers[index]
            tiles = partition(layer.matrix(index, a, b), self.xbar_rows, self.xbar_cols)
            self._arc_cache[key] = WidthArc(index, a, b, layer.value(a, b), sum(t.area for t in tiles),
                                            len(tiles), layer.macs(a, b))
        return self._arc_cache[key]

    def arcs(self, index: int, floors: tuple[int, ...] | None = None) -> list[WidthArc]:
        """Every arc of layer `index` whose widths are at least `floors` (the previous level's widths)."""
        layer = self.layers[index]
        low_in = floors[layer.in_group] if floors else 0
        low_out = floors[layer.out_group] if floors else 0
        ins = [a for a in self.widths(layer.in_group) if a >= low_in]
        if layer.in_group == layer.out_group:
            return [self.arc(index, a, a) for a in ins if a >= low_out]
        return [self.arc(index, a, b) for a in ins for b in self.widths(layer.out_group) if b >= low_out]

    def choice(self, widths: tuple[int, ...]) -> WidthChoice:
        """The subnetwork with these group widths, its value and resources summed over layers."""
        arcs = [self.arc(i, widths[l.in_group], widths[l.out_group]) for i, l in enumerate(self.layers)]
        return WidthChoice(tuple(widths), sum(a.value for a in arcs), sum(a.cells for a in arcs),
                           sum(a.tiles for a in arcs), sum(a.macs for a in arcs))

    def peak_activation(self, widths: tuple[int, ...]) -> int:
        """The largest activation (input plus output elements) of any layer at these group widths."""
        return max((l.activation(widths[l.in_group], widths[l.out_group]) for l in self.layers), default=0)

    @cached_property
    def is_chain(self) -> bool:
        """Whether every layer reads the group the previous layer wrote (the DP's shape)."""
        seen = {self.layers[0].in_group} if self.layers else set()
        current = self.layers[0].in_group if self.layers else 0
        for layer in self.layers:
            if layer.in_group != current:
                return False
            if layer.out_group != current:
                if layer.out_group in seen:
                    return False
                seen.add(layer.out_group)
                current = layer.out_group
        return True
