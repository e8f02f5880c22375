"""`build.gradle` (Groovy) and `build.gradle.kts` (Kotlin): the dependencies a Gradle build declares, read
when no `gradle.lockfile` pins them (a lockfile is what Gradle resolved, so it always wins).

The file is never run; its text is read line by line. Inside a `dependencies { }` block, a declaration
`implementation 'g:a:v'`, `implementation("g:a:v")`, `implementation group: 'g', name: 'a', version: 'v'`
(or `group = …` in Kotlin) or a version-catalog accessor `libs.foo.bar` / `libs.bundles.x` is one package
at its line. `implementation`, `api`, `runtimeOnly` (and the old `compile`/`runtime`) ship; `compileOnly`,
annotation processors and every test configuration do not (scope `dev`); `buildscript` and `plugins`
blocks are the build's own tooling and are skipped. Versions are resolved only from literals: `ext { }`,
`ext.x = …`, `def x = …`, `val x = "…"`, `extra["x"] = …`, `gradle.properties` of the module and of the root
project (the nearest folder above with a `settings.gradle(.kts)`), the root build file's variables, and
`gradle/libs.versions.toml` of the root project (`[versions]`, `[libraries]` with `version.ref`,
`[bundles]`). A version that is a range (`2.+`, `[1.0,2.0)`, `latest.release`) keeps `version=None` and
the range as `requirement`; a variable defined nowhere readable, or a dependency whose version comes from
a `platform(…)` / BOM (or the dependency-management plugin's `mavenBom`), is unpinned and said in a note,
never guessed. A root build's `subprojects { }` and
`allprojects { }` dependencies are credited to its modules (at the root file's line).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, package
from fnaudit.model.package import Package

NAMES = ("build.gradle", "build.gradle.kts")
SETTINGS = ("settings.gradle", "settings.gradle.kts")
ECOSYSTEM = "Maven"
MAX_DEPTH = 10  # variable → variable chains
MAX_BUILD_CHARS = 2_000_000  # hand-written build files are kilobytes

_RUNTIME = {"implementation", "api", "runtimeOnly", "compile", "runtime"}
_DEV = {"compileOnly", "compileOnlyApi", "annotationProcessor", "kapt", "ksp", "developmentOnly", "testFixturesApi"}
_SKIP_BLOCKS = frozenset({"buildscript", "plugins", "pluginManagement", "repositories"})
_TRACKED = _SKIP_BLOCKS | {"subprojects", "allprojects"}
_DECL = re.compile(r"^\s*([A-Za-z]\w*)\b\s*(.*)$")
_STRING = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1""")
_MAP_ARG = re.compile(r"""\b(group|name|version)\s*[:=]\s*(['"])((?:(?!\2).)*)\2""")
_MAVEN_BOM = re.compile(r"""\bmavenBom\s*\(?\s*(['"])((?:(?!\1).)*)\1""")
_MAP_VAR = re.compile(r"\bversion\s*[:=]\s*([A-Za-z_][\w.]*)")
_LIBS = re.compile(r"\blibs\.([A-Za-z][\w.]*)")
_PLATFORM = re.compile(r"\b(?:enforcedPlatform|platform)\s*\(")
_VAR_REF = re.compile(r"\$\{\s*([A-Za-z_][\w.]*)\s*\}|\$([A-Za-z_]\w*)")
_ASSIGN = re.compile(
    r"""^\s*(?:(?:def|val|var|String)\s+)?"""
    r"""(?:(?:project\.|rootProject\.)?(?:ext|extra)\s*(?:\.|\[\s*['"]))?"""
    r"""([A-Za-z_]\w*)['"]?\s*\]?\s*(?::\s*String\s*)?=\s*(['"])((?:(?!\2).)*)\2\s*;?\s*$"""
)
_SET = re.compile(r"""^\s*(?:(?:project\.)?(?:ext|extra)\.)?set\(\s*['"](\w+)['"]\s*,\s*(['"])((?:(?!\2).)*)\2\s*\)""")
_BY_EXTRA = re.compile(r"""^\s*val\s+(\w+)\s+by\s+extra\(\s*(['"])((?:(?!\2).)*)\2\s*\)""")
# Kotlin templates naming a property inside the string: `"${extra["v"]}"`, `"${property("v")}"` → `${v}`
_KTS_LOOKUP = re.compile(
    r"""\$\{\s*(?:(?:project|rootProject)\.)?(?:extra\[|ext\[|property\(|findProperty\()\s*['"](\w+)['"]\s*[\])]"""
    r"""(?:\s*as\s+String\??)?\s*\}"""
)
_PREFIXES = ("project.", "rootProject.", "ext.", "extra.", "project.ext.", "rootProject.ext.")


def is_range(version: str) -> bool:
    """A Gradle dynamic version or Maven range: what gets resolved is not fixed by the build file."""
    v = version.strip()
    return "+" in v or v[:1] in "[(]" or "," in v or v.startswith("latest.") or not v


def _config_scope(config: str) -> str | None:
    """runtime | dev for a dependency configuration; None for what is not a dependency declaration."""
    if config in _RUNTIME:
        return "runtime"
    if config in _DEV or config.startswith("test") or "Test" in config:
        return "dev"
    if config.endswith(("CompileOnly", "AnnotationProcessor")):
        return "dev"
    if config.endswith(("Implementation", "RuntimeOnly", "Api")):
        return "runtime"  # a source set's own configuration (`lambdaImplementation`)
    return None


@dataclass(slots=True)
class _Line:
    number: int
    code: str  # comments removed
    block: str  # the innermost block around the line's start ("" at the top level)
    within: frozenset[str]  # the blocks of _TRACKED around it, at any depth


def _lines(text: str) -> list[_Line]:
    """Each line without comments, with the blocks around it (braces inside strings do not count)."""
    out: list[_Line] = []
    stack: list[str] = []
    tracked = dict.fromkeys(_TRACKED, 0)
    in_block_comment = False
    for number, raw in enumerate(text.splitlines(), start=1):
        code_chars: list[str] = []
        masked: list[str] = []
        quote = ""
        i = 0
        while i < len(raw):
            c = raw[i]
            if in_block_comment:
                if raw.startswith("*/", i):
                    in_block_comment = False
                    i += 2
                    continue
                i += 1
                continue
            if quote:
                code_chars.append(c)
                masked.append(" ")
                if c == "\\" and i + 1 < len(raw):
                    code_chars.append(raw[i + 1])
                    masked.append(" ")
                    i += 2
                    continue
                if c == quote:
                    quote = ""
                i += 1
                continue
            if raw.startswith("//", i):
                break
            if raw.startswith("/*", i):
                in_block_comment = True
                i += 2
                continue
            if c in "'\"":
                quote = c
            code_chars.append(c)
            masked.append(c)
            i += 1
        code = "".join(code_chars)
        # counts, not the stack itself, per line: a file nested thousands deep stays linear
        out.append(_Line(number, code, stack[-1] if stack else "", frozenset(n for n, k in tracked.items() if k)))
        line = "".join(masked)
        for j, c in enumerate(line):
            if c == "{":
                # the name before the brace, looked for in the last 200 characters only (a minified line
                # with thousands of braces must not make this quadratic)
                m = re.search(r"([A-Za-z_]\w*)\s*(?:\([^()]*\))?\s*$", line[max(0, j - 200) : j])
                stack.append(m.group(1) if m else "")
                if stack[-1] in tracked:
                    tracked[stack[-1]] += 1
            elif c == "}" and stack:
                name = stack.pop()
                if name in tracked:
                    tracked[name] -= 1
    return out


def _properties(text: str) -> dict[str, str]:
    """`gradle.properties` (Java properties: `key=value` or `key: value`, `#`/`!` comments)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        m = re.match(r"^([^=:\s]+)\s*[=:\s]\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _variables(lines: list[_Line]) -> dict[str, str]:
    """Literal string variables a build file defines (`ext { x = '1' }`, `val x = "1"`, `extra["x"] = "1"`)."""
    out: dict[str, str] = {}
    for ln in lines:
        if ln.block in ("dependencies", "plugins", "buildscript"):
            continue
        for rx in (_ASSIGN, _SET, _BY_EXTRA):
            m = rx.match(ln.code)
            if m:
                out[m.group(1)] = m.group(3)
                break
    return out


@dataclass(slots=True)
class _Catalog:
    """`gradle/libs.versions.toml`: accessor (`foo.bar`) → (group:artifact, version or None, raw version)."""

    libraries: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    bundles: dict[str, list[str]] = field(default_factory=dict)


def _accessor(alias: str) -> str:
    return re.sub(r"[-_]", ".", alias)


def _catalog(data: dict[str, Any]) -> _Catalog:
    versions_raw = data.get("versions")
    versions: dict[str, str] = {}
    if isinstance(versions_raw, dict):
        for k, v in versions_raw.items():
            if isinstance(v, str):
                versions[k] = v
            elif isinstance(v, dict):
                rich = v.get("strictly") or v.get("require") or v.get("prefer")
                if isinstance(rich, str):
                    versions[k] = rich
    out = _Catalog()
    libs = data.get("libraries")
    for alias, spec in libs.items() if isinstance(libs, dict) else ():
        coords, version, raw = None, None, ""
        if isinstance(spec, str):
            parts = spec.split(":")
            if len(parts) >= 2:
                coords = f"{parts[0]}:{parts[1]}"
                raw = parts[2] if len(parts) > 2 else ""
        elif isinstance(spec, dict):
            if isinstance(spec.get("module"), str):
                coords = spec["module"]
            elif isinstance(spec.get("group"), str) and isinstance(spec.get("name"), str):
                coords = f"{spec['group']}:{spec['name']}"
            v = spec.get("version")
            if isinstance(v, str):
                raw = v
            elif isinstance(v, dict):
                ref = v.get("ref")
                if isinstance(ref, str):
                    raw = versions.get(ref, f"(version.ref {ref} not in [versions])")
                else:
                    rich = v.get("strictly") or v.get("require") or v.get("prefer")
                    raw = rich if isinstance(rich, str) else ""
        if coords is None or coords.count(":") != 1:
            continue
        version = raw.removesuffix("!!") if raw and not raw.startswith("(") and not is_range(raw) else None
        out.libraries[_accessor(str(alias))] = (coords, version, raw)
    bundles = data.get("bundles")
    for alias, members in bundles.items() if isinstance(bundles, dict) else ():
        if isinstance(members, list):
            out.bundles[_accessor(str(alias))] = [_accessor(m) for m in members if isinstance(m, str)]
    return out


def _root_project(ctx: ParseContext) -> Path:
    """The root project's folder: the nearest one at or above the build file with a settings file,
    inside the scanned folder; the build file's own folder when there is none."""
    top = ctx.real_root()
    here = ctx.path.parent.resolve()
    folder = here
    while folder.is_relative_to(top):
        if any((folder / s).is_file() for s in SETTINGS):
            return folder
        if folder == top:
            break
        folder = folder.parent
    return here


