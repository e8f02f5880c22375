"""From a runtime, a code folder and a handler string to the file and symbol that handle events.

Python `pkg/mod.func` or `pkg.mod.func` → `pkg/mod.py` (or `pkg/mod/__init__.py`), symbol `func`;
Node `src/user.create` → `src/user.{js,mjs,cjs,ts,…}`, symbol `create`; Java `com.x.Handler::handle`
→ `…/com/x/Handler.java`, symbol `Handler::handle` (framework handlers, Kotlin and jars deployed from
a build: `_jvm_project`); Go `bootstrap` → the main package's file calling `lambda.Start`
(`_go_project`). Nothing is imported, built or executed.

A location that cannot be used raises `InputError`, which the loader turns into an `errors` entry
for that function alone: a code folder or handler file that is a symbolic link to outside the scan
root (never read, never silently skipped), a handler whose module path is longer than a file name
may be, a path the operating system refuses. A handler that is simply not there is a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError
from fnaudit.loaders import _go_project, _jvm_project
from fnaudit.loaders._files import ScanRoot, unreadable_link
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import Code, InlineSource

_NODE_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_JAVA_SOURCE_DIRS = ("src/main/java", "src/main/kotlin", "src", "")
_JVM_ARTIFACTS = (".jar", ".war", ".zip")
NAME_MAX = 255  # bytes in one file-name component (Linux, macOS, Windows alike)
PATH_MAX = 4096
MAX_INLINE_CHARS = 1024 * 1024  # AWS caps ZipFile at 4 KB; anything far larger is not code worth reading
_INLINE_EXTENSIONS = {"python": ".py", "node": ".js"}  # what Lambda names the file it writes the code to
_BLOCK_SCALAR = re.compile(r"(?:^|[\s:])[|>][0-9+-]*\s*(?:#.*)?$")  # `Key: |`, `Key: !Sub >-`: text starts below
_SUB_VAR = re.compile(r"\$\{(!?)([^}]*)\}")


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
    root: ScanRoot,
    code_dir: Path,
    handler: str | None,
    runtime: str | None,
    report: Callable[[str], None],
    *,
    env: Mapping[str, str] | None = None,
    names: tuple[str, ...] = (),
) -> Code:
    """`resolve_code`, with a location that cannot be used reported through `report` (the loader's
    error entry for this function) and the function kept, its code marked as not analysable."""
    try:
        return resolve_code(root, code_dir, handler, runtime, env=env, names=names)
    except InputError as exc:
        report(str(exc))
        return Code(language_of(runtime), in_repo=False, note=str(exc))


def locate_artifact(
    root: ScanRoot,
    base: Path,
    artifact: str,
    handler: str | None,
    runtime: str | None,
    report: Callable[[str], None],
    *,
    env: Mapping[str, str] | None = None,
    names: tuple[str, ...] = (),
) -> Code:
    """Serverless `package.artifact`: a Java jar/zip is tied to the project in the root that builds it;
    a Go zip to the main package its binary is built from; another local zip is read in place; a
    remote or missing one is a note."""
    lang = language_of(runtime)
    try:
        if lang == "java" and artifact.lower().endswith(_JVM_ARTIFACTS):
            built = java_artifact(root, artifact, handler, env or {})
            if built is not None:
                return built
            if not artifact.lower().endswith(".zip"):  # a jar is never read: say why there is no code
                return Code(lang, in_repo=False, note=_no_project(artifact))
        if lang in ("go", "custom") and artifact.lower().endswith(".zip"):
            bins = (*names, *_go_project.binary_names(artifact))
            go = _go(root, base, root.rel(base), handler or "bootstrap", bins)
            # a zip built outside the service's folder (`../../bin/fn/bootstrap.zip` by the repository's
            # Makefile): its main package is looked for from the module that builds it
            module = _go_project.module_of(root, base, artifact) if go.handler_file is None else None
            if module is not None and module != base:
                go = _go(root, module, root.rel(module), handler or "bootstrap", bins)
            if go.handler_file is not None and (
                lang == "go" or _go_project.in_module(root, root.path / go.handler_file)
            ):
                return go
    except InputError as exc:
        report(str(exc))
        return Code(lang, in_repo=False, note=str(exc))
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


def java_artifact(root: ScanRoot, artifact: str, handler: str | None, env: Mapping[str, str]) -> Code | None:
    """A Java function deployed from a jar/zip (a path, an S3 key): its code is the sources of the
    project in the scan root that builds that artifact (the file need not exist), the match's
    confidence and evidence in the note; None when no project builds it."""
    match = _jvm_project.match_artifact(root, artifact)
    if match is None:
        return None
    said = f"deployed from the artifact {artifact}, built by {match.why} (match confidence {match.confidence})"
    if not handler:
        return Code("java", True, root.rel(match.project), note=f"{said}; no handler set")
    code = _java(root, match.project, root.rel(match.project), handler, env)
    return replace(code, note=f"{said}; {code.note}" if code.note else said)


def _no_project(artifact: str) -> str:
    return f"deployed from the artifact {artifact}; no Maven or Gradle project in the scanned folder builds it"


def s3_artifact(
    root: ScanRoot, bucket: str, key: str, handler: str | None, runtime: str | None, env: Mapping[str, str]
) -> Code:
    """CloudFormation `Code: {S3Bucket, S3Key}`: a Java jar/zip tied to its project, anything else a note."""
    lang = language_of(runtime)
    if lang == "java" and key.lower().endswith(_JVM_ARTIFACTS):
        built = java_artifact(root, key, handler, env)
        if built is not None:
            return built
    return Code(lang, in_repo=False, note=f"code is an S3 artifact s3://{bucket}/{key}")


def resolve_code(
    root: ScanRoot,
    code_dir: Path,
    handler: str | None,
    runtime: str | None,
    *,
    env: Mapping[str, str] | None = None,
    names: tuple[str, ...] = (),
) -> Code:
    """Locate the handler's file and symbol under `code_dir` (an absolute folder inside the scan root).

    `env` is the function's environment (a framework may name its entry there), `names` other names
    its binary may go by (the function's); both optional. Raises InputError when the location cannot
    be used (see the module docstring)."""
    lang = language_of(runtime)
    rel_root = root.rel(code_dir)
    if not root.contains(code_dir):
        raise InputError(
            f"code folder {rel_root or code_dir} is outside the scanned folder (a symbolic link?); fnaudit never "
            "reads there, so this function's code is not analysed: scan the folder that holds the code"
        )
    if lang == "java" and code_dir.suffix.lower() in _JVM_ARTIFACTS:  # `CodeUri: target/x.jar`: its project
        built = java_artifact(root, rel_root, handler, env or {})
        if built is not None:
            return built
        if not _probe(code_dir, Path.exists):
            return Code(lang, in_repo=False, root=rel_root, note=_no_project(rel_root))
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
        return _java(root, code_dir, rel_root, handler, env or {})
    # `provided.al2*` + `bootstrap` is how Go is deployed since go1.x was retired: a go.mod or a main
    # package calling lambda.Start says so
    if lang in ("go", "custom"):
        go = _go(root, code_dir, rel_root, handler, names)
        if lang == "go" or _probe(code_dir / "go.mod", Path.is_file):
            return go
        if go.handler_file is not None and _go_project.in_module(root, root.path / go.handler_file):
            return go
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


def _java(root: ScanRoot, code_dir: Path, rel_root: str, handler: str, env: Mapping[str, str]) -> Code:
    """`com.acme.Foo::handle` / `com.acme.Foo` (its handleRequest) in the sources of the code folder or
    of the Maven/Gradle project around it (or, for a parent folder, of a module one level down); a
    framework's handler class (Spring Cloud Function, Micronaut, Quarkus) → the app's entry class."""
    cls, _, method = handler.partition("::")
    project = _jvm_project.project_of(root, code_dir)
    framework = _jvm_project.framework_of(cls)
    if framework is not None:
        where = project or code_dir
        entry = (
            _jvm_project.spring_function(root, where, env)
            if framework == "spring"
            else _jvm_project.controllers(root, where, framework)
        )
        file = root.rel(entry.file) if entry.file is not None else None
        language = "kotlin" if file and file.endswith(".kt") else "java"  # the code engine's Kotlin front end
        return Code(language, True, rel_root, file, entry.symbol, note=entry.note)
    simple = cls.rsplit(".", 1)[-1]
    symbol = f"{simple}::{method or 'handleRequest'}"
    rel_class = cls.replace(".", "/")
    # a Kotlin file's top-level functions compile to the class `<File>Kt`
    kotlin_class = rel_class[:-2] if rel_class.endswith("Kt") else rel_class
    candidates = [f"{src}/{rel_class}{ext}".lstrip("/") for src in _JAVA_SOURCE_DIRS for ext in (".java", ".kt")]
    if kotlin_class != rel_class:
        candidates += [f"{src}/{kotlin_class}.kt".lstrip("/") for src in _JAVA_SOURCE_DIRS]
    if project is not None and project != code_dir:  # the project around the code folder (absolute paths)
        candidates += [
            str(d / f"{rel_class}{ext}") for d in _jvm_project.source_dirs(project) for ext in (".java", ".kt")
        ]
    f = _first_file(root, code_dir, handler, candidates)
    if f is None:
        f = _first_file(root, code_dir, handler, _module_candidates(code_dir, rel_class))
    if f is not None:
        return Code("kotlin" if f.suffix == ".kt" else "java", True, rel_root, root.rel(f), symbol)
    return Code("java", True, rel_root, None, symbol, note=f"{rel_class}.java not found under {rel_root or '.'}")


def _module_candidates(code_dir: Path, rel_class: str) -> list[str]:
    """`<module>/src/main/{java,kotlin}/<class>` for the modules one level under a parent project."""
    try:
        modules = sorted(p.name for p in code_dir.iterdir() if p.is_dir() and not p.is_symlink())[:200]
    except OSError:
        return []
    return [
        f"{m}/{src}/{rel_class}{ext}" for m in modules for src in _jvm_project.SOURCE_DIRS for ext in (".java", ".kt")
    ]


def _go(root: ScanRoot, code_dir: Path, rel_root: str, handler: str, names: tuple[str, ...] = ()) -> Code:
    """The handler is the binary (`bootstrap`, `bin/foo`); its source is the file of the main package
    that calls `lambda.Start` (the Go analyser follows it to the handler function): see `_go_project`."""
    found = _go_project.locate_main(root, code_dir, (*_go_project.binary_names(handler), *names))
    if found.handler_file is not None:
        f = _first_file(root, code_dir, handler, (str(found.handler_file.relative_to(code_dir)),))
        if f is not None:
            return Code("go", True, rel_root, root.rel(f), handler)
    return Code("go", True, rel_root, None, handler, note=found.note)


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


# ---- code written in the template ---------------------------------------------------------------


def inline_code(rel: str, template_text: str, node: Any, line: int, handler: str | None, runtime: str | None) -> Code:
    """The function whose code is `node`, the value of SAM `InlineCode` / CloudFormation `Code.ZipFile`
    written at `line` of the template `rel`: a string, or an `Fn::Sub` / `Fn::Join` of strings.

    What is literal is resolved; a reference (`${Table}`, `!Ref Table` in a join) stays as opaque text
    `${…}`. Each code line is placed on the template line it was written on, so the code engine's
    locations are template lines (see `InlineSource`). Nothing is written to disk."""
    lang = language_of(runtime)
    ext = _INLINE_EXTENSIONS.get(lang)
    if ext is None:
        return Code(lang, in_repo=False, note=f"inline code for {lang} is not analysed")
    template_lines = template_text.splitlines()
    pieces = _pieces(node, line, template_lines, 0)
    if pieces is None:
        return Code(lang, in_repo=False, note="inline code that is not a string, Fn::Sub or Fn::Join of strings")
    if sum(len(text) for text, _ in pieces) > MAX_INLINE_CHARS:
        return Code(lang, in_repo=False, note="inline code over 1 MB; not analysed")
    text, first = _laid_out(pieces)
    module, symbol = "index", None
    parts = _split(handler or "")
    if parts is not None:
        symbol = parts[1]
        # Lambda writes inline code to `index.py` / `index.js`; any other module is not there
        module = parts[0] if re.fullmatch(r"[A-Za-z_][\w-]*", parts[0]) else "index"
    note = "inline code"
    if module != "index":
        note = f"inline code; Lambda names its file index{ext}, not {module}{ext}"
    return Code(
        lang,
        in_repo=False,
        handler_file=rel,
        handler_symbol=symbol,
        note=note,
        inline=InlineSource(rel, text, module, ext, first),
    )


def _pieces(node: Any, line: int, template_lines: list[str], depth: int) -> list[tuple[str, int | None]] | None:
    """`node` as (text, template line of its first character) pieces; None for a piece that is not
    text. A line of None continues the text before it (a join delimiter)."""
    if depth > 8:
        return None
    if isinstance(node, str):
        return [(node, _text_line(line, template_lines))]
    if not isinstance(node, Mapping) or len(node) != 1:
        return None
    ((name, arg),) = node.items()
    at = line_of(node, name, line)
    if name == "Fn::Sub":
        variables: Mapping[str, Any] = {}
        if isinstance(arg, list) and arg:
            variables = arg[1] if len(arg) > 1 and isinstance(arg[1], Mapping) else {}
            at, arg = line_of(arg, 0, at), arg[0]
        return [(_substituted(arg, variables), _text_line(at, template_lines))] if isinstance(arg, str) else None
    if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        delimiter, items = arg
        if not isinstance(items, list):
            return None
        out: list[tuple[str, int | None]] = []
        for i, item in enumerate(items):
            if i and delimiter:
                out.append((delimiter, None))
            item_line = line_of(items, i, at)
            sub = _pieces(item, item_line, template_lines, depth + 1)
            out.extend(sub if sub is not None else [(_opaque(item), item_line)])
        return out
    return None


def _text_line(line: int, template_lines: list[str]) -> int:
    """The line a scalar written at `line` starts on: the next one for a block scalar (`|`, `>`)."""
    if 1 <= line <= len(template_lines) and _BLOCK_SCALAR.search(template_lines[line - 1]):
        return line + 1
    return line


def _substituted(text: str, variables: Mapping[str, Any]) -> str:
    """`Fn::Sub` as far as the template says: literal variables in, `${!X}` → `${X}`, others kept."""

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return "${" + m.group(2) + "}"
        value = variables.get(m.group(2))
        return value if isinstance(value, str) and "\n" not in value else m.group(0)

    return _SUB_VAR.sub(one, text)


def _opaque(node: Any) -> str:
    """A join item that is not text (`!Ref Table`, `!GetAtt A.Arn`) as the placeholder `${…}`."""
    if isinstance(node, Mapping) and len(node) == 1:
        ((name, arg),) = node.items()
        if name == "Ref" and isinstance(arg, str):
            return "${" + arg + "}"
        if name == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return "${" + ".".join(arg) + "}"
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return str(node)
    return "${…}"


def _laid_out(pieces: list[tuple[str, int | None]]) -> tuple[str, int]:
    """The code with line n on template line n (empty lines before and between), and its first line.

    Each code line goes to the template line of its first character. When those are not strictly
    increasing (a quoted one-line string holding `\n`s, a JSON template), the code is laid out
    contiguously from its first line instead: lines then follow the code, offset to the template."""
    chars_line: list[int] = []
    text_parts: list[str] = []
    last = 1
    for text, start in pieces:
        current = start if start is not None else last
        for ch in text:
            chars_line.append(current)
            if ch == "\n" and start is not None:
                current += 1
        last = current
        text_parts.append(text)
    text = "".join(text_parts)
    code_lines = text.split("\n")
    lines_at: list[int] = []
    offset = 0
    for code_line in code_lines:
        lines_at.append(chars_line[offset] if offset < len(chars_line) else (lines_at[-1] + 1 if lines_at else last))
        offset += len(code_line) + 1
    first = max(lines_at[0] if lines_at else 1, 1)
    if (lines_at and lines_at[0] < 1) or any(b <= a for a, b in pairwise(lines_at)):
        lines_at = [first + i for i in range(len(code_lines))]
    out = [""] * (lines_at[-1] if lines_at else 0)
    for at, code_line in zip(lines_at, code_lines, strict=True):
        out[at - 1] = code_line
    return "\n".join(out), first
