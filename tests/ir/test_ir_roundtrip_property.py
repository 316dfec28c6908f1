"""Property: for any module built in Python, print(parse(print(m))) == print(m).

Modules are random: every type and attribute kind (dense literals and resources included), nested regions and
blocks with arguments, multi-result ops, unregistered ops, odd names and locations.
"""
import itertools
import string

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnc.dialects.builtin import ModuleOp
from rnc.dialects.func import FuncOp, ReturnOp
from rnc.ir import attributes as A
from rnc.ir.core import Block, Operation, Region
from rnc.ir.location import FileLineColLoc, NameLoc, UnknownLoc
from rnc.ir.parser import parse_module
from rnc.ir.printer import print_module
from rnc.ir.types import (FloatType, FunctionType, IndexType, IntegerType, OpaqueType, TensorType, bf16, f16, f32,
                          f64, index, none)
from rnc.ir.verifier import verify

FLOATS = [f16, bf16, f32, f64]
INTEGERS = [IntegerType(1), IntegerType(8), IntegerType(16), IntegerType(32), IntegerType(64), IntegerType(17),
            IntegerType(8, "s"), IntegerType(8, "u"), IntegerType(32, "u")]
ELEMENTS = FLOATS + INTEGERS + [index]
IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
BODY_TEXT = st.from_regex(r"[a-z0-9 ,x]{0,8}", fullmatch=True)


# ---- types ---------------------------------------------------------------------------------------------
def tensor_types(static: bool = False, elements=ELEMENTS):
    dim = st.integers(0, 4) if static else st.one_of(st.integers(0, 4), st.none())
    return st.builds(TensorType, st.lists(dim, max_size=3).map(tuple), st.sampled_from(elements))


@st.composite
def opaque_bodies(draw):
    parts = draw(st.lists(st.one_of(BODY_TEXT, BODY_TEXT.map(lambda b: f"<{b}>")), max_size=3))
    return None if draw(st.booleans()) else "".join(parts)


opaque_types = st.builds(OpaqueType, IDENT.map(lambda s: "x" + s), IDENT, opaque_bodies())
simple_types = st.one_of(st.sampled_from(ELEMENTS + [none]), tensor_types(), opaque_types)
types = st.one_of(simple_types, st.builds(FunctionType, st.lists(simple_types, max_size=2).map(tuple),
                                          st.lists(simple_types, max_size=2).map(tuple)))


# ---- attributes ----------------------------------------------------------------------------------------
def integer_range(t):
    if isinstance(t, IndexType):
        return -(1 << 63), (1 << 63) - 1
    if t.signedness == "u":
        return 0, (1 << t.width) - 1
    if t.signedness == "s" or t.width == 1:
        return (-(1 << (t.width - 1)), (1 << (t.width - 1)) - 1) if t.width > 1 else (0, 1)
    return -(1 << (t.width - 1)), (1 << t.width) - 1


@st.composite
def integer_attrs(draw):
    t = draw(st.sampled_from(INTEGERS + [index]))
    lo, hi = integer_range(t)
    return A.IntegerAttr(draw(st.integers(lo, hi)), t)


FLOAT_VALUES = {"f64": st.floats(), "f32": st.floats(width=32), "f16": st.floats(width=16),
                "bf16": st.one_of(st.floats(-1e38, 1e38).map(lambda v: float(np.float32(v))), st.sampled_from([float("inf"), float("nan")]))}


@st.composite
def float_attrs(draw):
    t = draw(st.sampled_from(FLOATS))
    return A.FloatAttr(draw(FLOAT_VALUES[t.name]), t)


@st.composite
def dense_attrs(draw):
    t = draw(tensor_types(static=True, elements=FLOATS[:1] + FLOATS[2:] + INTEGERS[:6] + [index]))
    n = t.num_elements
    e = t.element_type
    if isinstance(e, FloatType):
        values = draw(st.lists(FLOAT_VALUES[e.name], min_size=n, max_size=n))
    else:
        lo, hi = integer_range(e)
        if isinstance(e, IntegerType) and not e.signedness and e.width > 1:
            hi = (1 << (e.width - 1)) - 1  # numpy holds signless integers signed
        values = draw(st.lists(st.integers(max(lo, -(1 << 63)), min(hi, (1 << 63) - 1)), min_size=n, max_size=n))
    if draw(st.booleans()) and n:
        values = [values[0]] * n  # a splat
    return A.DenseAttr(np.array(values, dtype=t.numpy_dtype).reshape(t.shape), t)


_resource_names = (f"blob{i}" if i % 2 else f"{i}.weight-{i}" for i in itertools.count())


