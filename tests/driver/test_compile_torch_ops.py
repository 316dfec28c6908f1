"""Small torch networks built from grouped convolutions, transposed convolutions and attention, exported with
both torch exporters (dynamo=True needs onnxscript), compile end to end: their functional check passes (bit
for bit vs the quantized oracle, cosine >= 0.99 vs the float interpreter) and the interpreter agrees with
torch."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
nn = torch.nn

from rnc.driver import CompileOptions, compile_model  # noqa: E402
from rnc.frontends.onnx import import_onnx  # noqa: E402
from rnc.sim.interpreter import run_module  # noqa: E402


class ResNeXtBlock(nn.Module):
    """A stem, a ResNeXt bottleneck (1x1, grouped 3x3 with 8 groups, 1x1, residual), global pooling, linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.block = nn.Sequential(nn.Conv2d(32, 32, 1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1, groups=8),
                                   nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 32, 1))
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(x + self.block(x))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class ShuffleUnit(nn.Module):
    """ShuffleNet (v1) unit: grouped 1x1, channel shuffle, depthwise 3x3, grouped 1x1; then a mean."""

    def __init__(self, groups=4):
        super().__init__()
        self.groups = groups
        self.stem = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.reduce = nn.Conv2d(16, 16, 1, groups=groups)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.expand = nn.Conv2d(16, 32, 1, groups=groups)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.relu(self.reduce(x))
        n, c, h, w = y.shape
        y = y.reshape(n, self.groups, c // self.groups, h, w).transpose(1, 2).reshape(n, c, h, w)
        y = self.expand(self.dw(y))
        return self.head(torch.relu(y).mean(dim=(2, 3)))


class TinyUNet(nn.Module):
    """Down twice by strided convs, up by two transposed convs (k=2 s=2; k=3 s=2 p=1 output_padding=1), a skip
    concatenation, a 1x1 output conv."""

    def __init__(self):
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU())
        self.down2 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.up2 = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        self.out = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        d1 = self.down1(x)
        u1 = torch.relu(self.up1(self.down2(d1)))
        return self.out(torch.relu(self.up2(torch.cat([u1, d1], dim=1))))


class TinyAttention(nn.Module):
    """Patch embedding (a strided conv), one attention head (Q K^T and P V: products of two activations),
    a projection and a mean over the tokens."""

    def __init__(self, dim=16):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 4, stride=4)
        self.q, self.k, self.v, self.proj = (nn.Linear(dim, dim) for _ in range(4))
        self.head = nn.Linear(dim, 4)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        a = torch.softmax(self.q(t) @ self.k(t).transpose(1, 2) / 4.0, dim=-1)
        return self.head((t + self.proj(a @ self.v(t))).mean(dim=1))


MODELS = {"resnext_block": (ResNeXtBlock, (1, 3, 12, 12)), "shuffle_unit": (ShuffleUnit, (1, 3, 16, 16)),
          "tiny_unet": (TinyUNet, (1, 1, 16, 16)), "tiny_attention": (TinyAttention, (1, 3, 16, 16))}
EXPORTERS = ["legacy", pytest.param("dynamo", marks=pytest.mark.skipif(
    importlib.util.find_spec("onnxscript") is None, reason="the dynamo exporter needs onnxscript"))]


@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_torch_model_compiles_with_the_functional_check(name, exporter, tmp_path):
    make, shape = MODELS[name]
    torch.manual_seed(0)
    net = make().eval()
    x = torch.randn(shape)
    path = tmp_path / f"{name}.onnx"
    torch.onnx.export(net, (x,), str(path), dynamo=exporter == "dynamo", verbose=False)
    with torch.no_grad():
        expected = net(x).numpy()
    got = run_module(import_onnx(str(path)), [x.numpy()])[0]
    assert np.max(np.abs(got - expected)) <= 1e-4 * max(1.0, float(np.max(np.abs(expected))))
    check = compile_model(str(path), CompileOptions(simulate_isa=True, samples=1)).last.isa.check
    assert check.passed, check.describe()
