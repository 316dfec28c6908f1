"""Disjoint sets over 0..n-1 (path halving), for channel groups that residual adds and gates join."""
from __future__ import annotations


class UnionFind:
    """Sets created one at a time by `new`; `join` merges two and keeps the first one's root."""

    def __init__(self):
        self.parent: list[int] = []

    def new(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, g: int) -> int:
        while self.parent[g] != g:
            self.parent[g] = self.parent[self.parent[g]]
            g = self.parent[g]
        return g

    def join(self, a: int, b: int) -> int:
        """Merges the sets of `a` and `b`; returns the root, `a`'s."""
        a, b = self.find(a), self.find(b)
        self.parent[b] = a
        return a
