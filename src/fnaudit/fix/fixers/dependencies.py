"""DEP001 / DEP005: a vulnerable dependency is bumped where the project declares it.

The version is the dependency engine's (`Package.fix`): the lowest version that fixes every advisory of the
package and that no other known advisory affects, so a bump inside the current major version is made whenever
one exists (a lower version always comes first), and a bump across a major version only when none does (the
fix says so: breaking changes to check). A range (`^4.17.0`, `>=2.10`) keeps its operator and gets the new
lower bound.

The edit goes in the manifest, on the line that declares the package: `requirements*.txt` (its own lockfile),
`package.json`, `pyproject.toml` (PEP 621 and Poetry), `pom.xml` (the `<version>` literal, or the
`<properties>` entry it names), `build.gradle(.kts)`, `go.mod`, `Pipfile`. A lockfile written by a package
manager (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `poetry.lock`, `uv.lock`, `Pipfile.lock`,
`gradle.lockfile`, and `go.sum` beside go.mod) is never edited by hand: its integrity hashes and the packages
the new version pulls in need the tool, so the fix changes the manifest beside it and names the command that
refreshes the lockfile (until it runs, the lockfile still pins the old version and the finding stays).
What cannot be changed safely (a hash-pinned or generated requirements file, a version from a variable, a
parent POM or a BOM, a `replace` directive, a transitive package, a range too complex to raise) is a `NoFix`
saying what to do instead.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.registry import fixer
from fnaudit.model import versions
from fnaudit.model.package import Package, pep503

# A lockfile beside the manifest that only its package manager can rewrite (it records hashes of what it
# installed), and the command that refreshes it for one package; `{spec}`: `name@range`, `{name}`: the name.
_LOCKS: dict[str, tuple[str, str]] = {
    "package-lock.json": ("package.json", "npm install {spec}"),
    "npm-shrinkwrap.json": ("package.json", "npm install {spec}"),
    "pnpm-lock.yaml": ("package.json", "pnpm update {spec}"),
    "yarn.lock": ("package.json", "yarn up {spec}"),
    "poetry.lock": ("pyproject.toml", "poetry update {name}"),
    "uv.lock": ("pyproject.toml", "uv lock --upgrade-package {name}"),
    "Pipfile.lock": ("Pipfile", "pipenv update {name}"),
    "gradle.lockfile": ("build.gradle.kts", "./gradlew dependencies --write-locks"),  # or build.gradle
}
_YARN_CLASSIC = "yarn upgrade {spec}"  # yarn 1 (`# yarn lockfile v1`) has no `yarn up`
_NPM_SECTIONS = ("dependencies", "optionalDependencies", "devDependencies", "peerDependencies")

# One clause of a version requirement: operator and version (`>=2.10`, `^4.17.0`, `== 1.2.3`, `1.2.3`).
_CLAUSE = re.compile(r"^(\s*)(===|==|~=|>=|<=|!=|>|<|\^|~|=|v)?(\s*)(\d[0-9A-Za-z.+_-]*)(\s*)$")
_LOWER_OPS = {"", "===", "==", "~=", ">=", ">", "^", "~", "=", "v"}


@dataclass(frozen=True, slots=True)
class _Change:
    """The edits of a bump and what goes with them (a command to run, notes for the reviewer)."""

    edits: tuple[Edit, ...]
    commands: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    pending: bool = False  # the lockfile still pins the old version until `commands` refresh it


class _Refused(Exception):
    """The bump cannot be made safely here; the message says why and what to do."""


@fixer("DEP001", "DEP005")
def bump_dependency(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    pkg = _package(finding, ctx)
    if pkg is None:
        return None
    advisories = [a for a in finding.advisories if not a.malicious]
    # As the rule says it: the engine's single fix, or, for one advisory its databases disagree on, its own.
    target = pkg.fix if pkg.fix is not None or len(advisories) != 1 else advisories[0].fixed
    if target is None:
        unfixed = [a.id for a in advisories if a.fixed is None]
        what = f"for {', '.join(unfixed)}" if unfixed else "that fixes every advisory at once"
        return _nofix(finding, f"no fixed version of {pkg.name} is known {what}: replace or remove it")
    try:
        change = _change(pkg, target, ctx)
    except _Refused as why:
        return _nofix(finding, str(why))
    # a pin moves to the version; a range keeps its operator and gets the version as its lower bound
    written = pkg.requirement if pkg.requirement.lower().startswith(pkg.name.lower()) else None
    summary = (
        f"{pkg.name} {pkg.version} → {target}"
        if pkg.version
        else f"{written or pkg.name + ' ' + pkg.requirement}: at least {target}"
    )
    notes = change.notes
    current = _current(pkg)
    if current is not None and _crosses_major(pkg.ecosystem, current, target):
        notes = (
            f"{target} is a new major version of {pkg.name} (no {major(current)}.x release fixes every advisory): "
            "read its changelog for breaking changes and run the tests",
            *notes,
        )
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        summary,
        change.edits,
        notes=notes,
        commands=change.commands,
        pending=change.pending,
    )


def _nofix(finding: Finding, reason: str) -> NoFix:
    return NoFix(finding.rule_id, finding.fingerprint, finding.function, reason)


def _package(finding: Finding, ctx: FixContext) -> Package | None:
    """The package the finding was made on: same file and line, and the same purl (DEP001) or name (DEP005)."""
    evidence = finding.evidence.split()
    for app in ctx.result.apps:
        for p in (*(p for fn in app.functions for p in fn.packages), *app.packages):
            if p.loc.path != finding.location.path or p.loc.line != finding.location.line:
                continue
            if (p.purl and p.purl in evidence) or (evidence and evidence[0] == p.name):
                return p
    return None


def _current(pkg: Package) -> str | None:
    if pkg.version:
        return pkg.version
    spec = pkg.requirement.split(";", 1)[0]
    if spec.lower().startswith(pkg.name.lower()):  # a requirements line: `boto3>=1.0`, the name is not a version
        spec = re.sub(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?", "", spec)
    m = re.search(r"(\d[0-9A-Za-z.]*)", spec)
    return m.group(1) if m else None


def major(version: str) -> str:
    """The leading number of a version (`v1.2.3` → `1`, `2.10` → `2`); the text itself when it has none."""
    m = re.match(r"^[vV]?(\d+)", version.strip())
    return m.group(1) if m else version


def _crosses_major(ecosystem: str, current: str, target: str) -> bool:
    return versions.parse(ecosystem, target) is not None and major(current) != major(target)


# --- where the version is written ------------------------------------------------------------------------


def _change(pkg: Package, target: str, ctx: FixContext) -> _Change:
    path = pkg.loc.path
    name = PurePosixPath(path).name
    if "node_modules/" in path or ".dist-info/" in path or "site-packages/" in path:
        raise _Refused(
            f"{pkg.name} {pkg.version} is a copy installed into the code folder ({path}): upgrade it to {target} "
            "where it is declared and reinstall it, or stop shipping the installed folder"
        )
    if name in _LOCKS:
        return _locked(pkg, target, ctx)
    lines = _lines(ctx, path)
    if name == "package.json":
        return _Change((_json_entry(pkg, target, path, lines, pkg.loc.line),))
    if name == "pyproject.toml":
        return _Change((_pyproject(pkg, target, path, lines),))
    if name == "pom.xml":
        return _pom(pkg, target, path, lines, ctx)
    if name in ("build.gradle", "build.gradle.kts"):
        return _Change((_token_edit(pkg, target, path, lines),))
    if name == "go.mod":
        return _go(pkg, target, path, lines)
    if pkg.ecosystem == "PyPI" and name.endswith(".txt"):  # requirements*.txt or a file it includes (`-r`)
        return _Change((_requirement(pkg, target, path, lines),))
    raise _Refused(f"fnaudit does not edit {path}: upgrade {pkg.name} to {target} with the tool that wrote it")


def _lines(ctx: FixContext, path: str) -> list[str]:
    lines = ctx.sources.lines(path)
    if lines is None:
        raise _Refused(f"{path} cannot be edited here (outside the scanned folder, a link, or not text)")
    return lines


def _line(lines: list[str], number: int, path: str) -> str:
    if not 0 < number <= len(lines):
        raise _Refused(f"{path}:{number} is not a line of the file")
    return lines[number - 1]


def _where(path: str) -> str:
    """`cd <folder> && ` for a command run in the manifest's folder ("" at the root)."""
    folder = str(PurePosixPath(path).parent)
    return "" if folder in ("", ".") else f"cd {shlex.quote(folder)} && "


