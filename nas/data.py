"""Training and validation data for the NAS: scikit-learn's bundled digits (default, rnc.driver.image_data),
local CIFAR-10, or a folder of .npy arrays (inputs.npy and labels.npy, split like digits).

Both give float32 tensors (N, 3, S, S), normalised per channel with training-set statistics, and int64
labels. Splits are deterministic: digits uses a fixed-seed permutation, CIFAR-10 its own train/test files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from rnc.driver.image_data import (DIGITS_SPLIT_SEED, DIGITS_VAL_FRACTION, DataError, digits_split, normalise,
                                   prepare_images)

CIFAR_RECORD = 1 + 3 * 32 * 32
NUM_CLASSES = 10


@dataclass
class Dataset:
    name: str
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    num_classes: int = NUM_CLASSES

    def train_batches(self, batch_size: int, generator: torch.Generator):
        """An endless stream of shuffled training batches drawn with `generator`."""
        while True:
            order = torch.randperm(len(self.train_y), generator=generator)
            for i in range(0, len(order) - batch_size + 1, batch_size):
                idx = order[i:i + batch_size]
                yield self.train_x[idx], self.train_y[idx]

    def calibration_batches(self, count: int, batch_size: int, seed: int = 0) -> list[torch.Tensor]:
        """`count` training batches in an order drawn from `seed` alone: deterministic BatchNorm recalibration."""
        order = torch.randperm(len(self.train_y), generator=torch.Generator().manual_seed(seed))
        return [self.train_x[order[i * batch_size:(i + 1) * batch_size]] for i in range(count)]


def load_dataset(name: str = "digits", image_size: int = 16, data_dir: str | None = None,
                 limit: int | None = None) -> Dataset:
    """`limit` caps both splits (first examples), for quick runs and tests."""
    if name == "digits":
        ds = _digits(image_size)
    elif name == "cifar10":
        if not data_dir:
            raise DataError("--data cifar10 needs --data-dir DIR with data_batch_*.bin and test_batch.bin")
        ds = _cifar10(Path(data_dir), image_size)
    elif name == "npy":
        if not data_dir:
            raise DataError("--data npy needs --data-dir DIR with inputs.npy and labels.npy")
        ds = _npy(Path(data_dir), image_size)
    else:
        raise DataError(f"unknown data set '{name}' (digits, cifar10 or npy)")
    if limit:
        ds.train_x, ds.train_y = ds.train_x[:limit], ds.train_y[:limit]
        ds.val_x, ds.val_y = ds.val_x[:limit], ds.val_y[:limit]
    return ds


def _digits(image_size: int) -> Dataset:
    train_x, train_y, val_x, val_y = digits_split(image_size)
    return Dataset("digits", train_x, train_y, val_x, val_y)


def _load_npy(path: Path) -> np.ndarray:
    if not path.is_file():
        raise DataError(f"'{path.parent}' has no {path.name} (expected inputs.npy and labels.npy)")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable .npy array ({str(e).splitlines()[0]})") from None


def _npy(folder: Path, image_size: int) -> Dataset:
    """inputs.npy (N, C, H, W) or (N, H, W) and labels.npy (N integers from 0), split like digits."""
    if not folder.is_dir():
        raise DataError(f"data folder '{folder}' does not exist")
    images, labels = _load_npy(folder / "inputs.npy"), _load_npy(folder / "labels.npy")
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1] not in (1, 3) or not np.issubdtype(images.dtype, np.number):
        raise DataError(f"{folder / 'inputs.npy'}: expected numbers shaped (N, C, H, W) with C 1 or 3 or (N, H, W), "
                        f"got {images.dtype} {images.shape}")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0:
        raise DataError(f"{folder / 'labels.npy'}: expected {len(images)} integer labels >= 0, got {labels.dtype} "
                        f"{labels.shape}")
    if len(images) < 2:
        raise DataError(f"{folder / 'inputs.npy'}: needs at least 2 examples, got {len(images)}")
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    n_val = max(1, int(len(images) * DIGITS_VAL_FRACTION))
    val, train = order[:n_val], order[n_val:]
    x = prepare_images(images.astype(np.float32), image_size)
    y = torch.from_numpy(labels.astype(np.int64))
    train_x, val_x = normalise(x[train], x[val])
    return Dataset(folder.name, train_x, y[train], val_x, y[val], num_classes=int(labels.max()) + 1)


def _read_cifar(path: Path) -> tuple[np.ndarray, np.ndarray]:
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % CIFAR_RECORD:
        raise DataError(f"{path}: size {raw.size} is not a multiple of the CIFAR-10 record ({CIFAR_RECORD} bytes)")
    records = raw.reshape(-1, CIFAR_RECORD)
    return records[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0, records[:, 0].astype(np.int64)


def _cifar10(folder: Path, image_size: int) -> Dataset:
    if not folder.is_dir():
        raise DataError(f"CIFAR-10 folder '{folder}' does not exist")
    train_files = sorted(folder.glob("data_batch_*.bin"))
    test_file = folder / "test_batch.bin"
    if not train_files or not test_file.is_file():
        raise DataError(f"'{folder}' has no data_batch_*.bin or test_batch.bin (CIFAR-10 binary version)")
    parts = [_read_cifar(p) for p in train_files]
    train_img = np.concatenate([p[0] for p in parts])
    train_lab = np.concatenate([p[1] for p in parts])
    test_img, test_lab = _read_cifar(test_file)
    train_x, val_x = normalise(prepare_images(train_img, image_size), prepare_images(test_img, image_size))
    return Dataset("cifar10", train_x, torch.from_numpy(train_lab), val_x, torch.from_numpy(test_lab))
