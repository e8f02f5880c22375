"""What a bundler ships of a Node function's lockfile (issue 22, "respect what the bundler includes").

A Node function built by serverless-esbuild, serverless-webpack or SAM's esbuild build method is a
bundle: it holds the code of the packages the handler's module graph imports (and what those need),
not the whole `node_modules` tree. Crediting it every package of its lockfile reports vulnerabilities
in code that never reaches Lambda. Read from the IaC file as written (plain data):

- serverless-esbuild (`plugins`): `custom.esbuild.bundle` (default true; false is a plain transpile that
  ships `node_modules` as usual), `external` (left out of the bundle, installed into the artifact's
  `node_modules`: shipped with their dependencies), `exclude` (neither bundled nor installed; default
  `aws-sdk`, and `@aws-sdk/*` on Node 18+ whose runtime provides it).
- serverless-webpack (`plugins`): the bundle's imports ship (bundled, or installed when `includeModules`
  packages the externals); `includeModules.forceInclude` adds, `forceExclude` removes. The webpack
  configuration is code and is never run, so its `externals` are not read.
- SAM `Metadata: {BuildMethod: esbuild}`: `BuildProperties.External` are left out of the artifact (the
  runtime or a layer provides them).

The dependency closure comes from the lockfile's graph (package-lock.json v2/v3 `packages`, v1 nested
`dependencies` with `requires`; Node's `node_modules` resolution). A lockfile whose graph is not read here
(yarn, pnpm) keeps every package: an unknown closure is not a reason to hide a finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fnaudit.engines.deps.imports import npm_root


@dataclass(frozen=True, slots=True)
class Bundle:
    """How one function is bundled: `tool` names it in the coverage note."""

    tool: str  # serverless-esbuild | serverless-webpack | sam-esbuild | cdk-nodejsfunction
    externals: frozenset[str] = frozenset()  # shipped as node_modules whether or not imported
    excluded: tuple[str, ...] = ()  # never shipped: names or `@scope/*` patterns

    @property
    def note(self) -> str:
        return f"bundled by {self.tool}: only imported packages ship"

    def is_excluded(self, name: str) -> bool:
        return any(name == e or (e.endswith("/*") and name.startswith(e[:-1])) for e in self.excluded)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _plugins(data: Mapping[str, Any]) -> list[str]:
    plugins = data.get("plugins")
    if isinstance(plugins, dict):  # `plugins: {localPath: …, modules: […]}`
        plugins = plugins.get("modules")
    return _strings(plugins)


def _node_major(runtime: str | None) -> int | None:
    m = re.match(r"nodejs(\d+)", runtime or "")
    return int(m.group(1)) if m else None


def bundle_of(data: Any, dialect: str, fn_name: str, runtime: str | None) -> Bundle | None:
    """The bundler that builds function `fn_name` of the IaC document `data`, None when it is not bundled."""
    if dialect == "cdk":
        # A Node function of a CDK app read from source: a NodejsFunction is bundled by esbuild (AWS SDK v3
        # external); a `Code.fromAsset` folder ships its own node_modules whole, and a package it holds that
        # the handler never imports is not reachable either way, so counting only imports loses nothing
        return Bundle("cdk-nodejsfunction", frozenset(), ("@aws-sdk/*",))
    if not isinstance(data, dict):
        return None
    if dialect == "serverless":
        plugins = _plugins(data)
        custom = _dict(data.get("custom"))
        if "serverless-esbuild" in plugins:
            conf = _dict(custom.get("esbuild"))
            if conf.get("bundle") is False:
                return None
            default = ["aws-sdk", "@aws-sdk/*"] if (_node_major(runtime) or 0) >= 18 else ["aws-sdk"]
            exclude = _strings(conf["exclude"]) if "exclude" in conf else default
            external = [e for e in _strings(conf.get("external")) if e not in exclude]
            return Bundle("serverless-esbuild", frozenset(external), tuple(exclude))
        if "serverless-webpack" in plugins:
            conf = _dict(custom.get("webpack"))
            inc = conf.get("includeModules")
            force_in = _strings(inc.get("forceInclude")) if isinstance(inc, dict) else []
            force_out = _strings(inc.get("forceExclude")) if isinstance(inc, dict) else []
            return Bundle("serverless-webpack", frozenset(force_in), tuple(force_out))
        return None
    resources = data.get("Resources")
    res = resources.get(fn_name) if isinstance(resources, dict) else None
    meta = res.get("Metadata") if isinstance(res, dict) else None
    if isinstance(meta, dict) and str(meta.get("BuildMethod", "")).lower() == "esbuild":
        props = _dict(meta.get("BuildProperties"))
        return Bundle("sam-esbuild", frozenset(), tuple(_strings(props.get("External"))))
    return None


Graph = dict[str, tuple[str, str, tuple[str, ...]]]


def npm_graph(lockfile: Path) -> Graph | None:
    """package-lock.json (v1, v2, v3): install path → (name, version, install paths of its dependencies);
    None when the file is not one whose graph this reads."""
    if lockfile.name not in ("package-lock.json", "npm-shrinkwrap.json"):
        return None
    try:
        doc = json.loads(lockfile.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    packages = doc.get("packages") if isinstance(doc, dict) else None
    if not isinstance(packages, dict) and isinstance(doc, dict) and isinstance(doc.get("dependencies"), dict):
        packages = {}
        _flatten_v1(doc["dependencies"], "", packages)
    if not isinstance(packages, dict):
        return None
    graph: Graph = {}
    for path, entry in packages.items():
        if not isinstance(entry, dict) or not isinstance(path, str):
            continue
        name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
        wanted: list[str] = []
        for key in ("dependencies", "optionalDependencies", "peerDependencies"):
            deps = entry.get(key)
            if isinstance(deps, dict):
                wanted += [d for d in deps if isinstance(d, str)]
        version = str(entry.get("version") or "")
        graph[path] = (str(name), version, tuple(_resolve(packages, path, d) for d in wanted))
    return graph


def _flatten_v1(tree: Mapping[str, Any], at: str, out: dict[str, Any]) -> None:
    """npm v1 (`dependencies` nested, each entry's `requires`) as v2's `packages`: install path → entry."""
    for name, entry in tree.items():
        if not isinstance(entry, dict):
            continue
        path = f"{at}/node_modules/{name}" if at else f"node_modules/{name}"
        requires = entry.get("requires")
        out[path] = {"name": name, "version": entry.get("version"), "dependencies": _dict(requires)}
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            _flatten_v1(nested, path, out)


def _resolve(packages: Mapping[str, Any], at: str, dep: str) -> str:
    """Node's lookup: `at/node_modules/dep`, then each enclosing `node_modules`, then the top level."""
    here = at
    while True:
        candidate = f"{here}/node_modules/{dep}" if here else f"node_modules/{dep}"
        if candidate in packages:
            return candidate
        if not here:
            return candidate  # missing: not in the lockfile, nothing to credit
        cut = here.rfind("/node_modules/")
        here = here[:cut] if cut >= 0 else ""


def shipped(graph: Graph, imports: Iterable[str], bundle: Bundle) -> set[tuple[str, str]]:
    """(name, version) of the packages the bundle holds or installs: imported or external roots (less
    excluded ones), and everything they depend on in the lockfile's graph."""
    roots = {npm_root(i.removeprefix("node:")) for i in imports} | set(bundle.externals)
    todo = [f"node_modules/{r}" for r in roots if not bundle.is_excluded(r)]
    seen: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen or path not in graph:
            continue
        seen.add(path)
        name, _version, deps = graph[path]
        if bundle.is_excluded(name):
            continue
        todo.extend(deps)
    return {(graph[p][0], graph[p][1]) for p in seen if not bundle.is_excluded(graph[p][0])}