# requirements*.txt ---------------------------------------------------------------------------------------

_GENERATED = re.compile(r"autogenerated by pip-compile|uv pip compile|generated by (pip-tools|poetry|pdm|uv)", re.I)


def _requirement(pkg: Package, target: str, path: str, lines: list[str]) -> Edit:
    line = _line(lines, pkg.loc.line, path)
    head = "\n".join(lines[:5])
    logical = [line]
    i = pkg.loc.line
    while logical[-1].rstrip().endswith("\\") and i < len(lines):
        logical.append(lines[i])
        i += 1
    if _GENERATED.search(head) or any("--hash" in part for part in logical):
        raise _Refused(
            f"{path} is generated (or pins hashes): raise {pkg.name} to {target} in its source and regenerate it "
            f"(`pip-compile --upgrade-package {pkg.name}=={target}`, `uv pip compile --upgrade-package "
            f"{pkg.name}=={target}`)"
        )
    code, comment = _split_comment(line)
    body, marker = (code.split(";", 1)[0], ";" + code.split(";", 1)[1]) if ";" in code else (code, "")
    m = re.match(r"^(\s*[A-Za-z0-9][A-Za-z0-9._-]*(?:\s*\[[^\]]*\])?)(.*)$", body)
    if m is None or pep503(re.split(r"[\s\[]", m.group(1).strip(), maxsplit=1)[0]) != pep503(pkg.name):
        raise _Refused(f"{path}:{pkg.loc.line} does not declare {pkg.name} on its own line: change it there by hand")
    spec, tail = m.group(2), ""
    continued = re.search(r"\s*\\\s*$", spec)  # `pkg==1.0 \` continued on the next line (options there)
    if continued:
        spec, tail = spec[: continued.start()], spec[continued.start() :]
    if pkg.version and not re.search(r"===?\s*" + re.escape(pkg.version) + r"\s*$", spec.split(",")[0]):
        raise _Refused(
            f"{pkg.name} {pkg.version} is pinned by a constraints file (`-c`), not on {path}:{pkg.loc.line}: "
            f"change the pin there to {target}"
        )
    new_spec = _raise(spec, target, "PyPI", pkg.name) + tail
    return Edit(path, pkg.loc.line, pkg.loc.line + 1, (m.group(1) + new_spec + marker + comment,))


