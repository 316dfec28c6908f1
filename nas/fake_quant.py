"""The crossbar arithmetic in torch: bit-serial inputs, cell slices, ADC rounding and clipping, shift-add and
requantization, batched, for training and for estimating accuracy without the ISA simulator.

It is the arithmetic of docs/precision.md (`rnc.hw.precision.LayerPrecision`), written again in torch, on
purpose apart from the numpy oracle (rnc.backends.isa.bit_true) and the simulator: the tests check all
three agree bit for bit. Integers travel as float64 tensors (exact below 2^53: a column sum of a 4096-row
crossbar with 8-bit digits stays far below), so matrix products use BLAS.

- `crossbar_mvm(x, w, precision, row_blocks)`: the integer accumulators of int8 activations x and weights w.
- `fake_quant_linear(x, w, bias, ...)`: a float layer whose forward value is the crossbar's, whose gradient
  is the float layer's (straight-through estimator), for quantization-aware training.
- `QuantizedNetwork`: a compiled model's every layer and digital op on a batch of samples, the numbers the
  ISA program computes; `precision_accuracy(model, settings_per_layer, data)` its top-1 accuracy.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

F64 = torch.float64


def narrow(q: torch.Tensor, shift: int, bits: int) -> torch.Tensor:
    """Integer values narrowed to `bits` bits by dropping `shift` low bits: rounded half up, clipped to the
    signed `bits`-bit range (`shift` 0: unchanged)."""
    if shift == 0:
        return q
    return torch.clamp(torch.floor((q + 2.0 ** (shift - 1)) / 2.0 ** shift), -2.0 ** (bits - 1), 2.0 ** (bits - 1) - 1)


def adc_convert(sums: torch.Tensor, shift: int, max_code: int) -> torch.Tensor:
    """The ADC's reading of integer column sums: exact when `shift` is 0; else each magnitude rounded to a
    multiple of 2^shift (half away from zero) and clipped to `max_code` steps, sign kept."""
    if shift == 0:
        return sums
    step = 2.0 ** shift
    codes = torch.clamp(torch.floor((sums.abs() + step / 2) / step), max=max_code)
    return torch.sign(sums) * codes * step


def input_slices(x: torch.Tensor, precision) -> list[torch.Tensor]:
    """The DACs' digits, least significant first: unsigned `dac_bits` digits, the top one signed."""
    p = precision
    xb = narrow(x, p.input_shift, p.input_bits)
    base = 2.0 ** p.dac_bits
    last = p.input_slices - 1
    digits = [torch.remainder(torch.floor(xb / base ** k), base) for k in range(last)]
    digits.append(torch.floor(xb / base ** last))      # floor division: the signed top digit
    return digits


def weight_digits(w: torch.Tensor, precision) -> list[tuple[int, int, torch.Tensor]]:
    """(sign, cell slice j, levels) of each set of columns a weight occupies (offset or differential)."""
    p = precision
    wb = narrow(w, p.weight_shift, p.weight_bits)
    if p.weight_sign == "offset":
        parts = [(1, wb + 2.0 ** (p.weight_bits - 1))]
    else:
        parts = [(1, torch.clamp(wb, min=0)), (-1, torch.clamp(-wb, min=0))]
    base = 2.0 ** p.cell_bits
    return [(sign, j, torch.remainder(torch.floor(value / base ** j), base))
            for sign, value in parts for j in range(p.cells_per_weight)]


def crossbar_mvm(x: torch.Tensor, w: torch.Tensor, precision,
                 row_blocks: Sequence[tuple[int, int]] | None = None) -> torch.Tensor:
    """Integer accumulators (float64) of x . w as the crossbars compute them.

    x: integer activations (P, K), or (P, N, K) when column n reads its own inputs (depthwise). w: integer
    weights (K, N). row_blocks: the [begin, end) rows of the layer's tiles (default one tile of all K
    rows); each tile's column sums, per input slice and cell slice, go through the ADC on their own.
    """
    x = x.to(F64)
    return sliced_mvm(lambda t: t, x, w, precision, row_blocks)


