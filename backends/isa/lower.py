"""Lowers a placed module (xbar layers + nn digital ops) to the isa dialect, with 8-bit weights and scales.

Every network op becomes one `isa.stage`: an `xbar.layer` its tiles' weight programming (`isa.write`), one
`isa.mvm` per tile and copy, the partial-sum `isa.accum`, the `isa.requant` and the `isa.send` of its result;
a digital nn op an `isa.digital` (and its send). Activation scales come from float runs of the module.
"""
from __future__ import annotations

import re

import numpy as np

from rnc.dialects.func import find_function
from rnc.dialects.isa import (AccumOp, ConstOp, DigitalOp, MvmOp, OutputOp, ProgramOp, RequantOp, SendOp, StageOp,
                              TensorOp, WeightOp, WriteOp)
from rnc.dialects.nn.constant import constant_of, resource_attr
from rnc.dialects.rnc import TargetAttr, module_target
from rnc.dialects.xbar import LayerOp, module_array, module_layers
from rnc.ir.attributes import (ArrayAttr, DenseResourceAttr, DictAttr, FloatAttr, SymbolRefAttr, UnitAttr, python_value,
                               to_attr)
from rnc.ir.core import Block, Operation, Region
from rnc.ir.types import TensorType, type_for_dtype

from .adc_calibration import calibrate_adc_shifts, needs_adc_shifts
from .layers import LoweringError, conv_params, layer_bias, layer_matrix
from .opcodes import MOVES, digital_elems, opcode_arguments, opcode_of
from .printer import ISA_VERSION
from .quantize import quantize_bias, quantize_weights
from .reference import calibrate

CALIBRATION_SAMPLES = 4
# Ops that only crossbars run, once canonicalization has rewritten them, and what that rewrite needs.
CROSSBAR_ONLY = {"nn.conv_transpose2d": "it runs on crossbars as an ordinary conv, which needs a constant weight "
                                        "and pads <= dilation * (kernel - 1)"}


def calibration_inputs(module, seed: int = 0, count: int = CALIBRATION_SAMPLES) -> list[list[np.ndarray]]:
    """Seeded standard-normal inputs of the function's input shapes."""
    rng = np.random.default_rng(seed)
    args = find_function(module).regions[0].blocks[0].args
    return [[rng.standard_normal(a.type.shape).astype(np.float32) for a in args] for _ in range(count)]


def _resource(name: str, array: np.ndarray) -> DenseResourceAttr:
    """`array` as a dense resource named `name` (its bytes little-endian, as the IR stores them)."""
    data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
    return resource_attr(data, TensorType(tuple(array.shape), type_for_dtype(array.dtype)), name)


