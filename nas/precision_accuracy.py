"""A compiled model's numbers on a batch of samples, with the torch arithmetic of the crossbars
(rnc.nas.fake_quant): `precision_accuracy(model, settings_per_layer, data)` estimates a network's top-1
accuracy under a precision setting without the ISA simulator, and gets the simulator's answer.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from rnc.nas.fake_quant import F64, layer_integers


class QuantizedNetwork:
    """A partitioned (or placed) module's numbers on a batch: each `xbar.layer` through `crossbar_mvm` with
    its own precision and tile rows, each digital op as the program runs it (dequantize, nn kernel,
    quantize), with the activation scales the lowering calibrates (`calibration_inputs(module, seed)`, or
    max |x| over `calibration`, a list of input lists, as `lower_program(module, calibration)` would).
    With target key adc_range = "calibrated" (and a quantized ADC) the ADC ranges are calibrated on the same
    inputs as `rnc compile` calibrates them (rnc.backends.isa.adc_calibration); otherwise each layer's own
    `adc_shifts`, if any, hold. Its outputs are the ISA program's, sample for sample, without the simulator."""

    def __init__(self, module, seed: int = 0, calibration: list[list[np.ndarray]] | None = None) -> None:
        from rnc.backends.isa.adc_calibration import calibrate_adc_shifts
        from rnc.backends.isa.lower import calibration_inputs
        from rnc.backends.isa.reference import calibrate
        from rnc.dialects.func import find_function
        from rnc.dialects.rnc import module_target
        self.module = module
        self.block = find_function(module).regions[0].blocks[0]
        samples = calibration if calibration is not None else calibration_inputs(module, seed)
        self.scales = calibrate(module, samples)
        target = module_target(module)
        self.adc_shifts = calibrate_adc_shifts(module, self.scales, samples) if target.calibrates_adc else None
        self.layers = {id(op): _PreparedLayer(op, target, self.adc_shifts) for op in self.block.ops if _is_layer(op)}

    def int8_outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """int8 outputs of a batch `x` (B, *input shape without its batch dimension of 1)."""
        from rnc.backends.isa.reference import run_quantized
        return run_quantized(self.module, self.scales, [x],
                             lambda op, q, s_in, s_out: self.layers[id(op)].run(q, s_in, s_out), batch=x.shape[0])

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The first output, dequantized (float32), of a batch `x`."""
        from rnc.backends.isa.quantize import dequantize
        ret = self.block.ops[-1].operands[0]
        return dequantize(self.int8_outputs(x)[0], self.scales[id(ret)])

    def top1(self, inputs: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """The class each sample of `inputs` (N, 1, *sample shape) gets."""
        picks = [self.outputs(inputs[i:i + batch_size, 0]).reshape(len(inputs[i:i + batch_size]), -1).argmax(1)
                 for i in range(0, len(inputs), batch_size)]
        return np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)


def _is_layer(op) -> bool:
    from rnc.dialects.xbar import LayerOp
    return isinstance(op, LayerOp)


class _PreparedLayer:
    """An xbar.layer's int8 weights, bias, precision and tile rows, and its batched run. `adc_shifts`
    ({layer index: shifts}, calibrated) replaces the layer's own when given."""

    def __init__(self, layer, target, adc_shifts: dict[int, tuple[int, ...]] | None) -> None:
        from rnc.backends.isa.layers import conv_params, layer_bias, layer_matrix
        from rnc.backends.isa.quantize import quantize_weights
        from rnc.backends.isa.reference import row_blocks
        self.kind = layer.kind
        qw, sw = quantize_weights(layer_matrix(layer))
        self.qw, self.sw = torch.from_numpy(qw.astype(np.float64)), torch.from_numpy(sw.astype(np.float64))
        self.bias = layer_bias(layer)
        self.sw32 = sw
        self.precision = (layer.layer_precision(target) if adc_shifts is None
                          else target.layer_precision(layer.peripheral_overrides, adc_shifts[layer.layer]))
        self.row_blocks = row_blocks(layer)
        self.conv = conv_params(layer) if self.kind in ("conv", "depthwise") else None
        self.kernel = tuple(layer.operands[1].type.shape[2:]) if self.conv else None

    def run(self, q_in: np.ndarray, s_in: float, s_out: float) -> np.ndarray:
        from rnc.backends.isa.quantize import quantize_bias
        qb = None if self.bias is None else torch.from_numpy(quantize_bias(self.bias, s_in, self.sw32).astype(np.float64))
        x = torch.from_numpy(q_in.astype(np.float64))
        if self.conv is None:                                # linear / matmul: rows are the last axis
            lead = x.shape[:-1]
            out = layer_integers(x.reshape(-1, x.shape[-1]), self.qw, qb, self.precision, self.row_blocks,
                                 s_in, self.sw, s_out)
            return out.reshape(*lead, -1).numpy().astype(np.int8)
        b, ho, wo = self._out_shape(x)
        out = layer_integers(x, self.qw, qb, self.precision, self.row_blocks, s_in, self.sw, s_out, self._windows)
        return out.reshape(b, ho, wo, -1).permute(0, 3, 1, 2).numpy().astype(np.int8)

    def _out_shape(self, x: torch.Tensor) -> tuple[int, int, int]:
        (kh, kw), stride, (pt, pl, pb, pr), dilation = self.kernel, self.conv["s"], self.conv["p"], self.conv["d"]
        ho = (x.shape[2] + pt + pb - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (x.shape[3] + pl + pr - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        return x.shape[0], ho, wo

    def _windows(self, x: torch.Tensor) -> torch.Tensor:
        """(P, K) rows of a conv, or (P, C, K) per-channel windows of a depthwise layer, of a (B, C, H, W)
        map (im2col in float32: exact for these small integers)."""
        (kh, kw), stride, (pt, pl, pb, pr), dilation = self.kernel, self.conv["s"], self.conv["p"], self.conv["d"]
        x = F.pad(x.to(torch.float32), (pl, pr, pt, pb))
        b, c = x.shape[:2]
        cols = F.unfold(x, (kh, kw), dilation=tuple(dilation), stride=tuple(stride))     # (B, C*kh*kw, L)
        if self.kind == "conv":
            return cols.permute(0, 2, 1).reshape(-1, cols.shape[1])
        return cols.reshape(b, c, kh * kw, -1).permute(0, 3, 1, 2).reshape(-1, c, kh * kw)


def precision_accuracy(model: Any, settings_per_layer: Mapping[int, Mapping[str, Any]], data: Any, *,
                       target_values: Mapping[str, Any] | None = None, target_file: str | None = None,
                       samples: int | None = None, seed: int = 0,
                       input_shape: tuple[int, ...] | None = None, calibration_data: str | None = None,
                       calibration_samples: int | None = None) -> float:
    """Top-1 accuracy of `model` compiled with `settings_per_layer` ({xbar.layer index: {peripheral key:
    value}}, rnc.hw.LAYER_PERIPHERAL_KEYS; CompileOptions.layer_peripherals) on `data`, computed with the
    torch arithmetic of the crossbars instead of the ISA simulator (the same numbers).

    `model`: a built-in name, an .onnx path, an nn-dialect module, or a torch nn.Module (exported at
    `input_shape`, default an EvalData's sample shape). `data`: "digits", a folder (rnc.driver.eval_data) or an `EvalData` with labels.
    `target_values` sets target keys for every layer (e.g. {"adc_model": "quantized", "adc_bits": 4}).
    `calibration_data` ("digits": its training split, or a folder) calibrates the program as
    `rnc compile --calibration-data` does, on its first `calibration_samples` samples (default: seeded
    random inputs, as `rnc compile`).
    """
    from rnc.driver import CompileOptions, compile_model
    from rnc.driver.calibration import data_calibration
    from rnc.driver.eval_data import EvalData, load_eval_data
    from rnc.driver.limits import DEFAULT_CALIBRATION_SAMPLES
    if isinstance(model, torch.nn.Module):
        shape = input_shape or (tuple(data.inputs.shape[1:]) if isinstance(data, EvalData) else ())
        model = _torch_to_module(model, shape)
    options = CompileOptions(target_file=target_file, target_values=dict(target_values or {}),
                             layer_peripherals={int(k): dict(v) for k, v in settings_per_layer.items()}, seed=seed)
    result = compile_model(model, options)
    if not isinstance(data, EvalData):
        data = load_eval_data(str(data), result.model, samples or 10 ** 9)
    if data.labels is None:
        raise ValueError(f"{data.source}: precision_accuracy needs labels")
    inputs, labels = data.inputs[:samples], data.labels[:samples]
    calibration = None
    if calibration_data is not None:
        found = load_eval_data(calibration_data, result.model, calibration_samples or DEFAULT_CALIBRATION_SAMPLES,
                               split="train", option="calibration_data")
        calibration = data_calibration(found.source, found.inputs).samples
    return float(np.mean(QuantizedNetwork(result.partitioned, seed, calibration).top1(inputs) == labels))


def _torch_to_module(net: torch.nn.Module, input_shape: tuple[int, ...]):
    """A torch network as an nn-dialect module, traced on an input of `input_shape` (batch 1)."""
    from rnc.frontends.onnx.importer import import_onnx
    from rnc.frontends.torch import export_onnx
    if len(input_shape) < 2 or input_shape[0] != 1:   # e.g. none given with data named by a string
        raise ValueError(f"a torch model needs input_shape (1, C, H, W) or EvalData, got {tuple(input_shape)}")
    return import_onnx(export_onnx(net, torch.zeros(tuple(input_shape))))
