"""Serverless settings → `Value`s: each keeps the file and line it is written at, and a variable
that could not be resolved becomes an UNRESOLVED value carrying its `Ref`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fnaudit.loaders._iam import render
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._sls_variables import Unresolved
from fnaudit.model.loc import Loc, Ref, RefKind, Value

At = Callable[[Any, Any], Loc]  # where `container[key]` is written: `Variables.loc`


def _read(container: Mapping[str, Any], key: str, at: At) -> tuple[Any, Loc, Value[Any] | None] | None:
    """`container[key]` with its location: None when absent; the Value already made when it is an
    unresolved variable (each reader below only converts the resolved case)."""
    if container.get(key) is None:
        return None
    raw = container[key]
    loc = at(container, key)
    return raw, loc, (Value.unresolved(loc, raw.ref) if isinstance(raw, Unresolved) else None)


def str_value(container: Mapping[str, Any], key: str, at: At) -> Value[str] | None:
    found = _read(container, key, at)
    if found is None:
        return None
    raw, loc, unresolved = found
    if unresolved is not None:
        return unresolved
    return Value(raw if isinstance(raw, str) else render(raw), loc)


def int_value(container: Mapping[str, Any], key: str, at: At) -> Value[int] | None:
    found = _read(container, key, at)
    if found is None:
        return None
    raw, loc, unresolved = found
    if unresolved is not None:
        return unresolved
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Value(raw, loc)
    if isinstance(raw, str) and raw.strip().isdigit():
        return Value(int(raw), loc)
    return Value.unresolved(loc, Ref(RefKind.OTHER, render(raw)))  # not a number we can use


def tracing(container: Mapping[str, Any], key: str, at: At) -> Value[str] | None:
    """`true` / `Active` → Active; `false` / `PassThrough` → PassThrough."""
    found = _read(container, key, at)
    if found is None:
        return None
    raw, loc, unresolved = found
    if unresolved is not None:
        return unresolved
    if raw is True or str(raw).lower() == "active":
        return Value("Active", loc)
    return Value("PassThrough", loc)


def env_value(raw: Any, loc: Loc, resolver: Resolver) -> Value[str]:
    """An environment value: unresolved variables keep their Ref; the rest goes through the
    CloudFormation resolver, which recognises `{{resolve:…}}`, secret ARNs and Refs to secrets."""
    if isinstance(raw, Unresolved):
        return Value.unresolved(loc, raw.ref)
    return resolver.string(raw, loc)


def layers(container: Mapping[str, Any], at: At) -> tuple[Value[str], ...]:
    items = container.get("layers")
    if not isinstance(items, list):
        return ()
    out: list[Value[str]] = []
    for i, item in enumerate(items):
        loc = at(items, i)
        out.append(Value.unresolved(loc, item.ref) if isinstance(item, Unresolved) else Value(render(item), loc))
    return tuple(out)


def inherit(v: Value[Any] | None) -> Value[Any] | None:
    return v.inherited() if v is not None else None


def cors(raw: Any) -> tuple[tuple[str, ...], bool]:
    if raw is True:
        return ("*",), False  # the Framework's `cors: true` allows every origin
    if not isinstance(raw, dict):
        return (), False
    origins = raw.get("allowedOrigins", ["*"])
    origins = origins if isinstance(origins, list) else [origins]
    return tuple(render(o) for o in origins), raw.get("allowCredentials") is True