class _Lowering:
    def __init__(self, module, scales: dict[int, float], adc_shifts: dict[int, tuple[int, ...]]) -> None:
        self.module = module
        self.scales = scales
        self.adc_shifts = adc_shifts      # {layer index: shifts} calibrated here, else the layers' own
        self.names: dict[int, str] = {}
        self.producer: dict[int, int] = {}  # id(value) -> stage position
        self.used_names: set[str] = set()
        # The program's body, by kind, in print order.
        self.tensors: list[Operation] = []
        self.consts: dict[str, Operation] = {}
        self.outputs: list[Operation] = []
        self.weights: list[Operation] = []
        self.writes: list[Operation] = []
        self.stages: list[StageOp] = []

    def name(self, value, hint: str | None = None) -> str:
        key = id(value)
        if key not in self.names:
            base = re.sub(r"[^A-Za-z0-9_.$]", "_", hint or value.name_hint or f"t{len(self.names)}")
            name, n = base, 0
            while name in self.used_names:
                n += 1
                name = f"{base}_{n}"
            self.used_names.add(name)
            self.names[key] = name
        return self.names[key]

    def run(self) -> ProgramOp:
        target = module_target(self.module)
        array = module_array(self.module)
        if array is None:
            raise LoweringError("the module is not placed (no 'xbar.array'); run 'place' first")
        block = find_function(self.module).regions[0].blocks[0]
        for arg in block.args:
            self.declare(arg, UnitAttr())
        for op in block.ops:
            if op.name == "nn.constant":
                continue
            if op.name == "func.return":
                self.outputs = [OutputOp.build(tensor=SymbolRefAttr(self.name(v))) for v in op.operands]
                continue
            if isinstance(op, LayerOp):
                self.layer(op)
            else:
                self.digital(op)
        body = Block()
        for op in [*self.tensors, *self.consts.values(), *self.outputs, *self.weights, *self.writes, *self.stages]:
            body.append(op)
        return ProgramOp.build(version=ISA_VERSION, target=TargetAttr(target), xbars=array.count,
                               rows=array.rows, cols=array.cols, regions=[Region([body])])

    def declare(self, value, input_flag: UnitAttr | None = None) -> str:
        name = self.name(value)
        self.tensors.append(_instruction(TensorOp, sym_name=to_attr(name),
                                         shape=to_attr(tuple(int(d) for d in value.type.shape)),
                                         scale=FloatAttr(self.scales[id(value)]), input=input_flag))
        return name

    def new_stage(self, op, inputs) -> StageOp:
        deps = sorted({self.producer[id(v)] for v in inputs if id(v) in self.producer})
        label = op.location.name if getattr(op.location, "name", None) else op.name
        stage = _instruction(StageOp, [Region([Block()])], label=to_attr(str(label)), deps=to_attr(tuple(deps)))
        self.producer[id(op.results[0])] = len(self.stages)
        self.stages.append(stage)  # type: ignore[arg-type]
        self.declare(op.results[0])
        return stage  # type: ignore[return-value]

    def layer(self, layer: LayerOp) -> None:
        src = layer.operands[0]
        stage = self.new_stage(layer, [src])
        emit = stage.regions[0].blocks[0].append
        out = self.name(layer.results[0])
        blob = f"w{layer.layer}"
        kind = layer.kind
        qw, sw = quantize_weights(layer_matrix(layer))
        bias = layer_bias(layer)
        qbias = quantize_bias(bias, self.scales[id(src)], sw) if bias is not None else None
        self.weights.append(WeightOp.build(
            sym_name=blob, kind=kind, cycles=layer.cycles, matrix=_resource(blob, qw),
            scales=_resource(blob + ".scale", sw), bias=_resource(blob + ".bias", qbias) if qbias is not None else None,
            adc_shifts=self.adc_shifts.get(layer.layer, layer.adc_shifts) or None, **layer.peripheral_overrides))
        mode, args = _addressing(layer)
        copies = layer.copies
        cols_per_weight = layer.cols_per_weight
        # What every MVM of the layer shares, made once (a program has thousands of MVMs and writes).
        weight, acc = SymbolRefAttr(blob), SymbolRefAttr(out + ".acc")
        shared = {"acc": acc, "src": SymbolRefAttr(self.name(src)), "weight": weight,
                  "mode": to_attr(mode), **{k: to_attr(tuple(int(e) for e in v)) for k, v in args.items()}}
        signature = None
        all_tiles = layer.tiles
        by_replica: dict[int, list] = {replica: [] for replica in range(copies)}
        for t in all_tiles:
            if t.replica in by_replica:
                by_replica[t.replica].append(t)
        for replica, tiles in by_replica.items():
            sig = sorted((t.rows, t.cols, t.groups, t.cycles) for t in tiles)
            if signature is not None and sig != signature:
                raise LoweringError(f"{layer.describe()}: copies must share one tiling (replica {replica} "
                                    f"differs from replica 0)")
            signature = sig
            for t in tiles:
                if not t.is_placed:
                    raise LoweringError(f"{layer.describe()}: a tile is not placed; run 'place' first")
                x, orow, ocol = t.placement
                h, w = t.footprint(cols_per_weight)
                r0, r1 = t.rows
                c0, c1 = t.cols
                xbar = to_attr(x)
                cells, block = to_attr((orow, orow + h, ocol, ocol + w)), to_attr((r0, r1, c0, c1))
                self.writes.append(_instruction(WriteOp, xbar=xbar, cells=cells, weight=weight, block=block))
                cyc = t.cycles
                start, end = cyc * replica // copies, cyc * (replica + 1) // copies
                emit(_instruction(MvmOp, xbar=xbar, cells=cells, block=block, **shared,
                                  g=to_attr(t.groups) if mode in ("dw", "grp") else None,
                                  copy=to_attr(replica), start=to_attr(start), count=to_attr(end - start)))
        outputs = int(np.prod(layer.results[0].type.shape))
        row_blocks = len({t.rows for t in all_tiles if t.replica == 0})
        dst, size = SymbolRefAttr(out), to_attr(outputs)
        if row_blocks > 1:
            emit(_instruction(AccumOp, acc=acc, tiles=to_attr(row_blocks), elems=to_attr((row_blocks - 1) * outputs)))
        emit(_instruction(RequantOp, dst=dst, acc=acc, weight=weight, elems=size))
        emit(_instruction(SendOp, tensor=dst, bytes=size))

    def digital(self, op) -> None:
        opcode = opcode_of(op)
        if opcode is None:
            node = getattr(op.location, "name", None)
            where = f"ONNX node '{node}' ({op.name})" if node else f"'{op.name}'"
            hint = CROSSBAR_ONLY.get(op.name)
            raise LoweringError(f"{where} has no ISA digital instruction" + (f"; {hint}" if hint else ""))
        tensors = [v for v in op.operands if constant_of(v) is None]
        stage = self.new_stage(op, tensors)
        srcs = []
        for v in op.operands:
            arr = constant_of(v)
            if arr is None:
                srcs.append(SymbolRefAttr(self.name(v)))
                continue
            cname = self.name(v, f"c{len(self.consts)}")
            if cname not in self.consts:
                self.consts[cname] = ConstOp.build(sym_name=cname,
                                                   value=_resource(cname, np.ascontiguousarray(arr, dtype=np.float32)))
            srcs.append(SymbolRefAttr(cname))
        args = opcode_arguments(op)
        res = op.results[0]
        elems = digital_elems(opcode, {k: python_value(v) for k, v in args.items()},
                              [v.type.shape for v in op.operands], res.type.shape)
        out = self.name(res)
        emit = stage.regions[0].blocks[0].append
        dst = SymbolRefAttr(out)
        emit(_instruction(DigitalOp, opcode=to_attr(opcode), dst=dst, srcs=ArrayAttr(tuple(srcs)),
                          args=DictAttr.of(args) if args else None, elems=to_attr(elems)))
        if opcode not in MOVES:
            emit(_instruction(SendOp, tensor=dst, bytes=to_attr(int(np.prod(res.type.shape)))))


