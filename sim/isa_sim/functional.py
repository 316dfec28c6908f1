"""Runs a Program's numbers: int8 MVMs tile by tile, integer partial sums, requantization, digital ops.

Each `mvm` adds its tile's products for MVM indices [start, start+count) into the layer's int64
accumulator; `accum` is free here (the sum is already formed), `requant` adds the bias and rescales.
"""
from __future__ import annotations

import numpy as np

from rnc.backends.isa.program import DigitalOp, Mvm, Program, Send

from .digital import run_digital
from .quantize import dequantize, quantize, requantize


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

    def __init__(self, program: Program, mvm: Mvm, x: np.ndarray) -> None:
        w = program.weight(mvm.blob)
        self.weight = program.blob_array(mvm.blob, np.int8, (w.rows, w.cols)).astype(np.int64)
        if mvm.mode in ("conv", "dw"):
            self.windows = _windows(x, mvm.args)
            n = x.shape[0]
            ho, wo = _out_hw(x.shape[2], x.shape[3], mvm.args)
            self.positions = n * ho * wo
            self.out_nhw = (n, ho, wo)
            if mvm.mode == "conv":
                self.matrix = self.windows.reshape(self.positions, -1).astype(np.int64)
        else:
            self.matrix = x.reshape(-1, x.shape[-1]).astype(np.int64)
            self.positions = self.matrix.shape[0]
        self.acc = np.zeros((self.positions, w.cols), dtype=np.int64)
        self.lead_shape = x.shape[:-1]

    def run(self, m: Mvm) -> None:
        r0, r1, c0, c1 = m.wregion
        j0, j1 = m.start, m.start + m.count
        if m.mode in ("conv", "row"):
            self.acc[j0:j1, c0:c1] += self.matrix[j0:j1, r0:r1] @ self.weight[r0:r1, c0:c1]
            return
        g = int(m.args.get("g", 1))
        P = self.positions
        for grp in range(j0 // P, -(-j1 // P)):
            a, b = max(j0, grp * P) - grp * P, min(j1, (grp + 1) * P) - grp * P
            ch0, ch1 = c0 + grp * g, min(c1, c0 + (grp + 1) * g)
            win = self.windows[a:b, ch0:ch1, r0:r1].astype(np.int64)
            self.acc[a:b, ch0:ch1] += np.einsum("pck,kc->pc", win, self.weight[r0:r1, ch0:ch1])

    def output(self, mode: str) -> np.ndarray:
        return self.acc


def run_functional(program: Program, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """float32 outputs (dequantized) of one sample."""
    q: dict[str, np.ndarray] = {}
    ins = program.inputs
    if len(inputs) != len(ins):
        raise SimError(f"the program takes {len(ins)} inputs, got {len(inputs)}")
    for decl, x in zip(ins, inputs):
        x = np.asarray(x, dtype=np.float32)
        if tuple(x.shape) != tuple(decl.shape):
            raise SimError(f"input {decl.name} has shape {list(x.shape)}, the program expects {list(decl.shape)}")
        q[decl.name] = quantize(x, decl.scale)
    consts = {c.name: program.blob_array(c.blob, np.float32, c.shape) for c in program.consts}
    scales = {t.name: t.scale for t in program.tensors}
    shapes = {t.name: t.shape for t in program.tensors}
    for stage in program.stages:
        layers: dict[str, _Layer] = {}
        modes: dict[str, str] = {}
        for ins_ in stage.instrs:
            if isinstance(ins_, Mvm):
                if ins_.dst not in layers:
                    layers[ins_.dst] = _Layer(program, ins_, q[ins_.src])
                    modes[ins_.dst] = ins_.mode
                layers[ins_.dst].run(ins_)
            elif isinstance(ins_, Send):
                continue
            elif ins_.opcode == "accum":
                continue
            elif ins_.opcode == "requant":
                q[ins_.dst] = _requant(program, ins_, layers[ins_.srcs[0]], modes[ins_.srcs[0]],
                                       stage, scales, shapes)
            else:
                args = [consts[s] if s in consts else dequantize(q[s], scales[s]) for s in ins_.srcs]
                out = run_digital(ins_.opcode, ins_.args, args, shapes[ins_.dst])
                q[ins_.dst] = quantize(out, scales[ins_.dst])
    return [dequantize(q[o], scales[o]) for o in program.outputs]


def _requant(program, op: DigitalOp, layer: _Layer, mode: str, stage, scales, shapes) -> np.ndarray:
    w = program.weight(op.args["w"])
    sw = program.blob_array(w.scale_blob, np.float32)
    acc = layer.acc
    src = next(m.src for m in stage.mvms if m.dst == op.srcs[0])
    s_in = scales[src]
    if w.bias_blob:
        acc = acc + program.blob_array(w.bias_blob, np.int32).astype(np.int64)
    out = requantize(acc, s_in, sw, scales[op.dst])
    if mode in ("conv", "dw"):
        n, ho, wo = layer.out_nhw
        return out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2).copy()
    return out.reshape(shapes[op.dst])
