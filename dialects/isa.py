"""The isa dialect: rnc's crossbar instruction stream (docs/isa.md) as IR, one op per `.isa` line.

    "isa.program"() ({
      "isa.tensor"() {input, scale = 0.0123, shape = [1, 3, 64, 64], sym_name = "x"} : () -> ()
      "isa.tensor"() {scale = 0.05, shape = [1, 16, 32, 32], sym_name = "c"} : () -> ()
      "isa.output"() {tensor = @c} : () -> ()
      "isa.weight"() {cycles = 1024 : i64, kind = "conv", matrix = dense_resource<w0> : tensor<27x16xi8>,
                      scales = dense_resource<w0.scale> : tensor<16xf32>, sym_name = "w0"} : () -> ()
      "isa.write"() {block = [0, 27, 0, 16], cells = [0, 27, 64, 80], weight = @w0, xbar = 3 : i64} : () -> ()
      "isa.stage"() ({
        "isa.mvm"() {acc = @c.acc, block = [0, 27, 0, 16], cells = [0, 27, 64, 80], copy = 0 : i64,
                     count = 1024 : i64, d = [1, 1], k = [3, 3], mode = "conv", p = [1, 1, 1, 1], s = [2, 2],
                     src = @x, start = 0 : i64, weight = @w0, xbar = 3 : i64} : () -> ()
        "isa.requant"() {acc = @c.acc, dst = @c, elems = 16384 : i64, weight = @w0} : () -> ()
        "isa.send"() {bytes = 16384 : i64, tensor = @c} : () -> ()
      }) {deps = [], label = "Conv_0"} : () -> ()
    }) {cols = 128 : i64, rows = 128 : i64, target = #rnc.target<>, version = 1 : i64, xbars = 4 : i64}
       : () -> ()

An `isa.program` is a whole executable program: its declarations (int8 tensors with their scales, float32
constants, the outputs, the layers' int8 weights) are symbols that instructions name (`@x`); weights and
constants hold their data as dense resources. Stages run in order of their dependencies (`deps`, by
position); a stage's MVMs accumulate into an accumulator they name (`@c.acc`), which its `accum` and
`requant` then read. Attribute accessors of these ops return Python values (ints, floats, strings, tuples,
symbol names: the typed constraints of `rnc.ir.typed_attributes`); `ProgramOp.verify_` checks the program
as a whole (what every MVM reads was programmed there).
"""
from __future__ import annotations

from rnc.ir.attributes import Attribute, DenseResourceAttr, StringAttr
from rnc.ir.core import Operation
from rnc.ir.dialect import Dialect, lookup_op
from rnc.ir.opdef import (HasParent, IsolatedFromAbove, NoTerminator, RegionHolds, VerifyError, attribute,
                          describe, irdl_op, opt_attribute, region, satisfies)
from rnc.ir.typed_attributes import (Dict, Flag, Float, Int, Ints, NonNegative, OneOf, RangeOf, Str, Symbol,
                                    Symbols)

from .rnc import TargetAttr
from .xbar import LAYER_KINDS, PeripheralOverrides, with_peripheral_attributes

MVM_MODES = ("conv", "dw", "grp", "row")
# The window arguments of a conv, dw or grp MVM, in `.isa` order: kernel, strides, pads, dilations (a dw MVM
# also has `g`, its channels per MVM; a grp MVM `g`, its conv groups per MVM).
MVM_WINDOW_ARGS = ("k", "s", "p", "d")


# ---- constraints (their docstrings are what verifier messages call them) --------------------------------
_box = Ints.where(lambda v: len(v) == 4 and 0 <= v[0] < v[1] and 0 <= v[2] < v[3],
                  "[row begin, row end, col begin, col end] with 0 <= begin < end")
_scale = Float.where(lambda x: x > 0, "a positive float")
_kind = OneOf(*LAYER_KINDS)
_mode = OneOf(*MVM_MODES)


