"""The bit-true oracle: the integers a layer's crossbars produce, computed from whole matrices in numpy.

    acc = crossbar_mvm(x, w, precision, row_blocks)

`x` holds int8 activations, `w` int8 weights (the program's quantization, `quantize.py`), `precision` the
layer's `rnc.hw.precision.LayerPrecision` (`Target.layer_precision(overrides)`), `row_blocks` the row ranges
of the layer's tiles (each tile's columns are digitised on their own). The result is the integer
accumulator before bias and requantization, in the units of x . w. It knows nothing of the instruction
stream (tiles' columns, copies, crossbars, addressing): the ISA simulator must agree with it bit for bit for
any placement, replication and depthwise split. Read it as the definition of the arithmetic
(docs/precision.md): every read, every cell slice and every conversion is a line below.

Column sums are formed in floating point, exact for integers: float32 where every sum stays below 2^24,
else float64 (at most 4096 rows x 255 x 255 < 2^53 for any crossbar rnc accepts), then converted to
integers.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import numpy as np

from rnc.hw.precision import LayerPrecision


def narrow(q: np.ndarray, shift: int, bits: int) -> np.ndarray:
    """int8 values narrowed to `bits` bits by dropping `shift` low bits: rounded half up, clipped to the
    signed `bits`-bit range (`shift` 0: unchanged). int16: the values stay in the int8 range."""
    q = np.asarray(q).astype(np.int16)
    if shift == 0:
        return q
    return np.clip((q + (1 << (shift - 1))) >> shift, -(1 << (bits - 1)), (1 << (bits - 1)) - 1).astype(np.int16)


def adc_convert(column_sums: np.ndarray, shift: int, max_code: int) -> np.ndarray:
    """What the ADC reports for integer column sums: unchanged when `shift` is 0; else each magnitude
    rounded to a multiple of 2^shift (half away from zero) and clipped to `max_code` steps, sign kept."""
    s = np.asarray(column_sums, dtype=np.int64)
    if shift == 0:
        return s
    codes = np.minimum((np.abs(s) + (1 << (shift - 1))) >> shift, max_code)
    return np.sign(s) * (codes << shift)


def input_slices(x: np.ndarray, p: LayerPrecision) -> list[np.ndarray]:
    """The digits the DACs apply, least significant first: x narrowed to input_bits, cut into dac_bits
    slices; every slice unsigned except the top one, which carries the sign (sum_k slice_k 2^(dac_bits k)
    is the narrowed x)."""
    xb = narrow(x, p.input_shift, p.input_bits)
    last = p.input_slices - 1
    out = [(xb >> (p.dac_bits * k)) & ((1 << p.dac_bits) - 1) for k in range(last)]
    out.append(xb >> (p.dac_bits * last))       # arithmetic shift: the signed top digit
    return out


def weight_digits(w: np.ndarray, p: LayerPrecision) -> list[tuple[int, int, np.ndarray]]:
    """(sign, cell slice j, digits) of every set of columns a weight occupies: its value narrowed to
    weight_bits, as unsigned cell_bits digits of w + 2^(weight_bits-1) (offset) or of max(w, 0) and
    max(-w, 0) (differential, sign -1 for the second set)."""
    wb = narrow(w, p.weight_shift, p.weight_bits).astype(np.int64)    # offsets exceed int16 from 16 bits
    if p.weight_sign == "offset":
        parts = [(1, wb + (1 << (p.weight_bits - 1)))]
    else:
        parts = [(1, np.maximum(wb, 0)), (-1, np.maximum(-wb, 0))]
    mask = (1 << p.cell_bits) - 1
    return [(sign, j, (value >> (p.cell_bits * j)) & mask)
            for sign, value in parts for j in range(p.cells_per_weight)]


def crossbar_mvm(x: np.ndarray, w: np.ndarray, precision: LayerPrecision,
                 row_blocks: Sequence[tuple[int, int]] | None = None) -> np.ndarray:
    """int64 accumulators of x . w as the crossbars compute them (docs/precision.md).

    x: int8-range activations, (P, K), or (P, N, K) when each column reads its own inputs (a depthwise
    layer: column n, channel n, reads its own window). w: int8-range weights (K, N). row_blocks: the
    [begin, end) row ranges of the layer's tiles, covering 0..K (default: one tile of all K rows). Returns
    (P, N): per tile, per input slice k and cell slice j, each column's sum over the tile's rows is digitised
    (`adc_convert`, step from `precision.adc_shift(rows, k)`) and shifted into place; the offset scheme
    subtracts 2^(weight_bits-1) x the tile's input sum; the whole is shifted back by the bits narrowing
    dropped.
    """
    return _shift_add(x, w, precision, row_blocks, lambda k, sums: precision)


def calibrated_mvm(x: np.ndarray, w: np.ndarray, precision: LayerPrecision,
                   row_blocks: Sequence[tuple[int, int]] | None = None, floor: Sequence[int] = ()
                   ) -> tuple[np.ndarray, LayerPrecision]:
    """`crossbar_mvm` with ADC ranges calibrated on x itself: (accumulators, `precision` with `adc_shifts`).
    Read k's shift is the smallest whose codes hold the largest |column sum| of the read over every tile and
    cell slice (`LayerPrecision.range_shift`), at least `floor[k]` (ranges found on earlier inputs)."""
    shifts: list[int] = []
    pad = [0] * precision.input_slices

    def calibrated(k: int, sums: list[np.ndarray]) -> LayerPrecision:
        peak = max((int(np.abs(s).max()) for s in sums if s.size), default=0)
        shifts.append(max(precision.range_shift(peak), floor[k] if floor else 0))
        return replace(precision, adc_shifts=tuple(shifts + pad[k + 1:]))   # read k's shift is the one used

    acc = _shift_add(x, w, precision, row_blocks, calibrated)
    return acc, replace(precision, adc_shifts=tuple(shifts))


def _shift_add(x: np.ndarray, w: np.ndarray, p: LayerPrecision, row_blocks: Sequence[tuple[int, int]] | None,
               precision_of: Callable[[int, list[np.ndarray]], LayerPrecision]) -> np.ndarray:
    """`crossbar_mvm`, read by read: `precision_of(k, column sums of read k)` sets read k's ADC steps."""
    x = np.asarray(x, dtype=np.int64)
    w = np.asarray(w, dtype=np.int64)
    per_column = x.ndim == 3
    blocks = list(row_blocks) if row_blocks else [(0, w.shape[0])]
    exact = np.float32 if w.shape[0] << (p.dac_bits + p.cell_bits) < 1 << 24 else np.float64
    sets = weight_digits(w, p)
    levels = np.stack([g for _, _, g in sets], axis=-1).astype(exact)        # (K, N, sets of columns)
    acc = np.zeros((x.shape[0], w.shape[1]), dtype=np.int64)
    for k, u in enumerate(input_slices(x, p)):
        u = u.astype(exact)
        sums = [_column_sums(u[..., r0:r1], levels[r0:r1], per_column) for r0, r1 in blocks]   # (P, N, sets)
        read_precision = precision_of(k, sums)
        for (r0, r1), tile_sums in zip(blocks, sums):
            shift = read_precision.adc_shift(r1 - r0, k)
            for i, (sign, j, _) in enumerate(sets):
                converted = adc_convert(tile_sums[..., i], shift, p.adc_max_code)
                acc += (sign << (p.dac_bits * k + p.cell_bits * j)) * converted
    if p.weight_sign == "offset":
        narrowed = narrow(x, p.input_shift, p.input_bits)
        for r0, r1 in blocks:
            input_sum = narrowed[..., r0:r1].sum(axis=-1, dtype=np.int64)
            acc -= (1 << (p.weight_bits - 1)) * (input_sum if per_column else input_sum[:, None])
    return acc << (p.input_shift + p.weight_shift)


def _column_sums(u: np.ndarray, levels: np.ndarray, per_column: bool) -> np.ndarray:
    """Each column's analog sum over the rows, per set of columns: digits u (P, R) or (P, N, R) times cell
    levels (R, N, S) -> (P, N, S) integers."""
    if per_column:
        sums = np.einsum("pnr,rns->pns", u, levels)
    else:
        r, n, s = levels.shape
        sums = (u @ levels.reshape(r, n * s)).reshape(-1, n, s)
    return np.rint(sums).astype(np.int64)
