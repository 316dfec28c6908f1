"""A network trained on scikit-learn's digits, ready for `rnc compile --eval-data digits`.

An accuracy figure of an untrained network means nothing, so the accuracy bench and tests train the network
they compile: the same loop, data and split as `rnc nas train`'s baseline (rnc.nas.train), then export to
ONNX at the training image size.
"""
from __future__ import annotations

import os
from typing import Callable

import torch
from torch import nn

from rnc.frontends.torch import export_onnx
from rnc.nas import train
from rnc.nas.data import load_dataset


def train_on_digits(net: nn.Module, image_size: int, steps: int = 300, lr: float = 2e-3, seed: int = 0,
                    log: Callable[[str], None] = lambda s: None) -> float:
    """Trains `net` in place on the digits training split at `image_size` pixels; returns its top-1 accuracy
    on the validation split (the samples `--eval-data digits` measures)."""
    data = load_dataset("digits", image_size)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        train.train_baseline(net, data, train.TrainConfig(steps=steps, lr=lr, seed=seed), log)
    net.to(memory_format=torch.contiguous_format)
    return train.accuracy(net, data.val_x, data.val_y)


def export_image_model(net: nn.Module, image_size: int, path: str | os.PathLike) -> None:
    """Writes `net` (3 x `image_size` x `image_size` inputs, batch 1) as an ONNX model file."""
    export_onnx(net, torch.zeros(1, 3, image_size, image_size), path)
