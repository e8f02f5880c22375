"""Java and Kotlin functions: the Maven/Gradle project around their code, framework entry points, and
the project that builds a deployed artifact.

- **Project**: the nearest folder, from the code folder up to the scan root, holding a `pom.xml`,
  `build.gradle` or `build.gradle.kts`; its sources are `src/main/java` and `src/main/kotlin`.
- **Framework handlers** (the IaC names the framework's class, not the app's): Spring Cloud Function's
  `FunctionInvoker` runs one function bean (`spring.cloud.function.definition`, or the env var
  `SPRING_CLOUD_FUNCTION_DEFINITION`, or the only one); Micronaut's and Quarkus's handlers run the
  app's controllers, whose routes are the entries.
- **Artifacts** (`target/orders-1.0.jar`, `build/distributions/x.zip`, an S3 key): the jar's stem is
  matched against what each project in the scan root builds — Maven `finalName` / `artifactId-version`
  (and the shade plugin's), Gradle `archiveFileName` / archive base name (`archivesBaseName`,
  `base.archivesName`, `jar`/`shadowJar` `archiveBaseName`, else `rootProject.name`) with `version`.
  An exact name is high confidence, an artifactId/base-name prefix medium, the root's only project low.

Build files are read as text (XML through defusedxml); nothing is built or run, and no link leaving the
scan root is followed.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
import threading
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as DET

from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.discover import SKIP_DIRS

if TYPE_CHECKING:
    from fnaudit.loaders.archives import Artifacts

BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")
SOURCE_DIRS = ("src/main/java", "src/main/kotlin")
SPRING_INVOKER = "org.springframework.cloud.function.adapter.aws.FunctionInvoker"
SPRING_DEFINITION_ENV = "SPRING_CLOUD_FUNCTION_DEFINITION"
MAX_BUILD_BYTES = 1024 * 1024
MAX_SOURCE_BYTES = 1024 * 1024
MAX_SOURCES = 3000  # source files looked at for a framework's entry classes
MAX_WALK = 20000  # folders walked for the projects of a scan root
_BUILD_OUTPUT_DIRS = frozenset({"target", "build", ".gradle", "out", "bin", ".mvn"})
_PROP = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """A framework handler resolved to the app's own class: its file, the symbol and what was chosen."""

    file: Path | None
    symbol: str | None
    note: str


def project_of(root: ScanRoot, start: Path) -> Path | None:
    """The nearest folder from `start` up to the scan root that holds a Maven or Gradle build file."""
    here = start
    while root.contains(here):
        if any(_is_file(root, here / b) for b in BUILD_FILES):
            return here
        if here == root.path or here.parent == here:
            return None
        here = here.parent
    return None


def source_dirs(folder: Path) -> tuple[Path, ...]:
    return tuple(folder / s for s in SOURCE_DIRS)


def framework_of(handler_class: str) -> str | None:
    if handler_class.startswith("org.springframework.cloud.function.adapter.aws."):  # FunctionInvoker & older
        return "spring"
    if handler_class.startswith("io.micronaut.function.aws."):
        return "micronaut"
    if handler_class.startswith("io.quarkus.amazon.lambda."):
        return "quarkus"
    return None


# ---- framework handlers --------------------------------------------------------------------------

# Declarations are found in two steps, each linear: a keyword (`class`, `@Bean`), then a bounded window
# after it (up to the body's `{`). One regex spanning a whole declaration backtracks quadratically or
# worse on a file full of unterminated headers; a scanned file must not be able to stall the scan.
_CLASS = re.compile(r"\b(?:class|object)\s+(\w+)")
_BEAN = re.compile(r"@Bean\b")
_WINDOW = 400  # characters of a declaration's header looked at
_MAX_DECLARATIONS = 2000  # per file
_FUNCTIONAL = re.compile(r"\b(Function|Consumer|Supplier|BiFunction)\b")
_NAMED = re.compile(r"@Named\(\s*\"([^\"]+)\"\s*\)")
_METHOD_OF = {"Function": "apply", "BiFunction": "apply", "Consumer": "accept", "Supplier": "get", None: "apply"}