def _split_comment(line: str) -> tuple[str, str]:
    m = re.search(r"(^|\s)#", line)
    if m is None:
        return line, ""
    return line[: m.start()], line[m.start() :]


# version requirements ------------------------------------------------------------------------------------


def _raise(spec: str, target: str, ecosystem: str, name: str) -> str:
    """`spec` (a requirement's version part, as written) with its lower bound raised to `target`, the operator
    kept (`==`, `>=`, `^`, `~`, none); the rest as written. Refused when the spec has no single lower bound,
    uses wildcards or alternatives, or an upper bound or exclusion keeps `target` out."""
    if (
        "||" in spec
        or ("*" in spec and not (ecosystem == "PyPI" and spec.strip() == "*"))
        or re.search(r"(^|[\s,])[xX](\.|$)|\.[xX*]", spec)
        or " - " in spec
    ):
        raise _Refused(f"the range `{spec.strip()}` of {name} is not a simple one: allow only {target} or later")
    if spec.strip() in ("", "*") and ecosystem == "PyPI":  # `jinja2` alone, `"*"`: any version; the fix is the floor
        return spec.replace("*", f">={target}") if "*" in spec else f">={target}{spec}"
    parts = spec.split(",") if ecosystem == "PyPI" else re.split(r"(?<=\S)(?=\s+\S)", spec)
    lower: int | None = None
    matched: list[re.Match[str] | None] = [_CLAUSE.match(p) for p in parts]
    for i, m in enumerate(matched):
        if m is None:
            raise _Refused(f"the range `{spec.strip()}` of {name} is not a simple one: allow only {target} or later")
        op = m.group(2) or ""
        if op in _LOWER_OPS:
            if lower is not None:
                raise _Refused(f"`{spec.strip()}` of {name} has two lower bounds: allow only {target} or later")
            lower = i
    if lower is None:
        raise _Refused(f"`{spec.strip()}` of {name} has no lower bound to raise: add `>={target}`")
    for i, m in enumerate(matched):
        assert m is not None
        op, bound = m.group(2) or "", m.group(4)
        if i == lower:
            continue
        c = versions.compare(ecosystem, target, bound)
        if c is None or (op == "<" and c >= 0) or (op == "<=" and c > 0) or (op == "!=" and c == 0):
            raise _Refused(f"`{op}{bound}` in the range of {name} keeps the fixed version {target} out: widen it")
    m = matched[lower]
    assert m is not None
    op = m.group(2) or ""
    if op == "~=" and m.group(4).count(".") != target.count("."):
        raise _Refused(
            f"`~={m.group(4)}` of {name} would change its meaning: write `>={target}` with the bound you want"
        )
    new_op = ">=" if op == ">" else op
    parts[lower] = m.group(1) + new_op + m.group(3) + target + m.group(5)
    return ("," if ecosystem == "PyPI" else "").join(parts)


