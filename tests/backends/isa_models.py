"""Small placed modules for the ISA tests: a net with every kind of layer, random weights, placed trivially."""
from __future__ import annotations

import numpy as np

from rnc.dialects.xbar import ArrayOp, module_array, module_layers
from rnc.ir.attributes import dense
from rnc.ir.parser import parse_module
from rnc.ir.pass_manager import PassManager, parse_pipeline

NET = """
"builtin.module"() ({
  "func.func"() ({
  ^bb0(%x: tensor<1x16x8x8xf32>):
    %w0 = "nn.constant"() {value = dense<0.5> : tensor<200x16x3x3xf32>} : () -> tensor<200x16x3x3xf32>
    %b0 = "nn.constant"() {value = dense<0.1> : tensor<200xf32>} : () -> tensor<200xf32>
    %c = "nn.conv2d"(%x, %w0, %b0) {pads = [1, 1, 1, 1]} : (tensor<1x16x8x8xf32>, tensor<200x16x3x3xf32>, tensor<200xf32>) -> tensor<1x200x8x8xf32> loc("Conv_0")
    %r = "nn.relu"(%c) : (tensor<1x200x8x8xf32>) -> tensor<1x200x8x8xf32>
    %w1 = "nn.constant"() {value = dense<0.25> : tensor<200x1x3x3xf32>} : () -> tensor<200x1x3x3xf32>
    %d = "nn.conv2d"(%r, %w1) {groups = 200 : i64, pads = [1, 1, 1, 1], strides = [1, 1]} : (tensor<1x200x8x8xf32>, tensor<200x1x3x3xf32>) -> tensor<1x200x8x8xf32> loc("Conv_1")
    %h = "nn.hard_swish"(%d) : (tensor<1x200x8x8xf32>) -> tensor<1x200x8x8xf32>
    %a = "nn.add"(%h, %r) : (tensor<1x200x8x8xf32>, tensor<1x200x8x8xf32>) -> tensor<1x200x8x8xf32>
    %p = "nn.max_pool"(%a) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x200x8x8xf32>) -> tensor<1x200x4x4xf32>
    %g = "nn.global_avg_pool"(%p) : (tensor<1x200x4x4xf32>) -> tensor<1x200x1x1xf32>
    %f = "nn.flatten"(%g) : (tensor<1x200x1x1xf32>) -> tensor<1x200xf32>
    %w2 = "nn.constant"() {value = dense<1.0> : tensor<10x200xf32>} : () -> tensor<10x200xf32>
    %b2 = "nn.constant"() {value = dense<1.0> : tensor<10xf32>} : () -> tensor<10xf32>
    %y = "nn.linear"(%f, %w2, %b2) : (tensor<1x200xf32>, tensor<10x200xf32>, tensor<10xf32>) -> tensor<1x10xf32> loc("Gemm_0")
    "func.return"(%y) : (tensor<1x10xf32>) -> ()
  }) {function_type = (tensor<1x16x8x8xf32>) -> tensor<1x10xf32>, sym_name = "main"} : () -> ()
}) : () -> ()
"""


GROUPED_NET = """
"builtin.module"() ({
  "func.func"() ({
  ^bb0(%x: tensor<1x32x8x8xf32>):
    %w0 = "nn.constant"() {value = dense<0.5> : tensor<64x4x3x3xf32>} : () -> tensor<64x4x3x3xf32>
    %b0 = "nn.constant"() {value = dense<0.1> : tensor<64xf32>} : () -> tensor<64xf32>
    %c = "nn.conv2d"(%x, %w0, %b0) {groups = 8 : i64, pads = [1, 1, 1, 1]} : (tensor<1x32x8x8xf32>, tensor<64x4x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32> loc("Conv_group8")
    %r = "nn.relu"(%c) : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
    %w1 = "nn.constant"() {value = dense<0.25> : tensor<32x16x3x3xf32>} : () -> tensor<32x16x3x3xf32>
    %d = "nn.conv2d"(%r, %w1) {groups = 4 : i64, pads = [0, 1, 1, 0], strides = [2, 1]} : (tensor<1x64x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x4x7xf32> loc("Conv_group4")
    %g = "nn.reduce_mean"(%d) {axes = [2, 3]} : (tensor<1x32x4x7xf32>) -> tensor<1x32xf32>
    "func.return"(%g) : (tensor<1x32xf32>) -> ()
  }) {function_type = (tensor<1x32x8x8xf32>) -> tensor<1x32xf32>, sym_name = "main"} : () -> ()
}) : () -> ()
"""
"""Two grouped convs: 8 groups of 36 x 8 (block-diagonal fits 3 a crossbar) and 4 groups of 144 x 8 (two row
blocks per group), then a mean over the spatial axes."""


def partitioned_net(seed: int = 1, passes: str = "partition", net: str = NET):
    """`net` (default NET) with seeded random weights, after `passes`."""
    module = parse_module(net)
    rng = np.random.default_rng(seed)
    for op in list(module.walk()):
        if op.name == "nn.constant":
            shape = op.results[0].type.shape
            op.set_attr("value", dense((rng.standard_normal(shape) * 0.3).astype(np.float32)))
    PassManager(parse_pipeline(passes)).run(module)
    return module


def replicate_layer(module, layer_index: int, copies: int) -> None:
    """Gives one layer `copies` copies with the same tiling (before placement)."""
    layer = next(l for l in module_layers(module) if l.layer == layer_index)
    originals = [t for t in layer.tiles if t.replica == 0]
    for r in range(1, copies):
        for t in originals:
            c = t.clone_shallow()
            c.replica = r
            layer.body.append(c)
    layer.copies = copies


def place_one_per_xbar(module, reverse: bool = False, offset: int = 0) -> None:
    """Tile i on crossbar i (or in reverse order), at [offset, offset] when it fits."""
    tiles = [t for l in module_layers(module) for t in l.tiles]
    n = len(tiles)
    for i, t in enumerate(tiles):
        h, w = t.footprint()
        off = offset if h + offset <= 128 and w + offset <= 128 else 0
        t.place(n - 1 - i if reverse else i, off, off)
    old = module_array(module)
    if old is not None:
        old.erase()
    module.regions[0].block.insert(0, ArrayOp.create(attributes={"count": n, "rows": 128, "cols": 128}))