def spring_function(root: ScanRoot, project: Path, env: Mapping[str, str]) -> Entry:
    """The function bean Spring Cloud Function's `FunctionInvoker` runs, in the project's sources."""
    definition, said = _spring_definition(root, project, env)
    beans = list(dict.fromkeys(_function_beans(root, project)))
    wanted = definition.split("|")[0].split(",")[0].split(";")[0].strip() if definition else None
    if wanted:
        chosen = [b for b in beans if wanted in (b[2], _bean_name(b[1]))]
        if not chosen:
            return Entry(None, None, f"Spring Cloud Function: no function bean named {wanted!r} ({said}) found")
    elif len(beans) > 1:
        names = ", ".join(sorted({b[2] or _bean_name(b[1]) for b in beans}))
        return Entry(
            None,
            None,
            f"Spring Cloud Function: several function beans ({names}) and no spring.cloud.function.definition",
        )
    else:
        chosen = beans
    if not chosen:
        return Entry(None, None, "Spring Cloud Function: no Function/Consumer/Supplier bean in the project's sources")
    file, cls, method, kind = chosen[0]
    if method is None:  # a class implementing Function<…>: its apply (accept, get) handles the event
        return Entry(file, f"{cls}::{_METHOD_OF[kind]}", f"Spring Cloud Function bean {_bean_name(cls)} ({cls})")
    return Entry(file, f"{cls}::{method}", f"Spring Cloud Function bean {method} (the @Bean method {cls}.{method})")


def quarkus_handler(root: ScanRoot, project: Path) -> Entry | None:
    """Quarkus's own Lambda handlers: the `RequestHandler` class `quarkus.lambda.handler` names by its
    `@Named`, or the only one; None when the app has none (an HTTP app: its routes are the entries)."""
    found = [
        (file, cls, _named(text, start))
        for file, text in _sources(root, project)
        for start, cls, header in _class_headers(text)
        if re.search(r"\bRequest(?:Stream)?Handler\b", _supertypes(header, file.suffix == ".kt"))
    ]
    if not found:
        return None
    props = _read(root, project / "src/main/resources/application.properties", MAX_BUILD_BYTES) or ""
    named = re.search(r"^[ \t]*quarkus\.lambda\.handler\s*[=:]\s*(\S+)", props, re.M)
    if named is not None:
        chosen = [f for f in found if f[2] == named.group(1)]
        if not chosen:
            return Entry(None, None, f"Quarkus: no @Named({named.group(1)!r}) RequestHandler class found")
    elif len(found) > 1:
        names = ", ".join(sorted(cls for _, cls, _ in found))
        return Entry(None, None, f"Quarkus: several RequestHandler classes ({names}) and no quarkus.lambda.handler")
    else:
        chosen = found
    file, cls, _ = chosen[0]
    return Entry(file, f"{cls}::handleRequest", f"Quarkus Lambda handler {cls}")


def controllers(root: ScanRoot, project: Path, framework: str) -> Entry:
    """Micronaut / Quarkus: the app's route classes are the entries; the first (by path) stands for them."""
    if framework == "quarkus":
        own = quarkus_handler(root, project)
        if own is not None:
            return own
    marker = re.compile(r"@Controller\b" if framework == "micronaut" else r"@Path\b")
    found: list[tuple[Path, str]] = []
    for file, text in _sources(root, project):
        m = marker.search(text)
        if m is None:
            continue
        declared = _CLASS.search(text, m.end())
        if declared is not None:
            found.append((file, declared.group(1)))
    label = "Micronaut" if framework == "micronaut" else "Quarkus"
    what = "@Controller" if framework == "micronaut" else "@Path"
    if not found:
        return Entry(None, None, f"{label} app: no {what} class in the project's sources")
    first, cls = found[0]
    more = f" ({len(found)} {what} classes)" if len(found) > 1 else ""
    return Entry(first, cls, f"{label} app: the routes of its {what} classes are the entries; {cls} is the first{more}")


