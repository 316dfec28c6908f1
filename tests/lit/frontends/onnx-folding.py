# RUN: %python %s | filecheck %s
# Shape -> Gather -> Unsqueeze -> Concat feeding Reshape, and Constant/ConstantOfShape, fold away: only
# the reshape (with the computed type) and the folded constants remain.
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from rnc.frontends.onnx import import_onnx
from rnc.ir.printer import print_module

i64 = lambda *v: numpy_helper.from_array(np.array(v, dtype=np.int64))  # noqa: E731
nodes = [
    helper.make_node("Shape", ["x"], ["shape"], name="shape"),
    helper.make_node("Constant", [], ["zero"], name="zero", value=i64(0)),
    helper.make_node("Gather", ["shape", "zero"], ["batch"], name="gather", axis=0),
    helper.make_node("Constant", [], ["minus1"], name="minus1", value=i64(-1)),
    helper.make_node("Concat", ["batch", "minus1"], ["target"], name="concat", axis=0),
    helper.make_node("Reshape", ["x", "target"], ["flat"], name="reshape"),
    helper.make_node("ConstantOfShape", ["target_len"], ["ones"], name="ones",
                     value=numpy_helper.from_array(np.array([0.5], np.float32))),
    helper.make_node("Mul", ["flat", "ones"], ["y"], name="scale"),
]
graph = helper.make_graph(nodes, "folding", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(np.array([1], np.int64), "target_len")])
print(print_module(import_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))))

# CHECK-LABEL: ^bb0(%x: tensor<2x3x4xf32>):
# CHECK-NOT:     Shape
# CHECK:         %[[R:.*]] = "nn.reshape"(%x) : (tensor<2x3x4xf32>) -> tensor<2x12xf32> loc("reshape")
# CHECK-NEXT:    %[[K:.*]] = "nn.constant"() {value = dense<0.5> : tensor<1xf32>} : () -> tensor<1xf32> loc("ones")
# CHECK-NEXT:    %[[Y:.*]] = "nn.mul"(%[[R]], %[[K]]) : (tensor<2x12xf32>, tensor<1xf32>) -> tensor<2x12xf32> loc("scale")
# CHECK-NEXT:    "func.return"(%[[Y]])
