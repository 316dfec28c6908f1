"""Tiny ONNX graphs, built with onnx.helper, that together use every op the ONNX frontend supports.

`CASES` maps a case name to a function returning the model; the tests run each through the importer and
the interpreter and compare with onnxruntime.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(1234)
F = TensorProto.FLOAT


def weights(*shape, scale=0.5) -> np.ndarray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def model(nodes, inputs: dict, initializers: dict | None = None, outputs=("y",), opset: int = 17):
    """A model with float inputs `{name: shape}`, initializers `{name: array}` and outputs of unknown shape."""
    graph = helper.make_graph(
        nodes, "case",
        [helper.make_tensor_value_info(n, F, list(s)) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, F, None) for n in outputs],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in (initializers or {}).items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = min(m.ir_version, 8)  # onnxruntime reads IR 8 at every opset used here
    return m


def node(op_type, inputs, outputs=("y",), name=None, **attrs):
    return helper.make_node(op_type, list(inputs), list(outputs), name=name or f"{op_type}_0", **attrs)


def i64(*values) -> np.ndarray:
    return np.array(values, dtype=np.int64)


X4 = {"x": (1, 4, 9, 9)}


def conv_bias_pads_strides():
    return model([node("Conv", ["x", "w", "b"], pads=[1, 1, 1, 1], strides=[2, 2])], X4,
                 {"w": weights(6, 4, 3, 3), "b": weights(6)})


def conv_grouped_dilated():
    return model([node("Conv", ["x", "w"], group=2, dilations=[2, 2], pads=[2, 1, 0, 1])], X4,
                 {"w": weights(6, 2, 3, 3)})


def conv_depthwise_multiplier():
    return model([node("Conv", ["x", "w", "b"], group=4, pads=[1, 1, 1, 1], strides=[2, 1])], X4,
                 {"w": weights(8, 1, 3, 3), "b": weights(8)})


def conv_auto_pad_same():
    return model([node("Conv", ["x", "w"], ["t"], auto_pad="SAME_UPPER", strides=[2, 2]),
                  node("Conv", ["t", "w2"], name="Conv_1", auto_pad="SAME_LOWER", strides=[2, 2])], X4,
                 {"w": weights(4, 4, 4, 4), "w2": weights(3, 4, 2, 2)})


def conv_1d():
    return model([node("Conv", ["x", "w", "b"], pads=[1, 2], strides=[2])], {"x": (2, 3, 11)},
                 {"w": weights(5, 3, 4), "b": weights(5)})


def conv_transpose_variants():
    """torch's forms: stride 2 with padding and output_padding; grouped and dilated; output_shape (SAME_UPPER);
    a 1-d one."""
    return model([node("ConvTranspose", ["x", "w", "b"], ["a"], strides=[2, 2], pads=[1, 1, 1, 1],
                       output_padding=[1, 1]),
                  node("ConvTranspose", ["x", "wg"], ["b2"], name="ConvTranspose_1", group=2, dilations=[2, 1],
                       strides=[1, 3], pads=[0, 1, 2, 0]),
                  node("ConvTranspose", ["x", "w"], ["c"], name="ConvTranspose_2", strides=[2, 2],
                       output_shape=[19, 18], auto_pad="SAME_UPPER")], X4,
                 {"w": weights(4, 3, 3, 3), "b": weights(3), "wg": weights(4, 5, 2, 3)}, outputs=("a", "b2", "c"))


def conv_transpose_1d():
    return model([node("ConvTranspose", ["x", "w"], strides=[3], pads=[1, 0], output_padding=[2])],
                 {"x": (2, 3, 7)}, {"w": weights(3, 2, 4)})


def gemm_linear():
    """torch's nn.Linear: transB=1, bias [N]."""
    return model([node("Gemm", ["x", "w", "b"], transB=1)], {"x": (3, 8)}, {"w": weights(5, 8), "b": weights(5)})


def gemm_alpha_beta_trans_a():
    return model([node("Gemm", ["x", "w", "c"], alpha=0.5, beta=2.0, transA=1)], {"x": (8, 3)},
                 {"w": weights(8, 5), "c": weights(3, 5)})


