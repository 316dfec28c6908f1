"""The greedy rewrite driver and the Rewriter's operations."""
import pytest

from rnc.ir.attributes import IntegerAttr
from rnc.ir.parser import parse_module
from rnc.ir.printer import print_module
from rnc.ir.rewriting import RewriteLimitError, RewritePattern, apply_patterns_greedily
from rnc.ir.verifier import verify

CHAIN = """
"func.func"() ({
^bb0(%x: i32):
  %a = "test.i32"(%x) {value = 1} : (i32) -> i32
  %b = "test.i32"(%a) {value = 2} : (i32) -> i32
  %c = "test.i32"(%b) {value = 3} : (i32) -> i32
  "func.return"(%c) : (i32) -> ()
}) {function_type = (i32) -> i32, sym_name = "f"} : () -> ()
"""


class MergeAdds(RewritePattern):
    """test.i32(test.i32(x, a), b) -> test.i32(x, a + b)."""

    op_name = "test.i32"

    def match_and_rewrite(self, op, rewriter) -> bool:
        producer = op.operands[0].owner
        if getattr(producer, "name", None) != "test.i32":
            return False
        merged = producer.clone_shallow()
        merged.set_attr("value", producer.attributes["value"].value + op.attributes["value"].value)
        rewriter.replace_op(op, merged)
        return True


def adds(module) -> list[int]:
    return [op.attributes["value"].value for op in module.walk() if op.name == "test.i32"]


def test_patterns_apply_until_nothing_changes_and_dead_ops_go():
    module = parse_module(CHAIN)
    assert apply_patterns_greedily(module, [MergeAdds()])
    verify(module)
    assert adds(module) == [6]
    # clone_shallow keeps the producer's name; a replacement without a name would take the replaced one's.
    assert '%a = "test.i32"(%x) {value = 6 : i64}' in print_module(module)
    assert not apply_patterns_greedily(module, [MergeAdds()])


def test_without_dead_code_removal_the_merged_producers_stay():
    module = parse_module(CHAIN)
    apply_patterns_greedily(module, [MergeAdds()], remove_dead=False)
    verify(module)
    assert sorted(adds(module)) == [1, 3, 6]


def test_modify_op_in_place_requeues_the_users():
    module = parse_module(CHAIN)
    seen = []

    class Double(RewritePattern):
        op_name = "test.i32"

        def match_and_rewrite(self, op, rewriter) -> bool:
            seen.append(op.attributes["value"].value)
            if op.attributes["value"].value % 2:
                op.attributes["value"] = IntegerAttr(op.attributes["value"].value * 2)
                rewriter.modify_op(op)
                return True
            return False

    apply_patterns_greedily(module, [Double()])
    assert adds(module) == [2, 2, 6]
    assert seen.count(2) >= 1


def test_patterns_that_never_converge_hit_the_limit():
    module = parse_module(CHAIN)

    class Forever(RewritePattern):
        op_name = "test.i32"

        def match_and_rewrite(self, op, rewriter) -> bool:
            rewriter.modify_op(op)
            return True

    with pytest.raises(RewriteLimitError, match="did not converge"):
        apply_patterns_greedily(module, [Forever()], max_rewrites=50)


def test_ops_inside_an_erased_op_are_not_visited():
    module = parse_module("""
    %r = "test.op"() ({
      "test.effect"() {inner} : () -> ()
    }) : () -> i32
    "test.effect"() : () -> ()
    """)
    visited = []

    class EraseHolder(RewritePattern):
        def match_and_rewrite(self, op, rewriter) -> bool:
            visited.append(op.name + ("(inner)" if "inner" in op.attributes else ""))
            if op.name == "test.op":
                rewriter.erase_op(op)
                return True
            return False

    apply_patterns_greedily(module, [EraseHolder()], max_iterations=1)
    assert "test.effect(inner)" not in visited


def test_rewriter_insertions():
    module = parse_module(CHAIN)
    fn = module.block.ops[0]
    first = fn.entry.ops[0]

    class InsertAround(RewritePattern):
        op_name = "test.i32"

        def match_and_rewrite(self, op, rewriter) -> bool:
            if op is not first or "done" in op.attributes:
                return False
            before = op.clone_shallow()
            before.set_attr("value", 10)
            rewriter.insert_before(op, before)
            after = op.clone_shallow()
            after.set_attr("value", 20)
            rewriter.insert_after(op, after)
            op.set_attr("done", True)
            rewriter.modify_op(op)
            return True

    apply_patterns_greedily(module, [InsertAround()], remove_dead=False)
    assert adds(module)[:3] == [10, 1, 20]
    assert fn.entry.ops[0].span == first.span  # new ops point at the source of what they came from