def _resource(element: str, rank: int | None):
    def check(a) -> bool:
        return (isinstance(a, DenseResourceAttr) and str(a.type.element_type) == element
                and (rank is None or a.type.rank == rank))
    check.__doc__ = f"a dense_resource of {element}" + (f", rank {rank}" if rank is not None else "")
    return check


def _box_text(box: tuple[int, ...]) -> str:
    return f"[{box[0]}:{box[1]},{box[2]}:{box[3]}]"


# ---- declarations ----------------------------------------------------------------------------------------
class Declaration(Operation):
    """An op that sits directly in an `isa.program`."""

    TRAITS = frozenset({HasParent("isa.program")})


class Instruction(Operation):
    """An op that sits in an `isa.stage`."""

    TRAITS = frozenset({HasParent("isa.stage")})


@irdl_op("isa.tensor")
class TensorOp(Declaration):
    """`tensor %c [1,16,32,32] scale 0.05` (or `input %x ...`): an int8 buffer, real value = q * scale."""

    sym_name = attribute(Str, doc="the tensor's name")
    shape = attribute(Ints, doc="its dimensions")
    scale = attribute(_scale, doc="the per-tensor scale (from calibration)")
    input = opt_attribute(Flag, doc="present: a program input")


@irdl_op("isa.const")
class ConstOp(Declaration):
    """`const %c0 [16] = @c0`: a float32 constant a digital op reads."""

    sym_name = attribute(Str, doc="the constant's name")
    value = attribute(_resource("f32", None), doc="its data")


@irdl_op("isa.output")
class OutputOp(Declaration):
    """`output %y`: a program output."""

    tensor = attribute(Symbol, doc="the output tensor")


@irdl_op("isa.weight")
@with_peripheral_attributes
class WeightOp(Declaration, PeripheralOverrides):
    """`weight @w0 [27,16] kind conv cycles 1024 scale @w0.scale bias @w0.bias`: a layer's int8 matrix.

    Its columns have float32 scales and, optionally, an int32 bias at scale s_in * s_w. The `.isa` text
    names the matrix's data after the weight (`@w0`), the scales and bias after their resources. The layer's
    own periphery follows as `adc_bits=4 cell_bits=2 ...`, and its calibrated ADC shifts as
    `adc_shifts=[5,6,...]` (the optional attributes of `xbar.layer`).
    """

    sym_name = attribute(Str, doc="the weight's name")
    kind = attribute(_kind, doc='"conv", "depthwise", "linear" or "matmul"')
    cycles = attribute(NonNegative, doc="the layer's MVMs per sample with one copy")
    matrix = attribute(_resource("i8", 2), doc="rows x cols int8 weights")
    scales = attribute(_resource("f32", 1), doc="per-column scales")
    bias = opt_attribute(_resource("i32", 1), doc="per-column int32 bias")

    @property
    def rows(self) -> int:
        return self.matrix.type.shape[0]

    @property
    def cols(self) -> int:
        return self.matrix.type.shape[1]

    def verify_(self) -> None:
        program = self.parent_op
        if isinstance(program, ProgramOp):
            self.check_peripherals(program.target.target)
        for what, res in (("scales", self.scales), ("bias", self.bias)):
            if res is not None and res.type.shape != (self.cols,):
                raise VerifyError(f"expects {self.cols} {what} (one per column), got {res.type}")


@irdl_op("isa.write")
class WriteOp(Declaration):
    """`program xb3[0:27,64:80] <- @w0[0:27,0:16]`: writes a block of a weight into a crossbar region."""

    xbar = attribute(NonNegative, doc="the crossbar")
    cells = attribute(_box, doc="[row begin, row end, col begin, col end) of the crossbar")
    weight = attribute(Symbol, doc="the weight")
    block = attribute(_box, doc="[row begin, row end, col begin, col end) of its matrix")


@irdl_op("isa.stage", traits=[NoTerminator,
                              RegionHolds(Instruction, what="isa instructions", on_child=True)])