def _spring_definition(root: ScanRoot, project: Path, env: Mapping[str, str]) -> tuple[str | None, str]:
    if env.get(SPRING_DEFINITION_ENV):
        return env[SPRING_DEFINITION_ENV], f"from {SPRING_DEFINITION_ENV}"
    resources = project / "src/main/resources"
    text = _read(root, resources / "application.properties", MAX_BUILD_BYTES)
    m = re.search(r"^[ \t]*spring\.cloud\.function\.definition\s*[=:]\s*(\S+)", text or "", re.M)
    if m:
        return m.group(1), "from application.properties"
    for name in ("application.yml", "application.yaml"):
        text = _read(root, resources / name, MAX_BUILD_BYTES)
        m = re.search(r"^[ \t]*(?:spring\.cloud\.function\.)?definition\s*:\s*['\"]?([\w|,;]+)", text or "", re.M)
        if m and re.search(r"\bfunction\s*:|spring\.cloud\.function\.definition", text or ""):
            return m.group(1), f"from {name}"
    return None, ""


def _function_beans(root: ScanRoot, project: Path) -> Iterator[tuple[Path, str, str | None, str | None]]:
    """(file, class, bean method or None for a class implementing the interface, interface)."""
    for file, text in _sources(root, project):
        kotlin = file.suffix == ".kt"
        classes = list(_class_headers(text))
        starts = [start for start, _, _ in classes]
        for m in itertools.islice(_BEAN.finditer(text), _MAX_DECLARATIONS):
            header = _header(text, m.end())
            method = re.search(r"\bfun\s+(\w+)\s*\(" if kotlin else r"(\w+)\s*\(", header)
            at = bisect.bisect_left(starts, m.start())
            if method is None or at == 0:
                continue
            # Java: the type is before the name; Kotlin: after it (`: Function<…>` or a function type `: (`)
            typed = header[method.end() :] if kotlin else header[: method.start()]
            kind = _FUNCTIONAL.search(typed)
            if kind is not None or (kotlin and re.search(r"\)\s*:\s*\(", header)):
                yield file, classes[at - 1][1], method.group(1), kind.group(1) if kind else None
        for _, cls, header in classes:
            kind = _FUNCTIONAL.search(_supertypes(header, kotlin))
            if kind is not None and kind.group(1) != "BiFunction":
                yield file, cls, None, kind.group(1)


def _class_headers(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, name, header up to its body) of each class declared in `text`, bounded in number."""
    for m in itertools.islice(_CLASS.finditer(text), _MAX_DECLARATIONS):
        yield m.start(), m.group(1), _header(text, m.end())


def _header(text: str, at: int) -> str:
    end = text.find("{", at, at + _WINDOW)
    return text[at : end if end >= 0 else at + _WINDOW].split(";")[0]


def _supertypes(header: str, kotlin: bool) -> str:
    """What a class header extends or implements (Kotlin: after the `:` of the supertypes)."""
    if kotlin:
        _, colon, after = header.partition(":")
        return after if colon else ""
    _, word, after = header.partition("implements")
    return after if word else ""


def _named(text: str, at: int) -> str | None:
    """The `@Named("x")` annotating the declaration at `at` (in the annotations just before it)."""
    before = text[max(0, at - _WINDOW) : at]
    cut = max(before.rfind(";"), before.rfind("{"), before.rfind("}"))
    found = _NAMED.findall(before[cut + 1 :])
    return found[-1] if found else None


def _bean_name(cls: str) -> str:
    return cls[:1].lower() + cls[1:]


def _sources(root: ScanRoot, project: Path) -> Iterator[tuple[Path, str]]:
    """The project's `.java` / `.kt` sources, sorted by path, bounded in number and size."""
    seen = 0
    for src in source_dirs(project):
        for file in sorted(_walk_files(root, src, (".java", ".kt"))):
            seen += 1
            if seen > MAX_SOURCES:
                return
            text = _read(root, file, MAX_SOURCE_BYTES)
            if text is not None:
                yield file, text


# ---- artifacts -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Built:
    """What one Maven/Gradle project builds: exact artifact stems and name prefixes, with what says so."""

    folder: Path
    build_file: str
    exact: tuple[tuple[str, str], ...]  # (artifact stem, what says so)
    prefixes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Match:
    project: Path
    confidence: str  # high | medium | low
    why: str


