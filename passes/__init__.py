"""Every pass of rnc. Importing this package registers them all (see rnc.ir.pass_manager.PASS_REGISTRY)."""
from . import canonicalize, dce  # noqa: F401
from .xbar import depthwise_split, place, report, set_target, tile_partition  # noqa: F401
