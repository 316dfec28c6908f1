# RUN: %python %s %t.onnx %t.bad.onnx
# RUN: rnc import %t.onnx --elide-resources --no-canonicalize | filecheck %s
# RUN: rnc import %t.onnx -o %t.rir && rnc-opt %t.rir --elide-resources | filecheck %s --check-prefix=CANON
# RUN: not rnc import %t.bad.onnx -o %t.out 2>&1 | filecheck %s --check-prefix=BAD
# RUN: not test -e %t.out
# RUN: not rnc import no_such_model 2>&1 | filecheck %s --check-prefix=UNKNOWN
# Writes a small model (conv, batch norm, dropout) and a corrupt file for the RUN lines above.
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save_model

c = 4
init = {"w": np.ones((c, 3, 1, 1)), "scale": np.full(c, 2.0), "shift": np.zeros(c), "mean": np.zeros(c),
        "var": np.ones(c), "ratio": np.array(0.1)}
nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
         helper.make_node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["bn"], name="bn"),
         helper.make_node("Dropout", ["bn", "ratio"], ["y"], name="drop")]
graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(a.astype(np.float32), n) for n, a in init.items()])
save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
with open(sys.argv[2], "wb") as f:
    f.write(b"not a model")

# CHECK:      %[[C:.*]] = "nn.conv2d"(%x, %{{.*}}) {{.*}} loc("conv")
# CHECK:      %[[B:.*]] = "nn.batch_norm"(%[[C]], {{.*}}) {epsilon = {{.*}}} {{.*}} loc("bn")
# CHECK:      %[[D:.*]] = "nn.dropout"(%[[B]]) {ratio = 0.1 : f32} {{.*}} loc("drop")
# CHECK:      "func.return"(%[[D]])

# CANON-NOT:  "nn.batch_norm"
# CANON-NOT:  "nn.dropout"
# CANON:      %[[C:.*]] = "nn.conv2d"(%x, %{{.*}}, %{{.*}}) {{.*}} loc("conv")
# CANON-NEXT: "func.return"(%[[C]])

# BAD:        rnc import: error: cannot read '{{.*}}.bad.onnx': not a valid ONNX model
# UNKNOWN:    rnc import: error: unknown model 'no_such_model': not a file, and not a built-in model (mbv3_small, squeezenet, resnet18)