class StageOp(Declaration):
    """`stage 2 "Conv_1" after 0, 1`: the instructions of one network op; runs for a sample once the stages
    `deps` (positions among the program's stages) are done for it."""

    body = region("the stage's instructions")
    label = attribute(Str, doc="the network op's ONNX location (or its op name)")
    deps = attribute(Ints, doc="the stages it waits for (none: the input)")

    @property
    def instructions(self) -> list[Operation]:
        return self.regions[0].blocks[0].ops

    @property
    def mvms(self) -> list["MvmOp"]:
        return [i for i in self.instructions if isinstance(i, MvmOp)]

    @property
    def power_cycles(self) -> int:
        """Its `resume`s: power cycles of a power-failure-safe program (0 under continuous power)."""
        return sum(1 for i in self.instructions if isinstance(i, ResumeOp))

    def verify_(self) -> None:
        if len(self.regions[0].blocks) != 1:
            raise VerifyError("expects one block of instructions")


# ---- instructions ----------------------------------------------------------------------------------------
@irdl_op("isa.mvm")
class MvmOp(Instruction):
    """`mvm xb0[0:128,0:128] %c.acc <- %x @w0[0:128,0:128] conv k=... copy 0 mvms 0+64`: MVMs [start,
    start + count) on a crossbar region programmed with a block of a weight.

    `mode` says what input vector MVM j reads: `conv`, the im2col window of output position j (kernel `k`,
    strides `s`, pads `p`, dilations `d`); `dw`, channel group j // P at output position j % P (P = output
    positions), `g` channels per MVM; `grp` (a grouped conv), chunk j // P of `g` conv groups (counted from
    the first group the block's columns meet) at output position j % P, each group's input channels
    feeding the block's rows and its columns reading its output channels; `row`, row j of the input
    viewed as a matrix.
    """

    xbar = attribute(NonNegative, doc="the crossbar")
    cells = attribute(_box, doc="the crossbar region")
    acc = attribute(Symbol, doc="the int32 accumulator the products add into")
    src = attribute(Symbol, doc="the input tensor")
    weight = attribute(Symbol, doc="the weight the region holds")
    block = attribute(_box, doc="the block of the weight's matrix the region holds")
    mode = attribute(_mode, doc='addressing: "conv", "dw", "grp" or "row"')
    k = opt_attribute(Ints, doc="kernel [kh, kw] (conv, dw)")
    s = opt_attribute(Ints, doc="strides (conv, dw)")
    p = opt_attribute(Ints, doc="pads [top, left, bottom, right] (conv, dw)")
    d = opt_attribute(Ints, doc="dilations (conv, dw)")
    g = opt_attribute(Int, doc="channels (dw) or conv groups (grp) per MVM")
    copy = attribute(NonNegative, doc="the layer copy (replica) that runs it")
    start = attribute(NonNegative, doc="first MVM index")
    count = attribute(NonNegative, doc="number of MVMs")

    @property
    def addressing(self) -> dict[str, object]:
        """The addressing arguments present, in `.isa` order (k, s, p, d, g)."""
        return {key: getattr(self, key) for key in (*MVM_WINDOW_ARGS, "g") if key in self.attributes}

    def verify_(self) -> None:
        grouped = {*MVM_WINDOW_ARGS, "g"}
        expected = {"conv": set(MVM_WINDOW_ARGS), "dw": grouped, "grp": grouped, "row": set()}[self.mode]
        present = set(self.addressing)
        if present != expected:
            raise VerifyError(f"mode '{self.mode}' takes the arguments {sorted(expected) or 'none'}, got "
                              f"{sorted(present) or 'none'}")


class DigitalUnitOp(Instruction):
    """An instruction of the digital unit, which charges it `elems` elementary operations."""

    @property
    def mnemonic(self) -> str:
        """Its name in the `.isa` text (and in traces)."""
        return self.name[len("isa."):]


@irdl_op("isa.accum")
class AccumOp(DigitalUnitOp):
    """`accum %c.acc <- %c.acc tiles=2 elems N`: adds up the partial sums of a layer's row tiles."""

    acc = attribute(Symbol, doc="the accumulator")
    tiles = attribute(NonNegative, doc="row tiles summed")
    elems = attribute(NonNegative, doc="elementary operations")


