"""rnc.driver: the compiler as a library (compile pipeline, timing runs, ISA runs, atomic outputs)."""
