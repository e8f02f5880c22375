"""FLEET.toml → FleetSpec: which targets the fleet scans, and how.

    [defaults]                      # applies to every target (a target's own value wins; params merge)
    stage = "prod"
    timeout = 300

    [[target]]
    path = "repos/*"                # a folder, or a glob of folders (one target each), relative to this file

    [[target]]
    git = "https://github.com/org/payments.git"
    ref = "main"                    # branch, tag or commit; default: the remote's HEAD
    subdir = "services/api"
    name = "payments-api"

    [[target]]
    aws = "aws:eu-west-1"
    profile = "prod-audit"

Everything a user can mistype is a ConfigError naming the file, the target (1-based, as the file lists
them) and the key: a fleet that silently skips a target reports that target as clean.
"""

from __future__ import annotations

import glob
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from fnaudit.account.target import is_account_target
from fnaudit.config_file import check_selector
from fnaudit.errors import ConfigError
from fnaudit.fleet.model import FleetSpec, Source, TargetSpec

SOURCES = ("path", "git", "aws")
# What [defaults] may set: per-target options, never what or where to scan.
DEFAULT_KEYS = ("stage", "params", "config", "select", "timeout", "profile", "role_arn")
TARGET_KEYS = (*SOURCES, "name", "ref", "subdir", *DEFAULT_KEYS)
TOP_KEYS = ("defaults", "target")
_ONLY_FOR = {"ref": "git", "subdir": "git", "profile": "aws", "role_arn": "aws"}
DEFAULT_TIMEOUT = 600.0
_GLOB_CHARS = frozenset("*?[")


def load(path: Path) -> FleetSpec:
    """The fleet that `path` describes. Raises ConfigError on anything unexpected."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read fleet file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse(data, path)


def parse(data: Mapping[str, Any], path: Path) -> FleetSpec:
    """The fleet of an already-read FLEET.toml; `path` places relative folders and names the file in errors."""
    where = str(path)
    _known(data, TOP_KEYS, where, "the top level")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ConfigError(f"{where}: `defaults` must be a table ([defaults]), not {defaults!r}")
    _known(defaults, DEFAULT_KEYS, f"{where}: [defaults]", "[defaults]")
    tables = data.get("target", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: `target` must be an array of tables ([[target]])")
    if not tables:
        raise ConfigError(f"{where}: no [[target]] table: the fleet has nothing to scan")
    base = path.parent.resolve()
    targets: list[TargetSpec] = []
    owner: dict[str, int] = {}  # target name → 1-based index of the [[target]] it came from
    for index, table in enumerate(tables, start=1):
        for spec in _targets(table, defaults, base, f"{where}: target {index}"):
            if spec.name in owner:
                first = owner[spec.name]
                raise ConfigError(
                    f"{where}: target {first} and target {index} are both named {spec.name!r}; "
                    "target names must be unique (set `name` on one of them)"
                )
            owner[spec.name] = index
            targets.append(spec)
    return FleetSpec(tuple(targets), source_file=where)


def _targets(table: Mapping[str, Any], defaults: Mapping[str, Any], base: Path, where: str) -> list[TargetSpec]:
    _known(table, TARGET_KEYS, where, "[[target]]")
    given = [s for s in SOURCES if s in table]
    if len(given) != 1:
        which = ", ".join(f"`{s}`" for s in given) if given else "none"
        raise ConfigError(f"{where}: a target needs exactly one of `path`, `git` or `aws` (found {which})")
    source = Source(given[0])
    for key, only in _ONLY_FOR.items():
        if key in table and source.value != only:
            raise ConfigError(f"{where}: `{key}` applies to `{only}` targets only")
    location = _string(table[source.value], source.value, where)
    merged = {**defaults, **table}
    params = {**_params(defaults.get("params", {}), where), **_params(table.get("params", {}), where)}
    common: dict[str, Any] = {
        "stage": _optional(merged, "stage", where),
        "params": tuple(sorted(params.items())),
        "config": _config(merged, base, where),
        "select": _select(merged.get("select", []), where),
        "timeout_seconds": _timeout(merged.get("timeout", DEFAULT_TIMEOUT), where),
    }
    name = _optional(table, "name", where)
    if source is Source.PATH:
        folders = _folders(location, base, where)
        if name is not None and len(folders) > 1:
            raise ConfigError(f"{where}: `name`: the glob {location!r} matches {len(folders)} folders; one name cannot")
        return [
            TargetSpec(name=name or _path_name(folder, base), source=source, location=str(folder), **common)
            for folder in folders
        ]
    if source is Source.GIT:
        if location.startswith("-"):
            raise ConfigError(f"{where}: `git`: {location!r} is not a repository URL")
        ref = _optional(table, "ref", where)
        if ref is not None and ref.startswith("-"):
            raise ConfigError(f"{where}: `ref`: {ref!r} is not a branch, tag or commit")
        subdir = _subdir(table, where)
        derived = _git_name(location) + (f"/{subdir}" if subdir else "") + (f"@{ref}" if ref else "")
        return [TargetSpec(name or derived, source, location, ref=ref, subdir=subdir, **common)]
    if not is_account_target(location):
        raise ConfigError(f"{where}: `aws`: {location!r} is not an aws: target (like `aws:eu-west-1`)")
    profile = _optional(merged, "profile", where)
    derived = location if profile is None else f"{location}@{profile}"
    return [
        TargetSpec(
            name or derived, source, location, profile=profile, role_arn=_optional(merged, "role_arn", where), **common
        )
    ]


def _folders(location: str, base: Path, where: str) -> list[Path]:
    if not _GLOB_CHARS.intersection(location):
        return [(base / location).resolve()]  # existence is the scan's concern: a missing folder fails its target
    pattern = location if Path(location).is_absolute() else str(base / location)
    found = sorted({Path(p).resolve() for p in glob.glob(pattern) if Path(p).is_dir()})
    if not found:
        raise ConfigError(f"{where}: `path`: the glob {location!r} matches no folder (relative to {base})")
    return found


def _path_name(folder: Path, base: Path) -> str:
    """The folder relative to the fleet file's folder when inside it (`repos/api`), else its full path."""
    try:
        rel = folder.relative_to(base).as_posix()
    except ValueError:
        return folder.as_posix()
    return rel if rel != "." else folder.name


