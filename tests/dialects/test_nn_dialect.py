"""The nn dialect's declarations: documented ops and attributes, and builders that infer result types."""
import pytest

from rnc.dialects.nn import DIALECT, Conv2dOp, MaxPoolOp, ReshapeOp
from rnc.ir.core import Value
from rnc.ir.opdef import VerifyError
from rnc.ir.types import tensor


@pytest.mark.parametrize("op", DIALECT.ops, ids=lambda op: op.OP_NAME)
def test_every_op_and_attribute_is_documented(op):
    assert op.DEFINITION.summary, f"{op.OP_NAME} has no docstring summary"
    undocumented = [a.name for a in op.DEFINITION.attributes if not a.doc]
    assert not undocumented, f"{op.OP_NAME}: attributes without doc: {undocumented}"


def test_make_infers_result_types():
    x = Value(tensor((1, 3, 32, 32)))
    conv = Conv2dOp.make(input=x, weight=Value(tensor((16, 3, 3, 3))), strides=[2, 2], pads=[1, 1, 1, 1])
    assert conv.results[0].type == tensor((1, 16, 16, 16))
    pool = MaxPoolOp.make(input=conv.results[0], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=True)
    assert pool.results[0].type == tensor((1, 16, 8, 8)) and pool.ceil_mode is not None
    assert ReshapeOp.make(input=x, shape=(3, 1024)).results[0].type == tensor((3, 1024))


def test_make_rejects_bad_shapes_with_mlir_style_messages():
    with pytest.raises(VerifyError, match=r"expects 4-d input, got tensor<3x64x64xf32>"):
        Conv2dOp.make(input=Value(tensor((3, 64, 64))), weight=Value(tensor((8, 3, 3, 3))))
