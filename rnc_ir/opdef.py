"""Declarative op definitions, in the spirit of xDSL's IRDL.

    @irdl_op("nn.relu", traits=[Pure])
    class ReluOp(Operation):
        '''Elementwise max(x, 0).'''
        input = operand(TensorType)
        output = result(TensorType)

The decorator collects the fields, derives typed accessors (`op.input`, `op.output`), a keyword builder
(`ReluOp.build(input=x, output=t)`) and the structural checks the verifier runs before `verify_`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

from .attributes import Attribute, to_attr
from .core import Operation, Region, Value
from .types import Type

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
    def __init__(self, name: str, doc: str) -> None:
        self.name, self.doc = name, doc

    def __repr__(self) -> str:
        return self.name


Pure = Trait("Pure", "no side effects: removable when its results are unused")
IsTerminator = Trait("IsTerminator", "must be the last op of its block")
IsolatedFromAbove = Trait("IsolatedFromAbove", "its regions cannot use values defined outside")
NoTerminator = Trait("NoTerminator", "its single-block regions need no terminator")


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
    default = None if d.default is None else to_attr(d.default)

    def get(self: Operation):
        return self.attributes.get(d.name, default)
    return property(get)


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


def _count_text(defs) -> str:
    fixed = sum(1 for d in defs if d.kind == "single")
    opt = sum(1 for d in defs if d.kind == "optional")
    if any(d.kind == "variadic" for d in defs):
        return f"at least {fixed}"
    return f"{fixed}" if not opt else f"{fixed} to {fixed + opt}"