@st.composite
def resource_attrs(draw):
    t = draw(tensor_types(static=True, elements=[f32, IntegerType(8), f16]))
    data = draw(st.binary(min_size=t.num_elements * t.numpy_dtype.itemsize,
                          max_size=t.num_elements * t.numpy_dtype.itemsize))
    return A.DenseResourceAttr(A.ResourceBlob(next(_resource_names), data), t)


leaf_attrs = st.one_of(
    integer_attrs(), float_attrs(), st.builds(A.BoolAttr, st.booleans()), st.builds(A.StringAttr, st.text(max_size=8)),
    st.just(A.UnitAttr()), st.builds(A.TypeAttr, types), st.builds(A.SymbolRefAttr, st.text(min_size=1, max_size=6)),
    dense_attrs(), resource_attrs(), st.builds(A.OpaqueAttr, IDENT.map(lambda s: "x" + s), IDENT, opaque_bodies()))
attrs = st.recursive(leaf_attrs, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(lambda xs: A.ArrayAttr(tuple(xs))),
    st.dictionaries(st.text(max_size=5), inner, max_size=3).map(A.DictAttr.of)), max_leaves=6)
attr_dicts = st.dictionaries(st.text(max_size=6), attrs, max_size=3)


# ---- ops, blocks, regions ------------------------------------------------------------------------------
names = st.one_of(st.none(), st.sampled_from(["x", "x", "x_1", "0", "7", "conv/1", "a.b", "$v", "-"]),
                  st.text(max_size=4))
locations = st.one_of(st.none(), st.builds(NameLoc, st.text(max_size=6)),
                      st.builds(FileLineColLoc, st.text(max_size=6), st.integers(0, 99), st.integers(0, 99)),
                      st.just(UnknownLoc()))


@st.composite
def block_of_ops(draw, visible, depth, arg_types=None):
    """A block whose ops use only `visible` values (and its own, in order)."""
    arg_types = draw(st.lists(simple_types, max_size=2)) if arg_types is None else arg_types
    block = Block(arg_types, [draw(names) for _ in arg_types])
    block.label = draw(st.one_of(st.none(), IDENT))
    for arg in block.args:
        arg.location = draw(locations)
    scope = list(visible) + list(block.args)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(operations(scope, depth))
        block.append(op)
        scope.extend(op.results)
    return block


@st.composite
def operations(draw, visible, depth):
    operands = draw(st.lists(st.sampled_from(visible), max_size=3)) if visible else []
    result_types = draw(st.lists(simple_types, max_size=3))
    regions = []
    if depth < 2:
        for _ in range(draw(st.integers(0, 2))):
            region = Region()
            for _ in range(draw(st.integers(0, 2))):
                region.add_block(draw(block_of_ops(visible, depth + 1)))
            regions.append(region)
    name = draw(st.sampled_from(["test.op", "test.effect", "acme.thing", "acme.other.op"]))
    op = Operation(name, operands, result_types, draw(attr_dicts), regions, draw(locations))
    hint = draw(names)
    for r in op.results:
        r.name_hint = hint if draw(st.booleans()) else draw(names)
    return op


@st.composite
def modules(draw):
    ops = []
    for k in range(draw(st.integers(0, 2))):
        inputs = draw(st.lists(simple_types, max_size=2))
        fn = FuncOp.make(f"f{k}", inputs, [])
        body = draw(block_of_ops([], 0, arg_types=inputs))
        fn.regions[0].blocks[0] = body
        body.parent = fn.regions[0]
        body.append(ReturnOp.build(values=[]))
        ops.append(fn)
    top = draw(block_of_ops([], 0, arg_types=[]))
    ops.extend(top.ops)
    top.ops.clear()
    for op in ops:
        op.parent = None
    return ModuleOp.empty(ops)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(modules())
def test_print_parse_print_is_a_fixed_point(module):
    text = print_module(module)
    again = parse_module(text, "<generated>", allow_unregistered=True)
    verify(again)
    assert print_module(again) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attrs)
def test_every_attribute_reads_back_equal(attr):
    op = Operation("acme.holder", attributes={"a": attr})
    text = print_module(ModuleOp.empty([op]))
    parsed = parse_module(text, allow_unregistered=True).block.ops[0].attributes["a"]
    assert str(parsed) == str(attr)
    assert print_module(ModuleOp.empty([Operation("acme.holder", attributes={"a": parsed})])) == text


def test_generated_names_cover_the_alphabet():
    # A reminder of what `names` draws from: printing must cope with any of these characters.
    assert set("conv/1") - set(string.ascii_letters + string.digits)
