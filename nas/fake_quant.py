"""The crossbar arithmetic in torch: bit-serial inputs, cell slices, ADC rounding and clipping, shift-add and
requantization, batched, for training and for estimating accuracy without the ISA simulator.

It is the arithmetic of docs/precision.md (`rnc.hw.precision.LayerPrecision`), written again in torch, on
purpose apart from the numpy oracle (rnc.backends.isa.bit_true) and the simulator: the tests check all
three agree bit for bit. Integers travel as float64 tensors (exact below 2^53: a column sum of a 4096-row
crossbar with 8-bit digits stays far below), so matrix products use BLAS.

- `crossbar_mvm(x, w, precision, row_blocks)`: the integer accumulators of int8 activations x and weights w.
- `fake_quant_linear(x, w, bias, ...)`: a float layer whose forward value is the crossbar's, whose gradient
  is the float layer's (straight-through estimator), for quantization-aware training.

rnc.nas.precision_accuracy runs whole compiled models with it.
"""
from __future__ import annotations

from typing import Sequence

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
               row_blocks: Sequence[tuple[int, int]] | None = None, rows=None) -> torch.Tensor:
    """`crossbar_mvm` of `windows(x)`: the digits are cut from `x` (an activation map) before `windows`
    rearranges them into rows (digit-wise work on the map is k*k times smaller than on a conv's windows).
    `windows` must map zeros to zeros and keep values (an unfold, a reshape). `rows(values)`, when given,
    stands for `WindowRows(windows(values))` (the same sums, e.g. without materializing the windows)."""
    p = precision
    w = w.to(F64)
    rows = rows or (lambda values: WindowRows(windows(values)))
    blocks = list(row_blocks) if row_blocks else [(0, w.shape[0])]
    narrowed = narrow(x, p.input_shift, p.input_bits)
    scale = 2.0 ** (p.input_shift + p.weight_shift)
    if all(p.adc_shift(r1 - r0, k) == 0 for r0, r1 in blocks for k in range(p.input_slices)):
        # every conversion exact: the plain product of the narrowed values
        return rows(narrowed).sums(narrow(w, p.weight_shift, p.weight_bits), 0, w.shape[0]) * scale
    digits = weight_digits(w, p)
    stored = sum(sign * 2.0 ** (p.cell_bits * j) * g for sign, j, g in digits)   # what the cells add up to
    acc = None
    for k, slice_k in enumerate(input_slices(x, p)):
        u = rows(slice_k)
        if acc is None:
            acc = torch.zeros(u.positions, w.shape[1], dtype=F64)
        for r0, r1 in blocks:
            shift = p.adc_shift(r1 - r0, k)
            if shift == 0:   # exact conversions: the cell slices' shifted sum is one product
                acc += 2.0 ** (p.dac_bits * k) * u.sums(stored, r0, r1)
                continue
            for sign, j, g in digits:
                sums = u.sums(g, r0, r1)
                acc += sign * 2.0 ** (p.dac_bits * k + p.cell_bits * j) * adc_convert(sums, shift, p.adc_max_code)
    if p.weight_sign == "offset":
        inputs = rows(narrowed)
        for r0, r1 in blocks:
            acc -= 2.0 ** (p.weight_bits - 1) * inputs.totals(r0, r1)
    return acc * scale


class WindowRows:
    """The rows of a layer's matrix product, materialized (P, K), or (P, N, K) when column n reads its own."""

    def __init__(self, u: torch.Tensor) -> None:
        self.u = u.to(F64)
        self.positions = u.shape[0]

    def sums(self, levels: torch.Tensor, r0: int, r1: int) -> torch.Tensor:
        """Each column's sum over rows r0:r1 of the rows times `levels` (K, N): (P, N)."""
        return _column_sums(self.u[..., r0:r1], levels[r0:r1], self.u.dim() == 3)

    def totals(self, r0: int, r1: int) -> torch.Tensor:
        """The sum of rows r0:r1 (the offset correction's): (P, 1), or (P, N) per column."""
        total = self.u[..., r0:r1].sum(dim=-1)
        return total if self.u.dim() == 3 else total[:, None]


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
                   row_blocks, s_in: float, sw: torch.Tensor, s_out: float, windows=None, rows=None) -> torch.Tensor:
    """One matrix layer on int8 rows x_q (P, K) (or `windows(x_q)`, per-column windows (P, N, K) for a
    depthwise layer; or `rows`, see `sliced_mvm`): crossbar, bias, requantization -> int8 outputs (P, N) as
    float64."""
    acc = sliced_mvm(windows or (lambda t: t), x_q.to(F64), qw, precision, row_blocks, rows)
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