@irdl_op("isa.requant")
class RequantOp(DigitalUnitOp):
    """`requant %c <- %c.acc w=w0 elems N`: adds the int32 bias, scales by s_in * s_w[col] / s_out, rounds
    to int8."""

    dst = attribute(Symbol, doc="the int8 result tensor")
    acc = attribute(Symbol, doc="the accumulator")
    weight = attribute(Symbol, doc="the weight (its scales and bias)")
    elems = attribute(NonNegative, doc="elementary operations")


@irdl_op("isa.digital")
class DigitalOp(DigitalUnitOp):
    """`relu %r <- %c elems N`: nn op `nn.<opcode>` on the digital unit, on dequantized inputs; its result is
    quantized to the destination's scale. `args` are attributes of that nn op."""

    opcode = attribute(Str, doc="the nn op's name without 'nn.'")
    dst = attribute(Symbol, doc="the result tensor")
    srcs = attribute(Symbols, doc="the operands (tensors or constants)")
    args = opt_attribute(Dict, doc="the nn op's attributes (none: no arguments)")
    elems = attribute(NonNegative, doc="elementary operations")

    @property
    def mnemonic(self) -> str:
        return self.opcode

    def arg_attributes(self) -> dict[str, Attribute]:
        """`args` as attributes (a unit flag stays a UnitAttr)."""
        a = self.attributes.get("args")
        return a.as_dict() if a is not None else {}

    def verify_(self) -> None:
        nn_op = lookup_op("nn." + self.opcode)
        if nn_op is None or self.opcode == "constant":
            raise VerifyError(f"unknown opcode '{self.opcode}' (expected an nn op's name without 'nn.')")
        declared = {d.name: d for d in nn_op.DEFINITION.attributes}
        for key, value in self.arg_attributes().items():
            if key not in declared:
                raise VerifyError(f"'{self.opcode}' has no argument '{key}'")
            if not satisfies(value, declared[key].constraint):
                raise VerifyError(f"argument '{key}' must be {describe(declared[key].constraint)}, got {value}")


@irdl_op("isa.send")
class SendOp(Instruction):
    """`send %c bytes 16384`: moves a stage's int8 result over the inter-tile bus."""

    tensor = attribute(Symbol, doc="the tensor sent")
    bytes = attribute(NonNegative, doc="bytes moved")


# ---- power-failure-safe execution (docs/intermittent.md) -------------------------------------------------
# Under intermittent power a stage runs as power cycles: `resume` ... `commit`. Tensors live in non-volatile
# memory (NVM); accumulators are volatile and lost at a power failure, so a cycle restores the partial sums
# it continues, and preserves them (double buffered: two NVM slots per tile, the cycle's `commit` of the loop
# index is the one write that makes them current) or stores the finished outputs.
_slot = Int.where(lambda v: v in (0, 1), "0 or 1 (one of a tile's two NVM slots)")


@irdl_op("isa.resume")
class ResumeOp(Instruction):
    """`resume cycle 3`: power cycle 3 begins: reboot, read the committed loop index; a device that finds
    index 3 runs on from here."""

    cycle = attribute(NonNegative, doc="the power cycle (its position in the program)")


@irdl_op("isa.commit")
class CommitOp(Instruction):
    """`commit cycle 3`: one atomic write of the loop index (cycle 3 is done), then power down until the
    capacitor is charged again (one batch per charge)."""

    cycle = attribute(NonNegative, doc="the power cycle it ends")


@irdl_op("isa.load")
class LoadOp(Instruction):
    """`load %x transfers 36 elems 4`: fetches an input tile from NVM into the tile buffer, `transfers`
    transfers (one per input pixel) of `elems` elements."""

    tensor = attribute(Symbol, doc="the input tensor")
    transfers = attribute(NonNegative, doc="NVM transfers")
    elems = attribute(NonNegative, doc="elements per transfer")


