"""Facts flow one way: loaders → model → engines → rules → findings → reporters (issue 12).

Walks every module of `src/fnaudit` with `ast` (imports inside functions and `TYPE_CHECKING`
blocks count too: a lazy import is still a dependency) and checks who may import whom. A module
whose name has a segment starting with `_` is private to its package. The few exceptions left
are listed in KNOWN with the reason; an exception that no longer occurs must be removed from it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fnaudit"

# (importer, imported) → why it is still allowed. Keep this short; fix rather than extend.
KNOWN: dict[tuple[str, str], str] = {}
# Engine modules rules may import: pure lookups and the vocabularies of the facts they read. The code
# engine's `ir` names the sink kinds of `CodeFacts.flows`; the IAM catalogue answers access-level
# questions (a pure lookup in a data table); `used.RUNTIME_ACTIONS` and the secret detectors are data
# tables shared by the engine that builds a fact and the rule that judges it (`slots`: the signing-key and
# credential-API names the secrets engine looks for and the SECRET rules word their messages by).
RULES_MAY_IMPORT: tuple[str, ...] = (
    "fnaudit.engines.code.ir",
    "fnaudit.engines.iam.catalogue",
    "fnaudit.engines.iam.used",
    "fnaudit.engines.secrets.context",
    "fnaudit.engines.secrets.detectors",
    "fnaudit.engines.secrets.slots",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every fnaudit module `path` imports (for `from fnaudit.x import y`: `fnaudit.x.y` when y is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("fnaudit"))
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            if not module.startswith("fnaudit"):
                continue
            # `from fnaudit.loaders import _iam` imports the module _iam; `from fnaudit.x import f`, x itself
            for alias in node.names:
                candidate = SRC.parent / Path(*f"{module}.{alias.name}".split("."))
                is_module = candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file()
                yield f"{module}.{alias.name}" if is_module else module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("fnaudit")
        ):
            yield str(node.args[0].value)


def _edges() -> list[tuple[str, str]]:
    return sorted({(_module_name(p), imported) for p in SRC.rglob("*.py") for imported in _imports(p)})


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private(module: str) -> bool:
    """Whether `module` (or a package on its path) is private to its package: a segment starting with `_`."""
    return any(p.startswith("_") and not p.startswith("__") for p in module.split(".")[2:])


def _violation(importer: str, imported: str) -> str | None:
    src, dst = _layer(importer), _layer(imported)
    if src == dst and src != "":
        return None
    if src == "model" and dst not in ("model", "errors"):
        return "the model imports nothing from fnaudit but model/ and errors"
    if src == "loaders" and dst in ("engines", "rules", "report", "pipeline", "cli", "changes"):
        return "loaders never import engines, rules, reporters or the pipeline"
    if src == "engines":
        if dst in ("rules", "report", "cli", "pipeline", "changes"):
            return "engines never import rules, reporters, the CLI or the pipeline"
        if dst == "loaders" and _private(imported):
            return "engines use the loaders' public modules only (fnaudit.loaders.documents, archives, lockfiles)"
    if src == "rules":
        if dst in ("report", "cli", "pipeline", "loaders", "changes"):
            return "rules never import reporters, the CLI, the pipeline or loaders"
        if dst == "engines" and imported not in RULES_MAY_IMPORT:
            return "rules read facts from the model; engine modules only from RULES_MAY_IMPORT"
    if src == "report":
        if dst in ("engines", "loaders", "cli"):
            return "reporters read the ScanResult only: no engines, loaders or CLI"
        if dst == "rules" and imported != "fnaudit.rules.registry":
            return "reporters may know the Rule type (fnaudit.rules.registry), never rule internals"
    return None


def test_facts_flow_one_way() -> None:
    broken = [
        f"{importer} imports {imported}: {why}"
        for importer, imported in _edges()
        if (why := _violation(importer, imported)) and (importer, imported) not in KNOWN
    ]
    assert broken == []


def test_known_exceptions_still_exist() -> None:
    edges = set(_edges())
    assert [k for k in KNOWN if k not in edges] == []  # fixed: remove it from KNOWN


@pytest.mark.parametrize(
    ("importer", "imported", "broken"),
    [
        ("fnaudit.report.html_graph", "fnaudit.rules.iam._actions", True),  # the shortcut issue 12 removed
        ("fnaudit.report.permissions", "fnaudit.engines.iam.least", True),
        ("fnaudit.engines.deps", "fnaudit.rules.registry", True),
        ("fnaudit.engines.deps", "fnaudit.loaders._yaml", True),
        ("fnaudit.loaders.lockfiles.gomod", "fnaudit.engines.osv.versions", True),
        ("fnaudit.model.permissions", "fnaudit.engines.iam", True),
        ("fnaudit.engines.deps", "fnaudit.loaders.documents", False),
        ("fnaudit.report.sarif", "fnaudit.rules.registry", False),
        ("fnaudit.rules.iam._actions", "fnaudit.engines.iam.catalogue", False),
    ],
)
def test_the_checker_tells_shortcuts_from_allowed_imports(importer: str, imported: str, broken: bool) -> None:
    assert (_violation(importer, imported) is not None) is broken


def test_lazy_and_type_checking_imports_are_seen(tmp_path: Path) -> None:
    # The HTML shortcut was an import inside a function, under try/except ImportError: still an edge.
    edges = _edges()
    assert ("fnaudit.report.html_graph", "fnaudit.model.permissions") in edges
    assert ("fnaudit.loaders.lockfiles.gomod", "fnaudit.model.versions") in edges  # imported inside a function