def gemm_variable_weight():
    return model([node("Gemm", ["x", "w", "c"], alpha=1.5, beta=0.5)], {"x": (3, 8), "w": (8, 4)},
                 {"c": weights(1, 4)})


def gemm_every_transpose():
    """Gemm with transA and transB set, alpha and beta, a full M x N C; and with a computed B (transB=1)."""
    return model([node("Gemm", ["x", "w", "c"], ["a"], alpha=0.75, beta=-1.5, transA=1, transB=1),
                  node("Relu", ["a"], ["ar"]),
                  node("Gemm", ["a", "ar"], ["b"], name="Gemm_1", transB=1, alpha=2.0)], {"x": (8, 3)},
                 {"w": weights(5, 8), "c": weights(3, 5)}, outputs=("b",))


def attention():
    """One head of self-attention: Q K^T (batched MatMul of two activations), softmax, times V."""
    return model([node("MatMul", ["x", "wq"], ["q"], name="MatMul_q"),
                  node("MatMul", ["x", "wk"], ["k"], name="MatMul_k"),
                  node("MatMul", ["x", "wv"], ["v"], name="MatMul_v"),
                  node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
                  node("MatMul", ["q", "kt"], ["s"], name="MatMul_qk"),
                  node("Mul", ["s", "scale"], ["ss"]),
                  node("Softmax", ["ss"], ["p"], axis=-1),
                  node("MatMul", ["p", "v"], name="MatMul_pv")], {"x": (2, 6, 8)},
                 {"wq": weights(8, 8), "wk": weights(8, 8), "wv": weights(8, 8),
                  "scale": np.array(8 ** -0.5, np.float32)}, opset=13)


def matmul_batched():
    return model([node("MatMul", ["x", "w"])], {"x": (2, 3, 8)}, {"w": weights(8, 4)})


def arithmetic_broadcast():
    return model([node("Add", ["x", "a"], ["t0"]), node("Sub", ["t0", "x"], ["t1"], name="Sub_0"),
                  node("Mul", ["t1", "m"], ["t2"]), node("Div", ["t2", "d"], ["t3"]),
                  node("Sum", ["t3", "x", "a"])], X4,
                 {"a": weights(4, 1, 1), "m": weights(9), "d": (np.abs(weights(1, 4, 1, 9)) + 0.5)})


def activations():
    return model([node("Relu", ["x"], ["r"]), node("Sigmoid", ["x"], ["s"]), node("Tanh", ["x"], ["t"]),
                  node("HardSwish", ["x"], ["h"]), node("HardSigmoid", ["x"], ["g"], alpha=0.3, beta=0.4),
                  node("Sum", ["r", "s", "t", "h", "g"])], X4)


def clip_inputs_opset13():
    return model([node("Clip", ["x", "lo", "hi"], ["c"]), node("Clip", ["c", "", "hi2"], name="Clip_1")], X4,
                 {"lo": np.array(-0.5, np.float32), "hi": np.array(0.8, np.float32),
                  "hi2": np.array(0.6, np.float32)}, opset=13)


def clip_attributes_opset9():
    return model([node("Clip", ["x"], min=0.0, max=6.0)], X4, opset=9)


def softmax_axis_opset13():
    return model([node("Softmax", ["x"], axis=1)], X4, opset=13)


def softmax_coerced_opset11():
    """Before opset 13 Softmax normalizes over all dimensions from `axis` on."""
    return model([node("Softmax", ["x"], axis=1)], X4, opset=11)


def max_pool_ceil_dilated():
    return model([node("MaxPool", ["x"], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                       ceil_mode=1),
                  node("MaxPool", ["p"], name="MaxPool_1", kernel_shape=[2, 2], dilations=[2, 2])], X4)