def _instruction(cls, regions: list[Region] = (), /, **attributes) -> Operation:
    """`cls.build(regions=regions, **attributes)` for attributes already made (None: absent), stored in the
    op's declaration order as `build` stores them, without its per-field conversions (most of a lowering's
    time)."""
    return cls(None, (), (), {d.name: attributes[d.name] for d in cls.DEFINITION.attributes
                              if attributes.get(d.name) is not None}, regions)


def _addressing(layer: LayerOp) -> tuple[str, dict]:
    """The MVM addressing mode of a layer and its window arguments (k, s, p, d)."""
    kind = layer.kind
    if kind == "conv" and layer.groups is not None and layer.groups > 1:
        return "grp", dict(conv_params(layer))
    if kind in ("conv", "depthwise"):
        return ("conv" if kind == "conv" else "dw"), dict(conv_params(layer))
    return "row", {}


def lower_program(placed_module, calibration_inputs_=None, seed: int = 0, scales: dict[int, float] | None = None
                  ) -> ProgramOp:
    """The `isa.program` of a placed module (which it leaves alone), with 8-bit weights and activation scales
    from float runs on `calibration_inputs_` (default: `CALIBRATION_SAMPLES` seeded standard-normal inputs),
    or `scales` when the caller has them (`calibrate(placed_module, ...)`).

    With calibrated ADC ranges (target key adc_range = "calibrated"), the layers' `adc_shifts` attributes
    give each weight's; when a layer has none, all are calibrated on the same calibration inputs (without
    `scales`; with them LoweringError: `adc_calibration.calibrate_module` sets both)."""
    shifts: dict[int, tuple[int, ...]] = {}
    if scales is None:
        samples = calibration_inputs_ if calibration_inputs_ is not None else calibration_inputs(placed_module, seed)
        samples = [s if isinstance(s, (list, tuple)) else [s] for s in samples]
        scales = calibrate(placed_module, samples)
        if needs_adc_shifts(placed_module):
            shifts = calibrate_adc_shifts(placed_module, scales, samples)
    elif needs_adc_shifts(placed_module):
        missing = next(layer for layer in module_layers(placed_module) if not layer.adc_shifts)
        raise LoweringError(f"{missing.describe()} has no calibrated 'adc_shifts' (the target's adc_range is "
                            f"calibrated): calibrate the module first (adc_calibration.calibrate_module)")
    return _Lowering(placed_module, scales, shifts).run()
