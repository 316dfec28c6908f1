"""The samples `rnc compile --eval-data` measures accuracy on (and `--calibration-data` calibrates on):
scikit-learn's digits or a folder of .npy files.

- `digits`: the validation split of rnc.driver.image_data (what `rnc nas train` holds out; calibration takes
  the training split, so a program is never calibrated on the samples it is measured on), resized to the
  model's input size and normalised as in training; a model with one input channel gets the first channel.
- a folder DIR: `DIR/inputs.npy`, an array (N, *sample shape) where the model's input is (1, *sample shape),
  and optionally `DIR/labels.npy`, N integer class indices. Without labels only the agreement with the float
  model is reported.

The first `samples` samples are used. Every problem (no such file, wrong shape or dtype, non-finite inputs,
labels missing for some inputs or out of range) is an `EvalDataError` naming the file: one line for the user.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnc.dialects.func import find_function
from rnc.driver.image_data import DataError, digits_split

DIGITS = "digits"
INPUTS_FILE = "inputs.npy"
LABELS_FILE = "labels.npy"


class EvalDataError(Exception):
    """Evaluation data the command cannot use: one line naming the file."""


@dataclass
class EvalData:
    """Samples for the accuracy figures: `inputs[i]` has the model's input shape (batch 1)."""

    source: str                    # "digits" or the folder
    inputs: np.ndarray             # (N, *model input shape) float32
    labels: np.ndarray | None      # (N,) int64 class indices, or None


def model_io_shapes(module, option: str = "--eval-data") -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(input shape, output shape) of a module with one input and one output; EvalDataError (naming
    `option`) otherwise."""
    fn = find_function(module)
    block = fn.regions[0].blocks[0]
    returned = block.ops[-1].operands
    if len(block.args) != 1 or len(returned) != 1:
        raise EvalDataError(f"{option} needs a model with one input and one output, this one has "
                            f"{len(block.args)} and {len(returned)}")
    return tuple(block.args[0].type.shape), tuple(returned[0].type.shape)


def load_eval_data(spec: str, module, samples: int, *, split: str = "validation",
                   option: str = "--eval-data") -> EvalData:
    """The first `samples` samples of `spec` ("digits" or a folder) for `module`'s input and output (of the
    digits' "validation" or "train" split); errors name the command-line `option`."""
    input_shape, output_shape = model_io_shapes(module, option)
    if not input_shape or input_shape[0] != 1:
        raise EvalDataError(f"{option} needs a model whose input has batch size 1, got {list(input_shape)}")
    classes = int(np.prod(output_shape))
    if spec == DIGITS:
        data = _digits(input_shape, split, option)
        where = DIGITS
    else:
        data = _folder(Path(spec), input_shape, option)
        where = str(Path(spec) / LABELS_FILE)
    data.inputs = data.inputs[:samples]
    if data.labels is not None:
        data.labels = data.labels[:samples]
        if data.labels.size and not (0 <= data.labels.min() and data.labels.max() < classes):
            raise EvalDataError(f"{where}: labels must be class indices 0..{classes - 1} (the model has "
                                f"{classes} outputs), got {data.labels.min()}..{data.labels.max()}")
    return data


def _digits(input_shape: tuple[int, ...], split: str, option: str) -> EvalData:
    channels, height, width = (input_shape[1:] + (0, 0, 0))[:3]
    if len(input_shape) != 4 or height != width or channels not in (1, 3):
        raise EvalDataError(f"{option} digits needs a model taking square images with 1 or 3 channels "
                            f"(1xCxSxS), this one takes {'x'.join(map(str, input_shape))}")
    try:
        train_x, train_y, val_x, val_y = digits_split(height)
    except DataError as e:
        raise EvalDataError(str(e)) from None
    images, labels = (train_x, train_y) if split == "train" else (val_x, val_y)
    x = images.numpy()[:, None, :channels]              # each sample (1, C, S, S)
    return EvalData(DIGITS, np.ascontiguousarray(x, dtype=np.float32), labels.numpy().astype(np.int64))


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise EvalDataError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError) as e:
        raise EvalDataError(f"{path}: not a readable .npy array ({e})") from None


def _folder(folder: Path, input_shape: tuple[int, ...], option: str) -> EvalData:
    if not folder.is_dir():
        raise EvalDataError(f"{option} '{folder}': neither 'digits' nor a folder with {INPUTS_FILE}")
    path = folder / INPUTS_FILE
    x = _load(path)
    sample = input_shape[1:]
    if x.dtype.kind not in "biuf":
        raise EvalDataError(f"{path}: expected numbers, got an array of dtype {x.dtype}")
    if x.ndim != len(sample) + 1 or tuple(x.shape[1:]) != sample or x.shape[0] == 0:
        raise EvalDataError(f"{path}: shape {list(x.shape)}, expected (N, {', '.join(map(str, sample))}) with "
                            f"N >= 1 for a model taking {'x'.join(map(str, input_shape))}")
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        raise EvalDataError(f"{path}: holds NaN or infinite values (or values beyond float32)")
    labels = None
    label_path = folder / LABELS_FILE
    if label_path.exists():
        labels = _load(label_path)
        if labels.dtype.kind not in "iu" or labels.ndim != 1:
            raise EvalDataError(f"{label_path}: expected a 1-D array of integer class indices, got shape "
                                f"{list(labels.shape)} of dtype {labels.dtype}")
        if len(labels) != len(x):
            raise EvalDataError(f"{label_path}: {len(labels)} labels for {len(x)} inputs in {INPUTS_FILE}")
        labels = labels.astype(np.int64)
    return EvalData(str(folder), x[:, None], labels)
