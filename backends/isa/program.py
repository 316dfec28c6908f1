"""The in-memory form of a `.isa` program: declarations, weight programming, stages of instructions, blobs.

The parser builds it, the Jinja2 template prints it, the simulator runs it. Field order is print order, so
parse -> print reproduces the text exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np

Region = tuple[int, int, int, int]          # [row begin, row end) x [col begin, col end)
ArgValue = Union[int, float, str, tuple]    # int, float, bare name, or a list of ints


@dataclass
class TensorDecl:
    """An int8 activation buffer with its per-tensor scale (real value = q * scale)."""

    name: str
    shape: tuple[int, ...]
    scale: float
    is_input: bool = False

    @property
    def numel(self) -> int:
        return int(np.prod(self.shape))


@dataclass
class ConstDecl:
    """A float32 constant a digital op reads (e.g. a batch-norm parameter), data in blob `blob`."""

    name: str
    shape: tuple[int, ...]
    blob: str


@dataclass
class WeightDecl:
    """A layer's int8 weight matrix (rows x cols) in blob `blob`, per-column float32 scales, int32 bias."""

    blob: str
    rows: int
    cols: int
    kind: str
    cycles: int          # the layer's MVMs per sample with one copy
    scale_blob: str
    bias_blob: str | None = None


@dataclass
class ProgramXbar:
    """`program xb3[r0:r1,c0:c1] <- @w[r0:r1,c0:c1]`: write a weight block into a crossbar region."""

    xbar: int
    xregion: Region
    blob: str
    wregion: Region


@dataclass
class Mvm:
    """`repeat` MVMs on crossbar region `xregion` (weights `wregion` of `blob`), MVM indices [start, start+count).

    `mode` says how MVM j addresses the input: `conv` (im2col window of output position j), `dw` (channel
    group j // P at position j % P, P = output positions), `row` (row j of the input matrix).
    """

    xbar: int
    xregion: Region
    dst: str
    src: str
    blob: str
    wregion: Region
    mode: str
    args: dict[str, ArgValue]
    copy: int
    start: int
    count: int


@dataclass
class DigitalOp:
    """A digital-unit instruction: `opcode dst <- srcs key=value ... elems N` (N elementary operations)."""

    opcode: str
    dst: str
    srcs: tuple[str, ...]
    args: dict[str, ArgValue]
    elems: int


@dataclass
class Send:
    """Moves `nbytes` of tensor `tensor` over the inter-tile bus."""

    tensor: str
    nbytes: int


Instr = Union[Mvm, DigitalOp, Send]


@dataclass
class Stage:
    """One layer or digital op of the network; runs after stages `deps` (empty: after the input)."""

    index: int
    label: str
    deps: tuple[int, ...]
    instrs: list[Instr] = field(default_factory=list)

    @property
    def mvms(self) -> list[Mvm]:
        return [i for i in self.instrs if isinstance(i, Mvm)]


@dataclass
class Program:
    version: int = 1
    target: str = ""                 # the body of #rnc.target<...>
    xbar_count: int = 0
    xbar_rows: int = 128
    xbar_cols: int = 128
    tensors: list[TensorDecl] = field(default_factory=list)
    consts: list[ConstDecl] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    weights: list[WeightDecl] = field(default_factory=list)
    programs: list[ProgramXbar] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)

    # ---- lookups -----------------------------------------------------------------------------------------
    def tensor(self, name: str) -> TensorDecl:
        for t in self.tensors:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def inputs(self) -> list[TensorDecl]:
        return [t for t in self.tensors if t.is_input]

    def weight(self, blob: str) -> WeightDecl:
        for w in self.weights:
            if w.blob == blob:
                return w
        raise KeyError(blob)

    def blob_array(self, name: str, dtype, shape=None) -> np.ndarray:
        data = self.blobs.get(name)
        if data is None:
            raise KeyError(f"resource '{name}' is missing from the resource section")
        arr = np.frombuffer(data, dtype=dtype)
        return arr.reshape(shape) if shape is not None else arr

    def instruction_count(self) -> int:
        return len(self.programs) + sum(len(s.instrs) for s in self.stages)