# package.json (and the lockfiles beside it) --------------------------------------------------------------


def _json_entry(pkg: Package, target: str, path: str, lines: list[str], number: int) -> Edit:
    line = _line(lines, number, path)
    m = re.match(r'^(\s*"' + re.escape(pkg.name) + r'"\s*:\s*")([^"]*)(".*)$', line)
    if m is None:
        raise _Refused(f'{path}:{number} does not declare "{pkg.name}" on its own line: change it there by hand')
    return Edit(path, number, number + 1, (m.group(1) + _raise(m.group(2), target, "npm", pkg.name) + m.group(3),))


def _npm_entry(lines: list[str], name: str) -> int | None:
    """The 1-based line of `"name": "…"` directly inside one of package.json's dependency sections."""
    found: list[int] = []
    section_indent: int | None = None
    for i, line in enumerate(lines, start=1):
        header = re.match(r'^(\s*)"(' + "|".join(_NPM_SECTIONS) + r')"\s*:\s*\{\s*$', line)
        if header:
            section_indent = len(header.group(1))
            continue
        if section_indent is not None and re.match(r"^\s*\}", line) and _indent(line) <= section_indent:
            section_indent = None
            continue
        if section_indent is not None and re.match(r'^\s*"' + re.escape(name) + r'"\s*:\s*"', line):
            found.append(i)
    if len(found) > 1:
        raise _Refused(f"{name} is declared {len(found)} times in package.json: raise it by hand where it is wanted")
    return found[0] if found else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _locked(pkg: Package, target: str, ctx: FixContext) -> _Change:
    lock = PurePosixPath(pkg.loc.path)
    manifest_name, command = _LOCKS[lock.name]
    manifest = str(lock.parent / manifest_name) if str(lock.parent) != "." else manifest_name
    if lock.name == "gradle.lockfile" and ctx.sources.lines(manifest) is None:
        manifest, manifest_name = manifest.removesuffix(".kts"), "build.gradle"
    lines = ctx.sources.lines(manifest)
    if lines is None:
        raise _Refused(f"{lock} pins {pkg.name} {pkg.version} and has no {manifest_name} beside it to change")
    if manifest_name == "package.json":
        number = _npm_entry(lines, pkg.name)
        if number is None:
            raise _Refused(
                f"{pkg.name} is not declared in {manifest} (another package pulls it in): upgrade that package, "
                f'or pin it with `"overrides": {{"{pkg.name}": "{target}"}}` and refresh {lock.name}'
            )
        edit = _json_entry(pkg, target, manifest, lines, number)
        spec = f"{pkg.name}@{_quoted_value(edit.lines[0])}"
        text = ctx.sources.text(str(lock)) or ""
        if lock.name == "yarn.lock" and "# yarn lockfile v1" in text:
            command = _YARN_CLASSIC
    elif manifest_name.startswith("build.gradle"):
        edit = _gradle_declaration(pkg, target, manifest, lines)
        spec = pkg.name
    else:
        edit = _pyproject(pkg, target, manifest, lines)
        spec = pkg.name
    run = _where(manifest) + command.format(spec=shlex.quote(spec), name=shlex.quote(pkg.name))
    return _Change(
        (edit,),
        commands=(run,),
        pending=True,
        notes=(
            f"{lock} still pins {pkg.name} {pkg.version}: only its package manager can rewrite it (integrity "
            f"hashes, the packages the new version pulls in), so it is not edited here; run `{run}` to refresh it "
            "(fnaudit reports the finding until then)",
        ),
    )


