"""The AWS SDK's own service models (botocore, boto3's resource models): SDK method → API operation.

Language-neutral: the Python front end maps boto3 calls through it, the JavaScript one maps SDK v2/v3
calls (whose camelCase names and command classes are the same operations). Models are read from the
installed botocore/boto3 and kept in the on-disk cache; nothing here depends on a scan.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fnaudit import cache


def xform(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))


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


@functools.cache
def operations(service: str) -> dict[str, str]:
    """snake_case client method → operation name, for one service ({} when unknown).

    Kept in the on-disk cache (keyed by botocore's version): reading a service model costs tens of
    milliseconds (S3's is megabytes), while the method → operation map is a few kilobytes.
    """
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


@functools.cache
def waiters(service: str) -> dict[str, str]:
    model = _cached_model("waiters-2", service)
    return {xform(name): w.get("operation", "") for name, w in model.get("waiters", {}).items()}


@functools.cache
def _resources(service: str) -> dict[str, Any]:
    return _cached_model("resources-1", service)


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
