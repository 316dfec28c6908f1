"""Runs an `isa.program`'s numbers: int8 MVMs tile by tile, integer partial sums, requantization, digital ops.

Each `mvm` adds its tile's result for MVM indices [start, start+count) into the layer's int64 accumulator;
`accum` is free here (the sum is already formed), `requant` adds the bias and rescales. A tile computes what
its crossbar computes with its layer's precision (`Target.layer_precision`, docs/precision.md): where that
is exact (an ideal ADC, or one whose bits cover the tile's column sums, and 8 or more input and weight
bits) the int8 product itself; otherwise every read and cell slice, each column sum through the ADC, then
shift-and-add. The bit-true oracle (rnc.backends.isa.bit_true) computes the same from whole matrices.
"""
from __future__ import annotations

import numpy as np

from rnc.backends.isa.bit_true import input_slices, narrow, weight_digits
from rnc.backends.isa.quantize import dequantize, quantize, requantize
from rnc.dialects.isa import DigitalOp, MvmOp, ProgramOp, RequantOp, StageOp, WeightOp
from rnc.dialects.nn.kernels import run_kernel
from rnc.hw.precision import LayerPrecision


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
    """A layer in flight: its inputs (built once), its arithmetic and its accumulator.

    Products are formed in floating point, exact for integers: float32 where every sum stays below 2^24,
    float64 (below 2^53) otherwise."""

    def __init__(self, weight: WeightOp, mvm: MvmOp, x: np.ndarray, precision: LayerPrecision) -> None:
        self.weight_op = weight
        self.weight = weight.matrix.to_numpy()   # int8: a tile's block becomes exact floats when it runs
        self.precision = precision
        self.mode = mvm.mode
        args = mvm.addressing
        if self.mode in ("conv", "dw", "grp"):
            windows = _windows(x, args)
            n = x.shape[0]
            ho, wo = _out_hw(x.shape[2], x.shape[3], args)
            self.positions = n * ho * wo
            self.out_nhw = (n, ho, wo)
            # conv: (positions, rows); dw: (positions, channels, rows), each channel its own column's input;
            # grp: the windows, each group's input channels feeding that group's rows (`_run_groups`)
            self.inputs = windows.reshape(self.positions, -1) if self.mode == "conv" else windows
        else:
            self.inputs = x.reshape(-1, x.shape[-1])
            self.positions = self.inputs.shape[0]
        self.acc = np.zeros((self.positions, weight.cols), dtype=np.int64)
        self._exact: np.ndarray | None = None
        self._sliced: _Sliced | None = None
        self._group_layers: dict[int, _Layer] = {}

    def run(self, m: MvmOp) -> None:
        r0, r1, c0, c1 = m.block
        j0, j1 = m.start, m.start + m.count
        if self.mode == "grp":
            self._run_groups(m)
            return
        if self.mode != "dw":
            self.acc[j0:j1, c0:c1] += self.tile(slice(j0, j1), None, r0, r1, c0, c1)
            return
        # MVM j of a depthwise tile: channels c0 + (j // P) * g ... (g per MVM) at position j % P. Runs of
        # whole channel groups go at once; a partial group at either end alone.
        g, P = m.g, self.positions
        j = j0
        while j < j1:
            grp = j // P
            if j % P == 0 and j1 - j >= P:
                groups, end, pos = (j1 - j) // P, j + (j1 - j) // P * P, slice(0, P)
            else:
                groups, end = 1, min(j1, (grp + 1) * P)
                pos = slice(j - grp * P, end - grp * P)
            ch0, ch1 = c0 + grp * g, min(c1, c0 + (grp + groups) * g)
            self.acc[pos, ch0:ch1] += self.tile(pos, slice(ch0, ch1), r0, r1, ch0, ch1)
            j = end

    def _run_groups(self, m: MvmOp) -> None:
        """A grouped conv's MVMs: chunk q of `g` groups (from the first group the block's columns meet) at
        each position; group i's input channels feed the block's rows, its output channels take the sums.
        Each group computes as a conv layer of its own (`_group`), with the layer's precision."""
        r0, r1, c0, c1 = m.block
        j0, j1 = m.start, m.start + m.count
        taps = self.inputs.shape[2]
        group_in = self.weight.shape[0] // taps
        group_out = self.weight.shape[1] // (self.inputs.shape[1] // group_in)
        first, last = c0 // group_out, (c1 - 1) // group_out
        P = self.positions
        for chunk in range(j0 // P, -(-j1 // P)):
            a, b = max(j0, chunk * P) - chunk * P, min(j1, (chunk + 1) * P) - chunk * P
            for grp in range(first + chunk * m.g, min(last + 1, first + (chunk + 1) * m.g)):
                o0, o1 = max(c0, grp * group_out), min(c1, (grp + 1) * group_out)
                self.acc[a:b, o0:o1] += self._group(grp, group_in).tile(slice(a, b), None, r0, r1, o0, o1)

    def _group(self, grp: int, group_in: int) -> "_Layer":
        """Group `grp` as a conv layer over its own input channels (the whole weight matrix: a tile picks
        the group's columns)."""
        if grp not in self._group_layers:
            layer = _Layer.__new__(_Layer)
            layer.weight_op, layer.weight, layer.precision, layer.mode = self.weight_op, self.weight, \
                self.precision, "conv"
            layer.positions = self.positions
            layer.inputs = self.inputs[:, grp * group_in:(grp + 1) * group_in].reshape(self.positions, -1)
            layer._exact, layer._sliced = None, None
            self._group_layers[grp] = layer
        return self._group_layers[grp]

    def tile(self, positions: slice, channels: slice | None, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """What one tile (rows r0:r1, columns c0:c1) adds to the accumulator over `positions` (a depthwise
        tile: its `channels`, which are its columns)."""
        if not self.precision.is_exact(r1 - r0):
            return self.sliced().tile(positions, channels, r0, r1, c0, c1)
        x = self.exact()
        w = self.weight[r0:r1, c0:c1].astype(x.dtype)   # one tile's weights, not the layer's, as floats
        if channels is None:
            return np.rint(x[positions, r0:r1] @ w).astype(np.int64)
        win = x[positions, channels, r0:r1]
        return np.rint(np.einsum("pck,kc->pc", win, w)).astype(np.int64)

    def exact(self) -> np.ndarray:
        """The int8 inputs as floats that multiply exactly (float32 while every sum stays below 2^24)."""
        if self._exact is None:
            self._exact = self.inputs.astype(_exact_dtype(self.weight.shape[0] * 127 * 127))
        return self._exact

    def sliced(self) -> "_Sliced":
        if self._sliced is None:
            self._sliced = _Sliced(self.inputs, self.weight_op, self.precision)
        return self._sliced


def _exact_dtype(bound: int):
    """float32 when integer sums up to `bound` are exact in it, else float64."""
    return np.float32 if bound < (1 << 24) else np.float64


class _Sliced:
    """A layer's crossbar arithmetic, a whole tile at a time (docs/precision.md).

    The input digits (reads x positions x [channels x] rows) and the weights' cell levels (rows x columns x
    column sets) are laid out once, so a tile's column sums for every read and cell slice are one matrix
    product; the sums then go through the ADC in place, every read at once (floats holding integers), and
    the shift-and-add over reads and column sets is one matrix-vector product."""

    def __init__(self, inputs: np.ndarray, weight: WeightOp, p: LayerPrecision) -> None:
        self.p = p
        self.dtype, self.levels, self.set_weights = _cell_levels(weight, p)       # levels: (R, N, G)
        self.narrowed = narrow(inputs, p.input_shift, p.input_bits)
        self.digits = np.empty((p.input_slices, *inputs.shape), dtype=self.dtype)    # (K, P, [C,] R)
        for k, digit in enumerate(input_slices(inputs, p)):
            self.digits[k] = digit
        self._plans: dict[int, _AdcPlan] = {}

    def tile(self, positions: slice, channels: slice | None, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        p = self.p
        levels = self.levels[r0:r1, c0:c1]                                           # (R, n, G)
        r, n, g = levels.shape
        if channels is None:
            u = self.digits[:, positions, r0:r1]                                     # (K, p, R)
            k, count = u.shape[:2]
            # one 2-D product (BLAS); a stacked matmul would not use BLAS
            sums = (u.reshape(k * count, r) @ levels.reshape(r, n * g)).reshape(k, count, n, g)
            inputs = self.narrowed[positions, r0:r1].sum(axis=-1, dtype=np.int64)[:, None]
        else:
            u = self.digits[:, positions, channels, r0:r1]                           # (K, p, n, R)
            count = u.shape[1]
            sums = np.einsum("kpnr,rng->kpng", u, levels)                           # r: the k*k taps
            inputs = self.narrowed[positions, channels, r0:r1].sum(axis=-1, dtype=np.int64)
        plan = self.plan(r)
        acc = plan.shift_add(plan.convert(sums)) if count else np.zeros((count, n), dtype=np.int64)
        if p.weight_sign == "offset":
            acc -= (1 << (p.weight_bits - 1)) * inputs
        return acc << (p.input_shift + p.weight_shift)

    def plan(self, rows: int) -> "_AdcPlan":
        if rows not in self._plans:
            self._plans[rows] = _AdcPlan(self.p, rows, self.set_weights)
        return self._plans[rows]


_LEVELS: dict[tuple[int, LayerPrecision], tuple] = {}
_LEVELS_KEPT = 256


def _cell_levels(weight: WeightOp, p: LayerPrecision) -> tuple:
    """(float type, cell levels (rows x columns x column sets), each set's sign x 2^(cell_bits j)) of a
    weight: the same for every sample, so kept for the weights last simulated."""
    blob = weight.matrix.blob
    key = (id(blob), p)
    cached = _LEVELS.get(key)
    if cached is None or cached[0] is not blob:
        matrix = weight.matrix.to_numpy()
        dtype = _exact_dtype(matrix.shape[0] * (1 << p.dac_bits) * (1 << p.cell_bits))
        sets = weight_digits(matrix, p)
        levels = np.empty((*matrix.shape, len(sets)), dtype=dtype)
        for i, (_, _, g) in enumerate(sets):
            levels[..., i] = g
        set_weights = np.array([sign << (p.cell_bits * j) for sign, j, _ in sets], dtype=np.int64)
        if len(_LEVELS) >= _LEVELS_KEPT:
            _LEVELS.clear()
        cached = _LEVELS[key] = (blob, dtype, levels, set_weights)
    return cached[1:]


class _AdcPlan:
    """The ADC and shift-and-add of every read of a tile with `rows` rows, as arrays that broadcast over its
    column sums (reads x positions x columns x column sets): per read the step 2^shift, half a step, the
    largest code; per (read, column set) its weight sign x 2^(dac_bits k + shift + cell_bits j)."""

    def __init__(self, p: LayerPrecision, rows: int, set_weights: np.ndarray) -> None:
        shifts = [p.adc_shift(rows, k) for k in range(p.input_slices)]
        self.lossy = any(shifts)
        shape = (len(shifts), 1, 1, 1)
        self.half = np.array([(1 << s) >> 1 for s in shifts], dtype=np.float64).reshape(shape)
        self.scale = np.array([1.0 / (1 << s) for s in shifts], dtype=np.float64).reshape(shape)
        self.max_code = np.array([p.adc_max_code if s else np.inf for s in shifts]).reshape(shape)
        self.weights = np.array([[w << (p.dac_bits * k + s) for w in set_weights.tolist()]
                                 for k, s in enumerate(shifts)], dtype=object)
        largest = [p.adc_max_code if s else p.read_max(rows, k) for k, s in enumerate(shifts)]
        bound = sum(m * abs(int(w)) for m, row in zip(largest, self.weights) for w in row)
        # Floats where the weighted sum stays exact in them (below 2^24, 2^53); int64 beyond.
        self.float_weights = (self.weights.astype(np.float64).reshape(-1).astype(_exact_dtype(bound))
                              if bound < (1 << 53) else None)
        self.int_weights = self.weights.astype(np.int64) if self.float_weights is None else None

    def convert(self, sums: np.ndarray) -> np.ndarray:
        """ADC codes of column sums held as floats, in place (rnc.backends.isa.bit_true.adc_convert without
        the final x 2^shift): each magnitude over 2^shift rounded half up, clipped to the largest code, with
        its sign; only the top read's sums can be negative (its input digit carries the sign)."""
        if not self.lossy or not sums.size:
            return sums
        top = sums[-1]
        signs = np.sign(top) if top.min() < 0 else None
        if signs is not None:
            np.abs(top, out=top)
        sums += self.half.astype(sums.dtype)
        sums *= self.scale.astype(sums.dtype)
        np.floor(sums, out=sums)
        np.minimum(sums, self.max_code.astype(sums.dtype), out=sums)
        if signs is not None:
            top *= signs
        return sums

    def shift_add(self, codes: np.ndarray) -> np.ndarray:
        """sum over reads k and column sets g of weight[k, g] x code: (positions, columns) int64."""
        k, count, n, g = codes.shape
        if self.float_weights is None:
            return np.einsum("kpng,kg->pn", codes.astype(np.int64), self.int_weights)
        flat = codes.transpose(1, 2, 0, 3).reshape(count * n, k * g).astype(self.float_weights.dtype, copy=False)
        return np.rint(flat @ self.float_weights).astype(np.int64).reshape(count, n)


def quantized_inputs(program: ProgramOp, inputs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The program's int8 inputs by name; SimError on a wrong count or shape."""
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
    return q


def run_functional(program: ProgramOp, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """float32 outputs (dequantized) of one sample."""
    q = quantized_inputs(program, inputs)
    consts = {c.sym_name: c.value.to_numpy() for c in program.consts}
    scales = {t.sym_name: t.scale for t in program.tensors}
    shapes = {t.sym_name: t.shape for t in program.tensors}
    weights = {w.sym_name: w for w in program.weights}
    target = program.target.target
    precisions = {w.sym_name: w.layer_precision(target) for w in program.weights}
    for stage in program.stages:
        layers: dict[str, _Layer] = {}
        for ins_ in stage.instructions:
            if isinstance(ins_, MvmOp):
                if ins_.acc not in layers:
                    layers[ins_.acc] = _Layer(weights[ins_.weight], ins_, q[ins_.src], precisions[ins_.weight])
                layers[ins_.acc].run(ins_)
            elif isinstance(ins_, RequantOp):
                q[ins_.dst] = _requant(weights[ins_.weight], ins_, layers[ins_.acc], stage, scales, shapes)
            elif isinstance(ins_, DigitalOp):
                q[ins_.dst] = run_digital(ins_, q, consts, scales, shapes)
            # accum is free here (the MVMs already formed the sum); send moves no numbers.
    return [dequantize(q[o], scales[o]) for o in program.outputs]


def run_digital(op: DigitalOp, q: dict, consts: dict, scales: dict, shapes: dict) -> np.ndarray:
    """The int8 result of a digital instruction on dequantized int8 tensors (`q`) and float constants."""
    args = [consts[s] if s in consts else dequantize(q[s], scales[s]) for s in op.srcs]
    shape = shapes[op.dst]
    out = np.asarray(run_kernel("nn." + op.opcode, args, shape, op.arg_attributes()))
    return quantize(out.astype(np.float32, copy=False).reshape(shape), scales[op.dst])


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
