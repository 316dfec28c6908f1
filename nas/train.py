"""Training on CPU: sandwich-rule supernet training and the fixed baseline, both the same way.

Sandwich rule (once-for-all / BigNAS): every step sums the gradients of the largest subnet, the smallest and
`random_subnets` uniformly drawn ones, then takes one optimizer step. The baseline (the zoo's mbv3_small)
gets the same data, optimizer, learning rate, batches and number of steps.

Checkpoints are plain dicts of tensors and primitives: `torch.save`, loaded with `torch.load(weights_only=True)`.
"""
from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from rnc.driver.atomic import write_bytes_atomic
from rnc.nas import space
from rnc.nas.data import Dataset
from rnc.nas.dead_taps import live_taps_only
from rnc.nas.supernet import Supernet

CHECKPOINT_VERSION = 1


@dataclass
class TrainConfig:
    steps: int = 300
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-5
    random_subnets: int = 2
    seed: int = 0


def _optimizer(net: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    return torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def _train(net: nn.Module, data: Dataset, config: TrainConfig, forwards: Callable[[random.Random], list],
           log: Callable[[str], None]) -> list[float]:
    """Generic loop: each step runs every `forward(x)` from `forwards(rng)` and sums the gradients."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    batches = data.train_batches(config.batch_size, torch.Generator().manual_seed(config.seed))
    net.to(memory_format=torch.channels_last)   # a third faster on CPU for these small maps
    optimizer = _optimizer(net, config)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(1, config.steps))
    net.train()
    losses = []
    for step in range(config.steps):
        x, y = next(batches)
        x = x.contiguous(memory_format=torch.channels_last)
        optimizer.zero_grad()
        total = 0.0
        for forward in forwards(rng):
            loss = F.cross_entropy(forward(x), y)
            loss.backward()
            total += loss.item()
        optimizer.step()
        schedule.step()
        losses.append(total)
        if step % 50 == 0 or step == config.steps - 1:
            log(f"step {step + 1}/{config.steps}: loss {total:.4f}")
    return losses


def train_supernet(net: Supernet, data: Dataset, config: TrainConfig,
                   log: Callable[[str], None] = lambda s: None) -> list[float]:
    def forwards(rng: random.Random) -> list:
        genes = [space.largest_genes(), space.smallest_genes()]
        genes += [space.random_genes(rng) for _ in range(config.random_subnets)]
        return [lambda x, g=g: net(x, g) for g in genes]
    return _train(net, data, config, forwards, log)


def train_baseline(net: nn.Module, data: Dataset, config: TrainConfig,
                   log: Callable[[str], None] = lambda s: None) -> list[float]:
    with live_taps_only(net):
        return _train(net, data, config, lambda rng: [net], log)


@torch.no_grad()
def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> float:
    net.eval()
    correct = 0
    with live_taps_only(net):
        for i in range(0, len(y), batch_size):
            correct += (net(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / max(1, len(y))


def save_checkpoint(path: str | Path, kind: str, net: nn.Module, meta: dict) -> None:
    """Writes the checkpoint whole or not at all (a kill leaves the previous one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save({"version": CHECKPOINT_VERSION, "kind": kind, "state_dict": net.state_dict(), "meta": meta}, buffer)
    write_bytes_atomic(path, buffer.getvalue())


def load_checkpoint(path: str | Path, kind: str) -> dict:
    checkpoint = torch.load(path, weights_only=True)
    if checkpoint.get("kind") != kind:
        raise ValueError(f"{path}: a '{checkpoint.get('kind')}' checkpoint, expected '{kind}'")
    return checkpoint


def quick_supernet(path: str | Path, steps: int, batch_size: int, image_size: int = 16) -> float:
    """A supernet trained on digits (seed 0) and saved to `path`, as the benches use one; returns the
    training's wall seconds."""
    import time
    from rnc.nas.data import load_dataset
    data = load_dataset("digits", image_size)
    config = TrainConfig(steps=steps, batch_size=batch_size)
    torch.manual_seed(0)
    net = Supernet()
    t = time.perf_counter()
    train_supernet(net, data, config)
    save_checkpoint(path, "supernet", net, config_meta(config, data, image_size))
    return time.perf_counter() - t


def config_meta(config: TrainConfig, data: Dataset, image_size: int) -> dict:
    return asdict(config) | {"data": data.name, "image_size": image_size, "num_classes": data.num_classes}
