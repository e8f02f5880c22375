"""Where a Go function's `main` package is, from its code folder and the names its binary goes by.

A Go function deploys a compiled binary (`bootstrap` on `provided.al2*`, any name on `go1.x`), so the
IaC never names a source file. The source is the *main package*: a folder whose non-test `.go` files
say `package main` and one of them calls `lambda.Start*`. It is looked for, in order:

1. the code folder itself (SAM `BuildMethod: go1.x` points `CodeUri` at it);
2. by the binary's name (`handler: bin/foo`, `package.artifact: bin/foo.zip`, the function's name):
   the folder a Makefile's `go build -o bin/foo ./cmd/foo` line builds it from (read as text, never
   run), then `cmd/<name>`, `<name>`, `functions/<name>`;
3. the only main package under `cmd/*`, `*` or `functions/*`.

Several candidates and no name to choose by, or none at all, is a note; nothing is guessed.
Symbolic links leaving the scan root are never read.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fnaudit.errors import InputError
from fnaudit.loaders._files import ScanRoot

MAX_GO_BYTES = 2 * 1024 * 1024  # a hand-written Go file is far smaller; generated ones are not handlers
MAX_MAKEFILE_BYTES = 256 * 1024
MAX_FOLDERS = 400  # candidate folders looked at under one code folder
_MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
_NAME_LAYOUTS = ("cmd/{}", "{}", "functions/{}")
_GENERIC = frozenset({"bootstrap", "main", "handler"})  # binary names that say nothing about the folder
_PACKAGE_MAIN = re.compile(r"^package\s+main\b", re.M)


@dataclass(frozen=True, slots=True)
class GoMain:
    """The main package found (`handler_file`: its file calling `lambda.Start`), or why none was."""

    handler_file: Path | None
    note: str | None = None


def binary_names(*hints: str | None) -> tuple[str, ...]:
    """The names the binary may go by: `bin/foo` → foo, `bin/foo.zip` → foo, `bin/foo/bootstrap.zip`
    → foo; generic names (`bootstrap`, `main`) say nothing and are dropped."""
    out: list[str] = []
    for hint in hints:
        if not hint:
            continue
        p = PurePosixPath(hint.replace("\\", "/"))
        stem = p.name[: -len(".zip")] if p.name.lower().endswith(".zip") else p.name
        name = p.parent.name if stem in _GENERIC else stem
        if name and name not in _GENERIC and name not in out and name not in (".", ".."):
            out.append(name)
    return tuple(out)


def locate_main(root: ScanRoot, code_dir: Path, names: tuple[str, ...]) -> GoMain:
    """The main package serving a function whose code folder is `code_dir` (see the module docstring)."""
    here = lambda_file(root, code_dir)
    if here is not None:
        return GoMain(here)
    built = makefile_builds(root, code_dir)
    for name in dict.fromkeys(v for n in names for v in _variants(n)):
        for rel in (built.get(name), *(layout.format(name) for layout in _NAME_LAYOUTS)):
            if rel is None:
                continue
            folder = code_dir / rel
            found = lambda_file(root, folder) if _inside(root, folder) else None
            if found is not None:
                return GoMain(found)
    mains = list(_candidates(root, code_dir))
    shown = root.rel(code_dir) or "."
    if len(mains) == 1:
        return GoMain(mains[0][1])
    if not mains:
        return GoMain(None, f"no main package calling lambda.Start under {shown}")
    listed = ", ".join(rel for rel, _ in mains[:6]) + (", …" if len(mains) > 6 else "")
    why = f"the names {', '.join(names)} match none of them" if names else "no binary name to choose one by"
    return GoMain(None, f"several main packages under {shown} ({listed}) and {why}")


def module_of(root: ScanRoot, base: Path, artifact: str) -> Path | None:
    """The folder that builds an artifact written outside `base`: the nearest folder, from the artifact's own
    upward and inside the scan root, holding a `go.mod` or a Makefile. None when the artifact is under `base`."""
    try:
        target = root.resolve_inside(base, artifact)
    except InputError:
        return None
    if base in target.parents:
        return None
    folder = target.parent
    while root.contains(folder):
        if any((folder / n).is_file() for n in ("go.mod", *_MAKEFILES)):
            return folder
        if folder == root.path:
            break
        folder = folder.parent
    return None


def in_module(root: ScanRoot, file: Path) -> bool:
    """Whether a `go.mod` is beside `file` or above it inside the root: every real Go main package
    has one, so a custom runtime (`provided.al2`, also Rust's and others') is Go only then."""
    here = file.parent
    while _inside(root, here):
        if _read(root, here / "go.mod", MAX_MAKEFILE_BYTES) is not None:
            return True
        if here == root.path or here.parent == here:
            return False
        here = here.parent
    return False


def _variants(name: str) -> tuple[str, ...]:
    """A name as written, and as a folder would spell a logical id (`HelloFunction` → hello)."""
    bare = re.sub(r"(Function|Lambda|Handler|Fn)$", "", name) or name
    return (name, name.lower(), bare.lower(), re.sub(r"(?<!^)(?=[A-Z])", "-", bare).lower())


def lambda_file(root: ScanRoot, folder: Path) -> Path | None:
    """The first (by name) non-test `.go` file of `folder` in `package main` that calls `lambda.Start*`."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return None
        names = sorted(p.name for p in folder.glob("*.go") if not p.name.endswith("_test.go"))
    except OSError:
        return None
    for name in names:
        source = _read(root, folder / name, MAX_GO_BYTES)
        if source is not None and _PACKAGE_MAIN.search(source) and "lambda.Start" in source:
            return folder / name
    return None


