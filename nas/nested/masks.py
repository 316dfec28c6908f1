"""Running a torch model at a nested level's widths without slicing it: prefix masks on layer inputs.

A level keeps the first w channels of every group. Zeroing a group's other channels where a conv or linear
layer reads them is the same function as slicing the group to w: every consumer of a group is a layer
input (weight dim 1), depthwise convs and batch norms act per channel, and residual adds and gates combine
channels of one group with the same index. So one set of weights (and batch norms) runs every level, as in
REDS's training, and switching levels only changes the masks.
"""
from __future__ import annotations

import torch

from rnc.nas.nested.channels import ChannelGroup


class LevelMasks:
    """Forward pre-hooks that mask each free group to its width at the current level (`set`); `set(None)`
    runs the full model. `remove()` takes the hooks off."""

    def __init__(self, groups: list[ChannelGroup]):
        self.groups = groups
        self.widths: list[int] | None = None
        self.handles = []
        for index, group in enumerate(groups):
            if group.fixed:
                continue
            for slot in group.slots:
                if slot.role == "in":
                    self.handles.append(slot.module.register_forward_pre_hook(self._hook(index, slot.repeat)))

    def set(self, widths: list[int] | None) -> None:
        """Widths per group (in `groups` order), or None for the full model."""
        if widths is not None and len(widths) != len(self.groups):
            raise ValueError(f"{len(widths)} widths for {len(self.groups)} groups")
        self.widths = widths

    def _hook(self, index: int, repeat: int):
        def mask_input(module, inputs):
            if self.widths is None or self.widths[index] >= self.groups[index].channels:
                return None
            x = inputs[0]
            keep = torch.zeros(self.groups[index].channels, dtype=x.dtype, device=x.device)
            keep[:self.widths[index]] = 1
            keep = keep.repeat_interleave(repeat)
            shape = (1, -1) + (1,) * (x.dim() - 2)
            return (x * keep.reshape(shape),) + tuple(inputs[1:])
        return mask_input

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
