"""fnaudit: a security analyzer for serverless applications.

The public API is one call, `scan(target, config) -> ScanResult`, and the values it returns:

    from fnaudit import scan, Config
    result = scan("path/to/app", Config(stage="prod"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fnaudit.config import Config
    from fnaudit.findings import Finding, Severity
    from fnaudit.pipeline import ScanResult, scan
    from fnaudit.rules.registry import Rule

__all__ = ["Config", "Finding", "Rule", "ScanResult", "Severity", "__version__", "scan"]

# Public name -> the module that defines it. Imported on first use, so that `import fnaudit` (and so
# `fnaudit --version`) does not pay for the analysers: `import fnaudit.pipeline` alone takes ~90 ms.
# The function `scan` lives in `fnaudit.pipeline`, not in a module `fnaudit.scan`: importing a submodule
# binds it as an attribute of its package, which would replace the function `fnaudit.scan`.
_EXPORTS = {
    "scan": "fnaudit.pipeline",
    "ScanResult": "fnaudit.pipeline",
    "Config": "fnaudit.config",
    "Finding": "fnaudit.findings",
    "Severity": "fnaudit.findings",
    "Rule": "fnaudit.rules.registry",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fnaudit' has no attribute {name!r}")
    # importlib, not `from fnaudit import …`: that statement would look the name up here again (recursion).
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # bound once; later lookups do not come back here
    return value