def _quoted_value(line: str) -> str:
    values = re.findall(r'"([^"]*)"', line)
    return values[-1] if values else ""


# pyproject.toml (PEP 621 and Poetry) ---------------------------------------------------------------------

_PIPFILE_TABLES = ("packages", "dev-packages")  # a Pipfile's tables: `name = "==1.2"`, as Poetry's
_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
# `"requests[socks]>=2.25,<3; python_version >= '3.8'"`: name, extras, version spec, marker
_PEP508_STRING = re.compile(r"(\"|')([A-Za-z0-9][A-Za-z0-9._-]*)(\s*(?:\[[^\]]*\])?)([^\"';]*)((?:;(?:(?!\1).)*)?)\1")


def _pyproject(pkg: Package, target: str, path: str, lines: list[str]) -> Edit:
    """The one line declaring the package: a Poetry table entry (`name = "^1.2"`, `name = {version = "…"}`) or
    a PEP 621 / dependency-group string (`"name>=1.2"`); more than one, or none, is refused."""
    try:
        tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as exc:
        raise _Refused(f"{path} is not valid TOML ({exc}): fix it first") from None
    want = pep503(pkg.name)
    table = ""
    in_array = False  # inside `dependencies = [` of [project], or an array of optional deps / dependency groups
    found: list[Edit] = []
    for number, line in enumerate(lines, start=1):
        header = _TABLE.match(line)
        if header and not in_array:
            table = header.group(1).strip()
            continue
        if (table.startswith("tool.poetry") and table.endswith("dependencies")) or table in _PIPFILE_TABLES:
            m = re.match(r'^(\s*"?([A-Za-z0-9][A-Za-z0-9._-]*)"?\s*=\s*)(.*)$', line)
            if m and pep503(m.group(2)) == want:
                found.append(Edit(path, number, number + 1, (m.group(1) + _poetry_value(m.group(3), target, pkg),)))
            continue
        key = re.match(r"^\s*([\w.-]+)\s*=\s*\[", line)
        if key and not in_array:
            in_array = (table == "project" and key.group(1) == "dependencies") or table in (
                "project.optional-dependencies",
                "dependency-groups",
            )
        if not in_array:
            continue
        for q in _PEP508_STRING.finditer(line):
            if pep503(q.group(2)) == want:
                spec = _raise(q.group(4), target, "PyPI", pkg.name)
                found.append(Edit(path, number, number + 1, (line[: q.start(4)] + spec + line[q.end(4) :],)))
        if "]" in re.sub(r"(\"|')(?:(?!\1).)*\1", "", line):  # the array's closing bracket (outside strings)
            in_array = False
    if len(found) != 1:
        where = "is not declared" if not found else f"is declared {len(found)} times"
        raise _Refused(f"{pkg.name} {where} in {path}: raise it to {target} by hand where it is wanted")
    return found[0]


