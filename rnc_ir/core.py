"""The IR's data structures: SSA values, operations, blocks and regions.

An `Operation` has a name, operands (SSA values), results, attributes, regions and a location. Registered
ops are subclasses declared with `rnc.ir.opdef` (their fields describe operands, results and attributes);
ops of unregistered dialects are plain `Operation`s that round-trip untouched.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator, Sequence

from .attributes import Attribute, python_value, to_attr
from .diagnostics import SourceLoc
from .location import Location
from .types import Type

if TYPE_CHECKING:
    from .opdef import OpDefinition


class Use:
    """One use of a value: operand `index` of `op`."""

    __slots__ = ("op", "index")

    def __init__(self, op: "Operation", index: int) -> None:
        self.op = op
        self.index = index


class Value:
    """An SSA value: an op result or a block argument."""

    __slots__ = ("type", "name_hint", "uses")

    def __init__(self, type: Type, name_hint: str | None = None) -> None:
        self.type = type
        self.name_hint = name_hint
        self.uses: list[Use] = []

    @property
    def has_uses(self) -> bool:
        return bool(self.uses)

    @property
    def users(self) -> list["Operation"]:
        return [u.op for u in self.uses]

    def replace_all_uses_with(self, other: "Value") -> None:
        for use in list(self.uses):
            use.op.set_operand(use.index, other)

    @property
    def owner(self) -> "Operation | Block":
        raise NotImplementedError


class OpResult(Value):
    __slots__ = ("op", "index")

    def __init__(self, type: Type, op: "Operation", index: int, name_hint: str | None = None) -> None:
        super().__init__(type, name_hint)
        self.op = op
        self.index = index

    @property
    def owner(self) -> "Operation":
        return self.op

    def __repr__(self) -> str:
        return f"<OpResult #{self.index} of {self.op.name} : {self.type}>"


class BlockArgument(Value):
    """An argument of a block; `location` is printed after its type (`%x: f32 loc("input")`)."""

    __slots__ = ("block", "index", "location")

    def __init__(self, type: Type, block: "Block", index: int, name_hint: str | None = None,
                 location: Location | None = None) -> None:
        super().__init__(type, name_hint)
        self.block = block
        self.index = index
        self.location = location

    @property
    def owner(self) -> "Block":
        return self.block

    def __repr__(self) -> str:
        return f"<BlockArgument #{self.index} : {self.type}>"


class Operation:
    """An operation. Registered op classes add typed accessors for their operands and attributes."""

    # Set on registered subclasses by `rnc.ir.opdef.irdl_op`.
    OP_NAME: ClassVar[str | None] = None
    DEFINITION: ClassVar["OpDefinition | None"] = None
    TRAITS: ClassVar[frozenset] = frozenset()

    __slots__ = ("name", "_operands", "results", "attributes", "regions", "location", "span", "parent",
                 "__weakref__", "__dict__")

    def __init__(self, name: str | None = None, operands: Sequence[Value] = (), result_types: Sequence[Type] = (),
                 attributes: dict[str, Attribute] | None = None, regions: Sequence["Region"] = (),
                 location: Location | None = None, span: SourceLoc | None = None,
                 result_names: Sequence[str | None] | None = None) -> None:
        self.name = name or self.OP_NAME
        if self.name is None:
            raise ValueError("an unregistered Operation needs a name")
        self._operands: list[Value] = []
        for i, v in enumerate(operands):
            self._operands.append(v)
            v.uses.append(Use(self, i))
        names = list(result_names or ())
        names += [None] * (len(result_types) - len(names))
        self.results = [OpResult(t, self, i, names[i]) for i, t in enumerate(result_types)]
        self.attributes: dict[str, Attribute] = dict(attributes or {})
        self.regions: list[Region] = []
        for r in regions:
            self.add_region(r)
        self.location = location
        self.span = span
        self.parent: Block | None = None

    # ---- construction ---------------------------------------------------------------------------------
    @classmethod
    def create(cls, operands: Sequence[Value] = (), result_types: Sequence[Type] = (),
               attributes: dict[str, Any] | None = None, regions: Sequence["Region"] = (),
               location: Location | None = None, **kw) -> "Operation":
        attrs = {k: to_attr(v) for k, v in (attributes or {}).items()}
        return cls(None, operands, result_types, attrs, regions, location, **kw)

    def add_region(self, region: "Region") -> "Region":
        if region.parent is not None:
            raise ValueError("region already belongs to an operation")
        region.parent = self
        self.regions.append(region)
        return region

    # ---- operands -------------------------------------------------------------------------------------
    @property
    def operands(self) -> tuple[Value, ...]:
        return tuple(self._operands)

    def set_operand(self, index: int, value: Value) -> None:
        old = self._operands[index]
        old.uses = [u for u in old.uses if not (u.op is self and u.index == index)]
        self._operands[index] = value
        value.uses.append(Use(self, index))

    def set_operands(self, values: Sequence[Value]) -> None:
        self.drop_all_uses_of_operands()
        self._operands = list(values)
        for i, v in enumerate(self._operands):
            v.uses.append(Use(self, i))

    def drop_all_uses_of_operands(self) -> None:
        for v in self._operands:
            v.uses = [u for u in v.uses if u.op is not self]

    # ---- results, attributes --------------------------------------------------------------------------
    @property
    def result(self) -> OpResult:
        """The single result (an error for ops with another number of results)."""
        if len(self.results) != 1:
            raise ValueError(f"'{self.name}' has {len(self.results)} results, not 1")
        return self.results[0]

    @property
    def result_types(self) -> list[Type]:
        return [r.type for r in self.results]

    def get_attr(self, name: str, default=None):
        return self.attributes.get(name, default)

    def attr_value(self, name: str, default=None):
        """The Python value of a simple attribute (`python_value`: an array as a tuple), or `default`."""
        a = self.attributes.get(name)
        return default if a is None else python_value(a)

    def set_attr(self, name: str, value: Any) -> None:
        self.attributes[name] = to_attr(value)

    # ---- structure ------------------------------------------------------------------------------------
    @property
    def parent_op(self) -> "Operation | None":
        if self.parent is None or self.parent.parent is None:
            return None
        return self.parent.parent.parent

    def has_trait(self, trait: Any) -> bool:
        return trait in self.TRAITS

    def walk(self) -> Iterator["Operation"]:
        """This op and every op nested in it, in pre-order."""
        yield self
        for region in self.regions:
            for block in region.blocks:
                for op in list(block.ops):
                    yield from op.walk()

    def erase(self) -> None:
        """Removes this op from its block and drops its operand uses; its results must be unused."""
        for r in self.results:
            if r.uses:
                raise ValueError(f"cannot erase '{self.name}': result #{r.index} still has uses")
        for op in list(self.walk())[1:]:
            op.drop_all_uses_of_operands()
        self.drop_all_uses_of_operands()
        if self.parent is not None:
            self.parent.remove(self)

    def detach(self) -> "Operation":
        if self.parent is not None:
            self.parent.remove(self)
        return self

    def clone_shallow(self) -> "Operation":
        """A copy with the same operands, attributes and result types and no regions."""
        op = type(self)(self.name, self._operands, self.result_types, dict(self.attributes), (),
                        self.location, self.span, [r.name_hint for r in self.results])
        return op

    def clone(self, mapping: dict[Value, Value] | None = None) -> "Operation":
        """A deep copy, regions included. Operands found in `mapping` are replaced by their image; values
        defined inside the op map to their copies, and `mapping` is extended with this op's results."""
        mapping = {} if mapping is None else mapping
        operands = [mapping.get(v, v) for v in self._operands]
        op = type(self)(self.name, operands, self.result_types, dict(self.attributes), (),
                        self.location, self.span, [r.name_hint for r in self.results])
        for region in self.regions:
            new_region = Region()
            for block in region.blocks:
                new_block = Block([a.type for a in block.args], [a.name_hint for a in block.args])
                new_block.label = block.label
                for old_arg, new_arg in zip(block.args, new_block.args):
                    new_arg.location = old_arg.location
                    mapping[old_arg] = new_arg
                new_region.add_block(new_block)
            for block, new_block in zip(region.blocks, new_region.blocks):
                for inner in block.ops:
                    new_block.append(inner.clone(mapping))
            op.add_region(new_region)
        for old, new in zip(self.results, op.results):
            mapping[old] = new
        return op

    def __repr__(self) -> str:
        return f"<{self.name} {len(self._operands)} operands, {len(self.results)} results>"

    def __str__(self) -> str:
        from .printer import Printer
        return Printer().print_op_to_string(self)

    # Registered ops override this with their checks; raise VerifyError.
    def verify_(self) -> None:
        pass


