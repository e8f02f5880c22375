"""`expect:` annotations in fixture files: which rule should fire on which line, and at which severity.

- `... # expect: rule-name` (or `// expect: a, b`) at the end of a line: that line.
- A line holding only the comment (`# expect: rule-name`): the next line that is not a comment.
- `expect.txt` beside JSON files (which have no comments): lines `path:line rule-name`.
- `shared.txt` in a fixture folder names apps under `fixtures/_shared/` that belong to it too (one a line):
  an app that shows several rules (a Flask shop with an injection, an XSS and a signing key) is written once
  and scanned, with its annotations, as if it were a subfolder of each rule folder that names it.
- A rule name may be followed by the severity the finding must have, where the severity is the
  point of the fixture: `# expect: http-route-without-authorizer severity=medium`, or in
  `expect.txt`, `template.json:12 iam-admin-access severity=high`. Without it, any severity passes.

Every annotation is checked: a name that is not lowercase kebab-case, that names no registered rule,
or a severity that does not exist is an `AnnotationError` naming the file and line, never an
annotation silently skipped (a typo would otherwise turn a fixture into one that cannot fail).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from fnaudit.findings import Severity

# Anything after the marker is read (and checked), so `expect: SQL-Injection` is an error, not a miss.
ANNOTATION = re.compile(r"(?:#|//|/\*)\s*expect:\s*(.*?)\s*(?:\*/)?\s*$")
_ITEM = re.compile(r"^(\S+)(?:\s+severity=(\S+))?$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_COMMENT_ONLY = re.compile(r"^\s*(#|//|/\*)")
_TEXT_SUFFIXES = {
    ".yml",
    ".yaml",
    ".json",
    ".py",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".java",
    ".go",
    ".txt",
    ".env",
    ".toml",
    ".cfg",
    ".template",
    ".tf",
    ".tfvars",
    ".kt",
}

Expectation = tuple[str, str, int]  # (rule name, path relative to the fixture folder, line)


class AnnotationError(ValueError):
    """An `expect:` annotation that does not say what its author meant."""


@dataclass(frozen=True, slots=True)
class Annotation:
    name: str
    path: str  # relative to the fixture folder
    line: int  # the line the finding must be on
    severity: Severity | None  # None: any severity

    @property
    def key(self) -> Expectation:
        return (self.name, self.path, self.line)


def _known_names() -> frozenset[str]:
    from fnaudit.rules.registry import all_rules

    return frozenset(r.name for r in all_rules())


def _items(text: str, where: str, known: frozenset[str]) -> list[tuple[str, Severity | None]]:
    out: list[tuple[str, Severity | None]] = []
    for raw in text.split(","):
        m = _ITEM.match(raw.strip())
        if not m:
            raise AnnotationError(f"{where}: `expect: {text}`: write `rule-name` or `rule-name severity=level`")
        name, severity = m.group(1), m.group(2)
        if not _NAME.match(name):
            raise AnnotationError(f"{where}: `{name}` is not a rule name (lowercase kebab-case, e.g. sql-injection)")
        if name not in known:
            raise AnnotationError(f"{where}: `{name}` names no registered rule")
        try:
            out.append((name, Severity.parse(severity) if severity is not None else None))
        except ValueError as exc:
            raise AnnotationError(f"{where}: {exc}") from None
        if severity is not None and severity != severity.lower():
            raise AnnotationError(f"{where}: severity `{severity}` must be lowercase")
    return out


SHARED = Path(__file__).parent / "fixtures" / "_shared"
SHARED_LIST = "shared.txt"
NOT_SCANNED = ("osv", SHARED_LIST)  # a fixture's advisory records and its list of shared apps


def shared_apps(folder: Path) -> list[Path]:
    """The apps under `fixtures/_shared/` that `folder`'s `shared.txt` names."""
    listing = folder / SHARED_LIST
    if not listing.is_file():
        return []
    names = [n.strip() for n in listing.read_text(encoding="utf-8").splitlines() if n.strip()]
    missing = [n for n in names if not (SHARED / n).is_dir()]
    if missing:
        raise AnnotationError(f"{listing}: no shared app {', '.join(missing)} under {SHARED}")
    return [SHARED / n for n in names]


@contextmanager
def assembled(folder: Path) -> Iterator[Path]:
    """`folder` as it is scanned: itself when it has no shared apps and no advisory records, else a temporary
    copy without `osv/` and `shared.txt`, with each shared app as a subfolder of that name."""
    apps = shared_apps(folder)
    if not apps and not (folder / "osv").is_dir():
        yield folder
        return
    with TemporaryDirectory(prefix="fnaudit-fixture-app-") as tmp:
        target = Path(tmp) / "app"
        shutil.copytree(folder, target, ignore=lambda d, names: list(NOT_SCANNED) if Path(d) == folder else [])
        for app in apps:
            shutil.copytree(app, target / app.name)
        yield target


def annotations(folder: Path, known: Iterable[str] | None = None) -> list[Annotation]:
    """Every annotation under `folder` and its shared apps, checked against the registered rule names (or
    `known`)."""
    names = frozenset(known) if known is not None else _known_names()
    out: list[Annotation] = []
    for app in shared_apps(folder):
        out.extend(Annotation(a.name, f"{app.name}/{a.path}", a.line, a.severity) for a in annotations(app, names))
    for path in sorted(folder.rglob("*")):
        # `.env` has no suffix (Path(".env").suffix == ""), so dotfiles are matched by name.
        if not path.is_file() or not (path.suffix in _TEXT_SUFFIXES or path.name.startswith(".env")):
            continue
        rel = path.relative_to(folder).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.name == "expect.txt":
            for i, raw in enumerate(lines, start=1):
                raw = raw.strip()
                if raw and not raw.startswith("#"):
                    where_, _, rest = raw.partition(" ")
                    file, line = where_.rsplit(":", 1)
                    target = (path.parent.relative_to(folder) / file).as_posix()
                    for name, sev in _items(rest.strip(), f"{rel}:{i}", names):
                        out.append(Annotation(name, target, int(line), sev))
            continue
        for i, line_text in enumerate(lines, start=1):
            m = ANNOTATION.search(line_text)
            if not m:
                continue
            target = i
            if _COMMENT_ONLY.match(line_text):
                target = next((j for j in range(i + 1, len(lines) + 1) if not _COMMENT_ONLY.match(lines[j - 1])), i)
            out.extend(Annotation(name, rel, target, sev) for name, sev in _items(m.group(1), f"{rel}:{i}", names))
    return out


def expectations(folder: Path) -> set[Expectation]:
    """(rule name, path, line) of every annotation under `folder`."""
    return {a.key for a in annotations(folder)}
