"""Nested subnetworks (REDS) on the torch side: channel groups, Taylor importance, permutation, and the
pipeline from a model to nested levels on crossbars."""
