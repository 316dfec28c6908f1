"""The terminal side of `rnc compile`: its progress display and its table (the compiler is rnc.driver)."""
