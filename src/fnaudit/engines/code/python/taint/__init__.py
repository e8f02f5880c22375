"""The Python front end's taint walk: Python syntax translated into the core's operations.

A function is analysed once, with its parameters as symbolic roots (see `fnaudit.engines.code.taint`
for the value model, summaries and joins). The walk is flow-sensitive in straight-line code (an
assignment replaces the value), merges both branches of an `if`, runs loop bodies twice, and
understands a few guards: membership in a constant allowlist, `isdigit()`-style checks,
`re.fullmatch`, and a `startswith` check on a normalised path (`os.path.realpath`).

Layout: `walk` (the per-function state, declared in one place), `engine` (the summary cache and the
driver), `statements`, `guards`, `names`, `expressions`, `calls`, `interprocedural` (summaries
applied across functions and modules), `checks` (sinks and effects), `validation` (schemas and
pydantic models), `syntax` (AST helpers). Each is plain functions taking the `Walk`.
"""
