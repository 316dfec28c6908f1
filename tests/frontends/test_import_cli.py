"""`rnc import` and `rnc run`: outputs, exit statuses and one-line errors (run in-process)."""
import numpy as np
import onnx
import pytest

from nn_onnx_cases import CASES, model, node

from rnc.frontends.onnx import import_onnx
from rnc.sim.interpreter import run_module
from rnc.tools.rnc_cli import main


def save(m, path) -> str:
    onnx.save_model(m, str(path))
    return str(path)


def test_import_then_run(tmp_path, capsys):
    src = save(CASES["conv_then_batch_norm"](), tmp_path / "m.onnx")
    out = tmp_path / "m.rir"
    assert main(["import", src, "-o", str(out)]) == 0
    text = out.read_text()
    assert '"nn.conv2d"' in text and '"nn.batch_norm"' not in text  # canonicalized by default
    assert "dialect_resources" in text and 'loc("Conv_0")' in text
    x = np.random.default_rng(0).standard_normal((1, 4, 9, 9)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    assert main(["run", str(out), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy")]) == 0
    expected = run_module(import_onnx(src), [x])[0]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-4, atol=1e-5)


def test_no_canonicalize_and_elided_resources(tmp_path, capsys):
    src = save(CASES["conv_then_batch_norm"](), tmp_path / "m.onnx")
    assert main(["import", src, "--no-canonicalize", "--elide-resources"]) == 0
    text = capsys.readouterr().out
    assert '"nn.batch_norm"' in text and "dense_resource<__elided__>" in text
    assert "dialect_resources" not in text


@pytest.mark.parametrize("argv, message", [
    (["import", "no_such_model"], "unknown model 'no_such_model': not a file, and not a built-in model "
                                  "(mbv3_small, squeezenet, resnet18)"),
    (["import", "missing.onnx"], "cannot read 'missing.onnx': no such file"),
    (["import", "bad.onnx"], "cannot read 'bad.onnx': not a valid ONNX model"),
    (["import", "elu.onnx"], "node 'Elu_0' (Elu): unsupported op type 'Elu'; supported: Add, AveragePool"),
    (["import", "dynamic.onnx"], "input 'x' has the dynamic shape [?, 3]"),
    (["import", "dynamic.onnx", "--input-shape", "2xthree"], "bad --input-shape '2xthree'"),
])
def test_import_errors_are_one_line_with_status_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.onnx").write_bytes(b"\xff\xfe not onnx")
    save(model([node("Elu", ["x"])], {"x": (1, 3)}), tmp_path / "elu.onnx")
    save(model([node("Relu", ["x"])], {"x": ("N", 3)}), tmp_path / "dynamic.onnx")
    assert main(argv + ["-o", "out.rir"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rnc import: error: ") and message in err
    assert not (tmp_path / "out.rir").exists()


def test_input_shape_fixes_dynamic_dimensions(tmp_path, capsys):
    src = save(model([node("Relu", ["x"])], {"x": ("N", 3)}), tmp_path / "dynamic.onnx")
    assert main(["import", src, "--input-shape", "4x3"]) == 0
    assert "tensor<4x3xf32>" in capsys.readouterr().out


def test_run_reports_bad_inputs(tmp_path, capsys):
    src = save(CASES["gemm_linear"](), tmp_path / "m.onnx")
    assert main(["import", src, "-o", str(tmp_path / "m.rir")]) == 0
    np.save(tmp_path / "x.npy", np.zeros((2, 2), np.float32))
    assert main(["run", str(tmp_path / "m.rir"), "--input", str(tmp_path / "x.npy")]) == 2
    assert "input 'x' has shape [2, 2] but the function expects tensor<3x8xf32>" in capsys.readouterr().err
