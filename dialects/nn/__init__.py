"""The nn dialect: neural-network layers as imported from ONNX or PyTorch, before any crossbar mapping.

Every op has one result whose type it infers from its operands and attributes (see `base.NnOp`); shapes
are static. Weights are `nn.constant` ops holding `dense_resource<...>` data, so a model is one file.
"""
from rnc.ir.dialect import Dialect

from .base import NnOp
from .constant import ConstantOp
from .elementwise import (AddOp, ClipOp, DivOp, HardSigmoidOp, HardSwishOp, MulOp, ReluOp, SigmoidOp, SubOp,
                          SumOp, TanhOp)
from .conv_transpose import ConvTranspose2dOp, InsertZerosOp
from .linear_algebra import Conv2dOp, LinearOp, MatMulOp
from .normalization import BatchNormOp, DropoutOp, IdentityOp, LrnOp, SoftmaxOp
from .pooling import AvgPoolOp, GlobalAvgPoolOp, MaxPoolOp, ReduceMaxOp, ReduceMeanOp, ReduceSumOp
from .shape_ops import ConcatOp, FlattenOp, PadOp, ReshapeOp, TransposeOp

OPS = [ConstantOp, Conv2dOp, LinearOp, MatMulOp, ConvTranspose2dOp, InsertZerosOp,
       AddOp, SubOp, MulOp, DivOp, SumOp, ReluOp, ClipOp, SigmoidOp, HardSigmoidOp, HardSwishOp, TanhOp,
       SoftmaxOp, MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, ReduceMeanOp, ReduceSumOp, ReduceMaxOp,
       FlattenOp, ReshapeOp, TransposeOp, ConcatOp, PadOp,
       BatchNormOp, LrnOp, DropoutOp, IdentityOp]

DIALECT = Dialect("nn", OPS, doc="Neural-network layers (ONNX-level), the input of crossbar mapping.")

__all__ = ["DIALECT", "OPS", "NnOp"] + [op.__name__ for op in OPS]