class TileTransferOp(Instruction):
    """A transfer of an accumulator tile: MVM positions [start, start + count) x columns `cols`, one NVM
    transfer per position (each op declares `start, count, cols = _tile_fields()`)."""


def _tile_fields():
    """The `start`, `count` and `cols` attributes of a tile transfer (fresh ones for each op)."""
    return (attribute(NonNegative, doc="first MVM position"), attribute(NonNegative, doc="positions"),
            attribute(RangeOf, doc="[begin, end) columns of the accumulator"))


@irdl_op("isa.restore")
class RestoreOp(TileTransferOp):
    """`restore %c.acc <- slot 1 mvms 0+4 cols [0:8]`: reads a tile's partial sums from its NVM slot into
    the accumulator."""

    acc = attribute(Symbol, doc="the accumulator")
    slot = attribute(_slot, doc="the NVM slot read")
    start, count, cols = _tile_fields()


@irdl_op("isa.preserve")
class PreserveOp(TileTransferOp):
    """`preserve %c.acc -> slot 0 mvms 0+4 cols [0:8]`: writes a tile's partial sums to an NVM slot (the one
    the current version is not in)."""

    acc = attribute(Symbol, doc="the accumulator")
    slot = attribute(_slot, doc="the NVM slot written")
    start, count, cols = _tile_fields()


@irdl_op("isa.store")
class StoreOp(TileTransferOp):
    """`store %c <- %c.acc w=w0 mvms 0+4 cols [0:8]`: requantizes a finished tile (bias, scales) and writes
    its int8 outputs into the tensor in NVM (written once, so a repeated store writes the same bytes)."""

    dst = attribute(Symbol, doc="the int8 result tensor")
    acc = attribute(Symbol, doc="the accumulator")
    weight = attribute(Symbol, doc="the weight (its scales and bias)")
    start, count, cols = _tile_fields()


CHECKPOINT_OPS = (ResumeOp, CommitOp, LoadOp, RestoreOp, PreserveOp, StoreOp)


# ---- the program -----------------------------------------------------------------------------------------
@irdl_op("isa.program", traits=[IsolatedFromAbove, NoTerminator,
                                RegionHolds(Declaration, what="isa declarations and stages", on_child=True)])
