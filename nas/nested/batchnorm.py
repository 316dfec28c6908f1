"""REDS's batch-norm-only fine-tune per level: each level gets its own batch-norm statistics and affine.

Nested training shares every batch norm across levels, so its running statistics average over levels
whose channel sums differ. After training, each level in turn restarts the running statistics
(cumulative average), runs `steps` training batches at its widths and updates only the batch norms'
weight and bias (Adam); the result is one batch-norm state per level, and the shared weights are
untouched. On a crossbar the cells keep the shared (folded) weights: a level's own batch norm is a
per-channel scale and shift, (gamma_k / sigma_k) / (gamma / sigma) and the matching offset, applied by
the digital periphery after the column's ADC, so switching levels still writes no cell.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from rnc.nas.nested.channels import ChannelGroup
from rnc.nas.nested.masks import LevelMasks

BatchNormState = dict[str, torch.Tensor]
BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d)


def _norms(model: nn.Module) -> dict[str, nn.Module]:
    return {name: m for name, m in model.named_modules() if isinstance(m, BATCHNORM)}


def batchnorm_state(model: nn.Module) -> BatchNormState:
    """A copy of every batch norm's parameters and buffers, by qualified name."""
    return {f"{name}.{key}": value.detach().clone() for name, m in _norms(model).items()
            for key, value in m.state_dict().items()}


@contextmanager
def batchnorm_loaded(model: nn.Module, state: BatchNormState | None):
    """Runs the body with `state`'s batch norms in `model` (None: as they are), restoring them after."""
    if state is None:
        yield
        return
    saved = batchnorm_state(model)
    model.load_state_dict(state, strict=False)
    try:
        yield
    finally:
        model.load_state_dict(saved, strict=False)


def fine_tune_batchnorms(model: nn.Module, groups: list[ChannelGroup], level_widths: list[list[int]],
                         batches, steps: int, lr: float = 1e-3) -> list[BatchNormState]:
    """One batch-norm state per level: running statistics re-estimated over `steps` batches at the level's
    widths while Adam tunes the batch norms' weight and bias; `model` is left as it was."""
    shared = batchnorm_state(model)
    norms = _norms(model)
    momenta = {name: m.momentum for name, m in norms.items()}
    grads = {name: p.requires_grad for name, p in model.named_parameters()}
    masks = LevelMasks(groups)
    states = []
    try:
        for p in model.parameters():
            p.requires_grad_(False)
        params = [p for m in norms.values() for p in (m.weight, m.bias) if p is not None]
        for widths in level_widths:
            model.load_state_dict(shared, strict=False)
            for m in norms.values():
                m.reset_running_stats()
                m.momentum = None              # cumulative average over this level's batches only
            for p in params:
                p.requires_grad_(True)
            optimizer = torch.optim.Adam(params, lr=lr) if params else None
            masks.set(widths)
            model.train()
            for _ in range(steps):
                x, y = next(batches)
                loss = F.cross_entropy(model(x), y)
                if optimizer is not None:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            states.append(batchnorm_state(model))
    finally:
        masks.remove()
        model.load_state_dict(shared, strict=False)
        for name, m in norms.items():
            m.momentum = momenta[name]
        for name, p in model.named_parameters():
            p.requires_grad_(grads[name])
    return states