def _poetry_value(value: str, target: str, pkg: Package) -> str:
    """`"^1.2"  # comment` or `{version = "^1.2", extras = [...]}` with the version raised."""
    m = re.match(r'^(")([^"]*)(".*)$', value) or re.match(r'^(\{.*?\bversion\s*=\s*")([^"]*)(".*)$', value)
    if m is None:
        raise _Refused(f"the version of {pkg.name} in pyproject.toml is not a plain string: set it to {target}")
    return m.group(1) + _raise(m.group(2), target, "PyPI", pkg.name) + m.group(3)


# pom.xml -------------------------------------------------------------------------------------------------


def _pom(pkg: Package, target: str, path: str, lines: list[str], ctx: FixContext) -> _Change:
    """The `<version>` of the `<dependency>` whose `<artifactId>` is on the finding's line, or the
    `<properties>` entry it names (`${jackson.version}`), in the same POM or in a parent POM of the project."""
    at = pkg.loc.line - 1
    start = next((i for i in range(at, -1, -1) if "<dependency>" in lines[i] or "<dependency " in lines[i]), None)
    end = next((i for i in range(at, len(lines)) if "</dependency>" in lines[i]), None)
    if start is None or end is None:
        raise _Refused(f"{path}:{pkg.loc.line} is not inside a <dependency>: set {pkg.name} to {target} by hand")
    where = [(i, m) for i in range(start, end + 1) if (m := re.search(r"<version>\s*([^<]*?)\s*</version>", lines[i]))]
    if len(where) != 1:
        raise _Refused(
            f"the version of {pkg.name} is not written in its <dependency> ({path}:{pkg.loc.line}): it comes from "
            f"a <dependencyManagement>, a parent POM or a BOM; set it to {target} there"
        )
    i, m = where[0]
    written = m.group(1)
    prop = re.fullmatch(r"\$\{([\w.-]+)\}", written)
    if prop is None:
        if written != pkg.version:
            raise _Refused(f"the version of {pkg.name} on {path}:{i + 1} is `{written}`: set it to {target} by hand")
        return _Change((Edit(path, i + 1, i + 2, (lines[i][: m.start(1)] + target + lines[i][m.end(1) :],)),))
    name = prop.group(1)
    pom_path, pom_lines = path, lines
    for _ in range(_MAX_PARENTS):  # the nearest POM that defines the property (a module's own wins)
        defined = [
            (j, d)
            for j, line in enumerate(pom_lines)
            if (d := re.search(r"<" + re.escape(name) + r">\s*([^<]*?)\s*</" + re.escape(name) + ">", line))
        ]
        if defined:
            break
        parent = _parent_pom(pom_path, pom_lines, ctx)
        if parent is None:
            break
        pom_path, pom_lines = parent
    if len(defined) != 1 or defined[0][1].group(1) != pkg.version:
        raise _Refused(
            f"the property `{name}` that sets the version of {pkg.name} is not defined once, as {pkg.version}, "
            f"in {path} or a parent POM of the project (a profile, the command line or a POM outside the scanned "
            f"folder sets it): set it to {target} there"
        )
    j, d = defined[0]
    others = _property_users(lines, name, pkg.loc.line)
    notes: list[str] = []
    if others:
        notes.append(f"the property `{name}` also sets the version of {', '.join(others)}: it moves to {target} too")
    if pom_path != path:
        notes.append(
            f"`{name}` is defined in the parent POM {pom_path}: every module that inherits it moves to {target}"
        )
    edit = Edit(pom_path, j + 1, j + 2, (pom_lines[j][: d.start(1)] + target + pom_lines[j][d.end(1) :],))
    return _Change((edit,), notes=tuple(notes))


_MAX_PARENTS = 5


def _parent_pom(path: str, lines: list[str], ctx: FixContext) -> tuple[str, list[str]] | None:
    """The parent POM in the scanned folder (`<relativePath>`, by default `../pom.xml`), and its lines."""
    text = "\n".join(lines)
    parent = re.search(r"<parent>(.*?)</parent>", text, re.S)
    if parent is None:
        return None
    if re.search(r"<relativePath\s*/>", parent.group(1)):
        return None  # `<relativePath/>`: the parent comes from a repository
    rel = re.search(r"<relativePath>\s*([^<]*?)\s*</relativePath>", parent.group(1))
    relative = rel.group(1) if rel and rel.group(1) else "../pom.xml"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative))
    if not target.endswith(".xml"):
        target = posixpath.join(target, "pom.xml")
    if target.startswith("../") or target == "..":
        return None  # outside the scanned folder
    parent_lines = ctx.sources.lines(target)
    return None if parent_lines is None else (target, parent_lines)


