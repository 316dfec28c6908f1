"""First-order Taylor importance per channel (REDS, after Molchanov et al.): s = sum |theta * G| over a
unit's parameters, G the loss gradient summed over N training batches.

A group's score per channel sums the scores of every unit that channel names: its producers' filters
(conv or linear rows and biases), depthwise filters and batch-norm scales and shifts. Scores per kernel
(one input channel of one filter) are the same products summed over the kernel's k*k taps.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import nn

from rnc.nas.nested.channels import ChannelGroup
from rnc.nas.nested.permute import unit_parameters


def accumulated_gradients(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> dict:
    """parameter -> its cross-entropy gradient summed over `batches`, in the model's current mode. Weights
    and buffers (batch-norm statistics a training-mode pass would update) are left as they were."""
    buffers = {name: b.clone() for name, b in model.named_buffers()}
    model.zero_grad(set_to_none=True)
    for x, y in batches:
        F.cross_entropy(model(x), y).backward()     # .grad accumulates over batches
    grads = {p: p.grad.detach().clone() for p in model.parameters() if p.grad is not None}
    model.zero_grad(set_to_none=True)
    with torch.no_grad():
        for name, b in model.named_buffers():
            b.copy_(buffers[name])
    return grads


def taylor(parameter: torch.Tensor, grads: dict) -> torch.Tensor:
    """|theta * G| summed per output unit (dim 0)."""
    g = grads.get(parameter)
    if g is None:
        return torch.zeros(parameter.shape[0])
    return (parameter.detach() * g).abs().reshape(parameter.shape[0], -1).sum(dim=1)


def kernel_scores(weight: torch.Tensor, grads: dict) -> torch.Tensor:
    """|theta * G| per (output, input) kernel of a conv or linear weight."""
    g = grads.get(weight, torch.zeros_like(weight))
    product = (weight.detach() * g).abs()
    return product.reshape(product.shape[0], product.shape[1], -1).sum(dim=2)


def group_scores(groups: list[ChannelGroup], grads: dict) -> list[torch.Tensor]:
    """Per group, the Taylor score of each channel (the sum over the units that channel names)."""
    scores = []
    for group in groups:
        total = torch.zeros(group.channels)
        for slot in group.slots:
            for p in unit_parameters(slot):
                total += taylor(p, grads)
        scores.append(total)
    return scores
