"""Built-in models and the torch -> ONNX exporter.

The layer tables of the reference (`<model>.layers.csv`, read by rnc.passes.xbar_algorithms.reference) must
come out row for row, in execution order.
"""

import copy
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from rnc.frontends.torch import export_onnx  # noqa: E402
from rnc.frontends.zoo import BUILTIN_MODELS, UnknownModelError, build_model, model_names  # noqa: E402
from rnc.passes.xbar_algorithms import reference_table  # noqa: E402

MODELS = ("mbv3_small", "squeezenet", "resnet18")


def reference_layers(name: str) -> list[tuple[str, int, int, int]]:
    return [(row["module"], int(row["rows"]), int(row["cols"]), int(row["cycles"]))
            for row in reference_table(f"{name}.layers")]


def example_input(name: str, seed: int = 1) -> "torch.Tensor":
    return torch.randn(*BUILTIN_MODELS[name].input_shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module", params=MODELS)
def built(request):
    """(name, model) built once per model for the whole file."""
    return request.param, build_model(request.param)


def weight_layer_outputs(model, x):
    """Run `model` on `x`; return [(module, output)] for every Conv2d/Linear in execution order."""
    seen = []
    hooks = [m.register_forward_hook(lambda m, _inputs, out: seen.append((m, out)))
             for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def layer_row(module, out) -> tuple[str, int, int, int]:
    """(module, rows, cols, cycles) as the reference tables count them."""
    if isinstance(module, torch.nn.Linear):
        return "Linear", module.in_features, module.out_features, 1
    kh, kw = module.kernel_size
    rows = kh * kw * module.in_channels // module.groups  # k*k for a depthwise conv
    cycles = out.shape[2] * out.shape[3]
    if module.groups > 1:  # depthwise: one channel per cycle
        cycles *= module.out_channels
    return "Conv2d", rows, module.out_channels, cycles


def test_layer_table_matches_reference(built):
    name, model = built
    rows = [layer_row(m, out) for m, out in weight_layer_outputs(model, example_input(name))]
    expected = reference_layers(name)
    assert len(rows) == len(expected)
    for index, (got, want) in enumerate(zip(rows, expected)):
        assert got == want, f"{name} layer {index}: got {got}, reference {want}"


def test_activations_neither_explode_nor_vanish(built):
    name, model = built
    for module, out in weight_layer_outputs(model, example_input(name)):
        rms = out.pow(2).mean().sqrt().item()
        assert 1e-2 < rms < 1e2, f"{name}: {module} output rms {rms}"
    with torch.no_grad():
        logits = model(example_input(name))
    assert logits.shape == (1, BUILTIN_MODELS[name].num_classes)
    assert torch.isfinite(logits).all()
    assert 1e-2 < logits.std().item() < 1e2


def test_onnx_export_matches_torch(built, tmp_path):
    name, model = built
    x = example_input(name)
    path = tmp_path / f"{name}.onnx"
    proto = export_onnx(model, x, path=path)
    onnx.checker.check_model(proto)
    assert onnx.load(path) == proto
    assert not list(tmp_path.glob(".*.tmp")), "temp file left behind"
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    assert all(node.name.startswith("/") for node in proto.graph.node), "legacy exporter names expected"

    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": x.numpy()})
    with torch.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())


def test_onnx_weight_layers_in_reference_order(built):
    name, model = built
    proto = export_onnx(model, example_input(name))
    ops = [node.op_type for node in proto.graph.node if node.op_type in ("Conv", "Gemm")]
    want = ["Conv" if module == "Conv2d" else "Gemm" for module, *_ in reference_layers(name)]
    assert ops == want


QUANT_BITS = 8
MIN_QUANT_COSINE = 0.99


def fake_quantize_8bit(model) -> None:
    """In place: each Conv2d/Linear weight rounded to 8 bits per tensor *after* folding the BatchNorm that
    follows it (as a crossbar would store it), and each layer's input rounded to 8 bits (min/max range)."""
    levels = 2 ** (QUANT_BITS - 1) - 1
    follower_scale = {}  # conv -> per-channel scale of its BatchNorm; BN follows its conv in module order
    last_conv = None
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            last_conv = module
        elif isinstance(module, torch.nn.BatchNorm2d):
            follower_scale[last_conv] = module.weight / torch.sqrt(module.running_var + module.eps)

    def quantize_input(_module, inputs):
        x = inputs[0]
        step = (x.max() - x.min()).clamp_min(1e-12) / (2 ** QUANT_BITS - 1)
        return (torch.round((x - x.min()) / step) * step + x.min(),)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                scale = follower_scale.get(module, torch.ones(module.weight.shape[0]))
                scale = scale.view(-1, *[1] * (module.weight.dim() - 1))
                folded = module.weight * scale
                step = folded.abs().max() / levels
                module.weight.copy_(torch.round(folded / step) * step / scale)
                module.register_forward_pre_hook(quantize_input)


def test_8bit_quantization_keeps_cosine(built):
    name, model = built
    x = torch.randn(8, *BUILTIN_MODELS[name].input_shape[1:], generator=torch.Generator().manual_seed(5))
    quantized = copy.deepcopy(model)
    fake_quantize_8bit(quantized)
    with torch.no_grad():
        cosine = torch.nn.functional.cosine_similarity(quantized(x), model(x), dim=1)
    assert cosine.min().item() >= MIN_QUANT_COSINE, f"{name}: cosine {cosine.tolist()}"


def test_same_seed_same_weights_and_global_rng_untouched():
    torch.manual_seed(1234)
    before = torch.get_rng_state()
    first, second = build_model("squeezenet", seed=3), build_model("squeezenet", seed=3)
    assert torch.equal(torch.get_rng_state(), before)
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), key
    other = build_model("squeezenet", seed=4)
    assert not torch.equal(first.features[0].weight, other.features[0].weight)


def test_batchnorm_statistics_are_calibrated(built):
    name, model = built
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert not model.training
    for norm in norms:
        assert not norm.training and norm.momentum is not None
        assert norm.num_batches_tracked.item() > 0
        assert not torch.equal(norm.running_var, torch.ones_like(norm.running_var))
        assert 0.5 <= norm.weight.min().item() and norm.weight.max().item() <= 1.5


def test_unknown_model_lists_known_names():
    with pytest.raises(UnknownModelError) as info:
        build_model("alexnet")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "alexnet" in message
    for name in MODELS:
        assert name in message
    assert info.value.known == model_names()


def test_registry():
    assert model_names() == list(MODELS)
    for name, spec in BUILTIN_MODELS.items():
        assert spec.name == name and spec.input_shape == (1, 3, 64, 64) and spec.num_classes == 10
        assert spec.description


def test_zoo_import_does_not_import_torch():
    code = "import sys, rnc.frontends.zoo as z; z.model_names(); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
