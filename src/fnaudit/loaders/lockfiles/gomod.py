"""`go.mod` (with `go.sum`): the `require` directives (`// indirect` = not direct), `replace`
directives applied (a local path replacement is local code), and the `toolchain` as `stdlib`.
Before Go 1.17 go.mod does not list every module of the build, so modules whose code hash is in
go.sum (not only their `/go.mod` hash) are added at their highest version. `go.sum` alone (no
go.mod) is read the same way.
"""

from __future__ import annotations

import re

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, package

NAMES = ("go.mod", "go.sum")
ECOSYSTEM = "Go"
_REQ = re.compile(r"^(\S+)\s+(v\S+)(\s*//\s*indirect)?")


def _strip(line: str) -> str:
    return line.split("//", 1)[0].strip() if "// indirect" not in line else line.strip()


def _gosum(text: str) -> dict[str, tuple[str, int]]:
    """module → (highest version with a code hash, line)."""
    from fnaudit.model.versions import sort_key

    best: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3 or parts[1].endswith("/go.mod"):
            continue
        mod, ver = parts[0], parts[1]
        old = best.get(mod)
        if old is None or sort_key("Go", ver) > sort_key("Go", old[0]):
            best[mod] = (ver, i)
    return best


def parse(ctx: ParseContext, text: str) -> Parsed:
    out = Parsed()
    if ctx.path.name == "go.sum":
        for mod, (ver, line) in sorted(_gosum(text).items()):
            out.packages.append(package(ctx, ECOSYSTEM, mod, ver, line))
        return out
    if not re.search(r"^\s*module\s+\S+", text, re.M):
        raise LockfileError("not a go.mod: no `module` directive")
    requires: list[tuple[str, str, bool, int]] = []
    replaces: dict[str, tuple[str, str | None]] = {}
    go_version = None
    toolchain = None
    toolchain_line = 0
    block: str | None = None
    for i, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("//"):
            continue
        if block:
            if stripped == ")":
                block = None
                continue
            body = stripped
        else:
            word, _, body = stripped.partition(" ")
            body = body.strip()
            if body == "(":
                block = word
                continue
            if word == "go":
                go_version = body
                continue
            if word == "toolchain":
                toolchain, toolchain_line = body, i
                continue
            if word not in ("require", "replace"):
                continue
            block_word = word
            _handle(block_word, body, i, requires, replaces)
            continue
        _handle(block, body, i, requires, replaces)
    seen = set()
    for mod, ver, indirect, req_line in requires:
        target, tver = replaces.get(f"{mod}@{ver}") or replaces.get(mod) or (mod, ver)
        source = "registry"
        if target.startswith((".", "/")):
            source, tver, target = "path", None, mod  # replaced by a local folder: the project's own code
        out.packages.append(package(ctx, ECOSYSTEM, target, tver, req_line, direct=not indirect, source=source))
        seen.add(mod)
    sum_path = ctx.sibling("go.sum")
    if sum_path is not None:
        out.files.append(ctx.rel_of(sum_path))
        old_go = go_version is not None and tuple(int(x) for x in re.findall(r"\d+", go_version)[:2]) < (1, 17)
        if old_go:
            sum_rel = ctx.rel_of(sum_path)
            for mod, (ver, line) in sorted(_gosum(ctx.read(sum_path)).items()):
                if mod not in seen:
                    out.packages.append(package(ctx, ECOSYSTEM, mod, ver, line, direct=False, rel=sum_rel))
    if toolchain and toolchain.startswith("go"):
        out.packages.append(package(ctx, ECOSYSTEM, "stdlib", "v" + toolchain[2:], toolchain_line, direct=True))
    out.packages = dedupe(out.packages)
    return out


def _handle(
    word: str,
    body: str,
    line: int,
    requires: list[tuple[str, str, bool, int]],
    replaces: dict[str, tuple[str, str | None]],
) -> None:
    if word == "require":
        m = _REQ.match(body)
        if m:
            requires.append((m.group(1), m.group(2), bool(m.group(3)), line))
    elif word == "replace":
        left, sep, right = body.partition("=>")
        if not sep:
            return
        lparts, rparts = left.split(), right.split("//", 1)[0].split()
        if not lparts or not rparts:
            return
        key = f"{lparts[0]}@{lparts[1]}" if len(lparts) > 1 else lparts[0]
        replaces[key] = (rparts[0], rparts[1] if len(rparts) > 1 else None)
