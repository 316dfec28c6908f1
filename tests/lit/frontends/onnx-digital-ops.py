# RUN: %python %s | filecheck %s
# The ops that run on the digital unit, as the exporters write them: each becomes one nn op at its node's
# location (Split one nn.slice per piece); constant conditions, indices, scales and sizes become attributes.
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from rnc.frontends.onnx import import_onnx
from rnc.ir.printer import print_module

F = TensorProto.FLOAT
init = {"scales": np.array([1, 1, 2, 2], np.float32), "sizes": np.array([1, 4, 12, 9], np.int64),
        "ln_scale": np.ones(6, np.float32), "ln_bias": np.zeros(6, np.float32), "two": np.array(2, np.int64),
        "starts": np.array([1, -2], np.int64), "ends": np.array([1000, 0], np.int64),
        "axes": np.array([1, 3], np.int64), "steps": np.array([2, -1], np.int64), "split": np.array([1, 3], np.int64),
        "idx": np.array(0, np.int64), "shape": np.array([2, 1, 1, 1], np.int64),
        "mask": np.tri(6, dtype=bool), "minus": np.array(-1e4, np.float32)}
nodes = [
    helper.make_node("Resize", ["x", "", "scales"], ["up"], name="/up/Resize", mode="nearest",
                     coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
    helper.make_node("Resize", ["x", "", "", "sizes"], ["bi"], name="/bi/Resize", mode="linear",
                     coordinate_transformation_mode="pytorch_half_pixel"),
    helper.make_node("LayerNormalization", ["x", "ln_scale", "ln_bias"], ["ln"], name="/norm/LayerNormalization"),
    helper.make_node("Gelu", ["ln"], ["g"], name="/act/Gelu", approximate="tanh"),
    helper.make_node("Erf", ["g"], ["e"], name="/Erf"),
    helper.make_node("Sqrt", ["e"], ["sq"], name="/Sqrt"),
    helper.make_node("Exp", ["sq"], ["ex"], name="/Exp"),
    helper.make_node("Pow", ["ex", "two"], ["pw"], name="/Pow"),
    helper.make_node("Softmax", ["pw"], ["sm"], name="/Softmax", axis=1),
    helper.make_node("Slice", ["sm", "starts", "ends", "axes", "steps"], ["sl"], name="/Slice"),
    helper.make_node("Split", ["x", "split"], ["s0", "s1"], name="/Split", axis=1),
    helper.make_node("Gather", ["s1", "idx"], ["ga"], name="/Gather", axis=2),
    helper.make_node("Expand", ["ga", "shape"], ["ep"], name="/Expand"),
    helper.make_node("Where", ["mask", "x", "minus"], ["wh"], name="/Where"),
    helper.make_node("Cast", ["wh"], ["ca"], name="/Cast", to=TensorProto.FLOAT16),
]
outputs = ["up", "bi", "sl", "s0", "ep", "ca"]
graph = helper.make_graph(nodes, "digital", [helper.make_tensor_value_info("x", F, [1, 4, 6, 6])],
                          [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs],
                          [numpy_helper.from_array(a, n) for n, a in init.items()])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
print(print_module(import_onnx(model), elide_resources=True))

# CHECK-LABEL: ^bb0(%x: tensor<1x4x6x6xf32>):
# CHECK:       %[[UP:.*]] = "nn.resize"(%x) {coordinate_transformation_mode = "asymmetric", mode = "nearest", nearest_mode = "floor", scales = [1.0, 1.0, 2.0, 2.0]} : (tensor<1x4x6x6xf32>) -> tensor<1x4x12x12xf32> loc("/up/Resize")
# CHECK:       %[[BI:.*]] = "nn.resize"(%x) {coordinate_transformation_mode = "pytorch_half_pixel", mode = "linear", nearest_mode = "round_prefer_floor", scales = [1.0, 1.0, 2.0, 1.5]} : (tensor<1x4x6x6xf32>) -> tensor<1x4x12x9xf32> loc("/bi/Resize")
# CHECK:       %[[LN:.*]] = "nn.layer_norm"(%x, %{{.*}}, %{{.*}}) {axis = 3 : i64, epsilon = {{.*}}} : (tensor<1x4x6x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x4x6x6xf32> loc("/norm/LayerNormalization")
# CHECK:       %[[G:.*]] = "nn.gelu"(%[[LN]]) {approximate = "tanh"} {{.*}} loc("/act/Gelu")
# CHECK:       %[[E:.*]] = "nn.erf"(%[[G]]) {{.*}} loc("/Erf")
# CHECK:       %[[SQ:.*]] = "nn.sqrt"(%[[E]]) {{.*}} loc("/Sqrt")
# CHECK:       %[[EX:.*]] = "nn.exp"(%[[SQ]]) {{.*}} loc("/Exp")
# The integer exponent becomes a float constant.
# CHECK:       %[[TWO:.*]] = "nn.constant"() {value = dense<2.0> : tensor<1xf32>}
# CHECK:       %[[PW:.*]] = "nn.pow"(%[[EX]], %[[TWO]]) {{.*}} loc("/Pow")
# CHECK:       %[[SM:.*]] = "nn.softmax"(%[[PW]]) {axis = 1 : i64} {{.*}} loc("/Softmax")
# CHECK:       "nn.slice"(%[[SM]]) {starts = [0, 1, 0, 4], steps = [1, 2, 1, -1]} : (tensor<1x4x6x6xf32>) -> tensor<1x2x6x4xf32> loc("/Slice")
# CHECK:       %[[S0:.*]] = "nn.slice"(%x) {starts = [0, 0, 0, 0], steps = [1, 1, 1, 1]} : (tensor<1x4x6x6xf32>) -> tensor<1x1x6x6xf32> loc("/Split")
# CHECK:       %[[S1:.*]] = "nn.slice"(%x) {starts = [0, 1, 0, 0], steps = [1, 1, 1, 1]} : (tensor<1x4x6x6xf32>) -> tensor<1x3x6x6xf32> loc("/Split")
# CHECK:       %[[GA:.*]] = "nn.gather"(%[[S1]]) {axis = 2 : i64, indices = [0]} : (tensor<1x3x6x6xf32>) -> tensor<1x3x6xf32> loc("/Gather")
# CHECK:       "nn.expand"(%[[GA]]) : (tensor<1x3x6xf32>) -> tensor<2x1x3x6xf32> loc("/Expand")
# The boolean condition becomes a 0/1 float constant.
# CHECK:       %[[MASK:.*]] = "nn.constant"() {value = dense_resource<__elided__> : tensor<6x6xf32>} {{.*}} loc("/Where")
# CHECK:       %[[WH:.*]] = "nn.where"(%[[MASK]], %x, %{{.*}}) : (tensor<6x6xf32>, tensor<1x4x6x6xf32>, tensor<1xf32>) -> tensor<1x4x6x6xf32> loc("/Where")
# CHECK:       "nn.cast"(%[[WH]]) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf16> loc("/Cast")