@dataclass(slots=True)
class _Build:
    """What one parse needs from the files around the build file."""

    variables: dict[str, str] = field(default_factory=dict)
    catalog: _Catalog = field(default_factory=_Catalog)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _read_optional(ctx: ParseContext, path: Path, build: _Build) -> str | None:
    if not path.is_file():
        return None
    try:
        text = ctx.read(path)
    except (OSError, LockfileError) as exc:
        build.notes.append(f"{ctx.rel_of(path)}: not read ({exc}); versions it defines are not known")
        return None
    build.files.append(ctx.rel_of(path))
    return text


def _resolve(raw: str, variables: dict[str, str], depth: int = 0) -> str | None:
    """`raw` with `$x` / `${x}` / `${project.x}` replaced; None when a variable is not known."""
    if "$" not in raw:
        return raw
    if depth > MAX_DEPTH:
        return None
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1) or m.group(2)
        for prefix in _PREFIXES:
            name = name.removeprefix(prefix)
        if name not in variables:
            missing = True
            return m.group(0)
        return variables[name]

    new = _VAR_REF.sub(sub, raw)
    return None if missing else _resolve(new, variables, depth + 1)


def _declared(
    ctx: ParseContext, lines: list[_Line], build: _Build, rel: str, *, inherited: bool
) -> tuple[list[Package], dict[str, str], list[str]]:
    """(packages, constraint versions, platforms) declared in `lines`. `inherited`: only the declarations
    a root project passes to its modules (`subprojects { }` / `allprojects { }`)."""
    pkgs: list[Package] = []
    constraints: dict[str, str] = {}
    platforms: list[str] = []
    for ln in lines:
        shared = bool(ln.within & {"subprojects", "allprojects"})
        if inherited and not shared:
            continue
        if not inherited and shared and "allprojects" not in ln.within:
            continue  # `subprojects { }` is for the modules, not the root itself
        bom = _MAVEN_BOM.search(ln.code) if ln.block == "imports" else None
        if bom is not None:  # the io.spring.dependency-management plugin's `imports { mavenBom '…' }`
            platforms.append(bom.group(2))
            continue
        if ln.block not in ("dependencies", "constraints") or ln.within & _SKIP_BLOCKS:
            continue
        m = _DECL.match(ln.code)
        if not m:
            continue
        scope = _config_scope(m.group(1))
        if scope is None:
            continue
        args = _KTS_LOOKUP.sub(r"${\1}", m.group(2))
        if _PLATFORM.search(args):
            s = _STRING.search(args)
            platforms.append(s.group(2) if s else args.strip())
            continue
        for coords, raw in _coordinates(args, build):
            if ln.block == "constraints":
                version = _resolve(raw, build.variables) if raw else None
                if version and not is_range(version):
                    constraints[coords] = version.removesuffix("!!")
                continue
            pkgs.append(_package(ctx, coords, raw, ln.number, scope, rel, build))
    return pkgs, constraints, platforms