def average_pool_variants():
    return model([node("AveragePool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
                  node("AveragePool", ["x"], ["b"], name="AveragePool_1", kernel_shape=[3, 3], strides=[2, 2],
                       pads=[1, 1, 1, 1], count_include_pad=1),
                  node("AveragePool", ["x"], ["c"], name="AveragePool_2", kernel_shape=[2, 2], strides=[2, 2],
                       ceil_mode=1),
                  node("AveragePool", ["x"], ["d"], name="AveragePool_3", kernel_shape=[3, 3], strides=[2, 2],
                       pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)],
                 X4, outputs=("a", "b", "c", "d"))


def pool_1d():
    return model([node("MaxPool", ["x"], ["m"], kernel_shape=[3], strides=[2], pads=[1, 1]),
                  node("AveragePool", ["m"], kernel_shape=[2])], {"x": (2, 3, 12)})


def global_average_pool():
    return model([node("GlobalAveragePool", ["x"])], X4)


def reduce_mean_attribute_axes():
    return model([node("ReduceMean", ["x"], axes=[2, 3], keepdims=0)], X4, opset=13)


def reduce_mean_input_axes():
    return model([node("ReduceMean", ["x", "axes"])], X4, {"axes": i64(-1, 2)}, opset=18)


def reduce_mean_dynamo_gap():
    """Global average pooling as torch's dynamo exporter writes it; canonicalized to nn.global_avg_pool."""
    return model([node("ReduceMean", ["x", "axes"], keepdims=1)], X4, {"axes": i64(-1, -2)}, opset=18)


def reduce_sum_variants():
    """ReduceSum: axes an attribute before opset 13 (here 11), all axes when none are given."""
    return model([node("ReduceSum", ["x"], ["a"], axes=[1], keepdims=0),
                  node("ReduceSum", ["x"], ["b"], name="ReduceSum_1")], X4, outputs=("a", "b"), opset=11)


def reduce_sum_input_axes():
    return model([node("ReduceSum", ["x", "axes"], ["a"], keepdims=0),
                  node("ReduceSum", ["x", "none"], ["b"], name="ReduceSum_1", noop_with_empty_axes=1)], X4,
                 {"axes": i64(0, -1), "none": i64()}, outputs=("a", "b"), opset=13)


def reduce_max_variants():
    return model([node("ReduceMax", ["x", "axes"], keepdims=0)], X4, {"axes": i64(3, 1)}, opset=18)


def reduce_max_attribute_axes():
    return model([node("ReduceMax", ["x"], axes=[-2, 1])], X4, opset=13)


def flatten_axis2():
    return model([node("Flatten", ["x"], axis=2)], X4)


def reshape_shape_chain():
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape: the shape computation folds to a constant."""
    return model([node("Shape", ["x"], ["s"]), node("Gather", ["s", "zero"], ["n"], axis=0),
                  node("Unsqueeze", ["n", "zero1"], ["n1"]),
                  node("Concat", ["n1", "minus1"], ["shape"], axis=0),
                  node("Reshape", ["x", "shape"], ["r"]), node("Relu", ["r"])], X4,
                 {"zero": np.array(0, np.int64), "zero1": i64(0), "minus1": i64(-1)})


def reshape_zero_and_transpose():
    return model([node("Reshape", ["x", "shape"], ["r"]), node("Transpose", ["r"], perm=[0, 2, 1, 3])], X4,
                 {"shape": i64(0, 2, -1, 9)})


def squeeze_unsqueeze():
    return model([node("Unsqueeze", ["x", "ax"], ["u"]), node("Squeeze", ["u", "ax"], ["s"]),
                  node("GlobalAveragePool", ["s"], ["g"]), node("Squeeze", ["g"], name="Squeeze_1")], X4,
                 {"ax": i64(2)}, opset=13)


def concat_axis():
    return model([node("Relu", ["x"], ["r"]), node("Concat", ["x", "r", "c"], axis=-3)], X4,
                 {"c": weights(1, 2, 9, 9)})


def pad_modes():
    return model([node("Pad", ["x", "p", "v"], ["a"], mode="constant"),
                  node("Pad", ["x", "p"], ["b"], name="Pad_1", mode="reflect"),
                  node("Pad", ["x", "p2", "", "axes"], ["c"], name="Pad_2", mode="edge")], X4,
                 {"p": i64(0, 0, 1, 2, 0, 0, 2, 1), "v": np.array(0.75, np.float32),
                  "p2": i64(1, 3, 2, 0), "axes": i64(2, 3)}, outputs=("a", "b", "c"), opset=18)


def pad_attributes_opset9():
    return model([node("Pad", ["x"], pads=[0, 1, 0, 2, 0, 1, 0, 0], value=1.5)], X4, opset=9)


def batch_norm():
    return model([node("BatchNormalization", ["x", "s", "b", "m", "v"], epsilon=1e-3)], X4,
                 {"s": weights(4) + 1, "b": weights(4), "m": weights(4), "v": np.abs(weights(4)) + 0.5})


def conv_then_batch_norm():
    """The canonicalization folds the batch norm into the conv."""
    return model([node("Conv", ["x", "w", "cb"], ["c"], pads=[1, 1, 1, 1]),
                  node("BatchNormalization", ["c", "s", "b", "m", "v"])], X4,
                 {"w": weights(5, 4, 3, 3), "cb": weights(5), "s": weights(5) + 1, "b": weights(5),
                  "m": weights(5), "v": np.abs(weights(5)) + 0.5})


def lrn():
    return model([node("LRN", ["x"], size=3, alpha=2e-3, beta=0.75, bias=1.5)], X4)


def dropout_identity():
    return model([node("Dropout", ["x", "ratio"], ["d"]), node("Identity", ["d"], ["i"]), node("Relu", ["i"])],
                 X4, {"ratio": np.array(0.3, np.float32)}, opset=13)


def constant_nodes():
    """Constant, ConstantOfShape, Size and Cast of them fold; the IR only sees their values."""
    return model([node("Constant", [], ["k"], value=numpy_helper.from_array(weights(4, 1, 1), "k")),
                  node("ConstantOfShape", ["shape"], ["ones"],
                       value=numpy_helper.from_array(np.array([2.0], np.float32))),
                  node("Size", ["x"], ["n"]), node("Cast", ["n"], ["nf"], to=F),
                  node("Mul", ["x", "k"], ["t"]), node("Add", ["t", "ones"], ["u"]), node("Div", ["u", "nf"])], X4,
                 {"shape": i64(1, 4, 1, 1)})


def small_convnet():
    """A little network mixing the layers the built-in models use."""
    return model([node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]), node("Relu", ["c1"], ["r1"]),
                  node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
                  node("Conv", ["p1", "w2"], ["c2"], name="Conv_1", group=8, pads=[1, 1, 1, 1]),
                  node("HardSwish", ["c2"], ["h"]), node("GlobalAveragePool", ["h"], ["g"]),
                  node("Flatten", ["g"], ["f"]), node("Gemm", ["f", "w3", "b3"], ["logits"], transB=1),
                  node("Softmax", ["logits"])], X4,
                 {"w1": weights(8, 4, 3, 3), "b1": weights(8), "w2": weights(8, 1, 3, 3),
                  "w3": weights(10, 8), "b3": weights(10)})


def resize_nearest_scales_legacy_exporter():
    """torch's `interpolate(scale_factor=2)` through the legacy exporter: asymmetric coordinates, floor."""
    return model([node("Resize", ["x", "", "scales"], coordinate_transformation_mode="asymmetric", mode="nearest",
                       nearest_mode="floor")], X4, {"scales": np.array([1, 1, 2, 2], np.float32)}, opset=17)


def resize_linear_sizes_dynamo_exporter():
    """The dynamo exporter's bilinear upsampling: sizes, pytorch_half_pixel (align_corners=False)."""
    return model([node("Resize", ["x", "", "", "sizes"], coordinate_transformation_mode="pytorch_half_pixel",
                       mode="linear")], X4, {"sizes": i64(1, 4, 18, 13)}, opset=18)


def resize_every_coordinate_mode():
    """Every coordinate_transformation_mode, nearest (each rounding) and linear, by scales and by sizes.
    (half_pixel_symmetric with floor/ceil rounding is left out: onnxruntime's float32 arithmetic lands a
    coordinate 1 ulp under an integer where numpy's lands on it; no exporter writes that combination.)"""
    nodes, outputs = [], []
    for cm in ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric"):
        roundings = [r for r in ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
                     if cm != "half_pixel_symmetric" or r.startswith("round")]
        for mode, nearest in [("linear", "floor")] + [("nearest", r) for r in roundings]:
            for form, inputs in (("scales", ["x", "", "scales"]), ("sizes", ["x", "", "", "sizes"])):
                out = f"{cm}_{mode}_{nearest}_{form}"
                nodes.append(node("Resize", inputs, [out], name=out, coordinate_transformation_mode=cm, mode=mode,
                                  nearest_mode=nearest))
                outputs.append(out)
    return model(nodes, X4, {"scales": np.array([1, 1, 1.7, 0.6], np.float32), "sizes": i64(1, 4, 14, 5)},
                 outputs=tuple(outputs), opset=19)


def upsample_opset9():
    return model([node("Upsample", ["x", "scales"], mode="linear")], X4,
                 {"scales": np.array([1, 1, 2, 1.5], np.float32)}, opset=9)


def resize_axes_opset18():
    return model([node("Resize", ["x", "", "", "sizes"], axes=[3, 2], mode="linear")], X4,
                 {"sizes": i64(6, 12)}, opset=18)


def layer_norm():
    return model([node("LayerNormalization", ["x", "s", "b"], ["a"], axis=-2, epsilon=1e-3),
                  node("LayerNormalization", ["x", "s1"], ["c"], name="LayerNormalization_1")], X4,
                 {"s": weights(9, 9) + 1, "b": weights(9, 9), "s1": weights(9) + 1}, outputs=("a", "c"))


def gelu_exact_and_tanh():
    return model([node("Gelu", ["x"], ["a"]), node("Gelu", ["x"], ["b"], name="Gelu_1", approximate="tanh")], X4,
                 outputs=("a", "b"), opset=20)


def gelu_erf_subgraph():
    """torch's GELU through the legacy exporter: x * (erf(x / sqrt 2) + 1) * 0.5."""
    return model([node("Div", ["x", "sqrt2"], ["d"]), node("Erf", ["d"], ["e"]), node("Add", ["e", "one"], ["a"]),
                  node("Mul", ["x", "a"], ["m"]), node("Mul", ["m", "half"], name="Mul_1")], X4,
                 {"sqrt2": np.array(1.4142135, np.float32), "one": np.array(1.0, np.float32),
                  "half": np.array(0.5, np.float32)})


def gelu_tanh_subgraph():
    """torch's GELU(approximate='tanh') through the legacy exporter:
    0.5 * (x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x * (x * x)))))."""
    return model([node("Mul", ["x", "x"], ["sq"], name="sq"), node("Mul", ["x", "sq"], ["cube"], name="cube"),
                  node("Mul", ["kappa", "cube"], ["kc"], name="kc"), node("Add", ["x", "kc"], ["s"], name="s"),
                  node("Mul", ["beta", "s"], ["inner"], name="inner"), node("Tanh", ["inner"], ["t"]),
                  node("Add", ["one", "t"], ["a"], name="a"), node("Mul", ["x", "a"], ["m"], name="m"),
                  node("Mul", ["half", "m"], name="y")], X4,
                 {"kappa": np.array(0.044715, np.float32), "beta": np.array(0.7978846, np.float32),
                  "one": np.array(1.0, np.float32), "half": np.array(0.5, np.float32)})


def functions():
    """Erf, Exp, Sqrt, Pow with a float and an integer exponent; the divisor stays away from zero (in [0.78,
    1.29]), so the case also holds on 8-bit activations."""
    return model([node("Erf", ["x"], ["e"]), node("Tanh", ["x"], ["t"]), node("Exp", ["t"], ["x1"]),
                  node("Sqrt", ["x1"], ["s"]),
                  node("Pow", ["x", "three"], ["p"]), node("Pow", ["s", "half"], ["q"], name="Pow_1"),
                  node("Sub", ["e", "p"], ["d"]), node("Div", ["d", "q"])], X4,
                 {"three": np.array(3, np.int64), "half": np.array(0.5, np.float32)})


def softmax_every_axis():
    return model([node("Softmax", ["x"], [f"s{a}"], name=f"Softmax_{a}", axis=a) for a in (-4, 1, 2, 3)], X4,
                 outputs=("s-4", "s1", "s2", "s3"), opset=13)


def slice_forms():
    """Negative, clamped and omitted bounds, steps forwards and backwards; Slice-1's attributes."""
    return model([node("Slice", ["x", "st", "en", "ax", "sp"], ["a"]),
                  node("Slice", ["x", "st2", "en2"], ["b"], name="Slice_1"),
                  node("Slice", ["x", "st3", "en3", "ax3", "sp3"], ["c"], name="Slice_2")], X4,
                 {"st": i64(-2, 1), "en": i64(-100, 100), "ax": i64(3, 2), "sp": i64(-3, 2),
                  "st2": i64(0, 1), "en2": i64(1, 3),
                  "st3": i64(8), "en3": i64(-1000), "ax3": i64(-1), "sp3": i64(-1)}, outputs=("a", "b", "c"), opset=13)


def slice_attributes_opset9():
    return model([node("Slice", ["x"], starts=[1, -4], ends=[3, 1000], axes=[1, 3])], X4, opset=9)


def split_forms():
    return model([node("Split", ["x", "sizes"], ["a", "b"], axis=2),
                  node("Split", ["x"], ["c", "d", "e"], name="Split_1", axis=-1, num_outputs=3)], X4,
                 {"sizes": i64(4, 5)}, outputs=("a", "b", "c", "d", "e"), opset=18)


def split_attribute_opset11():
    return model([node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3]),
                  node("Split", ["x"], ["c", "d"], name="Split_1", axis=1)], X4, outputs=("a", "b", "c", "d"), opset=11)


