"""The AWS SDK's own service models (botocore, boto3's resource models): SDK method → API operation.

Language-neutral: the Python front end maps boto3 calls through it, the JavaScript one maps SDK v2/v3
calls (whose camelCase names and command classes are the same operations). Nothing here depends on a scan.

Where the answers come from, fastest first:
- `fnaudit/data/aws-sdk-index.marshal`, a compact index of exactly what the functions below return, for
  every service, written by `tools/gen_awsmodel_index.py` from one botocore/boto3 release. It is used only
  when the installed botocore and boto3 are that release and no user models (`~/.aws/models`, which
  botocore's loader reads before its own) can change the answers; each service's part is decompressed
  and decoded on first use. Importing botocore's loader and parsing its JSON models cost ~0.2 s, the
  larger part of a small scan's start-up.
- otherwise the installed models through botocore's loader, kept in the on-disk cache (keyed by both
  versions).
"""

from __future__ import annotations

import functools
import marshal
import os
import re
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

from fnaudit import cache

INDEX = "aws-sdk-index.marshal"
INDEX_FORMAT = 1
# The parts of the index: per service, the marshalled and zlib-compressed value the function of the same
# name returns.
PARTS = ("operations", "waiters", "resources", "metadata")
# What `metadata` keeps of a service model's metadata: the names IAM knows the service by (`iam.used`).
METADATA_KEYS = ("signingName", "endpointPrefix")


def xform(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))


# ---- the shipped index -------------------------------------------------------------------------------------

_VERSION = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