def makefile_builds(root: ScanRoot, folder: Path) -> dict[str, str]:
    """Binary name → the folder (relative to `folder`) a Makefile's `go build -o OUT PKG` builds it
    from. `-o bin/foo ./cmd/foo` and `-o bin/foo/bootstrap cmd/foo/main.go` both give foo → cmd/foo.
    The Makefile is read as text; a line using variables or shell logic is skipped, never evaluated."""
    out: dict[str, str] = {}
    for name in _MAKEFILES:
        text = _read(root, folder / name, MAX_MAKEFILE_BYTES)
        if text is None:
            continue
        rule = None
        for line in text.replace("\\\n", " ").splitlines():
            target = re.match(r"^([\w.-]+)\s*:(?!=)", line)
            if target is not None:
                rule = target.group(1)
            built = _go_build(line)
            if built is None:
                continue
            if built[0] is not None:
                out.setdefault(built[0], built[1])
            if rule and rule.startswith("build-"):  # SAM `BuildMethod: makefile` runs `build-<LogicalId>`
                out.setdefault(rule.removeprefix("build-"), built[1])
        break
    return out


def _go_build(line: str) -> tuple[str | None, str] | None:
    """(binary name or None when the output is not plain text, package folder) of a `go build` line."""
    at = line.find("go build")
    if at < 0:
        return None
    try:
        words = shlex.split(line[at + len("go build") :].split("&&")[0].split(";")[0], comments=True)
    except ValueError:  # an unbalanced quote: not a line we can read
        return None
    output = None
    for i, w in enumerate(words):
        if w == "-o" and i + 1 < len(words):
            output = words[i + 1]
        elif w.startswith("-o="):
            output = w[3:]
    # flags come before the packages (Go stops reading flags at the first other word): the last word
    package = words[-1] if words and not words[-1].startswith("-") and words[-1] != output else None
    if not package or "$" in package:
        return None
    names = binary_names(output) if output and "$" not in output else ()
    pkg = PurePosixPath(package.removesuffix("/..."))
    if pkg.suffix == ".go":
        pkg = pkg.parent
    rel = pkg.as_posix()
    if rel.startswith(("/", "../")) or "/../" in rel or rel == "..":
        return None
    return (names[0] if names else None), rel


def _candidates(root: ScanRoot, code_dir: Path) -> Iterable[tuple[str, Path]]:
    """Main packages one level under `cmd/`, the code folder and `functions/` (sorted, bounded)."""
    seen = 0
    for parent in ("cmd", "", "functions"):
        base = code_dir / parent if parent else code_dir
        try:
            if base.is_symlink() or not base.is_dir():
                continue
            folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        for folder in folders:
            if parent == "" and folder.name in ("cmd", "functions"):
                continue
            seen += 1
            if seen > MAX_FOLDERS:
                return
            found = lambda_file(root, folder)
            if found is not None:
                yield folder.relative_to(code_dir).as_posix(), found


def _inside(root: ScanRoot, p: Path) -> bool:
    try:
        return root.contains(p)
    except (OSError, ValueError):
        return False


def _read(root: ScanRoot, path: Path, limit: int) -> str | None:
    """The text of a small regular file inside the root, or None (missing, a link out, too large, binary)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > limit or not root.contains(path):
            return None
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")
