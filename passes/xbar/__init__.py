"""Crossbar compilation passes: target, tile-partition, depthwise-split, replicate, place, xbar-report."""
