# RUN: %python %s | filecheck %s
# Older opsets spell some ops differently: Clip bounds and Pad amounts as attributes (opset 9), Softmax
# over everything from `axis` on (opset < 13, becomes reshape -> softmax -> reshape), Gemm's alpha/beta
# folded into the constant operands.
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from rnc.frontends.onnx import import_onnx
from rnc.ir.printer import print_module


def imported(nodes, opset, inputs=(("x", [1, 2, 3, 4]),), init=()):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.asarray(a, np.float32), n) for n, a in init])
    return print_module(import_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])))


print(imported([helper.make_node("Clip", ["x"], ["c"], name="relu6", min=0.0, max=6.0),
                helper.make_node("Pad", ["c"], ["y"], name="pad", pads=[0, 0, 1, 1, 0, 0, 1, 1], value=0.25)], 9))
# CHECK-LABEL: ^bb0(%x: tensor<1x2x3x4xf32>):
# CHECK:         %[[C:.*]] = "nn.clip"(%x) {max = 6.0 : f32, min = 0.0 : f32} {{.*}} loc("relu6")
# CHECK:         "nn.pad"(%[[C]]) {mode = "constant", pads = [0, 0, 1, 1, 0, 0, 1, 1], value = 0.25 : f32} : (tensor<1x2x3x4xf32>) -> tensor<1x2x5x6xf32> loc("pad")

print(imported([helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)], 11))
# CHECK-LABEL: ^bb0(%x: tensor<1x2x3x4xf32>):
# CHECK:         %[[R:.*]] = "nn.reshape"(%x) : (tensor<1x2x3x4xf32>) -> tensor<1x24xf32> loc("softmax")
# CHECK-NEXT:    %[[S:.*]] = "nn.softmax"(%[[R]]) {axis = 1 : i64} : (tensor<1x24xf32>) -> tensor<1x24xf32> loc("softmax")
# CHECK-NEXT:    %[[Y:.*]] = "nn.reshape"(%[[S]]) : (tensor<1x24xf32>) -> tensor<1x2x3x4xf32> loc("softmax")
# CHECK-NEXT:    "func.return"(%[[Y]])

print(imported([helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="gemm", alpha=2.0, beta=0.5)], 13,
               inputs=(("a", [1, 2]),), init=(("b", [[1, 2], [3, 4]]), ("c", [10, 20]))))
# CHECK-LABEL: ^bb0(%a: tensor<1x2xf32>):
# CHECK:         %[[W:.*]] = "nn.constant"() {value = dense<{{\[\[}}2.0, 6.0], [4.0, 8.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32> loc("gemm")
# CHECK:         %[[B:.*]] = "nn.constant"() {value = dense<[5.0, 10.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("gemm")
# CHECK:         "nn.linear"(%a, %[[W]], %[[B]]) : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("gemm")

# ReduceMean/ReduceMax take their axes as an attribute before opset 18, ReduceSum before opset 13.
print(imported([helper.make_node("ReduceSum", ["x"], ["s"], name="sum11", axes=[-1], keepdims=0),
                helper.make_node("ReduceMax", ["s"], ["y"], name="max11", axes=[1, 0])], 11))
# CHECK-LABEL: ^bb0(%x: tensor<1x2x3x4xf32>):
# CHECK:         %[[S:.*]] = "nn.reduce_sum"(%x) {axes = [3]} : (tensor<1x2x3x4xf32>) -> tensor<1x2x3xf32> loc("sum11")
# CHECK-NEXT:    "nn.reduce_max"(%[[S]]) {axes = [0, 1], keepdims} : (tensor<1x2x3xf32>) -> tensor<1x1x3xf32> loc("max11")

# ConvTranspose: pads from output_shape with SAME_UPPER (the odd one trimmed at the end).
print(imported([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", strides=[2, 2],
                                 output_shape=[6, 8], auto_pad="SAME_UPPER")], 17,
               init=(("w", np.ones((2, 3, 3, 3))),)))
# CHECK-LABEL: ^bb0(%x: tensor<1x2x3x4xf32>):
# CHECK:         "nn.conv_transpose2d"(%x, %{{.*}}) {dilations = [1, 1], groups = 1 : i64, output_padding = [0, 0], pads = [0, 0, 1, 1], strides = [2, 2]} : (tensor<1x2x3x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x6x8xf32> loc("up")