def source_version(package: str) -> str | None:
    """An installed package's `__version__`, read from its `__init__.py` without importing it: importing
    boto3 costs ~0.15 s and `importlib.metadata` tens of milliseconds, both for one string."""
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        found = _VERSION.search(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return found.group(1) if found else None


def user_models() -> Path:
    """Where botocore's loader looks for the user's own models first (`Loader.CUSTOMER_DATA_PATH`)."""
    return Path(os.path.expanduser("~")) / ".aws" / "models"


def read_index(data: bytes) -> dict[str, Any] | None:
    """The index's table (versions and per-service parts still marshalled), or None when unreadable."""
    try:
        index = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
        return None
    if not all(isinstance(index.get(part), dict) for part in PARTS):
        return None
    return index


@functools.cache
def _index() -> dict[str, Any] | None:
    """The shipped index when it answers exactly as the installed models would, else None."""
    try:
        index = read_index(resources.files("fnaudit").joinpath("data", INDEX).read_bytes())
    except OSError:
        return None
    if index is None or user_models().exists():
        return None
    if (index.get("botocore"), index.get("boto3")) != (source_version("botocore"), source_version("boto3")):
        return None
    return index


def _indexed(part: str, service: str) -> dict[str, Any] | None:
    """One service's entry of a part of the index ({} for a service the models do not have), or None when
    the index is not used."""
    index = _index()
    if index is None:
        return None
    raw = index[part].get(service)
    if not isinstance(raw, bytes):
        return {}
    value = marshal.loads(zlib.decompress(raw))
    return value if isinstance(value, dict) else {}


# ---- the installed models, through botocore ----------------------------------------------------------------


@functools.cache
def _loader() -> Any:
    from importlib.util import find_spec

    from botocore.loaders import create_loader

    loader = create_loader()
    # boto3's resource models sit beside its package; found without importing boto3 (~0.15 s).
    spec = find_spec("boto3")
    if spec is not None and spec.origin:
        loader.search_paths.append(str(Path(spec.origin).parent / "data"))
    return loader


def _cached_model(kind: str, service: str) -> dict[str, Any]:
    """A botocore/boto3 model document, through the on-disk cache (keyed by both versions)."""
    from importlib.metadata import version

    entry = cache.key("botocore-model", version("botocore"), version("boto3"), kind, service)
    cached = cache.read_json("botocore", entry)
    if isinstance(cached, dict):
        return cached
    try:
        model = _loader().load_service_model(service, kind)
    except Exception:
        return {}
    cache.write_json("botocore", entry, model)
    return dict(model)


def model_operations(service: str) -> dict[str, str]:
    """`operations` from the installed models."""
    from importlib.metadata import version

    entry = cache.key("botocore-operations", version("botocore"), service)
    cached = cache.read_json("botocore", entry)
    if isinstance(cached, dict):
        return {str(k): str(v) for k, v in cached.items()}
    try:
        model = _loader().load_service_model(service, "service-2")
    except Exception:
        return {}
    ops = {xform(op): op for op in model.get("operations", {})}
    cache.write_json("botocore", entry, ops)
    return ops


def model_waiters(service: str) -> dict[str, str]:
    """`waiters` from the installed models."""
    model = _cached_model("waiters-2", service)
    return {xform(name): w.get("operation", "") for name, w in model.get("waiters", {}).items()}


def model_resources(service: str) -> dict[str, Any]:
    """boto3's resource model of a service from the installed models ({} when it has none)."""
    return _cached_model("resources-1", service)


def model_metadata(service: str) -> dict[str, str]:
    """`metadata` from the installed models (for the generator: it reads every service model)."""
    meta = _loader().load_service_model(service, "service-2").get("metadata", {})
    return {k: meta[k] for k in METADATA_KEYS if k in meta}


# ---- lookups -----------------------------------------------------------------------------------------------


@functools.cache
def operations(service: str) -> dict[str, str]:
    """snake_case client method → operation name, for one service ({} when unknown).

    Kept in the on-disk cache (keyed by botocore's version) when the index is not used: reading a service
    model costs tens of milliseconds (S3's is megabytes), while the method → operation map is a few kilobytes.
    """
    indexed = _indexed("operations", service)
    return model_operations(service) if indexed is None else indexed


@functools.cache
def waiters(service: str) -> dict[str, str]:
    """snake_case waiter name → the operation it polls, for one service ({} when it has none)."""
    indexed = _indexed("waiters", service)
    return model_waiters(service) if indexed is None else indexed


def metadata(service: str) -> tuple[bool, dict[str, str]] | None:
    """From the index: whether the models know the service, and the `METADATA_KEYS` its model's metadata has;
    None when the index is not used (the caller reads the model)."""
    index = _index()
    if index is None:
        return None
    known = service in index["metadata"]
    return known, _indexed("metadata", service) or {}


@functools.cache
def _resources(service: str) -> dict[str, Any]:
    indexed = _indexed("resources", service)
    return model_resources(service) if indexed is None else indexed


def _resource_def(service: str, rtype: str | None) -> dict[str, Any]:
    model = _resources(service)
    found = model.get("service", {}) if rtype is None else model.get("resources", {}).get(rtype, {})
    return found if isinstance(found, dict) else {}


def action_operation(service: str, rtype: str | None, method: str) -> str | None:
    d = _resource_def(service, rtype)
    for name, action in d.get("actions", {}).items():
        if xform(name) == method:
            return _str_or_none(action.get("request", {}).get("operation"))
    if method in ("load", "reload") and "load" in d:
        return _str_or_none(d["load"].get("request", {}).get("operation"))
    for name, action in d.get("waiters", {}).items():
        if "wait_until_" + xform(name) == method:
            return waiters(service).get(xform(action.get("waiterName", "")))
    return None


def has(service: str, rtype: str | None, attr: str) -> str | None:
    """The sub-resource type `attr` constructs (`Table`, `Bucket`, `Object`…), if any."""
    d = _resource_def(service, rtype)
    for name, h in d.get("has", {}).items():
        if name == attr:
            return _str_or_none(h.get("resource", {}).get("type"))
    if rtype is None and attr in _resources(service).get("resources", {}):
        # boto3's service resource constructs every resource type of the model, not only those its `has`
        # lists: `boto3.resource("s3").Object(bucket, key)` while S3's `has` names only `Bucket`
        return attr
    return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def has_many(service: str, rtype: str | None, attr: str) -> tuple[str | None, str | None]:
    d = _resource_def(service, rtype)
    for name, h in d.get("hasMany", {}).items():
        if xform(name) == attr:
            return name, h.get("request", {}).get("operation")
    return None, None
