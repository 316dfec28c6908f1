# RUN: not %python %s 2>&1 | filecheck %s
# An op the frontend cannot map: the error names the node, its op type and the supported ops; one line.
import sys

from onnx import TensorProto, helper

from rnc.frontends.onnx import OnnxImportError, import_onnx

graph = helper.make_graph([helper.make_node("Relu", ["x"], ["r"], name="first"),
                           helper.make_node("LeakyRelu", ["r"], ["y"], name="/act/LeakyRelu")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
try:
    import_onnx(helper.make_model(graph))
except OnnxImportError as e:
    sys.stderr.write(f"error: {e}\n")
    sys.exit(1)

# CHECK: error: node '/act/LeakyRelu' (LeakyRelu): unsupported op type 'LeakyRelu'; supported: Add, AveragePool, BatchNormalization, {{.*}}, Unsqueeze, Upsample, Where
# CHECK-EMPTY:
