"""`pom.xml`: the direct `<dependencies>` of a module, with versions resolved from properties
(nested ones included: `${a}` → `${b}.1` → …), `project.*` / `parent.*` values,
`<dependencyManagement>`, and a parent POM found in the same repository (`<relativePath>`,
default `../pom.xml`, checked by its coordinates), whose own `<dependencies>` the module inherits (at the
parent's lines). A version that cannot be resolved (a BOM
imported from a repository, an undefined property) or a range (`[1.0,2.0)`) is reported as
unpinned, never guessed. `test`, `provided` and `system` scopes are not deployed (dev).
XML is parsed with defusedxml (no entities, no external fetches).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as DET

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, package

NAMES = ("pom.xml",)
ECOSYSTEM = "Maven"
_PROP = re.compile(r"\$\{([^}]+)\}")
_DEV_SCOPES = ("test", "provided", "system")


def _strip_ns(root: Element) -> Element:
    for el in root.iter():
        # typeshed says `tag` is always a str, but comments and processing instructions carry a function there
        tag: object = el.tag
        if isinstance(tag, str) and "}" in tag:
            el.tag = tag.split("}", 1)[1]
    return root


def _text(el: Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


class _Pom:
    def __init__(self, path: Path, text: str) -> None:
        try:
            self.root = _strip_ns(DET.fromstring(text))
        except DET.ParseError as exc:
            raise LockfileError(f"not valid XML: {exc}") from None
        except Exception as exc:  # defusedxml refusals (entities, DTDs)
            raise LockfileError(f"refused: {type(exc).__name__}") from None
        if self.root.tag != "project":
            raise LockfileError("not a Maven POM: the root element is not <project>")
        self.path = path
        self.text = text
        self.parent: _Pom | None = None

    def coords(self) -> tuple[str | None, str | None, str | None]:
        group = _text(self.root, "groupId") or _text(self.root, "parent/groupId")
        version = _text(self.root, "version") or _text(self.root, "parent/version")
        return group, _text(self.root, "artifactId"), version

    def properties(self) -> dict[str, str]:
        props: dict[str, str] = {}
        if self.parent is not None:
            props.update(self.parent.properties())
        group, artifact, version = self.coords()
        for prefix in ("project.", "pom.", ""):
            for k, v in (("groupId", group), ("artifactId", artifact), ("version", version)):
                if v is not None and prefix:
                    props[prefix + k] = v
        for k in ("groupId", "artifactId", "version"):
            v = _text(self.root, f"parent/{k}")
            if v is not None:
                props[f"project.parent.{k}"] = props[f"parent.{k}"] = v
        el = self.root.find("properties")
        if el is not None:
            for child in el:
                if isinstance(child.tag, str):
                    props[child.tag] = (child.text or "").strip()
        return props

    def managed(self) -> dict[str, tuple[str | None, str | None]]:
        """groupId:artifactId → (version, scope) from dependencyManagement, parents first."""
        out: dict[str, tuple[str | None, str | None]] = {}
        if self.parent is not None:
            out.update(self.parent.managed())
        for dep in self.root.findall("dependencyManagement/dependencies/dependency"):
            out[f"{_text(dep, 'groupId')}:{_text(dep, 'artifactId')}"] = (_text(dep, "version"), _text(dep, "scope"))
        return out


def resolve(value: str | None, props: dict[str, str], depth: int = 0) -> str | None:
    """Replace `${name}` from the properties, recursively (nested properties), None when one is undefined."""
    if value is None or depth > 20:
        return None if depth > 20 else value
    if "${" not in value:
        return value
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        if m.group(1) not in props:
            missing = True
            return m.group(0)
        return props[m.group(1)]

    new = _PROP.sub(sub, value)
    if missing:
        return None
    return resolve(new, props, depth + 1)


def _find_parent(ctx: ParseContext, pom: _Pom, seen: set[Path]) -> _Pom | None:
    parent = pom.root.find("parent")
    if parent is None:
        return None
    rel = _text(parent, "relativePath")
    if rel == "":
        return None
    candidate = (pom.path.parent / (rel or "../pom.xml")).resolve()
    if candidate.is_dir():
        candidate = candidate / "pom.xml"
    try:
        candidate.relative_to(ctx.real_root())
    except ValueError:
        return None
    if not candidate.is_file() or candidate in seen:
        return None
    try:
        ppom = _Pom(candidate, ctx.read(candidate))
    except LockfileError:
        return None
    pg, pa, _pv = ppom.coords()
    if (pg, pa) != (_text(parent, "groupId"), _text(parent, "artifactId")):
        return None  # not the parent named: do not use its values
    seen.add(candidate)
    ppom.parent = _find_parent(ctx, ppom, seen)
    return ppom


def _dependency_lines(text: str) -> list[tuple[int, str]]:
    """(line, artifactId) of each `<artifactId>` inside a `<dependency>` outside dependencyManagement."""
    out = []
    in_mgmt = in_dep = False
    for i, line in enumerate(text.splitlines(), start=1):
        if "<dependencyManagement" in line:
            in_mgmt = True
        if "</dependencyManagement" in line:
            in_mgmt = False
        if "<dependency>" in line or "<dependency " in line:
            in_dep = True
        m = re.search(r"<artifactId>\s*([^<]+?)\s*</artifactId>", line)
        if m and in_dep and not in_mgmt:
            out.append((i, m.group(1)))
        if "</dependency>" in line:
            in_dep = False
    return out


def parse(ctx: ParseContext, text: str) -> Parsed:
    pom = _Pom(ctx.path, text)
    pom.parent = _find_parent(ctx, pom, {ctx.path.resolve()})
    out = Parsed()
    p = pom.parent
    while p is not None:
        out.files.append(ctx.rel_of(p.path))
        p = p.parent
    props = pom.properties()
    managed = pom.managed()
    declared = [
        (dep, ctx.rel, _dependency_lines(text), set[int]()) for dep in pom.root.findall("dependencies/dependency")
    ]
    own = {(_text(dep, "groupId"), _text(dep, "artifactId")) for dep, *_ in declared}
    ancestor = pom.parent
    while ancestor is not None:
        # a parent's <dependencies> are inherited by its modules (unlike its dependencyManagement, which only
        # manages versions); the module's own declaration of the same artifact wins
        plines, pused = _dependency_lines(ancestor.text), set[int]()
        for dep in ancestor.root.findall("dependencies/dependency"):
            if (_text(dep, "groupId"), _text(dep, "artifactId")) not in own:
                declared.append((dep, ctx.rel_of(ancestor.path), plines, pused))
        ancestor = ancestor.parent
    for dep, rel, lines, used in declared:
        group = resolve(_text(dep, "groupId"), props)
        artifact = resolve(_text(dep, "artifactId"), props)
        if not group or not artifact:
            continue
        raw_version = _text(dep, "version")
        scope = _text(dep, "scope")
        mversion, mscope = managed.get(f"{group}:{artifact}", (None, None))
        if raw_version is None:
            raw_version = mversion
        scope = resolve(scope or mscope, props) or "compile"
        version = resolve(raw_version, props)
        requirement = ""
        if version is None or version[:1] in "[(" or "," in version:
            requirement = raw_version or "(version not declared)"
            if version is None and raw_version and "${" in raw_version:
                out.notes.append(
                    f"{rel}: {group}:{artifact} version {raw_version} is not defined here or in a parent POM"
                )
            version = None
        line = 0
        _raw_artifact = _text(dep, "artifactId")
        for idx, (ln, art) in enumerate(lines):
            if idx not in used and art == _raw_artifact:
                used.add(idx)
                line = ln
                break
        out.packages.append(
            package(
                ctx,
                ECOSYSTEM,
                f"{group}:{artifact}",
                version,
                line,
                scope="dev" if scope in _DEV_SCOPES else "runtime",
                direct=True,
                requirement=requirement,
                rel=rel,
            )
        )
    out.packages = dedupe(out.packages)
    return out
