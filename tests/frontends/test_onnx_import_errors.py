"""What the ONNX frontend refuses, and how it says so: one-line messages naming the node, op type and the
supported ops; dynamic shapes; unreadable files. Also external-data initializers."""
import numpy as np
import onnx
import pytest
from onnx import helper

from nn_onnx_cases import CASES, model, node, weights

from rnc.frontends.onnx import OnnxImportError, UnsupportedError, import_onnx, supported_ops
from rnc.sim.interpreter import run_module


def test_unsupported_op_names_node_type_and_supported_list():
    m = model([node("Relu", ["x"], ["r"]), node("Elu", ["r"], name="my_elu")], {"x": (1, 4)})
    with pytest.raises(UnsupportedError) as info:
        import_onnx(m)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("node 'my_elu' (Elu): unsupported op type 'Elu'; supported: ")
    assert ", ".join(supported_ops()) in message


def test_unsupported_op_on_constants_is_folded():
    m = model([node("Exp", ["c"], ["e"]), node("Add", ["x", "e"])], {"x": (2, 3)}, {"c": weights(2, 3)})
    module = import_onnx(m)
    assert {op.name for op in module.walk()} >= {"nn.add", "nn.constant"}


def test_unsupported_form_of_supported_op():
    m = model([node("Conv", ["x", "w"])], {"x": (1, 2, 4, 4, 4)}, {"w": weights(3, 2, 1, 1, 1)})
    with pytest.raises(UnsupportedError, match=r"node 'Conv_0' \(Conv\): 3-d convolution is not supported"):
        import_onnx(m)


def test_integer_compute_is_unsupported():
    graph = helper.make_graph([node("Add", ["x", "x"])], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.INT64, [2])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.INT64, None)])
    with pytest.raises(UnsupportedError, match="only float tensors are computed"):
        import_onnx(helper.make_model(graph))


def test_used_secondary_output_is_unsupported():
    m = model([node("MaxPool", ["x"], ["p", "idx"], kernel_shape=[2, 2])], {"x": (1, 1, 4, 4)},
              outputs=("p", "idx"))
    with pytest.raises(UnsupportedError, match=r"output #1 \('idx'\) is not supported"):
        import_onnx(m)


def test_invalid_and_missing_files(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07 this is not a protobuf \xff\xff")
    with pytest.raises(OnnxImportError, match="not a valid ONNX model"):
        import_onnx(bad)
    with pytest.raises(OnnxImportError, match="no such file"):
        import_onnx(tmp_path / "missing.onnx")


def dynamic_model():
    return model([node("Relu", ["x"])], {"x": ("N", 3, 8, 8)})


def test_dynamic_input_needs_a_shape():
    with pytest.raises(OnnxImportError, match=r"input 'x' has the dynamic shape \[\?, 3, 8, 8\]; .*--input-shape 1x3x8x8"):
        import_onnx(dynamic_model())
    module = import_onnx(dynamic_model(), input_shapes=(2, 3, 8, 8))
    assert run_module(module, [np.ones((2, 3, 8, 8), np.float32)])[0].shape == (2, 3, 8, 8)
    with pytest.raises(OnnxImportError, match="does not fit input 'x'"):
        import_onnx(dynamic_model(), input_shapes=(2, 4, 8, 8))
    with pytest.raises(OnnxImportError, match="unknown input"):
        import_onnx(dynamic_model(), input_shapes={"z": (1, 3, 8, 8)})


def test_external_data_is_loaded(tmp_path):
    m = CASES["gemm_linear"]()
    x = np.ones((3, 8), np.float32)
    expected = run_module(import_onnx(m), [x])[0]
    path = tmp_path / "model.onnx"
    onnx.save_model(m, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    assert (tmp_path / "weights.bin").exists()
    np.testing.assert_array_equal(run_module(import_onnx(path), [x])[0], expected)
    without_data = onnx.load(str(path), load_external_data=False)
    with pytest.raises(OnnxImportError, match="external file that was not loaded"):
        import_onnx(without_data)
    np.testing.assert_array_equal(run_module(import_onnx(without_data, base_dir=tmp_path), [x])[0], expected)


def test_weights_become_resources_without_copies():
    m = CASES["gemm_linear"]()
    raw = m.graph.initializer[0].raw_data
    module = import_onnx(m)
    blobs = [op.value.blob for op in module.walk() if op.name == "nn.constant" and hasattr(op.value, "blob")]
    assert [b.name for b in blobs] == ["w"]
    assert blobs[0].data == raw