class ProgramOp(Operation):
    """A whole `.isa` program: header, declarations, weight programming and stages, in that order."""

    body = region("declarations, `isa.write`s, then `isa.stage`s")
    version = attribute(Int, doc="format version")
    target = attribute(TargetAttr, doc="the hardware (MVM latency, digital lanes, bus width)")
    xbars = attribute(NonNegative, doc="crossbars used")
    rows = attribute(NonNegative, doc="word lines per crossbar")
    cols = attribute(NonNegative, doc="bit lines per crossbar")

    @property
    def ops(self) -> list[Operation]:
        return self.regions[0].blocks[0].ops

    def _of(self, kind: type) -> list:
        return [op for op in self.ops if isinstance(op, kind)]

    @property
    def tensors(self) -> list[TensorOp]:
        return self._of(TensorOp)

    @property
    def inputs(self) -> list[TensorOp]:
        return [t for t in self.tensors if t.input]

    @property
    def consts(self) -> list[ConstOp]:
        return self._of(ConstOp)

    @property
    def outputs(self) -> list[str]:
        return [o.tensor for o in self._of(OutputOp)]

    @property
    def weights(self) -> list[WeightOp]:
        return self._of(WeightOp)

    @property
    def writes(self) -> list[WriteOp]:
        return self._of(WriteOp)

    @property
    def stages(self) -> list[StageOp]:
        return self._of(StageOp)

    def tensor(self, name: str) -> TensorOp:
        for t in self.tensors:
            if t.sym_name == name:
                return t
        raise KeyError(name)

    def weight(self, name: str) -> WeightOp:
        for w in self.weights:
            if w.sym_name == name:
                return w
        raise KeyError(name)

    def instruction_count(self) -> int:
        """`program` lines plus stage instructions."""
        return len(self.writes) + sum(len(s.instructions) for s in self.stages)

    def verify_(self) -> None:
        if len(self.regions[0].blocks) != 1:
            raise VerifyError("expects one block")
        symbols: dict[str, Operation] = {}
        for op in self.ops:
            name = op.attributes.get("sym_name")
            if isinstance(name, StringAttr):
                if name.value in symbols:
                    raise VerifyError(f"redefinition of symbol named '{name.value}'", op=op,
                                      notes=[(symbols[name.value], "see existing symbol definition here")])
                symbols[name.value] = op
        programmed = self._verify_writes(symbols)
        for out in self._of(OutputOp):
            if not isinstance(symbols.get(out.tensor), TensorOp):
                raise VerifyError(f"output %{out.tensor} is not declared", op=out)
        cycle = 0
        for index, stage in enumerate(self.stages):
            for d in stage.deps:
                if not 0 <= d < index:
                    raise VerifyError(f"stage {index} depends on stage {d}, which does not come before it", op=stage)
            _verify_stage(index, stage, symbols, programmed)
            cycle = _verify_cycles(index, stage, symbols, cycle)
        if 0 < cycle and any(not s.power_cycles for s in self.stages):
            bare = next(i for i, s in enumerate(self.stages) if not s.power_cycles)
            raise VerifyError(f"stage {bare} runs outside power cycles, but the program resumes only at a "
                              f"'resume' (every stage of a power-failure-safe program needs them)",
                              op=self.stages[bare])

    @property
    def power_cycles(self) -> int:
        """Power cycles of a power-failure-safe program (0: a program for continuous power)."""
        return sum(s.power_cycles for s in self.stages)

    def _verify_writes(self, symbols: dict[str, Operation]) -> dict[int, list[tuple]]:
        """Each write inside the crossbars, of a declared weight, overlapping no other; returns per crossbar
        its (cells, weight, block) entries."""
        regions: dict[int, list[tuple]] = {}
        for g in self.writes:
            r0, r1, c0, c1 = g.cells
            if not (g.xbar < self.xbars and r1 <= self.rows and c1 <= self.cols):
                raise VerifyError(f"program xb{g.xbar}{_box_text(g.cells)} is outside the {self.xbars} crossbars "
                                  f"of {self.rows}x{self.cols}", op=g)
            if not isinstance(symbols.get(g.weight), WeightOp):
                raise VerifyError(f"program xb{g.xbar}: unknown weight @{g.weight}", op=g)
            for (s0, s1, d0, d1), _, _ in regions.get(g.xbar, []):
                if s0 < r1 and r0 < s1 and d0 < c1 and c0 < d1:
                    raise VerifyError(f"program xb{g.xbar}{_box_text(g.cells)} overlaps [{s0}:{s1},{d0}:{d1}]", op=g)
            regions.setdefault(g.xbar, []).append((g.cells, g.weight, g.block))
        return regions


def _verify_stage(index: int, stage: StageOp, symbols: dict[str, Operation], programmed: dict[int, list]) -> None:
    """Every instruction names declared tensors; MVMs run on regions programmed with what they read;
    accumulators are read in the stage whose MVMs wrote them."""
    def need(op: Operation, name: str, kinds: tuple, what: str) -> None:
        if not isinstance(symbols.get(name), kinds):
            raise VerifyError(f"stage {index}: {op.name[4:]} reads undeclared {what} %{name}", op=op)

    accumulators = set()
    for ins in stage.instructions:
        if isinstance(ins, MvmOp):
            if (ins.cells, ins.weight, ins.block) not in programmed.get(ins.xbar, []):
                raise VerifyError(f"stage {index}: mvm on xb{ins.xbar}{_box_text(ins.cells)}, which is not "
                                  f"programmed with @{ins.weight}{list(ins.block)}", op=ins)
            need(ins, ins.src, (TensorOp,), "tensor")
            accumulators.add(ins.acc)
        elif isinstance(ins, (AccumOp, RequantOp)) and ins.acc not in accumulators:
            raise VerifyError(f"stage {index}: no mvm of the stage writes the accumulator %{ins.acc}", op=ins)
        if isinstance(ins, RequantOp):
            need(ins, ins.weight, (WeightOp,), "weight")
        elif isinstance(ins, DigitalOp):
            for s in ins.srcs:
                need(ins, s, (TensorOp, ConstOp), "tensor")
        if isinstance(ins, (RequantOp, DigitalOp)) and not isinstance(symbols.get(ins.dst), TensorOp):
            raise VerifyError(f"stage {index}: {ins.name[4:]} writes undeclared tensor %{ins.dst}", op=ins)
        if isinstance(ins, SendOp):
            need(ins, ins.tensor, (TensorOp,), "tensor")


