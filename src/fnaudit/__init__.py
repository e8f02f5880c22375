"""fnaudit: a security analyzer for serverless applications.

The public API is one call, `scan(target, config) -> ScanResult`, and the values it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fnaudit.config import Config
    from fnaudit.findings import Finding, Severity
    from fnaudit.rules.registry import Rule
    from fnaudit.scan import ScanResult, scan

__all__ = ["Config", "Finding", "Rule", "ScanResult", "Severity", "__version__", "scan"]


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `fnaudit --version` and `import fnaudit` cheap.
    if name in ("scan", "ScanResult"):
        from fnaudit import scan as _scan

        return getattr(_scan, name)
    if name == "Config":
        from fnaudit.config import Config

        return Config
    if name in ("Finding", "Severity"):
        from fnaudit import findings

        return getattr(findings, name)
    if name == "Rule":
        from fnaudit.rules.registry import Rule

        return Rule
    raise AttributeError(name)
