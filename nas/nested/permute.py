"""Permuting every channel group of a torch model into descending importance, leaving its outputs unchanged.

After the permutation each layer's most important channels come first, so a nested subnetwork keeps a
prefix of every group and switching levels only changes how many channels each layer reads.
"""
from __future__ import annotations

import torch
from torch import nn

from rnc.nas.nested.channels import ChannelGroup, Slot

BN_TENSORS = ("weight", "bias", "running_mean", "running_var")


def _take(tensor: torch.Tensor, dim: int, order: torch.Tensor) -> None:
    tensor.data.copy_(tensor.data.index_select(dim, order))


def _permute_slot(slot: Slot, order: torch.Tensor) -> None:
    m = slot.module
    if slot.role == "bn":
        for name in BN_TENSORS:
            tensor = getattr(m, name, None)
            if tensor is not None:
                _take(tensor, 0, order)
    elif slot.role == "out":
        _take(m.weight, 0, order)
        if m.bias is not None:
            _take(m.bias, 0, order)
    else:  # "in": a flatten of H x W positions gives each channel `repeat` consecutive columns
        columns = (order[:, None] * slot.repeat + torch.arange(slot.repeat)[None, :]).reshape(-1)
        _take(m.weight, 1, columns)


@torch.no_grad()
def permute_groups(groups: list[ChannelGroup], scores: list[torch.Tensor]) -> list[torch.Tensor]:
    """Sorts each free group by descending score (stable: ties keep their order), in place; returns the
    orders applied (the identity for fixed groups)."""
    orders = []
    for group, score in zip(groups, scores):
        order = torch.arange(group.channels) if group.fixed else \
            torch.sort(score, descending=True, stable=True).indices
        for slot in group.slots:
            _permute_slot(slot, order)
        orders.append(order)
    return orders


def unit_parameters(slot: Slot) -> list[torch.Tensor]:
    """The parameters whose dim 0 is the group's channel at this slot (its units), for importance."""
    if slot.role == "in":
        return []
    names = ("weight", "bias")
    return [p for n in names if isinstance(p := getattr(slot.module, n, None), nn.Parameter)]
