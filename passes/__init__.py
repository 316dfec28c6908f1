"""Every pass of rnc. Importing this package registers them all (see rnc.ir.pass_manager.PASS_REGISTRY)."""
from . import canonicalize, dce  # noqa: F401
