# RUN: %python %s | filecheck %s
# A small convnet: every layer becomes one nn op at its node's location; weights are resources.
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from rnc.frontends.onnx import import_onnx
from rnc.ir.printer import print_module

rng = np.random.default_rng(0)
init = {"conv.weight": rng.standard_normal((8, 3, 3, 3)), "conv.bias": rng.standard_normal(8),
        "fc.weight": rng.standard_normal((10, 8)), "fc.bias": rng.standard_normal(10)}
nodes = [
    helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"], name="/conv/Conv",
                     pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("Relu", ["/conv/Conv_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
    helper.make_node("MaxPool", ["/relu/Relu_output_0"], ["pooled"], name="pool", kernel_shape=[3, 3],
                     strides=[2, 2], ceil_mode=1),
    helper.make_node("GlobalAveragePool", ["pooled"], ["gap"], name="gap"),
    helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", transB=1),
]
graph = helper.make_graph(nodes, "convnet", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
                          [numpy_helper.from_array(a.astype(np.float32), n) for n, a in init.items()])
print(print_module(import_onnx(helper.make_model(graph)), elide_resources=True))

# CHECK-LABEL: "func.func"
# CHECK:       ^bb0(%image: tensor<1x3x16x16xf32>):
# CHECK:         %[[W:.*]] = "nn.constant"() {value = dense_resource<__elided__> : tensor<8x3x3x3xf32>} : () -> tensor<8x3x3x3xf32> loc("conv.weight")
# CHECK:         %[[B:.*]] = "nn.constant"() {value = dense<[{{.*}}]> : tensor<8xf32>} : () -> tensor<8xf32> loc("conv.bias")
# CHECK:         %[[C:.*]] = "nn.conv2d"(%image, %[[W]], %[[B]]) {dilations = [1, 1], groups = 1 : i64, pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32> loc("/conv/Conv")
# CHECK:         %[[R:.*]] = "nn.relu"(%[[C]]) {{.*}} loc("/relu/Relu")
# CHECK:         %[[P:.*]] = "nn.max_pool"(%[[R]]) {ceil_mode, dilations = [1, 1], kernel_shape = [3, 3], pads = [0, 0, 0, 0], strides = [2, 2]} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32> loc("pool")
# CHECK:         %[[G:.*]] = "nn.global_avg_pool"(%[[P]]) : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32> loc("gap")
# CHECK:         %[[F:.*]] = "nn.flatten"(%[[G]]) {axis = 1 : i64} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32> loc("flatten")
# CHECK:         %[[FW:.*]] = "nn.constant"() {value = dense_resource<__elided__> : tensor<10x8xf32>} : () -> tensor<10x8xf32> loc("fc.weight")
# CHECK:         %[[FB:.*]] = "nn.constant"() {{.*}} loc("fc.bias")
# CHECK:         %[[L:.*]] = "nn.linear"(%[[F]], %[[FW]], %[[FB]]) : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<1x10xf32> loc("/fc/Gemm")
# CHECK:         "func.return"(%[[L]]) : (tensor<1x10xf32>) -> ()
# CHECK:       }) {arg_names = ["image"], function_type = (tensor<1x3x16x16xf32>) -> tensor<1x10xf32>, result_names = ["logits"], sym_name = "main"}
# CHECK-NOT:   dialect_resources
