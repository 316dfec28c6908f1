"""The nn dialect: neural-network layers as imported from ONNX or PyTorch, before any crossbar mapping.

Every op has one result whose type it infers from its operands and attributes (see `base.NnOp`); shapes
are static. Weights are `nn.constant` ops holding `dense_resource<...>` data, so a model is one file.
"""
from rnc.ir.dialect import Dialect

from .base import NnOp
from .constant import ConstantOp
from .conv_transpose import ConvTranspose2dOp, InsertZerosOp
from .elementwise import (AddOp, ClipOp, DivOp, ErfOp, ExpOp, GeluOp, HardSigmoidOp, HardSwishOp, MulOp, PowOp,
                          ReluOp, SigmoidOp, SqrtOp, SubOp, SumOp, TanhOp, WhereOp)
from .linear_algebra import Conv2dOp, LinearOp, MatMulOp
from .normalization import BatchNormOp, DropoutOp, IdentityOp, LayerNormOp, LrnOp, SoftmaxOp
from .pooling import AvgPoolOp, GlobalAvgPoolOp, MaxPoolOp, ReduceMaxOp, ReduceMeanOp, ReduceSumOp
from .resize import ResizeOp
from .shape_ops import CastOp, ConcatOp, ExpandOp, FlattenOp, GatherOp, PadOp, ReshapeOp, SliceOp, TransposeOp

OPS = [ConstantOp, Conv2dOp, LinearOp, MatMulOp, ConvTranspose2dOp, InsertZerosOp,
       AddOp, SubOp, MulOp, DivOp, PowOp, SumOp, WhereOp, ReluOp, ClipOp, SigmoidOp, HardSigmoidOp, HardSwishOp,
       TanhOp, GeluOp, ErfOp, SqrtOp, ExpOp,
       SoftmaxOp, MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, ReduceMeanOp, ReduceSumOp, ReduceMaxOp, ResizeOp,
       FlattenOp, ReshapeOp, TransposeOp, ConcatOp, PadOp, SliceOp, GatherOp, ExpandOp, CastOp,
       BatchNormOp, LayerNormOp, LrnOp, DropoutOp, IdentityOp]

DIALECT = Dialect("nn", OPS, doc="Neural-network layers (ONNX-level), the input of crossbar mapping.")

__all__ = ["DIALECT", "OPS", "NnOp"] + [op.__name__ for op in OPS]
