"""Taylor importance and the channel permutation: outputs unchanged, every free group sorted."""
from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from rnc.frontends.zoo import build_model
from rnc.nas.nested.channels import channel_groups
from rnc.nas.nested.dscnn import MFCC_SHAPE, DSCNN
from rnc.nas.nested.importance import accumulated_gradients, group_scores
from rnc.nas.nested.permute import permute_groups


class FlattenNet(nn.Module):
    """conv -> BN -> depthwise -> pointwise, a residual add, then a flatten of 2x2 maps into a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pw = nn.Conv2d(8, 8, 1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(8 * 4, 5)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = x + self.pw(self.dw(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def _batches(shape, classes, count=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(4, *shape, generator=g), torch.randint(0, classes, (4,), generator=g)) for _ in range(count)]


@pytest.mark.parametrize("make, shape, classes", [
    (lambda: build_model("mbv3_small"), (3, 64, 64), 10),
    (FlattenNet, (3, 6, 6), 5),
    (DSCNN, MFCC_SHAPE[1:], 12),
])
def test_permutation_leaves_outputs_unchanged_and_sorts_every_group(make, shape, classes):
    torch.manual_seed(0)
    model = make().eval()
    batches = _batches(shape, classes)
    x = batches[0][0]
    with torch.no_grad():
        before = model(x)
    groups = channel_groups(model, x[:1])
    permute_groups(groups, group_scores(groups, accumulated_gradients(model, batches)))
    with torch.no_grad():
        assert torch.allclose(model(x), before, atol=1e-5)
    again = channel_groups(model, x[:1])
    for group, scores in zip(again, group_scores(again, accumulated_gradients(model, batches))):
        if not group.fixed:
            assert (scores[:-1] >= scores[1:] - 1e-6 * scores.abs().max()).all()


def test_groups_of_a_residual_net_share_one_order():
    model = FlattenNet().eval()
    groups = channel_groups(model, torch.randn(1, 3, 6, 6))
    shared = next(g for g in groups if any(s.name == "pw" and s.role == "out" for s in g.slots))
    assert {(s.name, s.role) for s in shared.slots} == {
        ("conv", "out"), ("bn", "bn"), ("dw", "out"), ("pw", "in"), ("pw", "out"), ("fc", "in")}
    assert next(s for s in shared.slots if s.name == "fc").repeat == 4
    assert [g.fixed for g in groups] == [True, False, True]


def test_gradients_do_not_change_the_weights():
    model = FlattenNet()
    weights = copy.deepcopy(model.state_dict())
    accumulated_gradients(model, _batches((3, 6, 6), 5))
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