def gather_constant_indices():
    """A scalar index (a transformer's class token) and a 2-d index tensor with a negative entry."""
    return model([node("Gather", ["x", "zero"], ["a"], axis=2),
                  node("Gather", ["x", "idx"], ["b"], name="Gather_1", axis=-1)], X4,
                 {"zero": np.array(0, np.int64), "idx": np.array([[0, -1, 3], [2, 2, 8]], np.int64)},
                 outputs=("a", "b"))


def expand_and_where():
    """Expand to a larger rank; Where with a constant (attention-mask-like) condition."""
    return model([node("Expand", ["x", "shape"], ["e"]), node("Where", ["cond", "e", "minus"], ["w"]),
                  node("Mul", ["x", "two"], ["x2"]), node("Where", ["cond1", "x", "x2"], ["v"], name="Where_1")], X4,
                 {"shape": i64(2, 1, 1, 1, 1), "cond": RNG.standard_normal((9, 9)) > 0,
                  "minus": np.array(-3.0, np.float32), "cond1": RNG.standard_normal((4, 1, 1)) > 0,
                  "two": np.array(2.0, np.float32)}, outputs=("w", "v"))


def cast_between_floats():
    return model([node("Cast", ["x"], ["h"], to=TensorProto.FLOAT16), node("Cast", ["h"], to=F, name="Cast_1")],
                 X4)


