"""Declarative op definitions, in the spirit of xDSL's IRDL.

    @irdl_op("nn.relu", traits=[Pure])
    class ReluOp(Operation):
        '''Elementwise max(x, 0).'''
        input = operand(TensorType)
        output = result(TensorType)

The decorator collects the fields, derives typed accessors (`op.input`, `op.output`), a keyword builder
(`ReluOp.build(input=x, output=t)`) and the structural checks the verifier runs before `verify_`.

An attribute declared with a typed constraint (`rnc.ir.typed_attributes`: `Int`, `RangeOf`, `Symbol`, ...)
reads as a Python value (`op.copies` is an int) and can be assigned one (`op.copies = 3`); any other
constraint's accessor returns the attribute. Structure that spans ops is declared as traits, and the
verifier derives the checks: `HasParent("xbar.layer")`, `RegionHolds(TileOp)` ("this region holds only
these ops"), `SameElementType` (every tensor operand has the first one's element type), and
`ModuleInvariant(check)`, a whole-module invariant the enclosing `builtin.module` checks once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

from .attributes import Attribute, to_attr
from .core import Operation, Region, Value
from .typed_attributes import Typed
from .types import TensorType, Type

Kind = Literal["single", "optional", "variadic"]
Constraint = type | tuple[type, ...] | Callable[[Any], bool] | None


class VerifyError(Exception):
    """Raised by `verify_` and the structural checks; the verifier turns it into a diagnostic on the op.

    `op` puts the error on another op than the one being verified (a module reporting its duplicate
    function); `notes` are (op, message) pairs printed after it (`see existing symbol definition here`).
    """

    def __init__(self, message: str, *, op: Operation | None = None,
                 notes: Sequence[tuple[Operation, str]] = ()) -> None:
        super().__init__(message)
        self.op = op
        self.notes = list(notes)


# ---- traits ------------------------------------------------------------------------------------------
class Trait:
    """A property of an op kind; a trait that overrides `verify` is checked on every op that has it."""

    def __init__(self, name: str, doc: str) -> None:
        self.name, self.doc = name, doc

    def verify(self, op: Operation) -> None:
        """Raises VerifyError if `op` breaks the trait (structural traits check nothing)."""

    def __repr__(self) -> str:
        return self.name


def _op_name(op: type[Operation] | str) -> str:
    return op if isinstance(op, str) else op.OP_NAME  # type: ignore[return-value]


class HasParent(Trait):
    """The op sits directly in one of the given ops (classes or names): `HasParent("xbar.layer")`."""

    def __init__(self, *parents: type[Operation] | str) -> None:
        super().__init__("HasParent", "sits directly in one of the given ops")
        self.parents = parents

    def verify(self, op: Operation) -> None:
        names = [_op_name(p) for p in self.parents]
        parent = op.parent_op
        if parent is None or parent.name not in names:
            expected = f"'{names[0]}'" if len(names) == 1 else "to be one of " + ", ".join(f"'{n}'" for n in names)
            raise VerifyError(f"expects parent op {expected}")


class RegionHolds(Trait):
    """Every region of the op holds only the given ops (classes, base classes or names).

    `what` names them in the error (default: their op names); the error is reported on the op at fault
    when `on_child` is set, else on the holder (MLIR reports a region constraint on the op that owns it).
    """

    def __init__(self, *ops: type[Operation] | str, what: str = "", on_child: bool = False) -> None:
        super().__init__("RegionHolds", "its regions hold only the given ops")
        self.ops, self.what, self.on_child = ops, what, on_child

    def verify(self, op: Operation) -> None:
        names = {p for p in self.ops if isinstance(p, str)}
        classes = tuple(p for p in self.ops if not isinstance(p, str))
        for region in op.regions:
            for block in region.blocks:
                for child in block.ops:
                    if child.name not in names and not isinstance(child, classes):
                        what = self.what or " or ".join(f"'{_op_name(p)}'" for p in self.ops) + " ops"
                        raise VerifyError(f"may only contain {what}, found '{child.name}'",
                                          op=child if self.on_child else None)


class _SameElementType(Trait):
    """`SameElementType` (MLIR's SameOperandsElementType): the error names the first operand that differs."""

    def verify(self, op: Operation) -> None:
        defn = type(op).DEFINITION
        seg = _segments(defn.operands, len(op._operands)) if defn is not None else None
        if seg is None:
            return
        first = None
        for d, (start, n) in zip(defn.operands, seg):
            for v in op._operands[start:start + n]:
                t = v.type
                if not isinstance(t, TensorType):
                    continue
                if first is None:
                    first = t
                elif t.element_type != first.element_type:
                    raise VerifyError(f"expects {d.name} of element type {first.element_type}, got {t}")


class ModuleInvariant(Trait):
    """An invariant over the whole module, checked once by the enclosing `builtin.module`'s verifier (not
    by the op, which would re-walk the module): `check(op, module)` raises VerifyError."""

    def __init__(self, check: Callable[[Operation, Operation], None], doc: str = "") -> None:
        super().__init__("ModuleInvariant", doc or (check.__doc__ or "").strip())
        self.check = check


def verify_module_invariants(module: Operation) -> None:
    """Checks the `ModuleInvariant`s of the ops at the top level of `module` (each once)."""
    for region in module.regions:
        for block in region.blocks:
            for op in block.ops:
                for trait in op.TRAITS:
                    if isinstance(trait, ModuleInvariant):
                        trait.check(op, module)


Pure = Trait("Pure", "no side effects: removable when its results are unused")
IsTerminator = Trait("IsTerminator", "must be the last op of its block")
IsolatedFromAbove = Trait("IsolatedFromAbove", "its regions cannot use values defined outside")
NoTerminator = Trait("NoTerminator", "its single-block regions need no terminator")
SameElementType = _SameElementType("SameElementType",
                                   "its tensor operands share the element type of the first one")


# ---- field definitions ---------------------------------------------------------------------------------
@dataclass
class OperandDef:
    constraint: Constraint = None
    kind: Kind = "single"
    doc: str = ""
    name: str = ""


@dataclass
class ResultDef:
    constraint: Constraint = None
    kind: Kind = "single"
    doc: str = ""
    name: str = ""


@dataclass
class AttributeDef:
    constraint: Constraint = None
    optional: bool = False
    default: Any = None
    doc: str = ""
    name: str = ""


@dataclass
class RegionDef:
    kind: Kind = "single"
    doc: str = ""
    name: str = ""


def operand(constraint: Constraint = None, doc: str = "") -> Any:
    return OperandDef(constraint, "single", doc)


def opt_operand(constraint: Constraint = None, doc: str = "") -> Any:
    return OperandDef(constraint, "optional", doc)


def var_operand(constraint: Constraint = None, doc: str = "") -> Any:
    return OperandDef(constraint, "variadic", doc)


def result(constraint: Constraint = None, doc: str = "") -> Any:
    return ResultDef(constraint, "single", doc)


def var_result(constraint: Constraint = None, doc: str = "") -> Any:
    return ResultDef(constraint, "variadic", doc)


def attribute(constraint: Constraint = None, doc: str = "") -> Any:
    return AttributeDef(constraint, False, None, doc)


def opt_attribute(constraint: Constraint = None, default: Any = None, doc: str = "") -> Any:
    """An optional attribute; `default` (a Python value or attribute) is what the accessor returns if absent."""
    return AttributeDef(constraint, True, default, doc)


def region(doc: str = "") -> Any:
    return RegionDef("single", doc)


def var_region(doc: str = "") -> Any:
    return RegionDef("variadic", doc)


@dataclass
class OpDefinition:
    name: str
    operands: list[OperandDef] = field(default_factory=list)
    results: list[ResultDef] = field(default_factory=list)
    attributes: list[AttributeDef] = field(default_factory=list)
    regions: list[RegionDef] = field(default_factory=list)
    summary: str = ""


# ---- segment arithmetic: which flat operands belong to which declared operand ----------------------------
def _segments(defs: Sequence[OperandDef | ResultDef | RegionDef], count: int) -> list[tuple[int, int]] | None:
    """(start, length) of each definition for `count` actual values; None if the count cannot match."""
    fixed = sum(1 for d in defs if d.kind == "single")
    flexible = [d for d in defs if d.kind != "single"]
    spare = count - fixed
    if spare < 0:
        return None
    if not flexible:
        return [(i, 1) for i in range(count)] if spare == 0 else None
    if len(flexible) > 1:
        # Several optional/variadic groups: only the all-optional case is decidable (filled in order).
        if any(d.kind == "variadic" for d in flexible) or spare > len(flexible):
            return None
    out, pos = [], 0
    budget = spare
    for d in defs:
        if d.kind == "single":
            n = 1
        elif d.kind == "optional" and len(flexible) > 1:
            n = 1 if budget > 0 else 0
            budget -= n
        elif d.kind == "optional":
            if spare > 1:
                return None
            n = spare
        else:
            n = spare
        out.append((pos, n))
        pos += n
    return out


def _operand_accessor(index: int) -> property:
    def get(self: Operation):
        defn = type(self).DEFINITION
        seg = _segments(defn.operands, len(self._operands))
        if seg is None:
            raise VerifyError(f"'{self.name}' has {len(self._operands)} operands, which fits no declared form")
        start, n = seg[index]
        d = defn.operands[index]
        if d.kind == "single":
            return self._operands[start]
        if d.kind == "optional":
            return self._operands[start] if n else None
        return tuple(self._operands[start:start + n])
    return property(get)


def _result_accessor(index: int) -> property:
    def get(self: Operation):
        defn = type(self).DEFINITION
        seg = _segments(defn.results, len(self.results))
        if seg is None:
            raise VerifyError(f"'{self.name}' has {len(self.results)} results, which fits no declared form")
        start, n = seg[index]
        if defn.results[index].kind == "single":
            return self.results[start]
        return tuple(self.results[start:start + n])
    return property(get)


def _attribute_accessor(d: AttributeDef) -> property:
    """A typed constraint's accessor reads and assigns Python values; any other reads the attribute."""
    name, c = d.name, d.constraint
    if isinstance(c, Typed):
        convert, put = c.get, c.put
        default = None if d.default is None else convert(put(d.default))

        if c.reads_value:
            def get_value(self: Operation):
                a = self.attributes.get(name)
                return default if a is None else a.value
        else:
            def get_value(self: Operation):
                a = self.attributes.get(name)
                return default if a is None else convert(a)

        def set_value(self: Operation, value: Any) -> None:
            a = put(value)
            if a is None:
                self.attributes.pop(name, None)
            else:
                self.attributes[name] = a
        return property(get_value, set_value, doc=d.doc)
    default_attr = None if d.default is None else to_attr(d.default)

    def get(self: Operation):
        return self.attributes.get(name, default_attr)
    return property(get, doc=d.doc)


def _region_accessor(index: int) -> property:
    def get(self: Operation):
        defn = type(self).DEFINITION
        if defn.regions[index].kind == "variadic":
            return tuple(self.regions[index:])
        return self.regions[index]
    return property(get)


def irdl_op(name: str, traits: Sequence[Trait] = ()):
    """Class decorator declaring a registered op named `name` (`dialect.opname`)."""

    def wrap(cls: type[Operation]) -> type[Operation]:
        defn = OpDefinition(name, summary=(cls.__doc__ or "").strip().split("\n")[0])
        for attr_name, value in list(vars(cls).items()):
            if isinstance(value, OperandDef):
                value.name = attr_name
                setattr(cls, attr_name, _operand_accessor(len(defn.operands)))
                defn.operands.append(value)
            elif isinstance(value, ResultDef):
                value.name = attr_name
                setattr(cls, attr_name, _result_accessor(len(defn.results)))
                defn.results.append(value)
            elif isinstance(value, AttributeDef):
                value.name = attr_name
                setattr(cls, attr_name, _attribute_accessor(value))
                defn.attributes.append(value)
            elif isinstance(value, RegionDef):
                value.name = attr_name
                setattr(cls, attr_name, _region_accessor(len(defn.regions)))
                defn.regions.append(value)
        cls.OP_NAME = name
        cls.DEFINITION = defn
        cls.TRAITS = frozenset(traits) | frozenset(getattr(cls.__mro__[1], "TRAITS", ()))
        cls.CHECKED_TRAITS = tuple(t for t in cls.TRAITS if type(t).verify is not Trait.verify)
        cls.build = classmethod(_build)  # type: ignore[attr-defined]
        return cls

    return wrap


def _build(cls, *, location=None, attributes: dict[str, Any] | None = None, regions: Sequence[Region] = (),
           **fields: Any) -> Operation:
    """Keyword construction: operands as Values, results as Types, attributes as Python values or attrs."""
    defn: OpDefinition = cls.DEFINITION
    operands: list[Value] = []
    for d in defn.operands:
        v = fields.pop(d.name, None)
        if v is None:
            if d.kind == "single":
                raise TypeError(f"{defn.name}: missing operand '{d.name}'")
            continue
        operands.extend(v if d.kind == "variadic" else [v])
    result_types: list[Type] = []
    for d in defn.results:
        t = fields.pop(d.name, None)
        if t is None:
            if d.kind == "single":
                raise TypeError(f"{defn.name}: missing result type '{d.name}'")
            continue
        result_types.extend(t if d.kind == "variadic" else [t])
    attrs = dict(attributes or {})
    for d in defn.attributes:
        if d.name in fields:
            v = fields.pop(d.name)
            if isinstance(d.constraint, Typed):  # a Python value as the accessor would store it
                v = d.constraint.put(v)
            if v is not None:
                attrs[d.name] = v
    if fields:
        raise TypeError(f"{defn.name}: unknown fields {sorted(fields)}")
    return cls.create(operands, result_types, attrs, regions, location)


# ---- structural verification -------------------------------------------------------------------------
def satisfies(value: Any, constraint: Constraint) -> bool:
    if constraint is None:
        return True
    if isinstance(constraint, (type, tuple)):
        return isinstance(value, constraint)
    return bool(constraint(value))


def describe(constraint: Constraint) -> str:
    """What a constraint accepts, in words (a predicate's docstring: "an integer")."""
    if constraint is None:
        return "any"
    if isinstance(constraint, type):
        return constraint.__name__
    if isinstance(constraint, tuple):
        return " or ".join(c.__name__ for c in constraint)
    return getattr(constraint, "__doc__", None) or getattr(constraint, "__name__", "constraint")


def verify_structure(op: Operation) -> None:
    """Checks the op against its declaration: counts, operand/result types, attributes, regions."""
    defn = type(op).DEFINITION
    if defn is None:
        return
    for what, defs, values in (("operand", defn.operands, op.operands), ("result", defn.results, op.results)):
        seg = _segments(defs, len(values))
        if seg is None:
            expected = _count_text(defs)
            raise VerifyError(f"expected {expected} {what}{'s' if expected != '1' else ''}, got {len(values)}")
        for d, (start, n) in zip(defs, seg):
            for v in values[start:start + n]:
                if not satisfies(v.type, d.constraint):
                    raise VerifyError(f"{what} '{d.name}' must be {describe(d.constraint)}, got {v.type}")
    for d in defn.attributes:
        a = op.attributes.get(d.name)
        if a is None:
            if not d.optional:
                raise VerifyError(f"requires attribute '{d.name}'")
            continue
        if not satisfies(a, d.constraint):
            raise VerifyError(f"attribute '{d.name}' must be {describe(d.constraint)}, got {a}")
    if defn.regions or op.regions:
        variadic = any(r.kind == "variadic" for r in defn.regions)
        fixed = sum(1 for r in defn.regions if r.kind == "single")
        if len(op.regions) < fixed or (not variadic and len(op.regions) != fixed):
            raise VerifyError(f"expected {fixed} region{'s' if fixed != 1 else ''}, got {len(op.regions)}")
    verify_traits(op)


def verify_traits(op: Operation) -> None:
    """Checks the traits of `op` that carry a check (HasParent, RegionHolds, SameElementType, ...)."""
    for trait in getattr(type(op), "CHECKED_TRAITS", ()):
        trait.verify(op)


def _count_text(defs) -> str:
    fixed = sum(1 for d in defs if d.kind == "single")
    opt = sum(1 for d in defs if d.kind == "optional")
    if any(d.kind == "variadic" for d in defs):
        return f"at least {fixed}"
    return f"{fixed}" if not opt else f"{fixed} to {fixed + opt}"
