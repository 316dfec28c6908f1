"""Nested training (REDS): every step trains all levels at once on shared weights and batch norms.

The loss is sum_k (alpha_k / sum alpha) CE_k with alpha_k = sqrt(fraction of the parameters level k uses),
so the small levels, whose few weights matter most, are not drowned by the full model. Adam at `lr`; each
level runs through `LevelMasks` (prefix masks, the same function as slicing).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnc.nas.nested.batchnorm import BatchNormState, batchnorm_loaded
from rnc.nas.nested.channels import ChannelGroup
from rnc.nas.nested.masks import LevelMasks


@dataclass
class NestedTrainConfig:
    """Training steps (each trains every level), batch size, Adam's rate, the seed, the batch-norm-only
    fine-tune's steps per level (0: none), and whether each level is also trained alone to compare."""

    steps: int = 200
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    batchnorm_steps: int = 20
    compare_alone: bool = False


def level_weights(parameter_fractions: list[float]) -> list[float]:
    """REDS's loss weights: sqrt(parameter fraction), normalised to sum to 1."""
    alphas = [math.sqrt(f) for f in parameter_fractions]
    return [a / sum(alphas) for a in alphas]


def train_nested(model: nn.Module, groups: list[ChannelGroup], level_widths: list[list[int]],
                 parameter_fractions: list[float], batches, config: NestedTrainConfig) -> list[float]:
    """Trains `model` in place for `config.steps` batches drawn from `batches`; returns the loss per step."""
    torch.manual_seed(config.seed)
    weights = level_weights(parameter_fractions)
    masks = LevelMasks(groups)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    losses = []
    model.train()
    try:
        for _ in range(config.steps):
            x, y = next(batches)
            optimizer.zero_grad()
            loss = torch.zeros(())
            for widths, alpha in zip(level_widths, weights):
                masks.set(widths)
                loss = loss + alpha * F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
    finally:
        masks.remove()
    return losses


@torch.no_grad()
def level_accuracy(model: nn.Module, groups: list[ChannelGroup], level_widths: list[list[int]],
                   x: torch.Tensor, y: torch.Tensor, batchnorms: list[BatchNormState] | None = None) -> list[float]:
    """Accuracy of every level on (x, y), in eval mode; with `batchnorms`, each level with its own."""
    masks = LevelMasks(groups)
    model.eval()
    try:
        accuracies = []
        for k, widths in enumerate(level_widths):
            masks.set(widths)
            with batchnorm_loaded(model, batchnorms[k] if batchnorms else None):
                accuracies.append(float((model(x).argmax(1) == y).float().mean()))
        return accuracies
    finally:
        masks.remove()
