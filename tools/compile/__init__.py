"""`rnc compile`: model -> placed program, simulation, speedup and reports (the API behind the command)."""