def _coordinates(args: str, build: _Build) -> list[tuple[str, str]]:
    """(group:artifact, raw version) of one declaration's arguments; [] for projects, files, plugins."""
    if re.match(r"\s*\(?\s*(project|files|fileTree|gradleApi|localGroovy|kotlin)\s*\(", args):
        return []
    lib = _LIBS.search(args)
    if lib is not None:
        accessor = lib.group(1).removesuffix(".get()")
        if accessor.startswith("bundles."):
            members = build.catalog.bundles.get(accessor.removeprefix("bundles."), [])
            return [_catalog_entry(build, a) for a in members if a in build.catalog.libraries]
        if accessor in build.catalog.libraries:
            return [_catalog_entry(build, accessor)]
        return []
    named = {k: v for k, _q, v in _MAP_ARG.findall(args)}
    bare = _MAP_VAR.search(args)  # `version: jacksonVersion`: a variable, not a string
    if bare is not None and "version" not in named:
        named["version"] = "${" + bare.group(1) + "}"
    if "group" in named and "name" in named:
        return [(f"{named['group']}:{named['name']}", named.get("version", ""))]
    s = _STRING.search(args)
    if s is None:
        return []
    parts = s.group(2).split("@", 1)[0].split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return []
    return [(f"{parts[0]}:{parts[1]}", parts[2] if len(parts) > 2 else "")]


def _catalog_entry(build: _Build, accessor: str) -> tuple[str, str]:
    coords, version, raw = build.catalog.libraries[accessor]
    return coords, version or raw


def _package(ctx: ParseContext, coords: str, raw: str, line: int, scope: str, rel: str, build: _Build) -> Package:
    requirement = ""
    version: str | None = None
    if raw:
        resolved = _resolve(raw, build.variables)
        if resolved is None:
            requirement = raw
            build.notes.append(
                f"{rel}: {coords} version {raw} is not defined in the build, gradle.properties or the version catalog"
            )
        elif raw.startswith("("):
            requirement = raw
        elif is_range(resolved):
            requirement = resolved
        else:
            version = resolved.removesuffix("!!")
    else:
        requirement = "(version not declared)"
    return package(ctx, ECOSYSTEM, coords, version, line, scope=scope, direct=True, requirement=requirement, rel=rel)


def parse(ctx: ParseContext, text: str) -> Parsed:
    """The dependencies of one build file (and what its root project passes down to it)."""
    if len(text) > MAX_BUILD_CHARS:
        raise LockfileError(f"larger than {MAX_BUILD_CHARS // 1_000_000} MB: a generated build file; not read")
    build = _Build()
    own_dir = ctx.path.parent.resolve()
    root_dir = _root_project(ctx)
    lines = _lines(text)
    root_lines: list[_Line] = []
    root_rel = ""
    if root_dir != own_dir:
        for name in NAMES:
            root_text = _read_optional(ctx, root_dir / name, build)
            if root_text is not None:
                root_lines, root_rel = _lines(root_text), ctx.rel_of(root_dir / name)
                break
    for folder in dict.fromkeys((root_dir, own_dir)):
        props = _read_optional(ctx, folder / "gradle.properties", build)
        if props is not None:
            build.variables.update(_properties(props))
    build.variables.update(_variables(root_lines))
    build.variables.update(_variables(lines))
    toml_path = root_dir / "gradle" / "libs.versions.toml"
    toml_text = _read_optional(ctx, toml_path, build)
    if toml_text is not None:
        try:
            build.catalog = _catalog(tomllib.loads(toml_text))
        except tomllib.TOMLDecodeError as exc:
            build.notes.append(f"{ctx.rel_of(toml_path)}: not valid TOML ({exc}); its libraries are not known")
    pkgs, constraints, platforms = _declared(ctx, lines, build, ctx.rel, inherited=False)
    if root_lines:
        more, more_constraints, more_platforms = _declared(ctx, root_lines, build, root_rel, inherited=True)
        pkgs += more
        constraints = {**more_constraints, **constraints}
        platforms += more_platforms
    out = Parsed(notes=build.notes, files=build.files)
    for p in pkgs:
        if p.version is None and p.requirement == "(version not declared)":
            if p.name in constraints:
                p = package(
                    ctx, ECOSYSTEM, p.name, constraints[p.name], p.loc.line, scope=p.scope, direct=True, rel=p.loc.path
                )
            elif platforms:
                p = package(
                    ctx,
                    ECOSYSTEM,
                    p.name,
                    None,
                    p.loc.line,
                    scope=p.scope,
                    direct=True,
                    requirement=f"(version from platform {', '.join(platforms)})",
                    rel=p.loc.path,
                )
        out.packages.append(p)
    for plat in platforms:
        out.notes.append(
            f"{ctx.rel}: the versions platform {plat} manages are not resolved without a gradle.lockfile "
            "(`gradle dependencies --write-locks` writes one)"
        )
    out.packages = dedupe(out.packages)
    return out
