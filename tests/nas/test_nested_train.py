"""Prefix masks run a level exactly like the sliced network; nested training lowers every level's loss."""
from __future__ import annotations

import torch
from torch import nn

from rnc.nas.nested.channels import channel_groups
from rnc.nas.nested.masks import LevelMasks
from rnc.nas.nested.train import NestedTrainConfig, level_accuracy, level_weights, train_nested


class ResidualNet(nn.Module):
    """conv + BN, a depthwise-separable residual block, then a flatten of 2x2 maps into a linear layer."""

    def __init__(self, width: int = 8, classes: int = 5):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.bn = nn.BatchNorm2d(width)
        self.dw = nn.Conv2d(width, width, 3, padding=1, groups=width)
        self.pw = nn.Conv2d(width, width, 1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(width * 4, classes)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = x + self.pw(self.dw(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def _sliced(model: ResidualNet, w: int) -> ResidualNet:
    small = ResidualNet(w).eval()
    state = {}
    for name, tensor in model.state_dict().items():
        if name.startswith("fc.weight"):
            state[name] = tensor[:, :w * 4]
        elif name.startswith("pw.weight"):
            state[name] = tensor[:w, :w]
        elif tensor.dim() > 0 and name != "bn.num_batches_tracked" and not name.startswith("fc."):
            state[name] = tensor[:w]
        else:
            state[name] = tensor
    small.load_state_dict(state)
    return small


def _trained_bn(model: ResidualNet) -> ResidualNet:
    with torch.no_grad():
        model.bn.running_mean.uniform_(-1, 1)
        model.bn.running_var.uniform_(0.5, 2)
        model.bn.weight.uniform_(0.5, 2)
        model.bn.bias.uniform_(-1, 1)
    return model.eval()


def test_masked_level_equals_the_sliced_network():
    torch.manual_seed(0)
    model = _trained_bn(ResidualNet())
    x = torch.randn(4, 3, 6, 6)
    groups = channel_groups(model, x[:1])
    free = [i for i, g in enumerate(groups) if not g.fixed]
    assert len(free) == 1
    masks = LevelMasks(groups)
    for w in (2, 5, 8):
        widths = [g.channels for g in groups]
        widths[free[0]] = w
        masks.set(widths)
        with torch.no_grad():
            assert torch.allclose(model(x), _sliced(model, w)(x), atol=1e-5)
    masks.remove()


def test_level_weights_follow_sqrt_of_parameter_fractions():
    assert level_weights([0.25, 1.0]) == [1 / 3, 2 / 3]


def test_nested_training_lowers_every_level_loss():
    torch.manual_seed(0)
    model = ResidualNet()
    x = torch.randn(64, 3, 6, 6)
    y = (x[:, 0].mean(dim=(1, 2)) > 0).long() + 2 * (x[:, 1].mean(dim=(1, 2)) > 0).long()
    groups = channel_groups(model, x[:1])
    levels = [[g.channels if g.fixed else w for g in groups] for w in (2, 4, 8)]
    before = level_accuracy(model, groups, levels, x, y)

    def batches():
        while True:
            yield x, y

    losses = train_nested(model, groups, levels, [0.25, 0.5, 1.0], batches(), NestedTrainConfig(steps=60, lr=1e-2))
    after = level_accuracy(model, groups, levels, x, y)
    assert losses[-1] < 0.6 * losses[0]
    assert all(a > b for a, b in zip(after, before)), (before, after)
    assert not any(m._forward_pre_hooks for m in model.modules())     # masks removed


def test_level_widths_map_from_the_exported_model_to_torch():
    from rnc.frontends.torch.importer import import_torch
    from rnc.nas.nested.mapping import parameter_fractions, torch_level_widths
    from rnc.nas.nested.pipeline import NestedOptions, solve_module

    model = ResidualNet(width=16).eval()
    x = torch.zeros(1, 3, 6, 6)
    run = solve_module(import_torch(model, x), "residual",
                       NestedOptions(budgets=["macs=30%", "macs=100%"], granularity=4, effort=20_000))
    groups = channel_groups(model, x)
    widths = torch_level_widths(model, groups, run.solution)
    free = next(i for i, g in enumerate(groups) if not g.fixed)
    ir_free = next(i for i, g in enumerate(run.solution.network.groups) if not g.fixed)
    assert [w[free] for w in widths] == [level.choice.widths[ir_free] for level in run.solution.levels]
    assert widths[0][free] < 16 and widths[-1][free] == 16
    fractions = parameter_fractions(run.solution)
    assert fractions[0] < fractions[-1] == 1.0


def test_batchnorm_fine_tune_gives_each_level_its_own_state_and_leaves_the_model():
    from rnc.nas.nested.batchnorm import batchnorm_state, fine_tune_batchnorms
    torch.manual_seed(0)
    model = ResidualNet()
    x = torch.randn(64, 3, 6, 6)
    y = (x[:, 0].mean(dim=(1, 2)) > 0).long()
    groups = channel_groups(model, x[:1])
    levels = [[g.channels if g.fixed else w for g in groups] for w in (2, 8)]

    def batches():
        while True:
            yield x, y

    before = batchnorm_state(model)
    weights = model.conv.weight.detach().clone()
    states = fine_tune_batchnorms(model, groups, levels, batches(), steps=5, lr=1e-2)
    assert len(states) == 2
    assert all(torch.equal(before[k], v) for k, v in batchnorm_state(model).items())
    assert torch.equal(model.conv.weight, weights) and model.conv.weight.requires_grad
    assert not torch.equal(states[0]["bn.weight"], before["bn.weight"])          # the affine was tuned
    assert not torch.equal(states[0]["bn.running_mean"], before["bn.running_mean"])  # statistics re-estimated
    accuracy = level_accuracy(model, groups, levels, x, y, states)
    assert len(accuracy) == 2 and all(0 <= a <= 1 for a in accuracy)
