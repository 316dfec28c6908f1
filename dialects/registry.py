"""The one table of dialects: name -> module that defines `DIALECT`. Add a line here to register a dialect."""

DIALECT_MODULES: dict[str, str] = {
    "builtin": "rnc.dialects.builtin",
    "func": "rnc.dialects.func",
    "test": "rnc.dialects.test",
    "rnc": "rnc.dialects.rnc",
    "xbar": "rnc.dialects.xbar",
    "nn": "rnc.dialects.nn",
    "isa": "rnc.dialects.isa",
}
