"""Every pass of rnc. Importing this package registers them all (see rnc.ir.pass_manager.PASS_REGISTRY)."""
from . import canonicalize, dce, nn_fold_batch_norm, nn_fold_constants, nn_remove_dropout_identity  # noqa: F401
from .xbar import depthwise_split, place, replicate, report, set_target, tile_partition  # noqa: F401