def _property_users(lines: list[str], name: str, own_line: int) -> list[str]:
    """The artifactIds of the other `<dependency>` elements whose version is `${name}`."""
    out: list[str] = []
    artifact: tuple[int, str] | None = None
    for number, line in enumerate(lines, start=1):
        if "<dependency>" in line or "<dependency " in line:
            artifact = None
        m = re.search(r"<artifactId>\s*([^<]*?)\s*</artifactId>", line)
        if m:
            artifact = (number, m.group(1))
        if "${" + name + "}" in line and artifact is not None and artifact[0] != own_line:
            out.append(artifact[1])
    return out


# build.gradle(.kts) and go.mod ---------------------------------------------------------------------------


def _token_edit(pkg: Package, target: str, path: str, lines: list[str]) -> Edit:
    """`pkg.version` replaced by `target` on the declaring line, where it is written exactly once."""
    line = _line(lines, pkg.loc.line, path)
    old = pkg.version or ""
    pattern = re.compile(r"(?<![\w.+-])" + re.escape(old) + r"(?![\w.+-])")
    if not old or len(pattern.findall(line)) != 1:
        raise _Refused(
            f"the version of {pkg.name} is not written on {path}:{pkg.loc.line} (a variable, a version catalog "
            f"or a platform sets it): set it to {target} there"
        )
    return Edit(path, pkg.loc.line, pkg.loc.line + 1, (pattern.sub(target, line, count=1),))


def _gradle_declaration(pkg: Package, target: str, path: str, lines: list[str]) -> Edit:
    """The line of the build file that writes `group:artifact:version` (what gradle.lockfile pins)."""
    written = f"{pkg.name}:{pkg.version}"
    found = [i for i, line in enumerate(lines, start=1) if re.search(re.escape(written) + r"(?![\w.+-])", line)]
    if len(found) != 1:
        raise _Refused(
            f"{path} does not write `{written}` once (a variable, a version catalog, a platform or another "
            f"package pulls it in): set {pkg.name} to {target} there and run `./gradlew dependencies --write-locks`"
        )
    line = lines[found[0] - 1]
    return Edit(path, found[0], found[0] + 1, (line.replace(written, f"{pkg.name}:{target}", 1),))


def _go(pkg: Package, target: str, path: str, lines: list[str]) -> _Change:
    if pkg.name == "stdlib":  # the `toolchain go1.22.1` line: the standard library's version
        old, new = "go" + (pkg.version or "").removeprefix("v"), "go" + target.removeprefix("v")
        line = _line(lines, pkg.loc.line, path)
        if not re.fullmatch(r"\s*toolchain\s+" + re.escape(old) + r"\s*(//.*)?", line):
            raise _Refused(f"{path}:{pkg.loc.line} is not the toolchain line: set the toolchain to {new} by hand")
        edit = Edit(path, pkg.loc.line, pkg.loc.line + 1, (line.replace(old, new, 1),))
        return _Change((edit,), notes=(f"rebuild with Go {new.removeprefix('go')}: the standard library is built in",))
    if not re.search(r"(^|\s)" + re.escape(pkg.name) + r"\s", _line(lines, pkg.loc.line, path) + " "):
        raise _Refused(
            f"{pkg.name} {pkg.version} comes from a `replace` directive of {path}: set its version to {target} "
            "there and run `go mod tidy`"
        )
    edit = _token_edit(pkg, target, path, lines)
    run = f"{_where(path)}go get {shlex.quote(pkg.name + '@' + target)} && go mod tidy"
    return _Change(
        (edit,),
        commands=(run,),
        notes=(f"go.sum has no hash of {pkg.name} {target} yet, and {target} may need newer modules: run `{run}`",),
    )
