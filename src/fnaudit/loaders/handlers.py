"""From a runtime, a code folder and a handler string to the file and symbol that handle events.

Python `pkg/mod.func` or `pkg.mod.func` → `pkg/mod.py` (or `pkg/mod/__init__.py`), symbol `func`;
Node `src/user.create` → `src/user.{js,mjs,cjs,ts,…}`, symbol `create`; Java `com.x.Handler::handle`
→ `…/com/x/Handler.java`, symbol `Handler::handle`. Nothing is imported or executed.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders._files import ScanRoot
from fnaudit.model.app import Code

_NODE_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_JAVA_SOURCE_DIRS = ("src/main/java", "src/main/kotlin", "src", "")


def language_of(runtime: str | None) -> str:
    r = (runtime or "").lower()
    for prefix, lang in (
        ("python", "python"),
        ("nodejs", "node"),
        ("java", "java"),
        ("go", "go"),
        ("provided", "custom"),
        ("dotnet", "dotnet"),
        ("ruby", "ruby"),
    ):
        if r.startswith(prefix):
            return lang
    return "unknown"


def resolve_code(root: ScanRoot, code_dir: Path, handler: str | None, runtime: str | None) -> Code:
    """Locate the handler's file and symbol under `code_dir` (an absolute folder inside the scan root)."""
    lang = language_of(runtime)
    rel_root = root.rel(code_dir)
    if not root.contains(code_dir):
        return Code(lang, in_repo=False, note=f"code folder {code_dir} is outside the scanned folder")
    if not code_dir.is_dir():
        return Code(lang, in_repo=False, root=rel_root, note=f"code folder {rel_root or '.'} is not in the repository")
    if not handler:
        return Code(lang, in_repo=True, root=rel_root, note="no handler set")
    if lang == "node" or (lang == "unknown" and _find_node(code_dir, handler)):
        return _node(root, code_dir, rel_root, handler)
    if lang == "python":
        return _python(root, code_dir, rel_root, handler)
    if lang == "java":
        return _java(root, code_dir, rel_root, handler)
    return Code(lang, in_repo=True, root=rel_root, handler_symbol=handler, note=f"handler files are not resolved for {lang}")


def _split(handler: str) -> tuple[str, str] | None:
    module, sep, symbol = handler.rpartition(".")
    return (module, symbol) if sep and module and symbol else None


def _python(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    parts = _split(handler)
    if parts is None:
        return Code("python", True, rel_root, note=f"handler {handler!r} is not `module.function`")
    module, symbol = parts
    module_path = module.replace(".", "/") if "/" not in module else module
    for candidate in (f"{module_path}.py", f"{module_path}/__init__.py"):
        f = code_dir / candidate
        if f.is_file() and root.contains(f):
            return Code("python", True, rel_root, root.rel(f), symbol)
    return Code("python", True, rel_root, None, symbol, note=f"{module_path}.py not found under {rel_root or '.'}")


def _find_node(code_dir: Path, handler: str) -> Path | None:
    parts = _split(handler)
    if parts is None:
        return None
    for ext in _NODE_EXTENSIONS:
        f = code_dir / f"{parts[0]}{ext}"
        if f.is_file():
            return f
    return None


def _node(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    parts = _split(handler)
    if parts is None:
        return Code("node", True, rel_root, note=f"handler {handler!r} is not `file.export`")
    f = _find_node(code_dir, handler)
    if f is not None and root.contains(f):
        return Code("node", True, rel_root, root.rel(f), parts[1])
    return Code("node", True, rel_root, None, parts[1], note=f"{parts[0]}.js/.mjs/.cjs/.ts not found under {rel_root or '.'}")


def _java(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    cls, _, method = handler.partition("::")
    simple = cls.rsplit(".", 1)[-1]
    symbol = f"{simple}::{method}" if method else simple
    rel_class = cls.replace(".", "/")
    for src in _JAVA_SOURCE_DIRS:
        for ext in (".java", ".kt"):
            f = code_dir / src / f"{rel_class}{ext}"
            if f.is_file() and root.contains(f):
                return Code("java", True, rel_root, root.rel(f), symbol)
    return Code("java", True, rel_root, None, symbol, note=f"{rel_class}.java not found under {rel_root or '.'}")
