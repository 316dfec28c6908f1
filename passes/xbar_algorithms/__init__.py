"""Pure algorithms of crossbar compilation, independent of the IR: tiling, packing, replication."""
