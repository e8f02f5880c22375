"""What every lockfile parser shares: the parse context, Package URLs, line lookup, dev-only scoping."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from fnaudit.model.loc import Loc
from fnaudit.model.package import Package, build_purl
from fnaudit.model.package import pep503 as pep503  # re-exported: the Python parsers import it from here

MAX_LOCKFILE_BYTES = 32 * 1024 * 1024


class LockfileError(Exception):
    """The file is not in the expected format (the message says why)."""


@dataclass(slots=True)
class ParseContext:
    """One file to parse: its absolute path, its path relative to the scan root, and the root."""

    root: Path
    path: Path
    rel: str
    prefix: str = ""  # `dist/fn.zip!/` when `root` is the private folder of a zip artifact
    real_path: Path | None = field(default=None, repr=False, compare=False)  # `path` resolved, when known
    root_is_real: bool = field(default=False, repr=False, compare=False)  # `root` is resolved already
    _real_root: Path | None = field(default=None, init=False, repr=False, compare=False)

    def loc(self, line: int) -> Loc:
        return Loc(self.rel, line)

    def real_root(self) -> Path:
        """`root` resolved, once per file parsed: every read and every relative path checks against it, and
        resolving costs a system call per path component."""
        if self._real_root is None:
            self._real_root = self.root if self.root_is_real else self.root.resolve()
        return self._real_root

    def resolved(self, p: Path) -> Path:
        """`p` resolved; the file being parsed (read, named and checked several times) only once."""
        if p == self.path:
            if self.real_path is None:
                self.real_path = p.resolve()
            return self.real_path
        return p.resolve()

    def sibling(self, name: str) -> Path | None:
        """A file beside this one (or at a relative path), only if it stays inside the scan root."""
        p = (self.path.parent / name).resolve()
        try:
            p.relative_to(self.real_root())
        except ValueError:
            return None
        return p if p.is_file() else None

    def read(self, p: Path) -> str:
        try:
            inside = self.resolved(p).is_relative_to(self.real_root())
        except (OSError, RuntimeError):  # a link loop
            inside = False
        if not inside:  # callers check first; this keeps every read confined whoever calls it
            raise LockfileError("outside the scanned folder (a symbolic link?); fnaudit never reads there")
        if p.stat().st_size > MAX_LOCKFILE_BYTES:
            raise LockfileError(f"larger than {MAX_LOCKFILE_BYTES // (1024 * 1024)} MB; not read")
        try:
            return p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise LockfileError("not UTF-8 text") from None

    def rel_of(self, p: Path) -> str:
        try:
            return self.prefix + self.resolved(p).relative_to(self.real_root()).as_posix()
        except ValueError:
            return p.name


@dataclass(slots=True)
class Parsed:
    packages: list[Package] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # non-fatal problems (an unreadable include…)
    files: list[str] = field(default_factory=list)  # extra files read (includes, parent POMs, go.sum)


@lru_cache(maxsize=8192)
def purl(ecosystem: str, name: str, version: str | None) -> str:
    # memoised: the functions of an app pin the same packages over and over, and building a Package URL
    # (packageurl-python's validation and percent-encoding) costs more than the rest of a requirement line
    return build_purl(ecosystem, name, version)  # one builder, in the model, for loaders and reporters


def package(
    ctx: ParseContext,
    ecosystem: str,
    name: str,
    version: str | None,
    line: int,
    *,
    scope: str = "runtime",
    direct: bool | None = None,
    source: str = "registry",
    requirement: str = "",
    rel: str | None = None,
) -> Package:
    return Package(
        purl=purl(ecosystem, name, version if source == "registry" else None),
        ecosystem=ecosystem,
        name=name,
        version=version,
        loc=Loc(rel or ctx.rel, line),
        scope=scope,
        direct=direct,
        source=source,
        requirement=requirement,
    )


def load_json(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"not valid JSON ({exc.msg} at line {exc.lineno}); is it a {what}?") from None
    if not isinstance(data, dict):
        raise LockfileError(f"not a {what}: the top level is not an object")
    return data


_JSON_KEY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:')


class KeyLines:
    """Line numbers of JSON object keys (one key per line, as npm/composer/pipenv write them)."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, list[int]] = {}
        self._objects: dict[str, list[int]] = {}  # keys whose value is an object (`"x": {`)
        for i, line in enumerate(text.splitlines(), start=1):
            m = _JSON_KEY.match(line)
            if m:
                self._lines.setdefault(m.group(1), []).append(i)
                if line[m.end() :].lstrip().startswith("{"):
                    self._objects.setdefault(m.group(1), []).append(i)

    def first(self, key: str, after: int = 0, objects: bool = False) -> int:
        """The first line > `after` where `key` is a key (of an object value when `objects`); 0 when none."""
        for n in (self._objects if objects else self._lines).get(key, ()):
            if n > after:
                return n
        return 0