def match_artifact(root: ScanRoot, artifact: str) -> Match | None:
    """The project of the scan root that builds `artifact` (a path, URL or S3 key ending in .jar/.zip)."""
    stem = _stem(artifact)
    built = _projects_of_scan(root)
    for b in built:
        for name, why in b.exact:
            if stem == name:
                return Match(b.folder, "high", f"{b.build_file} {why}")
    best: tuple[int, Built, str, str] | None = None
    for b in built:
        for prefix, why in b.prefixes:
            if (stem == prefix or stem.startswith(prefix + "-")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), b, prefix, why)
    if best is not None:
        return Match(best[1].folder, "medium", f"{best[1].build_file} {best[3]} is a prefix of the artifact's name")
    leaves = [b for b in built if not any(o.folder != b.folder and b.folder in o.folder.parents for o in built)]
    if len(leaves) == 1:
        return Match(leaves[0].folder, "low", f"the only Java project in the scanned folder ({leaves[0].build_file})")
    return None


def _stem(artifact: str) -> str:
    name = PurePosixPath(artifact.replace("\\", "/")).name
    for ext in (".jar", ".zip", ".war"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name


# The projects of a scan root, walked once per scan (not once per function): keyed by the scan's own
# `Artifacts` registry, so the entry goes with the scan and two scans never share one.
_PER_SCAN: weakref.WeakKeyDictionary[Artifacts, tuple[Built, ...]] = weakref.WeakKeyDictionary()
_PER_SCAN_LOCK = threading.Lock()


def _projects_of_scan(root: ScanRoot) -> tuple[Built, ...]:
    if root.artifacts is None or root.artifacts.root != root.path:  # outside a scan: walk every time
        return tuple(projects(root))
    with _PER_SCAN_LOCK:
        known = _PER_SCAN.get(root.artifacts)
    if known is None:
        known = tuple(projects(root))
        with _PER_SCAN_LOCK:
            _PER_SCAN[root.artifacts] = known
    return known


def projects(root: ScanRoot) -> Iterator[Built]:
    """Every Maven/Gradle project in the scan root (build output and dependency folders skipped)."""
    for walked, (here, dirs, files) in enumerate(os.walk(root.path, followlinks=False)):
        if walked >= MAX_WALK:
            return
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and d not in _BUILD_OUTPUT_DIRS)
        folder = Path(here)
        if "pom.xml" in files:
            built = _maven(root, folder)
            if built is not None:
                yield built
        for name in ("build.gradle", "build.gradle.kts"):
            if name in files:
                yield _gradle(root, folder, name)
                break


def _maven(root: ScanRoot, folder: Path) -> Built | None:
    text = _read(root, folder / "pom.xml", MAX_BUILD_BYTES)
    if text is None:
        return None
    try:
        pom = DET.fromstring(text)
    except Exception:  # invalid XML or a refused construct (entities): the lockfile reader reports it
        return None
    for el in pom.iter():
        tag: object = el.tag
        if isinstance(tag, str) and "}" in tag:
            el.tag = tag.split("}", 1)[1]
    props = _pom_properties(pom)
    artifact = _sub(_text(pom, "artifactId"), props)
    version = _sub(_text(pom, "version") or _text(pom, "parent/version"), props)
    exact: list[tuple[str, str]] = []
    prefixes: list[tuple[str, str]] = []
    final = _sub(_text(pom, "build/finalName"), props)
    if final:
        exact.append((final, f"<finalName>{final}</finalName>"))
    for plugin in pom.findall("build/plugins/plugin"):
        if _text(plugin, "artifactId") != "maven-shade-plugin":
            continue
        for conf in [plugin.find("configuration"), *plugin.findall("executions/execution/configuration")]:
            shaded = _sub(_text(conf, "finalName"), props)
            if shaded:
                exact.append((shaded, f"shade plugin <finalName>{shaded}</finalName>"))
            classifier = _sub(_text(conf, "shadedClassifierName"), props)
            if classifier and artifact and version:
                exact.append(
                    (f"{artifact}-{version}-{classifier}", f"artifactId {artifact}, version {version}, shaded")
                )
    if artifact:
        if version:
            exact.append((f"{artifact}-{version}", f"artifactId {artifact}, version {version}"))
            for classifier in ("aws", "all", "shaded"):  # Spring Boot's thin/aws and the usual shaded names
                exact.append((f"{artifact}-{version}-{classifier}", f"artifactId {artifact}, version {version}"))
        prefixes.append((artifact, f"artifactId {artifact}"))
    return Built(folder, root.rel(folder / "pom.xml"), tuple(exact), tuple(prefixes))