def _git_name(url: str) -> str:
    """The repository's name from its URL: `https://host/org/api.git` → `api`; scp-like `git@host:org/api` too."""
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail.removesuffix(".git") or url


def _subdir(table: Mapping[str, Any], where: str) -> str | None:
    value = _optional(table, "subdir", where)
    if value is None:
        return None
    p = PurePosixPath(value)
    # Never scan outside the checkout: the subdir names a folder inside the repository, nothing else.
    if p.is_absolute() or ".." in p.parts or "\\" in value:
        raise ConfigError(f"{where}: `subdir`: {value!r} must be a relative folder inside the repository")
    return p.as_posix()


def _config(merged: Mapping[str, Any], base: Path, where: str) -> str | None:
    value = _optional(merged, "config", where)
    return None if value is None else str((base / value).resolve())


def _select(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: `select` must be a list of rule codes or names, not {value!r}")
    return tuple(check_selector(v, "select", where) for v in value)


def _timeout(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{where}: `timeout` must be a positive number of seconds, not {value!r}")
    return float(value)


def _params(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `params` must be a table of name = value, not {value!r}")
    out: dict[str, str] = {}
    for key, v in value.items():
        if isinstance(v, bool):
            out[key] = "true" if v else "false"  # as the config file and serverless print it
        elif isinstance(v, str | int | float):
            out[key] = str(v)
        else:
            raise ConfigError(f"{where}: `params.{key}` must be a string or number, not {v!r}")
    return out


def _optional(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if key not in table else _string(table[key], key, where)


def _string(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: `{key}` must be a non-empty string, not {value!r}")
    return value


def _known(table: Mapping[str, Any], known: tuple[str, ...], where: str, what: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key `{key}` in {what} (known keys: {', '.join(known)})")