N = TypeVar("N", bound=Hashable)


def dev_only(
    edges: Mapping[N, Iterable[N]], prod_roots: Iterable[N], dev_roots: Iterable[N], *, complete: bool = False
) -> set[N]:
    """Nodes no production root reaches: with `complete` (the caller resolved every root and every edge of
    the graph, so a production install provably skips what no production root reaches) every such node;
    otherwise only those the dev roots reach (a node reachable from neither may hang off an edge the
    caller could not resolve: it stays production, as we cannot prove it is not deployed).
    """

    def reach(roots: Iterable[N]) -> set[N]:
        seen: set[N] = set()
        todo = deque(r for r in roots)
        while todo:
            n = todo.popleft()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(c for c in edges.get(n, ()) if c not in seen)
        return seen

    shipped = reach(prod_roots)
    if complete:
        return set(edges) - shipped
    return reach(dev_roots) - shipped


def dedupe(packages: list[Package]) -> list[Package]:
    """One package per (ecosystem, name, version, source); runtime wins over dev, direct over transitive."""
    best: dict[tuple[str, str, str | None, str], Package] = {}
    for p in packages:
        k = (p.ecosystem, p.name, p.version, p.source)
        old = best.get(k)
        if old is None:
            best[k] = p
            continue
        scope = "runtime" if "runtime" in (old.scope, p.scope) else "dev"
        direct = True if (old.direct or p.direct) else (old.direct if old.direct is not None else p.direct)
        if scope != old.scope or direct != old.direct:
            from dataclasses import replace

            best[k] = replace(old, scope=scope, direct=direct)
    return list(best.values())


def npm_manifest_roots(manifest: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(production, development) dependency names declared in a package.json."""
    prod: set[str] = set()
    for key in ("dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"):
        v = manifest.get(key)
        if isinstance(v, dict):
            prod.update(v)
        elif isinstance(v, list):
            prod.update(x for x in v if isinstance(x, str))
    dev = set(manifest.get("devDependencies") or {}) if isinstance(manifest.get("devDependencies"), dict) else set()
    return prod, dev - prod


MAX_WORKSPACE_MEMBERS = 500


def npm_workspace_members(ctx: ParseContext, manifest: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The package.json of each workspace member the root `manifest` (beside the lockfile) declares
    (`workspaces: ["packages/*"]`, or `{packages: [...]}`); a lockfile of a workspace pins its members'
    dependencies too, and they are production roots of the graph. Only folders inside the scan root,
    never under node_modules. None when a member's manifest cannot be read (the roots are then incomplete)."""
    ws = manifest.get("workspaces")
    if isinstance(ws, dict):
        ws = ws.get("packages")
    patterns = [p for p in ws if isinstance(p, str)] if isinstance(ws, list) else []
    if not patterns:
        return []
    from fnaudit.loaders.lockfiles.workspaces import declares

    base = ctx.path.parent
    found: dict[Path, None] = {}
    for pat in patterns:
        pat = pat.strip().removeprefix("./").rstrip("/")
        if not pat or pat.startswith("!") or ".." in Path(pat).parts:
            continue
        try:
            for m in base.glob(f"{pat}/package.json"):
                if "node_modules" not in m.relative_to(base).parts and len(found) < MAX_WORKSPACE_MEMBERS:
                    found.setdefault(m)
        except (OSError, ValueError):
            return None
    out: list[Mapping[str, Any]] = []
    for m in sorted(found):
        if not declares(base, m.parent.relative_to(base).as_posix()):
            continue  # excluded by a `!pattern`
        try:
            out.append(load_json(ctx.read(m), "package.json"))
        except (LockfileError, OSError):
            return None
    return out


def npm_source(spec: str) -> str:
    """registry | git | url | path | workspace, from a version / resolved / resolution string."""
    s = spec.strip()
    if s.startswith(("git+", "git:", "github:", "gitlab:", "bitbucket:", "git@")) or "#commit=" in s or ".git#" in s:
        return "git"
    if s.startswith(("file:", "link:", "portal:")):
        return "path"
    if s.startswith("workspace:"):
        return "workspace"
    if s.startswith(("http:", "https:")) and "/-/" not in s:
        return "url"
    return "registry"
