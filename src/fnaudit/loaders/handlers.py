"""From a runtime, a code folder and a handler string to the file and symbol that handle events.

Python `pkg/mod.func` or `pkg.mod.func` → `pkg/mod.py` (or `pkg/mod/__init__.py`), symbol `func`;
Node `src/user.create` → `src/user.{js,mjs,cjs,ts,…}`, symbol `create`; Java `com.x.Handler::handle`
→ `…/com/x/Handler.java`, symbol `Handler::handle`. Nothing is imported or executed.

A location that cannot be used raises `InputError`, which the loader turns into an `errors` entry
for that function alone: a code folder or handler file that is a symbolic link to outside the scan
root (never read, never silently skipped), a handler whose module path is longer than a file name
may be, a path the operating system refuses. A handler that is simply not there is a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from fnaudit.errors import InputError
from fnaudit.loaders._files import ScanRoot, unreadable_link
from fnaudit.model.app import Code

_NODE_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_JAVA_SOURCE_DIRS = ("src/main/java", "src/main/kotlin", "src", "")
NAME_MAX = 255  # bytes in one file-name component (Linux, macOS, Windows alike)
PATH_MAX = 4096


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


def locate_code(
    root: ScanRoot, code_dir: Path, handler: str | None, runtime: str | None, report: Callable[[str], None]
) -> Code:
    """`resolve_code`, with a location that cannot be used reported through `report` (the loader's
    error entry for this function) and the function kept, its code marked as not analysable."""
    try:
        return resolve_code(root, code_dir, handler, runtime)
    except InputError as exc:
        report(str(exc))
        return Code(language_of(runtime), in_repo=False, note=str(exc))


def locate_artifact(
    root: ScanRoot, base: Path, artifact: str, handler: str | None, runtime: str | None, report: Callable[[str], None]
) -> Code:
    """Serverless `package.artifact`: a local zip is read in place; a remote or missing one is a note."""
    lang = language_of(runtime)
    if artifact.startswith(("s3://", "http://", "https://")) or not artifact.lower().endswith(".zip"):
        return Code(lang, in_repo=False, note=f"deployed from the artifact {artifact}; its code is not read")
    try:
        path = root.resolve_inside(base, artifact)
        if not _probe(path, Path.is_file):
            return Code(lang, in_repo=False, note=f"deployed from the artifact {artifact}; its code is not read")
        return resolve_code(root, path, handler, runtime)
    except InputError as exc:
        report(str(exc))
        return Code(lang, in_repo=False, note=str(exc))


def resolve_code(root: ScanRoot, code_dir: Path, handler: str | None, runtime: str | None) -> Code:
    """Locate the handler's file and symbol under `code_dir` (an absolute folder inside the scan root).

    Raises InputError when the location cannot be used (see the module docstring)."""
    lang = language_of(runtime)
    rel_root = root.rel(code_dir)
    if not root.contains(code_dir):
        raise InputError(
            f"code folder {rel_root or code_dir} is outside the scanned folder (a symbolic link?); fnaudit never "
            "reads there, so this function's code is not analysed: scan the folder that holds the code"
        )
    if code_dir.suffix.lower() == ".zip" and _probe(code_dir, Path.is_file):
        return _archive(root, code_dir, handler, runtime)
    if not _probe(code_dir, Path.is_dir):
        return Code(lang, in_repo=False, root=rel_root, note=f"code folder {rel_root or '.'} is not in the repository")
    if not handler:
        return Code(lang, in_repo=True, root=rel_root, note="no handler set")
    if lang == "node" or (lang == "unknown" and _find_node(root, code_dir, handler)):
        return _node(root, code_dir, rel_root, handler)
    if lang == "python":
        return _python(root, code_dir, rel_root, handler)
    if lang == "java":
        return _java(root, code_dir, rel_root, handler)
    return Code(
        lang, in_repo=True, root=rel_root, handler_symbol=handler, note=f"handler files are not resolved for {lang}"
    )


def _archive(root: ScanRoot, zip_path: Path, handler: str | None, runtime: str | None) -> Code:
    """A local zip artifact, read in place (`fnaudit.loaders.archives`): the handler is looked up
    among its members, and every path is named `<zip>!/<member>`."""
    if root.artifacts is None:  # outside a scan nothing would remove what is unpacked: not read
        raise InputError(f"zip artifact {root.rel(zip_path)} is read only by a scan; its code is not analysed")
    mount = root.artifacts.open_zip(zip_path)  # InputError: not a zip, a bomb, zip-slip, too large
    code = resolve_code(ScanRoot.of(mount.folder), mount.folder, handler, runtime)
    handler_file = f"{mount.prefix}/{code.handler_file}" if code.handler_file else None
    note = code.note.replace("under .", f"in {mount.rel}") if code.note else None
    return replace(code, root=mount.prefix, handler_file=handler_file, note=note)


def _split(handler: str) -> tuple[str, str] | None:
    module, sep, symbol = handler.rpartition(".")
    return (module, symbol) if sep and module and symbol else None


def _python(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    parts = _split(handler)
    if parts is None:
        return Code("python", True, rel_root, note=f"handler {handler!r} is not `module.function`")
    module, symbol = parts
    module_path = module.replace(".", "/") if "/" not in module else module
    f = _first_file(root, code_dir, handler, (f"{module_path}.py", f"{module_path}/__init__.py"))
    if f is not None:
        return Code("python", True, rel_root, root.rel(f), symbol)
    return Code("python", True, rel_root, None, symbol, note=f"{module_path}.py not found under {rel_root or '.'}")


def _find_node(root: ScanRoot, code_dir: Path, handler: str) -> Path | None:
    parts = _split(handler)
    if parts is None:
        return None
    return _first_file(root, code_dir, handler, (f"{parts[0]}{ext}" for ext in _NODE_EXTENSIONS))


def _node(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    parts = _split(handler)
    if parts is None:
        return Code("node", True, rel_root, note=f"handler {handler!r} is not `file.export`")
    f = _find_node(root, code_dir, handler)
    if f is not None:
        return Code("node", True, rel_root, root.rel(f), parts[1])
    return Code(
        "node", True, rel_root, None, parts[1], note=f"{parts[0]}.js/.mjs/.cjs/.ts not found under {rel_root or '.'}"
    )


def _java(root: ScanRoot, code_dir: Path, rel_root: str, handler: str) -> Code:
    cls, _, method = handler.partition("::")
    simple = cls.rsplit(".", 1)[-1]
    symbol = f"{simple}::{method}" if method else simple
    rel_class = cls.replace(".", "/")
    candidates = (f"{src}/{rel_class}{ext}".lstrip("/") for src in _JAVA_SOURCE_DIRS for ext in (".java", ".kt"))
    f = _first_file(root, code_dir, handler, candidates)
    if f is not None:
        return Code("java", True, rel_root, root.rel(f), symbol)
    return Code("java", True, rel_root, None, symbol, note=f"{rel_class}.java not found under {rel_root or '.'}")


def _first_file(root: ScanRoot, code_dir: Path, handler: str, candidates: Iterable[str]) -> Path | None:
    """The first candidate (relative to `code_dir`) that is a file inside the root, or None.

    A candidate that exists but leads outside the root (a link, or a link on the way) raises
    InputError instead of being skipped: skipping it would make the function look code-less."""
    for rel in candidates:
        _check_length(handler, rel)
        f = code_dir / rel
        if not (_probe(f, Path.exists) or _probe(f, Path.is_symlink)):
            continue
        if not root.contains(f):
            why = unreadable_link(f)
            raise InputError(
                f"handler file {root.rel(f)} is {why.what}, so this function's code is not analysed: {why.advice}"
            )
        if _probe(f, Path.is_file):
            return f
    return None


def _check_length(handler: str, rel: str) -> None:
    """Refuse, before asking the OS, a path no file system can hold (the OS would raise ENAMETOOLONG)."""
    longest = max((len(part.encode("utf-8", "surrogatepass")) for part in rel.split("/")), default=0)
    if longest > NAME_MAX or len(rel.encode("utf-8", "surrogatepass")) > PATH_MAX:
        shown = handler if len(handler) <= 60 else f"{handler[:40]}…{handler[-12:]}"
        raise InputError(
            f"handler {shown!r} names a file path with a component of {longest} bytes, over the {NAME_MAX}-byte "
            "limit of a file name, so no such file can exist; fix the handler setting"
        )


def _probe(path: Path, test: Callable[[Path], bool]) -> bool:
    """`test(path)` (Path.is_file & co.), with what the OS refuses (a name too long, a path with a NUL,
    a permission) turned into InputError rather than an exception that would lose the whole IaC file."""
    try:
        return test(path)
    except ValueError:
        raise InputError("the handler path contains a NUL character; fix the handler setting") from None
    except OSError as exc:
        raise InputError(f"cannot look up {path.name[:80]!r}: {exc.strerror or exc}") from None
