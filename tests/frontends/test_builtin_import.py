"""The built-in models through torch export, the ONNX importer and the interpreter, against onnxruntime;
and the torch frontend (`import_torch`) against torch itself."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from nn_compare import TOLERANCE, canonicalize, onnxruntime_outputs, random_inputs, relative_error  # noqa: E402

from rnc.frontends.onnx import import_onnx  # noqa: E402
from rnc.frontends.torch import export_onnx  # noqa: E402
from rnc.frontends.torch.importer import import_torch  # noqa: E402
from rnc.frontends.zoo import BUILTIN_MODELS, build_model, model_names  # noqa: E402
from rnc.ir.location import NameLoc  # noqa: E402
from rnc.sim.interpreter import run_module  # noqa: E402


@pytest.fixture(scope="module", params=model_names())
def exported(request):
    name = request.param
    shape = BUILTIN_MODELS[name].input_shape
    return name, export_onnx(build_model(name), torch.zeros(shape))


def test_builtin_model_matches_onnxruntime(exported):
    name, model = exported
    module = import_onnx(model)
    inputs = random_inputs(module, seed=7)
    expected = onnxruntime_outputs(model, inputs)
    assert relative_error(run_module(module, inputs)[0], expected[0]) <= TOLERANCE, name
    canonicalize(module)
    assert relative_error(run_module(module, inputs)[0], expected[0]) <= TOLERANCE, f"{name} canonicalized"


def test_builtin_model_function_signature(exported):
    name, model = exported
    module = import_onnx(model)
    fn = module.regions[0].block.ops[0]
    assert fn.attr_value("sym_name") == "main"
    assert fn.attr_value("arg_names") == ("input",)
    assert fn.attr_value("result_names") == ("output",)
    body = fn.regions[0].block.ops
    assert all(isinstance(op.location, NameLoc) and op.location.name for op in body)
    node_names = {n.name for n in model.graph.node}
    convs = [op for op in body if op.name == "nn.conv2d"]
    assert convs and all(op.location.name in node_names for op in convs)


class SmallNet(torch.nn.Module):
    """Conv + BatchNorm + ReLU6 + Dropout + pool + Linear: layers the export keeps or folds differently."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.act = torch.nn.ReLU6()
        self.drop = torch.nn.Dropout(0.2)
        self.pool = torch.nn.AvgPool2d(2, ceil_mode=True)
        self.fc = torch.nn.Linear(8 * 3 * 3, 5)

    def forward(self, x):
        x = self.pool(self.drop(self.act(self.bn(self.conv(x)))))
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def test_import_torch_matches_torch():
    torch.manual_seed(0)
    net = SmallNet().eval()
    with torch.no_grad():
        net.bn.running_mean.uniform_(-0.5, 0.5)
        net.bn.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 3, 11, 11)
    module = import_torch(net, x)
    with torch.no_grad():
        expected = net(x).numpy()
    got = run_module(module, [x.numpy()])[0]
    assert relative_error(got, expected) <= TOLERANCE
    assert {"nn.conv2d", "nn.clip", "nn.avg_pool", "nn.linear", "nn.softmax"} <= {op.name for op in module.walk()}
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-5)
