"""Small `.isa` programs for failure injection (tests, bench/intermittent.py): chains of linear, conv and
depthwise layers, random int8 weights, each layer's matrix cut into crossbar-sized regions (one crossbar
per region); and `CASES`, small supplies under which they need several power cycles."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnc.backends.isa import parse_isa
from rnc.backends.isa.checkpoint import insert_checkpoints, plan_checkpoints
from rnc.hw.power import Capacitor, ResistiveHarvester
from rnc.hw.power_options import PowerOptions
from rnc.ir.verifier import verify

from .functional import run_functional

IN_SCALE = 1 / 127
W_SCALE = 1 / 127


@dataclass(frozen=True)
class Linear:
    inputs: int
    outputs: int


@dataclass(frozen=True)
class Conv:
    out_ch: int
    kernel: int = 3
    stride: int = 1
    pad: int = 1


@dataclass(frozen=True)
class Depthwise:
    kernel: int = 3
    stride: int = 1
    pad: int = 1


def _blob(data: bytes) -> str:
    return '"0x' + ((4).to_bytes(4, "little") + data).hex().upper() + '"'


def program_text(layers, input_shape, *, xbar_rows: int = 16, xbar_cols: int = 16, seed: int = 0) -> str:
    """A whole program: `input_shape` (N, C, H, W) for convs or (N, K) for linears, layers in a chain."""
    rng = np.random.default_rng(seed)
    head, writes, stages, blobs = [], [], [], []
    head.append(f"input %t0 [{','.join(map(str, input_shape))}] scale {IN_SCALE!r}")
    shape, xbar, scale = tuple(input_shape), 0, IN_SCALE
    for i, layer in enumerate(layers):
        if isinstance(layer, Linear):
            rows, cols = layer.inputs, layer.outputs
            out_shape, mode, args, count = (*shape[:-1], cols), "row", "", math.prod(shape[:-1])
            kind = "linear"
        else:
            n, c, h, w = shape
            k, s, p = layer.kernel, layer.stride, layer.pad
            ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            args = f" k=[{k},{k}] s=[{s},{s}] p=[{p},{p},{p},{p}] d=[1,1]"
            if isinstance(layer, Depthwise):    # one MVM per channel and position (g = 1)
                rows, cols, mode, kind = k * k, c, "dw", "depthwise"
                args += " g=1"
            else:
                rows, cols, mode, kind = c * k * k, layer.out_ch, "conv", "conv"
            out_shape, count = (n, cols, ho, wo), n * ho * wo
        out_scale = 3 * 60 * scale * 73 * W_SCALE * math.sqrt(rows) / 127   # about 3 sigma of the outputs
        head.append(f"tensor %t{i + 1} [{','.join(map(str, out_shape))}] scale {out_scale!r}")
        matrix = rng.integers(-127, 128, (rows, cols), dtype=np.int8)
        blobs += [(f"w{i}", matrix.tobytes()), (f"w{i}.s", np.full(cols, W_SCALE, "<f4").tobytes()),
                  (f"w{i}.b", rng.integers(-500, 500, cols).astype("<i4").tobytes())]
        head.append(f"weight @w{i} [{rows},{cols}] kind {kind} cycles {count} scale @w{i}.s bias @w{i}.b")
        body, tiles = [], 0
        for r0 in range(0, rows, xbar_rows):
            r1 = min(rows, r0 + xbar_rows)
            tiles += 1
            for c0 in range(0, cols, xbar_cols):
                c1 = min(cols, c0 + xbar_cols)
                writes.append(f"program xb{xbar}[0:{r1 - r0},0:{c1 - c0}] <- @w{i}[{r0}:{r1},{c0}:{c1}]")
                mvms = count * (c1 - c0) if mode == "dw" else count
                body.append(f"  mvm xb{xbar}[0:{r1 - r0},0:{c1 - c0}] %t{i + 1}.acc <- %t{i} "
                            f"@w{i}[{r0}:{r1},{c0}:{c1}] {mode}{args} copy 0 mvms 0+{mvms}")
                xbar += 1
        elems = count * cols
        if tiles > 1:
            body.append(f"  accum %t{i + 1}.acc <- %t{i + 1}.acc tiles={tiles} elems {elems * (tiles - 1)}")
        body += [f"  requant %t{i + 1} <- %t{i + 1}.acc w=w{i} elems {elems}", f"  send %t{i + 1} bytes {elems}"]
        stages.append(f"stage {i} \"L{i}\" after {i - 1 if i else 'input'}\n" + "\n".join(body))
        shape, scale = out_shape, out_scale
    head.append(f"output %t{len(layers)}")
    lines = ["isa 1", 'target ""', f"xbars {xbar} rows {xbar_rows} cols {xbar_cols}", *head, *writes, *stages]
    res = ",\n".join(f"    {name}: {_blob(data)}" for name, data in blobs)
    return "\n".join(lines) + "\n{-#\n  isa_resources: {\n" + res + "\n  }\n#-}\n"


def program(layers, input_shape, **kw):
    """The parsed program of `program_text`."""
    return parse_isa(program_text(layers, input_shape, **kw))


def random_inputs(program, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.integers(-127, 128, t.shape) * t.scale).astype(np.float32) for t in program.inputs]


# Small supplies so that a layer needs several power cycles: tens of uF, a 2 uJ / 1 ms reboot, and buffers
# that force partial sums (Tn < N): (layers, input shape, crossbar rows (or rows and columns), buffer bytes,
# capacitance).
SMALL = dict(reboot_j=2e-6, reboot_s=1e-3)
CASES = {
    "linear-psums": ([Linear(48, 8)], (4, 48), 16, 56, 1.45e-5),          # input-reuse S=1, 8 n>0 cycles
    "linear-output-reuse": ([Linear(48, 8)], (4, 48), 16, 56, 2e-5),      # S=3: a tile's blocks in one cycle
    "conv-stride-psums": ([Conv(6, 3, 1, 1), Conv(4, 3, 2, 1)], (1, 4, 6, 6), 18, 48, 3e-5),
    "two-linears": ([Linear(32, 12), Linear(12, 5)], (2, 32), 16, 4096, 2e-5),   # weight-reuse S=2
    # crossbars of 18 x 4: the depthwise layer's 6 channels in two regions, a job's Tm channels from either
    "depthwise-channel-blocks": ([Conv(4, 3, 1, 1), Depthwise(3, 1, 1)], (1, 2, 4, 4), (18, 4), 60, 3e-5),
}


def safe_case(name: str):
    """(continuous program, power-failure-safe program, its CheckpointPlan, inputs, continuous outputs)."""
    layers, shape, xbar, buffer, farads = CASES[name]
    rows, cols = xbar if isinstance(xbar, tuple) else (xbar, 16)
    plain = program(layers, shape, xbar_rows=rows, xbar_cols=cols)
    safe = program(layers, shape, xbar_rows=rows, xbar_cols=cols)
    plan = plan_checkpoints(safe, PowerOptions(Capacitor(farads), ResistiveHarvester(52.0), buffer_bytes=buffer,
                                               **SMALL))
    if plan.problem():
        raise ValueError(plan.problem())
    insert_checkpoints(safe, plan)
    verify(safe)
    x = random_inputs(plain)
    return plain, safe, plan, x, run_functional(plain, x)
