"""Lowers a placed module (xbar layers + nn digital ops) to a Program, with 8-bit weights and scales."""
from __future__ import annotations

import re

import numpy as np

from rnc.dialects.nn.constant import constant_of
from rnc.dialects.rnc import TargetAttr, module_target
from rnc.dialects.xbar import LayerOp, module_array
from rnc.sim.interpreter import find_function
from rnc.sim.isa_sim.digital import MOVES, SUPPORTED, attr_args, digital_elems
from rnc.sim.isa_sim.quantize import quantize_bias, quantize_weights

from .layers import LoweringError, conv_params, layer_bias, layer_matrix
from .program import ConstDecl, DigitalOp, Mvm, Program, ProgramXbar, Send, Stage, TensorDecl, WeightDecl
from .reference import calibrate

CALIBRATION_SAMPLES = 4


def calibration_inputs(module, seed: int = 0, count: int = CALIBRATION_SAMPLES) -> list[list[np.ndarray]]:
    """Seeded standard-normal inputs of the function's input shapes."""
    rng = np.random.default_rng(seed)
    args = find_function(module).regions[0].blocks[0].args
    return [[rng.standard_normal(a.type.shape).astype(np.float32) for a in args] for _ in range(count)]


class _Lowering:
    def __init__(self, module, scales: dict[int, float]) -> None:
        self.module = module
        self.scales = scales
        self.p = Program()
        self.names: dict[int, str] = {}
        self.producer: dict[int, int] = {}  # id(value) -> stage index
        self.used_names: set[str] = set()

    def name(self, value, hint: str | None = None) -> str:
        key = id(value)
        if key not in self.names:
            base = re.sub(r"[^A-Za-z0-9_.$]", "_", hint or value.name_hint or f"t{len(self.names)}")
            name, n = base, 0
            while name in self.used_names:
                n += 1
                name = f"{base}_{n}"
            self.used_names.add(name)
            self.names[key] = "%" + name
        return self.names[key]

    def run(self) -> Program:
        target = module_target(self.module)
        array = module_array(self.module)
        if array is None:
            raise LoweringError("the module is not placed (no 'xbar.array'); run 'place' first")
        p = self.p
        p.target = TargetAttr(target).body() or ""
        p.xbar_count, p.xbar_rows, p.xbar_cols = array.count.value, array.rows.value, array.cols.value
        block = find_function(self.module).regions[0].blocks[0]
        for arg in block.args:
            p.tensors.append(TensorDecl(self.name(arg), tuple(arg.type.shape), self.scales[id(arg)], True))
        for op in block.ops:
            if op.name == "nn.constant":
                continue
            if op.name == "func.return":
                p.outputs = [self.name(v) for v in op.operands]
                continue
            if isinstance(op, LayerOp):
                self.layer(op)
            else:
                self.digital(op)
        return p

    def new_stage(self, op, inputs) -> Stage:
        deps = sorted({self.producer[id(v)] for v in inputs if id(v) in self.producer})
        label = op.location.name if getattr(op.location, "name", None) else op.name
        stage = Stage(len(self.p.stages), str(label), tuple(deps))
        self.p.stages.append(stage)
        res = op.results[0]
        self.producer[id(res)] = stage.index
        self.p.tensors.append(TensorDecl(self.name(res), tuple(res.type.shape), self.scales[id(res)]))
        return stage

    def layer(self, layer: LayerOp) -> None:
        src = layer.operands[0]
        stage = self.new_stage(layer, [src])
        out = self.name(layer.results[0])
        blob = f"w{layer.layer_index}"
        kind = layer.kind_name
        qw, sw = quantize_weights(layer_matrix(layer))
        self.p.blobs[blob] = qw.tobytes()
        self.p.blobs[blob + ".scale"] = sw.tobytes()
        bias = layer_bias(layer)
        if bias is not None:
            self.p.blobs[blob + ".bias"] = quantize_bias(bias, self.scales[id(src)], sw).tobytes()
        self.p.weights.append(WeightDecl(blob, qw.shape[0], qw.shape[1], kind, layer.cycles.value, blob + ".scale",
                                         blob + ".bias" if bias is not None else None))
        mode, args = _addressing(layer)
        acc = out + ".acc"
        copies = layer.copy_count
        signature = None
        for replica in range(copies):
            tiles = [t for t in layer.tiles if t.replica.value == replica]
            sig = sorted((t.row_range, t.col_range, t.group_count, t.cycles.value) for t in tiles)
            if signature is not None and sig != signature:
                raise LoweringError(f"layer {layer.layer_index}: copies must share one tiling (replica {replica} "
                                    f"differs from replica 0)")
            signature = sig
            for t in tiles:
                if not t.is_placed:
                    raise LoweringError(f"layer {layer.layer_index}: a tile is not placed; run 'place' first")
                x, orow, ocol = t.placement
                h, w = t.footprint(self.module_cells())
                r0, r1 = t.row_range
                c0, c1 = t.col_range
                xregion, wregion = (orow, orow + h, ocol, ocol + w), (r0, r1, c0, c1)
                self.p.programs.append(ProgramXbar(x, xregion, blob, wregion))
                cyc = t.cycles.value
                start, end = cyc * replica // copies, cyc * (replica + 1) // copies
                targs = dict(args)
                if kind == "depthwise":
                    targs["g"] = t.group_count
                stage.instrs.append(Mvm(x, xregion, acc, self.name(src), blob, wregion, mode, targs, replica,
                                        start, end - start))
        outputs = int(np.prod(layer.results[0].type.shape))
        row_blocks = len({t.row_range for t in layer.tiles if t.replica.value == 0})
        if row_blocks > 1:
            stage.instrs.append(DigitalOp("accum", acc, (acc,), {"tiles": row_blocks}, (row_blocks - 1) * outputs))
        stage.instrs.append(DigitalOp("requant", out, (acc,), {"w": blob}, outputs))
        stage.instrs.append(Send(out, outputs))

    def module_cells(self) -> int:
        return module_target(self.module).cells_per_weight

    def digital(self, op) -> None:
        opcode = op.name[3:] if op.name.startswith("nn.") else op.name
        if opcode not in SUPPORTED:
            raise LoweringError(f"'{op.name}' has no ISA digital instruction")
        tensors = [v for v in op.operands if constant_of(v) is None]
        stage = self.new_stage(op, tensors)
        srcs = []
        for v in op.operands:
            arr = constant_of(v)
            if arr is None:
                srcs.append(self.name(v))
                continue
            cname = self.name(v, f"c{len(self.p.consts)}")
            if all(c.name != cname for c in self.p.consts):
                blob = cname[1:]
                self.p.consts.append(ConstDecl(cname, tuple(v.type.shape), blob))
                self.p.blobs[blob] = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
            srcs.append(cname)
        args = attr_args(op)
        res = op.results[0]
        elems = digital_elems(opcode, args, [v.type.shape for v in op.operands], res.type.shape)
        out = self.name(res)
        stage.instrs.append(DigitalOp(opcode, out, tuple(srcs), args, elems))
        if opcode not in MOVES:
            stage.instrs.append(Send(out, int(np.prod(res.type.shape))))


def _addressing(layer: LayerOp) -> tuple[str, dict]:
    kind = layer.kind_name
    if kind in ("conv", "depthwise"):
        return ("conv" if kind == "conv" else "dw"), dict(conv_params(layer))
    return "row", {}


def lower_program(placed_module, calibration_inputs_=None, seed: int = 0) -> Program:
    samples = calibration_inputs_ if calibration_inputs_ is not None else calibration_inputs(placed_module, seed)
    samples = [s if isinstance(s, (list, tuple)) else [s] for s in samples]
    return _Lowering(placed_module, calibrate(placed_module, samples)).run()
