"""CloudFormation templates (YAML with short-form tags, or JSON; CDK `cdk.out` output too) → App.

Public building blocks, also used by the SAM loader (on the translated template) and by the
Serverless Framework loader (on its `resources:` block):

- `Resolver(template, rel, params, region)` — intrinsic functions (see `_intrinsics`);
- `read_resources(resources, rel, resolver) -> TemplateParts` — resources, roles, invoke
  permissions, log groups (see `_cfn_parts`);
- `read_triggers(resources, rel, resolver) -> Triggers` — event sources by function logical id;
- `build_app(doc, root, options, template, hints)` — the whole App from a (translated) template;
- `metadata_ignores(template, rel)` — `Metadata: {fnaudit: {ignore: [...]}}` of function resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._apis import cfn_apis
from fnaudit.loaders._cfn_include import inline_includes
from fnaudit.loaders._cfn_nested import load_nested
from fnaudit.loaders._cfn_parts import (
    LAMBDA_FUNCTION,
    TemplateParts,
    function_names,
    function_role,
    read_resources,
    target_function,
)
from fnaudit.loaders._cfn_triggers import RouteAuthSource, Triggers, read_triggers
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._yaml import line_of, own_line
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.handlers import inline_code, language_of, resolve_code, s3_artifact
from fnaudit.model.app import App, Code, Dialect, Function, Resource, link_shared_roles
from fnaudit.model.loc import Loc, Origin, Ref, RefKind, Value

__all__ = [
    "BuildHints",
    "Resolver",
    "TemplateParts",
    "Triggers",
    "build_app",
    "load",
    "metadata_ignores",
    "read_resources",
    "read_triggers",
    "target_function",
]

LOCAL_BUCKET = "fnaudit-local"  # placeholder bucket the SAM loader puts in place of local CodeUri folders
LOCAL_IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/fnaudit-local:latest"  # image `sam build` would make
_FUNCTION_TYPES = (LAMBDA_FUNCTION, "AWS::Serverless::Function")
_PSEUDO = frozenset(
    {
        "AWS::Region",
        "AWS::Partition",
        "AWS::AccountId",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::URLSuffix",
        "AWS::NoValue",
        "AWS::NotificationARNs",
    }
)


@dataclass(frozen=True, slots=True)
class BuildHints:
    """What a dialect that is translated to CloudFormation knows and the translated template does not.

    `inherited`: function logical id → property paths (`Runtime`, `Environment.Variables.X`, …)
    that came only from a shared block (SAM `Globals`); their values get `Origin.INHERITED`.
    `local_code`: placeholder S3 key (under `LOCAL_BUCKET`) → local folder relative to the template.
    `route_auth`: (API logical id, path, operation) of an inline OpenAPI body → the lines of the API
    settings (SAM `Auth.DefaultAuthorizer` / `Auth.ApiKeyRequired`) the route's auth was inherited from.
    """

    dialect: Dialect = Dialect.CLOUDFORMATION
    inherited: Mapping[str, frozenset[str]] = field(default_factory=dict)
    local_code: Mapping[str, str] = field(default_factory=dict)
    route_auth: Mapping[tuple[str, str, str], RouteAuthSource] = field(default_factory=dict)


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    """One App per template; problems become `ScanError`s and loading goes on."""
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("Resources"), Mapping):
        return LoadOutcome(
            errors=[ScanError(doc.rel, "not a CloudFormation template: no `Resources` mapping", "load", Loss.APP)]
        )
    included = inline_includes(doc, root)
    outcome = build_app(doc, root, options, included.data, BuildHints())
    outcome.errors[:0] = included.errors
    outcome.consumed |= included.files
    load_nested(doc, root, options, outcome)
    return outcome


def build_app(
    doc: SourceDoc, root: ScanRoot, options: LoadOptions, template: Mapping[str, Any], hints: BuildHints
) -> LoadOutcome:
    resolver = Resolver(template, doc.rel, options.params, options.region)
    parts = read_resources(template["Resources"], doc.rel, resolver)
    errors = list(parts.errors)
    errors.extend(_unknown_refs(template, resolver, doc.rel))
    triggers = read_triggers(parts.resources, doc.rel, resolver, hints.route_auth)
    ctx = _Context(doc, root, resolver, parts, triggers, hints, errors, function_names(parts.resources, resolver))
    functions = tuple(_function(ctx, res) for res in parts.resources.values() if res.type == LAMBDA_FUNCTION)
    app = App(
        name=_app_name(doc, template),
        dialect=hints.dialect,
        root=_folder(doc.rel),
        source=doc.rel,
        functions=link_shared_roles(functions),
        roles=parts.roles,
        resources=parts.resources,
        permissions=parts.permissions,
        ignores={fid: tuple(pairs) for fid, pairs in metadata_ignores(doc.data, doc.rel).items()},
        # SAM: the template as written, for the lines of the API settings the translator expanded
        apis=cfn_apis(parts.resources, doc.rel, resolver, doc.data if hints.dialect is Dialect.SAM else None),
    )
    return LoadOutcome(apps=[app], errors=errors)


def _folder(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return "" if parent == "." else parent


def _app_name(doc: SourceDoc, template: Mapping[str, Any]) -> str:
    desc = template.get("Description")
    if isinstance(desc, str) and desc.strip() and len(desc) <= 80 and "\n" not in desc.strip():
        return desc.strip()
    return PurePosixPath(doc.rel).stem


@dataclass(slots=True)
class _Context:
    doc: SourceDoc
    root: ScanRoot
    r: Resolver
    parts: TemplateParts
    triggers: Triggers
    hints: BuildHints
    errors: list[ScanError]
    names: dict[str, str]  # function logical id → its name (FunctionName, else the logical id)

    @property
    def rel(self) -> str:
        return self.doc.rel

    def error(self, line: int, message: str) -> None:
        self.errors.append(ScanError(self.rel, f"line {line}: {message}", "load"))


# ---- functions ------------------------------------------------------------------------------


def _function(ctx: _Context, res: Resource) -> Function:
    p = res.properties
    lid = res.logical_id
    inherited = ctx.hints.inherited.get(lid, frozenset())

    def prop(path: str, convert: type = str) -> Value[Any]:
        container: Any = p
        keys = path.split(".")
        for key in keys[:-1]:
            container = container.get(key) if isinstance(container, Mapping) else None
        if not isinstance(container, Mapping) or keys[-1] not in container:
            return Value.unset(res.loc)
        loc = Loc(ctx.rel, line_of(container, keys[-1], res.loc.line))
        value = _converted(ctx.r.string(container[keys[-1]], loc), convert)
        return value.inherited() if path in inherited else value

    package_type = ctx.r.text(p.get("PackageType")) or "Zip"
    runtime = prop("Runtime")
    handler = prop("Handler")
    if "Runtime" not in p and package_type != "Image":
        ctx.error(res.loc.line, f"function {lid} has no Runtime; its code cannot be analysed")
    return Function(
        id=f"{ctx.rel}#{lid}",
        name=lid,
        loc=res.loc,
        runtime=runtime,
        handler=handler,
        code=_code(ctx, res, package_type, runtime.value, handler.value),
        environment=_environment(ctx, res, inherited),
        timeout=prop("Timeout", int),
        memory=prop("MemorySize", int),
        reserved_concurrency=prop("ReservedConcurrentExecutions", int),
        triggers=tuple(ctx.triggers.triggers.get(lid, ())),
        role=function_role(p.get("Role"), Loc(ctx.rel, line_of(p, "Role", res.loc.line)), ctx.parts.roles, ctx.r),
        layers=_layers(ctx, res, "Layers" in inherited),
        url=ctx.triggers.urls.get(lid),
        dead_letter=prop("DeadLetterConfig.TargetArn"),
        on_failure=ctx.triggers.on_failure.get(lid, Value.unset(res.loc)),
        tracing=prop("TracingConfig.Mode"),
        log_retention_days=_log_retention(ctx, res),
        package_type=package_type,
        architecture=_architecture(ctx, res, "Architectures" in inherited),
        # a literal (or resolvable) FunctionName only: without one CloudFormation generates the name
        deployed_name=ctx.r.text(p.get("FunctionName")) if "FunctionName" in p else None,
    )


def _converted(value: Value[str], convert: type) -> Value[Any]:
    if convert is str or value.origin is not Origin.SET:
        return value
    try:
        return Value(convert(value.value), value.loc, value.origin, value.ref)
    except (TypeError, ValueError):
        return Value.unresolved(value.loc, Ref(RefKind.OTHER, str(value.value)))


def _environment(ctx: _Context, res: Resource, inherited: frozenset[str]) -> dict[str, Value[str]]:
    env = res.properties.get("Environment")
    variables = env.get("Variables") if isinstance(env, Mapping) else None
    if not isinstance(variables, Mapping):
        return {}
    out: dict[str, Value[str]] = {}
    for key, raw in variables.items():
        value = ctx.r.string(raw, Loc(ctx.rel, line_of(variables, key, res.loc.line)))
        out[str(key)] = value.inherited() if f"Environment.Variables.{key}" in inherited else value
    return out


def _layers(ctx: _Context, res: Resource, inherited: bool) -> tuple[Value[str], ...]:
    layers = res.properties.get("Layers")
    out = []
    for i, raw in enumerate(layers if isinstance(layers, list) else []):
        v = ctx.r.string(raw, Loc(ctx.rel, line_of(layers, i, res.loc.line)))
        if v.origin is Origin.UNRESOLVED and v.ref is not None:
            v = Value(ctx.r.display(raw), v.loc, Origin.UNRESOLVED, v.ref)  # keep the text: `!Ref MyLayer`
        out.append(v.inherited() if inherited else v)
    return tuple(out)


def _architecture(ctx: _Context, res: Resource, inherited: bool) -> Value[str]:
    archs = res.properties.get("Architectures")
    if not isinstance(archs, list) or not archs:
        return Value.unset(res.loc)
    v = ctx.r.string(archs[0], Loc(ctx.rel, line_of(res.properties, "Architectures", res.loc.line)))
    return v.inherited() if inherited else v


def _code(ctx: _Context, res: Resource, package_type: str, runtime: str | None, handler: str | None) -> Code:
    p = res.properties
    lang = language_of(runtime)
    raw = p.get("Code")
    if package_type == "Image":
        image = ctx.r.display(raw.get("ImageUri")) if isinstance(raw, Mapping) and "ImageUri" in raw else ""
        if image == LOCAL_IMAGE:
            return Code(lang, in_repo=False, note="container image built by `sam build` from the template's Metadata")
        return Code(lang, in_repo=False, note=f"container image {image}".strip())
    if isinstance(raw, str):  # `aws cloudformation package` style: a local folder
        return _local_code(ctx, res, raw, runtime, handler)
    if not isinstance(raw, Mapping):
        return Code(lang, in_repo=False, note="no Code property")
    if "ZipFile" in raw:
        node, at = _inline_node(ctx, res, raw)
        return inline_code(ctx.rel, ctx.doc.text, node, at, handler, runtime)
    bucket = ctx.r.display(raw.get("S3Bucket", ""))
    key = ctx.r.display(raw.get("S3Key", ""))
    if bucket == LOCAL_BUCKET and key in ctx.hints.local_code:
        return _local_code(ctx, res, ctx.hints.local_code[key], runtime, handler)
    if "ImageUri" in raw:
        return Code(lang, in_repo=False, note=f"container image {ctx.r.display(raw['ImageUri'])}")
    asset = _cdk_asset_path(ctx, res)
    if asset is not None:
        return _local_code(ctx, res, asset, runtime, handler)
    return s3_artifact(ctx.root, bucket, key, handler, runtime, _code_env(res))  # a Java jar: its project


def _code_env(res: Resource) -> dict[str, str]:
    """The literal environment variables, where a framework may name its entry (Spring Cloud Function)."""
    env = res.properties.get("Environment")
    variables = env.get("Variables") if isinstance(env, Mapping) else None
    items = variables.items() if isinstance(variables, Mapping) else ()
    return {str(k): v for k, v in items if isinstance(v, str)}


def _inline_node(ctx: _Context, res: Resource, raw: Mapping[str, Any]) -> tuple[Any, int]:
    """The inline code as written, with its line: SAM's `InlineCode` (the translated `ZipFile` has lost
    the lines of a join's items) or the template's own `Code.ZipFile`; else the translated value."""
    resources = ctx.doc.data.get("Resources") if isinstance(ctx.doc.data, Mapping) else None
    written = resources.get(res.logical_id) if isinstance(resources, Mapping) else None
    props = written.get("Properties") if isinstance(written, Mapping) else None
    if isinstance(props, Mapping):
        if "InlineCode" in props:
            return props["InlineCode"], line_of(props, "InlineCode", res.loc.line)
        code = props.get("Code")
        if isinstance(code, Mapping) and "ZipFile" in code:
            return code["ZipFile"], line_of(code, "ZipFile", res.loc.line)
    return raw["ZipFile"], line_of(raw, "ZipFile", res.loc.line)


def _cdk_asset_path(ctx: _Context, res: Resource) -> str | None:
    """The local folder of a CDK-synthesised function: `Metadata: {aws:asset:path: asset.<hash>}`
    names it relative to the template (in cdk.out), while `Code` points at the S3 upload."""
    resources = ctx.doc.data.get("Resources") if isinstance(ctx.doc.data, Mapping) else None
    raw = resources.get(res.logical_id) if isinstance(resources, Mapping) else None
    meta = raw.get("Metadata") if isinstance(raw, Mapping) else None
    if not isinstance(meta, Mapping) or meta.get("aws:asset:property", "Code") != "Code":
        return None
    path = meta.get("aws:asset:path")
    return path if isinstance(path, str) and path else None


def _local_code(ctx: _Context, res: Resource, folder: str, runtime: str | None, handler: str | None) -> Code:
    try:
        code_dir = ctx.root.resolve_inside(ctx.doc.path.parent, folder)
        # raises for links out of the root, bad paths; the logical id may name a Go binary's folder
        return resolve_code(ctx.root, code_dir, handler, runtime, env=_code_env(res), names=(res.logical_id,))
    except InputError as exc:
        ctx.error(line_of(res.properties, "Code", res.loc.line), f"function {res.logical_id}: {exc}")
        return Code(language_of(runtime), in_repo=False, note=str(exc))


def _log_retention(ctx: _Context, res: Resource) -> Value[int]:
    logging = res.properties.get("LoggingConfig")
    group_raw = logging.get("LogGroup") if isinstance(logging, Mapping) else None
    key: str | None = None
    if group_raw is not None:
        lids = [r.logical_id for r in ctx.r.resource_refs(group_raw) if r.logical_id in ctx.parts.log_group_names]
        key = ctx.parts.log_group_names[lids[0]] if lids else ctx.r.text(group_raw)
    else:
        name = ctx.names.get(res.logical_id, res.logical_id)
        key = f"/aws/lambda/{name}"
    found = ctx.parts.log_groups.get(key) if key else None
    if found is None or found[0] is None:
        return Value.unset(res.loc)
    return Value(found[0], found[1], Origin.SET)


# ---- template checks ------------------------------------------------------------------------


def _unknown_refs(template: Mapping[str, Any], resolver: Resolver, rel: str) -> list[ScanError]:
    """`Ref`s and `GetAtt`s to names the template does not declare (a typo CloudFormation would reject)."""
    known = set(resolver.resources) | set(resolver.parameters) | _PSEUDO
    out: list[ScanError] = []
    seen: set[tuple[int, str]] = set()

    def report(line: int, what: str, name: str) -> None:
        if (line, name) not in seen:
            seen.add((line, name))
            out.append(ScanError(rel, f"line {line}: {what} to unknown resource or parameter {name!r}", "load"))

    def walk(node: Any, line: int, depth: int) -> None:
        if depth > 200:
            return
        line = own_line(node, line)
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, line_of(node, i, line), depth + 1)
            return
        if not isinstance(node, Mapping):
            return
        if len(node) == 1:
            ((name, arg),) = node.items()
            if name == "Ref" and isinstance(arg, str) and arg not in known:
                report(line, "Ref", arg)
            elif name == "Fn::GetAtt":
                target = (
                    arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else None
                )
                if isinstance(target, str) and target not in resolver.resources:
                    report(line, "Fn::GetAtt", target)
            elif name == "Fn::Sub":
                _check_sub(arg, known, lambda n: report(line, "Fn::Sub variable", n))
        for key, value in node.items():
            walk(value, line_of(node, key, line), depth + 1)

    walk(template.get("Resources"), 0, 0)
    walk(template.get("Outputs"), 0, 0)
    return out


def _check_sub(arg: Any, known: set[str], report: Callable[[str], None]) -> None:
    template = arg[0] if isinstance(arg, list) and arg else arg
    variables = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], Mapping) else {}
    if not isinstance(template, str):
        return
    for m in re.finditer(r"\$\{([^}!][^}]*)\}", template):
        name = m.group(1)
        if name in variables:
            continue
        if name not in known and name.split(".", 1)[0] not in known:
            report(name)


# ---- suppressions in Metadata ---------------------------------------------------------------


def metadata_ignores(template: Any, rel: str) -> dict[str, list[tuple[str, str]]]:
    """`Metadata: {fnaudit: {ignore: [{rule, reason}, …]}}` of each function resource, by function id
    (`<rel>#<logical id>`). Entries without a rule are skipped; a missing reason is ''."""
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    out: dict[str, list[tuple[str, str]]] = {}
    for lid, res in resources.items() if isinstance(resources, Mapping) else ():
        if not isinstance(res, Mapping) or res.get("Type") not in _FUNCTION_TYPES:
            continue
        meta = res.get("Metadata")
        fn_meta = meta.get("fnaudit") if isinstance(meta, Mapping) else None
        ignores = fn_meta.get("ignore") if isinstance(fn_meta, Mapping) else None
        entries = []
        for item in ignores if isinstance(ignores, list) else []:
            if isinstance(item, Mapping) and item.get("rule"):
                entries.append((str(item["rule"]), str(item.get("reason") or "")))
            elif isinstance(item, str):
                entries.append((item, ""))
        if entries:
            out[f"{rel}#{lid}"] = entries
    return out