class Block:
    """A list of operations with block arguments."""

    __slots__ = ("args", "ops", "parent", "label")

    def __init__(self, arg_types: Iterable[Type] = (), arg_names: Iterable[str | None] | None = None) -> None:
        types = list(arg_types)
        names = list(arg_names) if arg_names is not None else [None] * len(types)
        self.args = [BlockArgument(t, self, i, names[i]) for i, t in enumerate(types)]
        self.ops: list[Operation] = []
        self.parent: Region | None = None
        self.label: str | None = None

    def add_arg(self, type: Type, name: str | None = None) -> BlockArgument:
        arg = BlockArgument(type, self, len(self.args), name)
        self.args.append(arg)
        return arg

    def append(self, op: Operation) -> Operation:
        self._adopt(op)
        self.ops.append(op)
        return op

    def insert(self, index: int, op: Operation) -> Operation:
        self._adopt(op)
        self.ops.insert(index, op)
        return op

    def insert_before(self, anchor: Operation, op: Operation) -> Operation:
        return self.insert(self.index_of(anchor), op)

    def insert_after(self, anchor: Operation, op: Operation) -> Operation:
        return self.insert(self.index_of(anchor) + 1, op)

    def index_of(self, op: Operation) -> int:
        if op.parent is self:
            for i, o in enumerate(self.ops):  # identity, never __eq__
                if o is op:
                    return i
        raise ValueError(f"'{op.name}' is not in this block")

    def remove(self, op: Operation) -> None:
        del self.ops[self.index_of(op)]
        op.parent = None

    def _adopt(self, op: Operation) -> None:
        if op.parent is not None:
            raise ValueError(f"'{op.name}' already belongs to a block; detach it first")
        op.parent = self

    @property
    def terminator(self) -> Operation | None:
        return self.ops[-1] if self.ops else None

    def __iter__(self) -> Iterator[Operation]:
        return iter(list(self.ops))

    def __len__(self) -> int:
        return len(self.ops)


class Region:
    """A list of blocks owned by an operation."""

    __slots__ = ("blocks", "parent")

    def __init__(self, blocks: Iterable[Block] = ()) -> None:
        self.blocks: list[Block] = []
        self.parent: Operation | None = None
        for b in blocks:
            self.add_block(b)

    def add_block(self, block: Block) -> Block:
        block.parent = self
        self.blocks.append(block)
        return block

    @property
    def block(self) -> Block:
        """The single block of a single-block region."""
        if len(self.blocks) != 1:
            raise ValueError(f"region has {len(self.blocks)} blocks, not 1")
        return self.blocks[0]

    def walk(self) -> Iterator[Operation]:
        for b in self.blocks:
            for op in list(b.ops):
                yield from op.walk()