def _pom_properties(pom: Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for key in ("artifactId", "version", "groupId"):
        value = _text(pom, key) or _text(pom, f"parent/{key}")
        if value:
            props[f"project.{key}"] = props[f"pom.{key}"] = value
    el = pom.find("properties")
    for child in el if el is not None else []:
        if isinstance(child.tag, str) and child.text:
            props[child.tag] = child.text.strip()
    return props


def _sub(value: str | None, props: Mapping[str, str]) -> str | None:
    """`${name}` replaced from the POM's properties; None when one is undefined (no name is guessed)."""
    for _ in range(10):
        if value is None or "${" not in value:
            return value
        new = _PROP.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if new == value:
            return None
        value = new
    return None


def _text(el: Element | None, path: str) -> str | None:
    found = el.find(path) if el is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


_GRADLE_ASSIGN = r"""(?:\s*=\s*|\.set\(\s*|\s+)['"]([^'"$]+)['"]"""
_GRADLE_PATTERNS = (
    ("archiveFileName", re.compile(r"\barchiveFileName" + _GRADLE_ASSIGN)),
    ("archiveBaseName", re.compile(r"\barchiveBaseName" + _GRADLE_ASSIGN)),
    ("base.archivesName", re.compile(r"\barchivesName" + _GRADLE_ASSIGN)),
    ("archivesBaseName", re.compile(r"\barchivesBaseName" + _GRADLE_ASSIGN)),
)
_GRADLE_VERSION = re.compile(r"""^[ \t]*version\s*=?\s*['"]([^'"$]+)['"]""", re.M)
_ROOT_NAME = re.compile(r"""\brootProject\.name\s*=\s*['"]([^'"$]+)['"]""")


def _gradle(root: ScanRoot, folder: Path, build_file: str) -> Built:
    text = _read(root, folder / build_file, MAX_BUILD_BYTES) or ""
    version_m = _GRADLE_VERSION.search(text)
    version = version_m.group(1) if version_m else None
    exact: list[tuple[str, str]] = []
    bases: list[tuple[str, str]] = []
    for what, pattern in _GRADLE_PATTERNS:
        for m in pattern.finditer(text):
            value = m.group(1)
            if what == "archiveFileName":
                exact.append((_stem(value), f"archiveFileName {value}"))
            else:
                bases.append((value, f"{what} {value}"))
    settings = next(
        (t for s in ("settings.gradle", "settings.gradle.kts") if (t := _read(root, folder / s, MAX_BUILD_BYTES))), ""
    )
    named = _ROOT_NAME.search(settings)
    if named:
        bases.append((named.group(1), f"rootProject.name {named.group(1)}"))
    bases.append((folder.name, f"project folder {folder.name}"))  # Gradle's default project name
    for base, why in bases:
        exact.append((base, why))
        if version:
            for suffix in ("", "-all", "-aws"):
                exact.append((f"{base}-{version}{suffix}", f"{why}, version {version}"))
    return Built(folder, root.rel(folder / build_file), tuple(exact), tuple(bases))


# ---- reading -------------------------------------------------------------------------------------


def _walk_files(root: ScanRoot, folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if not _is_dir(root, folder):
        return
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(dirs)
        for name in files:
            if name.endswith(suffixes):
                yield Path(here) / name


def _is_file(root: ScanRoot, p: Path) -> bool:
    try:
        return not p.is_symlink() and p.is_file() and root.contains(p)
    except (OSError, ValueError):
        return False


def _is_dir(root: ScanRoot, p: Path) -> bool:
    try:
        return not p.is_symlink() and p.is_dir() and root.contains(p)
    except (OSError, ValueError):
        return False


def _read(root: ScanRoot, path: Path, limit: int) -> str | None:
    """The text of a small regular file inside the root, or None (missing, a link, too large, binary)."""
    try:
        if not _is_file(root, path) or path.stat().st_size > limit:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8-sig", "replace")
