"""Runs an `isa.program`'s numbers: int8 MVMs tile by tile, integer partial sums, requantization, digital ops.

Each `mvm` adds its tile's products for MVM indices [start, start+count) into the layer's int64
accumulator; `accum` is free here (the sum is already formed), `requant` adds the bias and rescales.
"""
from __future__ import annotations

import numpy as np

from rnc.backends.isa.quantize import dequantize, quantize, requantize
from rnc.dialects.isa import DigitalOp, MvmOp, ProgramOp, RequantOp, StageOp, WeightOp
from rnc.dialects.nn.kernels import run_kernel


class SimError(ValueError):
    """A program the simulator cannot run, or bad inputs (one-line message)."""


def _out_hw(h, w, a):
    (kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw) = a["k"], a["s"], a["p"], a["d"]
    return (h + pt + pb - dh * (kh - 1) - 1) // sh + 1, (w + pl + pr - dw * (kw - 1) - 1) // sw + 1


def _windows(x: np.ndarray, a) -> np.ndarray:
    """(P, C, KH*KW) int32 input windows of every output position (n, ho, wo), zero padded."""
    (kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw) = a["k"], a["s"], a["p"], a["d"]
    n, c, h, w = x.shape
    ho, wo = _out_hw(h, w, a)
    xp = np.pad(x.astype(np.int32), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    cols = np.empty((n, ho, wo, c, kh, kw), dtype=np.int32)
    for i in range(kh):
        for j in range(kw):
            cols[..., i, j] = xp[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                                 j * dw:j * dw + sw * (wo - 1) + 1:sw].transpose(0, 2, 3, 1)
    return cols.reshape(n * ho * wo, c, kh * kw)


class _Layer:
    """A layer in flight: its input windows (built once) and its accumulator."""

    def __init__(self, weight: WeightOp, mvm: MvmOp, x: np.ndarray) -> None:
        self.weight = weight.matrix.to_numpy().astype(np.int64)
        self.mode = mvm.mode
        args = mvm.addressing
        if self.mode in ("conv", "dw", "grp"):
            self.windows = _windows(x, args)
            n = x.shape[0]
            ho, wo = _out_hw(x.shape[2], x.shape[3], args)
            self.positions = n * ho * wo
            self.out_nhw = (n, ho, wo)
            if self.mode == "conv":
                self.matrix = self.windows.reshape(self.positions, -1).astype(np.int64)
        else:
            self.matrix = x.reshape(-1, x.shape[-1]).astype(np.int64)
            self.positions = self.matrix.shape[0]
        self.acc = np.zeros((self.positions, weight.cols), dtype=np.int64)

    def run(self, m: MvmOp) -> None:
        r0, r1, c0, c1 = m.block
        j0, j1 = m.start, m.start + m.count
        if self.mode in ("conv", "row"):
            self.acc[j0:j1, c0:c1] += self.matrix[j0:j1, r0:r1] @ self.weight[r0:r1, c0:c1]
            return
        if self.mode == "grp":
            self._run_groups(m)
            return
        g = m.g
        P = self.positions
        for grp in range(j0 // P, -(-j1 // P)):
            a, b = max(j0, grp * P) - grp * P, min(j1, (grp + 1) * P) - grp * P
            ch0, ch1 = c0 + grp * g, min(c1, c0 + (grp + 1) * g)
            win = self.windows[a:b, ch0:ch1, r0:r1].astype(np.int64)
            self.acc[a:b, ch0:ch1] += np.einsum("pck,kc->pc", win, self.weight[r0:r1, ch0:ch1])


    def _run_groups(self, m: MvmOp) -> None:
        """A grouped conv's MVMs: chunk q of `g` groups (from the first group the block's columns meet) at
        each position; group i's input channels feed the block's rows, its output channels take the sums."""
        r0, r1, c0, c1 = m.block
        j0, j1 = m.start, m.start + m.count
        taps = self.windows.shape[2]
        group_in = self.weight.shape[0] // taps
        group_out = self.weight.shape[1] // (self.windows.shape[1] // group_in)
        first, last = c0 // group_out, (c1 - 1) // group_out
        P = self.positions
        for chunk in range(j0 // P, -(-j1 // P)):
            a, b = max(j0, chunk * P) - chunk * P, min(j1, (chunk + 1) * P) - chunk * P
            for grp in range(first + chunk * m.g, min(last + 1, first + (chunk + 1) * m.g)):
                o0, o1 = max(c0, grp * group_out), min(c1, (grp + 1) * group_out)
                win = self.windows[a:b, grp * group_in:(grp + 1) * group_in].reshape(b - a, -1)[:, r0:r1]
                self.acc[a:b, o0:o1] += win.astype(np.int64) @ self.weight[r0:r1, o0:o1]


def run_functional(program: ProgramOp, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """float32 outputs (dequantized) of one sample."""
    q: dict[str, np.ndarray] = {}
    ins = program.inputs
    if len(inputs) != len(ins):
        raise SimError(f"the program takes {len(ins)} inputs, got {len(inputs)}")
    for decl, x in zip(ins, inputs):
        x = np.asarray(x, dtype=np.float32)
        if tuple(x.shape) != tuple(decl.shape):
            raise SimError(f"input %{decl.sym_name} has shape {list(x.shape)}, the program expects "
                           f"{list(decl.shape)}")
        q[decl.sym_name] = quantize(x, decl.scale)
    consts = {c.sym_name: c.value.to_numpy() for c in program.consts}
    scales = {t.sym_name: t.scale for t in program.tensors}
    shapes = {t.sym_name: t.shape for t in program.tensors}
    weights = {w.sym_name: w for w in program.weights}
    for stage in program.stages:
        layers: dict[str, _Layer] = {}
        for ins_ in stage.instructions:
            if isinstance(ins_, MvmOp):
                if ins_.acc not in layers:
                    layers[ins_.acc] = _Layer(weights[ins_.weight], ins_, q[ins_.src])
                layers[ins_.acc].run(ins_)
            elif isinstance(ins_, RequantOp):
                q[ins_.dst] = _requant(weights[ins_.weight], ins_, layers[ins_.acc], stage, scales, shapes)
            elif isinstance(ins_, DigitalOp):
                args = [consts[s] if s in consts else dequantize(q[s], scales[s]) for s in ins_.srcs]
                shape = shapes[ins_.dst]
                out = np.asarray(run_kernel("nn." + ins_.opcode, args, shape, ins_.arg_attributes()))
                q[ins_.dst] = quantize(out.astype(np.float32, copy=False).reshape(shape), scales[ins_.dst])
            # accum is free here (the MVMs already formed the sum); send moves no numbers.
    return [dequantize(q[o], scales[o]) for o in program.outputs]


def _requant(weight: WeightOp, op: RequantOp, layer: _Layer, stage: StageOp, scales, shapes) -> np.ndarray:
    sw = weight.scales.to_numpy()
    acc = layer.acc
    src = next(m.src for m in stage.mvms if m.acc == op.acc)
    s_in = scales[src]
    if weight.bias is not None:
        acc = acc + weight.bias.to_numpy().astype(np.int64)
    out = requantize(acc, s_in, sw, scales[op.dst])
    if layer.mode in ("conv", "dw", "grp"):
        n, ho, wo = layer.out_nhw
        return out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2).copy()
    return out.reshape(shapes[op.dst])
