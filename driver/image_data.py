"""Image data shared by `rnc compile --eval-data` and the NAS: scikit-learn's bundled digits, split and
normalised one way, so a model trained by `rnc nas train` is evaluated on exactly what it was trained for.

Images come out as float32 (N, 3, S, S), normalised per channel with training-set statistics; labels int64.
The split is a fixed-seed permutation (DIGITS_VAL_FRACTION of the images for validation). torch is imported
inside the functions (its bilinear resize is the NAS's), never when this module loads.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

DIGITS_VAL_FRACTION = 0.2
DIGITS_SPLIT_SEED = 0


class DataError(Exception):
    """Missing or malformed data files: one line for the user."""


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits (what `load_digits` reads: 64 pixels 0..16 and the label per line),
    read from the file without importing scikit-learn, which takes seconds in every worker process."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DataError("the digits data set needs scikit-learn (pip install scikit-learn)")
    table = np.loadtxt(Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz", delimiter=",")
    return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)


def prepare_images(images: np.ndarray, image_size: int):
    """(N, C, H, W) float -> torch (N, 3, S, S): resized bilinearly, grey images replicated to 3 channels."""
    import torch
    import torch.nn.functional as F
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    if x.shape[-1] != image_size:
        x = F.interpolate(x, size=(image_size, image_size), mode="bilinear", align_corners=False)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    return x


def normalise(train, val):
    """Both torch splits normalised per channel with the training split's mean and standard deviation."""
    mean = train.mean(dim=(0, 2, 3), keepdim=True)
    std = train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return (train - mean) / std, (val - mean) / std


def digits_split(image_size: int):
    """(train_x, train_y, val_x, val_y) torch tensors of the digits at `image_size` x `image_size` pixels."""
    import torch
    pixels, labels = digits_arrays()
    images = pixels[:, None].astype(np.float32) / 16.0
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    n_val = int(len(images) * DIGITS_VAL_FRACTION)
    val, train = order[:n_val], order[n_val:]
    x = prepare_images(images, image_size)
    y = torch.from_numpy(labels)
    train_x, val_x = normalise(x[train], x[val])
    return train_x, y[train], val_x, y[val]