def sliced_mvm(windows, x: torch.Tensor, w: torch.Tensor, precision,
               row_blocks: Sequence[tuple[int, int]] | None = None) -> torch.Tensor:
    """`crossbar_mvm` of `windows(x)`: the digits are cut from `x` (an activation map) before `windows`
    rearranges them into rows (digit-wise work on the map is k*k times smaller than on a conv's windows).
    `windows` must map zeros to zeros and keep values (an unfold, a reshape)."""
    p = precision
    w = w.to(F64)
    blocks = list(row_blocks) if row_blocks else [(0, w.shape[0])]
    narrowed = narrow(x, p.input_shift, p.input_bits)
    scale = 2.0 ** (p.input_shift + p.weight_shift)
    if all(p.adc_shift(r1 - r0, k) == 0 for r0, r1 in blocks for k in range(p.input_slices)):
        rows = windows(narrowed).to(F64)   # every conversion exact: the plain product of the narrowed values
        return _column_sums(rows, narrow(w, p.weight_shift, p.weight_bits), rows.dim() == 3) * scale
    digits = weight_digits(w, p)
    stored = sum(sign * 2.0 ** (p.cell_bits * j) * g for sign, j, g in digits)   # what the cells add up to
    acc = None
    for k, slice_k in enumerate(input_slices(x, p)):
        u = windows(slice_k).to(F64)
        per_column = u.dim() == 3
        if acc is None:
            acc = torch.zeros(u.shape[0], w.shape[1], dtype=F64)
        for r0, r1 in blocks:
            shift = p.adc_shift(r1 - r0, k)
            ub = u[..., r0:r1]
            if shift == 0:   # exact conversions: the cell slices' shifted sum is one product
                acc += 2.0 ** (p.dac_bits * k) * _column_sums(ub, stored[r0:r1], per_column)
                continue
            for sign, j, g in digits:
                sums = _column_sums(ub, g[r0:r1], per_column)
                acc += sign * 2.0 ** (p.dac_bits * k + p.cell_bits * j) * adc_convert(sums, shift, p.adc_max_code)
    if p.weight_sign == "offset":
        rows = windows(narrowed).to(F64)
        for r0, r1 in blocks:
            total = rows[..., r0:r1].sum(dim=-1)
            acc -= 2.0 ** (p.weight_bits - 1) * (total if rows.dim() == 3 else total[:, None])
    return acc * scale


def _column_sums(u: torch.Tensor, g: torch.Tensor, per_column: bool) -> torch.Tensor:
    """Each column's sum over the rows: digits u (P, R) or (P, N, R) times levels g (R, N)."""
    return torch.einsum("pnr,rn->pn", u, g) if per_column else u @ g


# ---- the program's quantization (rnc.backends.isa.quantize), in torch ---------------------------------------
QMAX = 127


def quantize(x: torch.Tensor, scale: float) -> torch.Tensor:
    """int8 values (as float64) of x at a per-tensor scale: round half to even, clip to +-127."""
    return torch.clamp(torch.round(x.to(F64) / scale), -QMAX, QMAX)


def requantize(acc: torch.Tensor, in_scale: float, w_scales: torch.Tensor, out_scale: float) -> torch.Tensor:
    """int8 outputs (as float64) of integer accumulators, columns last, at `out_scale`."""
    multiplier = (in_scale * w_scales.to(F64)) / out_scale
    return torch.clamp(torch.round(acc * multiplier), -QMAX, QMAX)


def layer_integers(x_q: torch.Tensor, qw: torch.Tensor, qbias: torch.Tensor | None, precision,
                   row_blocks, s_in: float, sw: torch.Tensor, s_out: float, windows=None) -> torch.Tensor:
    """One matrix layer on int8 rows x_q (P, K) (or `windows(x_q)`, per-column windows (P, N, K) for a
    depthwise layer): crossbar, bias, requantization -> int8 outputs (P, N) as float64."""
    acc = sliced_mvm(windows or (lambda t: t), x_q.to(F64), qw, precision, row_blocks)
    if qbias is not None:
        acc = acc + qbias.to(F64)
    return requantize(acc, s_in, sw, s_out)


