"""Cropping kernel taps that only see padding changes nothing but the speed."""
import itertools

import torch
import torch.nn.functional as F

from rnc.nas import space
from rnc.nas.dead_taps import dead_border, live_conv2d, live_taps_only
from rnc.nas.supernet import Supernet, subnet_module


def test_live_conv2d_equals_conv2d_in_values_and_gradients():
    torch.manual_seed(0)
    for size, kernel, stride, (groups, channels) in itertools.product((1, 2, 3, 5), (1, 3, 5, 7), (1, 2),
                                                                       ((1, 4), (6, 6))):
        x = torch.randn(2, channels, size, size, dtype=torch.float64, requires_grad=True)
        w = torch.randn(6, channels // groups, kernel, kernel, dtype=torch.float64, requires_grad=True)
        full = F.conv2d(x, w, None, stride, kernel // 2, 1, groups)
        live = live_conv2d(x, w, None, stride, kernel // 2, groups)
        torch.testing.assert_close(live, full)
        for a, b in zip(torch.autograd.grad(live.sum(), (x, w)), torch.autograd.grad(full.sum(), (x, w))):
            torch.testing.assert_close(a, b)


def test_dead_border_on_tiny_maps():
    assert dead_border(1, 7, 1, 3) == 3          # 1x1 input: only the centre tap is live
    assert dead_border(2, 7, 2, 3) == 2
    assert dead_border(8, 7, 1, 3) == 0


def test_live_taps_only_keeps_outputs_and_restores_the_module():
    torch.manual_seed(0)
    sub = subnet_module(Supernet(), space.largest_genes())
    x = torch.randn(3, 3, 16, 16)
    expected = sub(x)
    with live_taps_only(sub):
        torch.testing.assert_close(sub(x), expected)
    assert all("forward" not in vars(m) for m in sub.modules())
