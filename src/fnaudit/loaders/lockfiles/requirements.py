"""`requirements*.txt`: pins (`==`, `===`), hashes, extras, environment markers, `-r` / `-c`
includes (relative to the including file, never outside the scan root).

Only an exact pin gives a version. A range (`>=2`, `~=1.4`, `==1.*`) is reported as unpinned
(`version=None`, `requirement` as written), never turned into a guessed version; a constraint
file (`-c`) that pins the package supplies the version. Markers are evaluated for the Lambda
environment (Linux); a requirement whose marker is false there is not installed, so not listed.
Files named like `requirements-dev.txt` / `test-requirements.txt` are development-only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, package, pep503

ECOSYSTEM = "PyPI"
_DEV = re.compile(r"(^|[-_.])(dev|devel|test|tests|testing|lint|docs?|ci|typing)([-_.]|$)", re.I)
_LAMBDA_ENV = {
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
}
_OPTION_WITH_ARG = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--prefer-binary",
    "--pre",
    "--use-feature",
)


def matches(name: str) -> bool:
    return name.endswith(".txt") and ("requirements" in name.lower())


def is_dev_file(name: str) -> bool:
    stem = name[: -len(".txt")].lower().replace("requirements", "")
    return bool(_DEV.search(stem))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for i, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not buf:
            start = i
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        out.append((start, buf.strip()))
    return out


@lru_cache(maxsize=4096)
def _requirement(line: str) -> Requirement:
    """`line` parsed (memoised: every function of an app pins the same packages, and packaging's parser is
    slow). Read only, never changed: the object is shared by every file that has the line."""
    return Requirement(line)


def _pin(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def parse(ctx: ParseContext, text: str) -> Parsed:
    out = Parsed()
    scope = "dev" if is_dev_file(ctx.path.name) else "runtime"
    constraints: dict[str, str] = {}
    reqs: list[tuple[str, Requirement | None, str, int, str]] = []  # (rel, req, raw, line, source)
    _read(ctx, ctx.path, text, out, reqs, constraints, set(), as_constraint=False)
    for rel, req, raw, line, source in reqs:
        if req is None:
            egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", raw)
            name = egg.group(1) if egg else raw.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or raw
            out.packages.append(
                package(
                    ctx, ECOSYSTEM, name, None, line, scope=scope, direct=True, source=source, requirement=raw, rel=rel
                )
            )
            continue
        version = _pin(req) if source == "registry" else None
        if version is None and source == "registry":
            version = constraints.get(pep503(req.name))
        out.packages.append(
            package(
                ctx,
                ECOSYSTEM,
                req.name,
                version,
                line,
                scope=scope,
                direct=True,
                source=source,
                requirement="" if version else raw,
                rel=rel,
            )
        )
    return out


def _read(
    ctx: ParseContext,
    path: Path,
    text: str,
    out: Parsed,
    reqs: list[tuple[str, Requirement | None, str, int, str]],
    constraints: dict[str, str],
    seen: set[Path],
    as_constraint: bool,
) -> None:
    seen.add(ctx.resolved(path))
    rel = ctx.rel_of(path)
    for line_no, line in _logical_lines(text):
        if line.startswith("-"):
            opt, _, arg = (
                line.replace("=", " ", 1).partition(" ") if line.startswith("--") else (line[:2], "", line[2:])
            )
            arg = arg.strip()
            if opt in ("-r", "--requirement", "-c", "--constraint"):
                target = (path.parent / arg).resolve()
                try:
                    target.relative_to(ctx.real_root())
                except ValueError:
                    out.notes.append(f"{rel}:{line_no}: include {arg} is outside the scanned folder; not read")
                    continue
                if target in seen:
                    continue
                if not target.is_file():
                    out.notes.append(f"{rel}:{line_no}: included file {arg} not found")
                    continue
                out.files.append(ctx.rel_of(target))
                _read(
                    ctx,
                    target,
                    ctx.read(target),
                    out,
                    reqs,
                    constraints,
                    seen,
                    as_constraint or opt in ("-c", "--constraint"),
                )
            elif opt in ("-e", "--editable") and not as_constraint:
                src = "git" if arg.startswith("git+") else ("url" if "://" in arg else "path")
                reqs.append((rel, None, arg, line_no, src))
            continue
        body = re.split(r"\s+--hash[=\s]", line, maxsplit=1)[0].strip()
        if (
            re.match(r"^(\.|/|[\w.-]+/)", body)
            and "@" not in body
            and not re.match(r"^[A-Za-z0-9._-]+\s*(\[|[<>=!~;]|$)", body)
        ):
            if not as_constraint:
                reqs.append((rel, None, body, line_no, "path"))
            continue
        if re.match(r"^(git\+|https?://)", body):
            if not as_constraint:
                reqs.append((rel, None, body, line_no, "git" if body.startswith("git+") else "url"))
            continue
        try:
            req = _requirement(body)
        except InvalidRequirement as exc:
            out.notes.append(f"{rel}:{line_no}: not a requirement ({exc})")
            continue
        if req.marker is not None:
            try:
                if not req.marker.evaluate(_LAMBDA_ENV):
                    continue
            except Exception:  # an undefined marker variable: keep the requirement
                pass
        if as_constraint:
            pin = _pin(req)
            if pin:
                constraints[pep503(req.name)] = pin
            continue
        source = "registry"
        if req.url:
            source = "git" if req.url.startswith("git+") else ("path" if req.url.startswith("file:") else "url")
        reqs.append((rel, req, body, line_no, source))
    if (
        not reqs
        and not constraints
        and text.strip()
        and not any(ln.startswith("-") for _, ln in _logical_lines(text))
        and path == ctx.path
        and out.notes
    ):
        raise LockfileError("not a requirements file: no line is a requirement")