CASES = {f.__name__: f for f in (
    conv_bias_pads_strides, conv_grouped_dilated, conv_depthwise_multiplier, conv_auto_pad_same, conv_1d,
    conv_transpose_variants, conv_transpose_1d, gemm_linear, gemm_alpha_beta_trans_a, gemm_variable_weight,
    gemm_every_transpose, attention, matmul_batched, arithmetic_broadcast,
    activations, clip_inputs_opset13, clip_attributes_opset9, softmax_axis_opset13, softmax_coerced_opset11,
    max_pool_ceil_dilated, average_pool_variants, pool_1d, global_average_pool, reduce_mean_attribute_axes,
    reduce_mean_input_axes, reduce_mean_dynamo_gap, reduce_sum_variants, reduce_sum_input_axes,
    reduce_max_variants, reduce_max_attribute_axes, flatten_axis2, reshape_shape_chain, reshape_zero_and_transpose,
    squeeze_unsqueeze,
    concat_axis, pad_modes, pad_attributes_opset9, batch_norm, conv_then_batch_norm, lrn, dropout_identity,
    constant_nodes, small_convnet,
    resize_nearest_scales_legacy_exporter, resize_linear_sizes_dynamo_exporter, resize_every_coordinate_mode,
    upsample_opset9, resize_axes_opset18, layer_norm, gelu_exact_and_tanh, gelu_erf_subgraph, gelu_tanh_subgraph,
    functions,
    softmax_every_axis, slice_forms, slice_attributes_opset9, split_forms, split_attribute_opset11,
    gather_constant_indices, expand_and_where, cast_between_floats)}


def op_types(m: onnx.ModelProto) -> set[str]:
    return {n.op_type for n in m.graph.node}