class _StraightThrough(torch.autograd.Function):
    """Forward: the crossbar's value; backward: the float layer's gradient, unchanged."""

    @staticmethod
    def forward(ctx, exact: torch.Tensor, quantized: torch.Tensor) -> torch.Tensor:
        return quantized.to(exact.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return grad, None


def fake_quant_linear(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor | None, precision,
                      s_in: float, s_out: float, row_blocks=None) -> torch.Tensor:
    """`F.linear(x, w, bias)` (x: (B, K), w: (N, K)) whose value is what the crossbars compute (int8 inputs
    at `s_in`, per-output int8 weights, the slicing and ADC of `precision`, int8 outputs at `s_out`) and
    whose gradient is the float layer's: a quantization-aware training step sees the hardware's error."""
    exact = F.linear(x, w, bias)
    with torch.no_grad():
        qw, sw = quantize_weights(w.detach().T)
        qb = None if bias is None else torch.round(bias.detach().to(F64) / (s_in * sw))
        q = layer_integers(quantize(x.detach(), s_in), qw, qb, precision, row_blocks, s_in, sw, s_out)
    return _StraightThrough.apply(exact, q * s_out)


def quantize_weights(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 matrix as float64, float64 per-column scales) of a K x N float matrix, as the program quantizes
    it (float32 scales max|w| / 127)."""
    m = matrix.to(torch.float32)
    max_abs = m.abs().amax(dim=0)
    scales = torch.where(max_abs > 0, max_abs / torch.tensor(QMAX, dtype=torch.float32), torch.ones_like(max_abs))
    return torch.clamp(torch.round(m.to(F64) / scales.to(F64)), -QMAX, QMAX), scales.to(F64)


def tile_row_blocks(rows: int, xbar_rows: int) -> list[tuple[int, int]]:
    """The row ranges of a layer's tiles: full crossbar heights from the top, then the remainder
    (rnc.passes.xbar_algorithms.tiling's partition)."""
    return [(r, min(r + xbar_rows, rows)) for r in range(0, rows, xbar_rows)]


# ---- a whole compiled model, batched ------------------------------------------------------------------------
class QuantizedNetwork:
    """A partitioned (or placed) module's numbers on a batch: each `xbar.layer` through `crossbar_mvm` with
    its own precision and tile rows, each digital op as the program runs it (dequantize, nn kernel,
    quantize), with the activation scales the lowering calibrates (`calibration_inputs(module, seed)`, or
    max |x| over `calibration`, a list of input lists, as `lower_program(module, calibration)` would).
    Its outputs are the ISA program's, sample for sample, without the simulator."""

    def __init__(self, module, seed: int = 0, calibration: list[list[np.ndarray]] | None = None) -> None:
        from rnc.backends.isa.lower import calibration_inputs
        from rnc.backends.isa.reference import calibrate
        from rnc.dialects.func import find_function
        self.block = find_function(module).regions[0].blocks[0]
        self.scales = calibrate(module, calibration if calibration is not None else calibration_inputs(module, seed))
        self.layers = {id(op): _PreparedLayer(op) for op in self.block.ops if _is_layer(op)}

    def int8_outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """int8 outputs of a batch `x` (B, *input shape without its batch dimension of 1)."""
        from rnc.backends.isa.quantize import quantize
        from rnc.backends.isa.reference import quantized_digital_op
        batch = x.shape[0]
        arg = self.block.args[0]
        env = {id(arg): quantize(x, self.scales[id(arg)])}
        for op in self.block.ops:
            if op.name == "func.return":
                return [env[id(v)] for v in op.operands]
            res = op.results[0]
            if op.name == "nn.constant":
                env[id(res)] = None
                continue
            shape = (batch,) + tuple(res.type.shape)[1:]
            if id(op) in self.layers:
                v = op.operands[0]
                env[id(res)] = self.layers[id(op)].run(env[id(v)], self.scales[id(v)], self.scales[id(res)])
                continue
            env[id(res)] = quantized_digital_op(op, env, self.scales, shape)
        raise ValueError("the function has no 'func.return'")

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The first output, dequantized (float32), of a batch `x`."""
        from rnc.backends.isa.quantize import dequantize
        ret = self.block.ops[-1].operands[0]
        return dequantize(self.int8_outputs(x)[0], self.scales[id(ret)])

    def top1(self, inputs: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """The class each sample of `inputs` (N, 1, *sample shape) gets."""
        picks = [self.outputs(inputs[i:i + batch_size, 0]).reshape(len(inputs[i:i + batch_size]), -1).argmax(1)
                 for i in range(0, len(inputs), batch_size)]
        return np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)


def _is_layer(op) -> bool:
    from rnc.dialects.xbar import LayerOp
    return isinstance(op, LayerOp)


class _PreparedLayer:
    """An xbar.layer's int8 weights, bias, precision and tile rows, and its batched run."""

    def __init__(self, layer) -> None:
        from rnc.backends.isa.layers import conv_params, layer_bias, layer_matrix
        from rnc.backends.isa.quantize import quantize_weights
        from rnc.dialects.rnc import module_target
        self.kind = layer.kind
        qw, sw = quantize_weights(layer_matrix(layer))
        self.qw, self.sw = torch.from_numpy(qw.astype(np.float64)), torch.from_numpy(sw.astype(np.float64))
        self.bias = layer_bias(layer)
        self.sw32 = sw
        self.precision = module_target(_module_of(layer)).layer_precision(layer.peripheral_overrides)
        self.row_blocks = sorted({tuple(t.rows) for t in layer.tiles if t.replica == 0})
        self.conv = conv_params(layer) if self.kind in ("conv", "depthwise") else None
        self.kernel = tuple(layer.operands[1].type.shape[2:]) if self.conv else None

    def run(self, q_in: np.ndarray, s_in: float, s_out: float) -> np.ndarray:
        from rnc.backends.isa.quantize import quantize_bias
        qb = None if self.bias is None else torch.from_numpy(quantize_bias(self.bias, s_in, self.sw32).astype(np.float64))
        x = torch.from_numpy(q_in.astype(np.float64))
        if self.conv is None:                                # linear / matmul: rows are the last axis
            lead = x.shape[:-1]
            out = layer_integers(x.reshape(-1, x.shape[-1]), self.qw, qb, self.precision, self.row_blocks,
                                 s_in, self.sw, s_out)
            return out.reshape(*lead, -1).numpy().astype(np.int8)
        b, ho, wo = self._out_shape(x)
        out = layer_integers(x, self.qw, qb, self.precision, self.row_blocks, s_in, self.sw, s_out, self._windows)
        return out.reshape(b, ho, wo, -1).permute(0, 3, 1, 2).numpy().astype(np.int8)

    def _out_shape(self, x: torch.Tensor) -> tuple[int, int, int]:
        (kh, kw), stride, (pt, pl, pb, pr), dilation = self.kernel, self.conv["s"], self.conv["p"], self.conv["d"]
        ho = (x.shape[2] + pt + pb - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (x.shape[3] + pl + pr - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        return x.shape[0], ho, wo

    def _windows(self, x: torch.Tensor) -> torch.Tensor:
        """(P, K) rows of a conv, or (P, C, K) per-channel windows of a depthwise layer, of a (B, C, H, W)
        map (im2col in float32: exact for these small integers)."""
        (kh, kw), stride, (pt, pl, pb, pr), dilation = self.kernel, self.conv["s"], self.conv["p"], self.conv["d"]
        x = F.pad(x.to(torch.float32), (pl, pr, pt, pb))
        b, c = x.shape[:2]
        cols = F.unfold(x, (kh, kw), dilation=tuple(dilation), stride=tuple(stride))     # (B, C*kh*kw, L)
        if self.kind == "conv":
            return cols.permute(0, 2, 1).reshape(-1, cols.shape[1])
        return cols.reshape(b, c, kh * kw, -1).permute(0, 3, 1, 2).reshape(-1, c, kh * kw)


def _module_of(op):
    while op.parent_op is not None:
        op = op.parent_op
    return op


def precision_accuracy(model: Any, settings_per_layer: Mapping[int, Mapping[str, Any]], data: Any, *,
                       target_values: Mapping[str, Any] | None = None, target_file: str | None = None,
                       samples: int | None = None, seed: int = 0,
                       input_shape: tuple[int, ...] | None = None) -> float:
    """Top-1 accuracy of `model` compiled with `settings_per_layer` ({xbar.layer index: {peripheral key:
    value}}, rnc.hw.LAYER_PERIPHERAL_KEYS; CompileOptions.layer_peripherals) on `data`, computed with the
    torch arithmetic of the crossbars instead of the ISA simulator (the same numbers).

    `model`: a built-in name, an .onnx path, an nn-dialect module, or a torch nn.Module (exported at
    `input_shape`, default an EvalData's sample shape). `data`: "digits", a folder (rnc.driver.eval_data) or an `EvalData` with labels.
    `target_values` sets target keys for every layer (e.g. {"adc_model": "quantized", "adc_bits": 4}).
    """
    from rnc.driver import CompileOptions, compile_model
    from rnc.driver.eval_data import EvalData, load_eval_data
    if isinstance(model, torch.nn.Module):
        shape = input_shape or (tuple(data.inputs.shape[1:]) if isinstance(data, EvalData) else ())
        model = _torch_to_module(model, shape)
    options = CompileOptions(target_file=target_file, target_values=dict(target_values or {}),
                             layer_peripherals={int(k): dict(v) for k, v in settings_per_layer.items()}, seed=seed)
    result = compile_model(model, options)
    if not isinstance(data, EvalData):
        data = load_eval_data(str(data), result.model, samples or 10 ** 9)
    if data.labels is None:
        raise ValueError(f"{data.source}: precision_accuracy needs labels")
    inputs, labels = data.inputs[:samples], data.labels[:samples]
    return float(np.mean(QuantizedNetwork(result.partitioned, seed).top1(inputs) == labels))


def _torch_to_module(net: torch.nn.Module, input_shape: tuple[int, ...]):
    """A torch network as an nn-dialect module, traced on an input of `input_shape` (batch 1)."""
    from rnc.frontends.onnx.importer import import_onnx
    from rnc.frontends.torch import export_onnx
    if len(input_shape) < 2 or input_shape[0] != 1:   # e.g. none given with data named by a string
        raise ValueError(f"a torch model needs input_shape (1, C, H, W) or EvalData, got {tuple(input_shape)}")
    return import_onnx(export_onnx(net, torch.zeros(tuple(input_shape))))