def _verify_cycles(index: int, stage: StageOp, symbols: dict[str, Operation], cycle: int) -> int:
    """A checkpointed stage is a run of power cycles `resume K` ... `commit K`, numbered on from `cycle`;
    its tile transfers name accumulators its MVMs write, and no `requant` reads an accumulator a power
    failure can lose. Returns the next cycle number."""
    if not stage.power_cycles:
        for ins in stage.instructions:
            if isinstance(ins, CHECKPOINT_OPS):
                raise VerifyError(f"stage {index}: {ins.name[4:]} outside a power cycle", op=ins)
        return cycle
    accumulators = {m.acc for m in stage.mvms}
    open_cycle = None
    for ins in stage.instructions:
        if isinstance(ins, ResumeOp):
            if open_cycle is not None:
                raise VerifyError(f"stage {index}: resume cycle {ins.cycle} inside cycle {open_cycle}", op=ins)
            if ins.cycle != cycle:
                raise VerifyError(f"stage {index}: resume cycle {ins.cycle}, expected cycle {cycle}", op=ins)
            open_cycle = ins.cycle
            continue
        if open_cycle is None:
            raise VerifyError(f"stage {index}: {ins.name[4:]} outside a power cycle", op=ins)
        if isinstance(ins, CommitOp):
            if ins.cycle != open_cycle:
                raise VerifyError(f"stage {index}: commit cycle {ins.cycle} ends cycle {open_cycle}", op=ins)
            open_cycle, cycle = None, cycle + 1
        elif isinstance(ins, (RestoreOp, PreserveOp, StoreOp)) and ins.acc not in accumulators:
            raise VerifyError(f"stage {index}: no mvm of the stage writes the accumulator %{ins.acc}", op=ins)
        elif isinstance(ins, RequantOp):
            raise VerifyError(f"stage {index}: requant reads %{ins.acc}, which a power failure loses "
                              f"(a power-failure-safe stage stores each finished tile)", op=ins)
        if isinstance(ins, StoreOp):
            if not isinstance(symbols.get(ins.weight), WeightOp):
                raise VerifyError(f"stage {index}: store reads undeclared weight %{ins.weight}", op=ins)
            if not isinstance(symbols.get(ins.dst), TensorOp):
                raise VerifyError(f"stage {index}: store writes undeclared tensor %{ins.dst}", op=ins)
        if isinstance(ins, LoadOp) and not isinstance(symbols.get(ins.tensor), TensorOp):
            raise VerifyError(f"stage {index}: load reads undeclared tensor %{ins.tensor}", op=ins)
    if open_cycle is not None:
        raise VerifyError(f"stage {index}: cycle {open_cycle} has no commit", op=stage)
    return cycle


def program_of(op: Operation) -> ProgramOp | None:
    """`op` if it is an `isa.program`, else the `isa.program` at the top level of module `op` (or None)."""
    if isinstance(op, ProgramOp):
        return op
    for child in op.regions[0].blocks[0].ops if op.regions and op.regions[0].blocks else ():
        if isinstance(child, ProgramOp):
            return child
    return None


DIALECT = Dialect("isa", [ProgramOp, TensorOp, ConstOp, OutputOp, WeightOp, WriteOp, StageOp, MvmOp, AccumOp,
                          RequantOp, DigitalOp, SendOp, *CHECKPOINT_OPS],
                  doc="The crossbar instruction stream (.isa) as IR: declarations, weight programming, stages.")
