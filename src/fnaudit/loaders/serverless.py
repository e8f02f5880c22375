"""Serverless Framework loader: `serverless.yml|yaml|json` → one `App`.

Variables are resolved by `_sls_variables` (lazily, only what is read), events become triggers in
`_sls_events`, roles come from `_sls_iam`, and the CloudFormation of `resources:` is read by the
shared `_cfn_parts.read_resources`. Provider settings a function does not override are INHERITED
with the provider's line; settings nobody wrote are DEFAULT with the function's line. Bad parts of
the file become error entries; the rest still loads, and `load` never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import _sls_callers, _sls_events, _sls_iam, _sls_lift, _sls_script
from fnaudit.loaders import _sls_values as _values
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._iam import render
from fnaudit.loaders._sls_apis import sls_apis
from fnaudit.loaders._sls_variables import Unresolved, Variables, is_missing
from fnaudit.loaders._yaml import LDict, line_of
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.cloudformation import Resolver, TemplateParts, read_resources
from fnaudit.loaders.handlers import language_of, locate_artifact, locate_code
from fnaudit.model.app import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Function,
    FunctionUrl,
    InvokePermission,
    Role,
    Trigger,
    TriggerKind,
    link_shared_roles,
)
from fnaudit.model.loc import Loc, Origin, Value


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    out = LoadOutcome()
    data = doc.data if doc.data is not None else LDict(1)  # an empty file: a service with no functions
    if not isinstance(data, dict):
        out.errors.append(
            ScanError(doc.rel, "not a Serverless Framework service: the file is not a mapping", "load", Loss.APP)
        )
        return out
    variables = Variables(data, doc.rel, doc.path.parent, root, options)
    # serverless.ts & co: values written in a module the configuration imports are located in that module
    for container, rel in _sls_script.origins(data):
        variables._remember(container, rel)
    out.consumed.update(_sls_script.modules_read(data))
    service = _Service(doc, root, options, variables, data)
    try:
        out.apps.append(service.app())
    except RecursionError:  # hostile nesting the parser's own limits let through: report, don't raise
        service.errors.append(ScanError(doc.rel, "the service nests too deeply to be read", "load", Loss.APP))
    out.errors.extend(sorted(set(service.errors + variables.errors), key=_error_order))
    out.consumed |= variables.consumed
    return out


def _error_order(err: ScanError) -> tuple[str, int, str]:
    """Errors in file order: by path, then by the line their message starts with."""
    head = err.message.split(":", 1)[0]
    line = int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0
    return (err.path, line, err.message)


@dataclass(frozen=True, slots=True)
class _Defaults:
    """Provider settings functions inherit (each already INHERITED, with the provider's lines)."""

    runtime: Value[str] | None
    timeout: Value[int] | None
    memory: Value[int] | None
    tracing: Value[str] | None
    log_retention: Value[int] | None
    architecture: Value[str] | None
    environment: Mapping[str, Value[str]]
    layers: tuple[Value[str], ...]


class _Service:
    """Reads one service. Holds the error list; every method reads one part of the file."""

    def __init__(self, doc: SourceDoc, root: ScanRoot, options: LoadOptions, variables: Variables, data: Any) -> None:
        self.doc = doc
        self.rel = doc.rel
        self.root = root
        self.options = options
        self.vars = variables
        self.data = data
        self.errors: list[ScanError] = []
        self.at: _values.At = variables.loc
        self.resolver = Resolver({}, doc.rel)  # replaced once `resources` is read

    def app(self) -> App:
        name = self._service_name()
        provider = self._mapping(self.vars.get("provider"))
        provider_line = line_of(self.data, "provider", 1)
        parts, resolver = self._resources()
        role_ctx = _sls_iam.RoleContext(self.vars.loc, self.vars.path_of, parts.roles, parts.resources, resolver)
        provider_roles = _sls_iam.provider_roles(provider, provider_line, role_ctx)
        defaults = self._defaults(provider)
        functions_raw = self._functions_block()
        constructs = self._constructs()
        # serverless-lift queue workers are functions like the others (provider defaults, role, code)
        workers = {w.name: w for w in constructs.workers if w.name not in functions_raw}
        event_ctx = _sls_events.EventContext(
            path_of=self.vars.path_of,
            private_endpoint=str(provider.get("endpointType", "")).upper() == "PRIVATE",
            http_api_authorizers=self._http_api_authorizers(provider),
            function_names=frozenset(functions_raw) | frozenset(workers),
            resource_type=resolver.resource_type,
        )
        # CloudFormation, Step Functions and the service's own functions as callers (trust model, issue 22)
        callers = _sls_callers.internal_callers(
            parts.resources,
            {n: raw for n, (raw, _) in functions_raw.items()},
            self.vars.get("stepFunctions"),
            _function_target(functions_raw),
            self.at,
        )
        functions = []
        for fn_name, (fn_raw, fn_loc) in functions_raw.items():
            if not isinstance(fn_raw, dict):
                self._error(fn_loc.line, f"function {fn_name} is not a mapping; skipped", fn_loc.path, Loss.FUNCTION)
                continue
            reader = _FunctionReader(self, fn_name, fn_raw, fn_loc, defaults, name, provider)
            role = _sls_iam.role_for_function(fn_name, fn_raw, provider_roles, role_ctx)
            functions.append(reader.function(event_ctx, role, parts, callers.get(fn_name, ())))
        for worker in workers.values():
            reader = _FunctionReader(self, worker.name, worker.raw, worker.loc, defaults, name, provider)
            role = _sls_iam.role_for_function(worker.name, worker.raw, provider_roles, role_ctx)
            functions.append(reader.function(event_ctx, role, parts, (worker.trigger,)))
        linked = link_shared_roles(tuple(functions))
        return App(
            name=name,
            dialect=Dialect.SERVERLESS,
            root=self.root.rel(self.doc.path.parent),
            source=self.rel,
            functions=linked,
            roles=_roles(provider_roles, linked, parts),
            resources={**constructs.resources, **parts.resources},
            permissions=_permissions(parts, functions_raw),
            apis=sls_apis(provider, {n: raw for n, (raw, _) in functions_raw.items()}, self.vars, self.data),
        )

    # ---- service-level parts ----------------------------------------------------------------

    def _service_name(self) -> str:
        raw = self.vars.get("service")
        if isinstance(raw, str) and raw and not isinstance(raw, Unresolved):
            return raw
        return self.doc.path.parent.name or "service"

    def _constructs(self) -> _sls_lift.Constructs:
        """serverless-lift `constructs:` (see `_sls_lift`)."""
        raw = self.vars.get("constructs")
        if is_missing(raw):
            return _sls_lift.Constructs()
        out = _sls_lift.read(raw, self.at, self.rel, line_of(self.data, "constructs"))
        self.errors.extend(out.errors)
        return out

    def _functions_block(self) -> dict[str, tuple[Any, Loc]]:
        """`functions` as name → (body, loc); a list of mappings (often `${file()}`s) is merged."""
        raw = self.vars.get("functions")
        if is_missing(raw) or raw is None:
            return {}
        blocks = raw if isinstance(raw, list) else [raw]
        out: dict[str, tuple[Any, Loc]] = {}
        for block in blocks:
            if isinstance(block, Unresolved):
                # e.g. a refused `${file()}`: the variable has its own error entry; this one says that
                # the functions it held are missing, which is what fails a CI gate
                self._error(
                    line_of(self.data, "functions"),
                    f"the functions of `{block}` could not be read; they are not analysed",
                    loss=Loss.FUNCTION,
                )
                continue
            if not isinstance(block, dict):
                self._error(
                    line_of(self.data, "functions"),
                    "`functions` must be a mapping of function names; ignored",
                    loss=Loss.FUNCTION,
                )
                continue
            for fn_name, body in block.items():
                if not str(fn_name).strip():  # no name to report it by, deploy it as, or find it with
                    self._error(
                        self.at(block, fn_name).line,
                        "a function has an empty name; skipped",
                        self.at(block, fn_name).path,
                        Loss.FUNCTION,
                    )
                    continue
                out[str(fn_name)] = (body, self.at(block, fn_name))
        return out

    def _defaults(self, provider: Mapping[str, Any]) -> _Defaults:
        tracing = provider.get("tracing")
        tracing_v = None
        if isinstance(tracing, dict) and "lambda" in tracing:
            tracing_v = _values.tracing(tracing, "lambda", self.at)
        env = provider.get("environment")
        return _Defaults(
            runtime=_values.inherit(_values.str_value(provider, "runtime", self.at)),
            timeout=_values.inherit(_values.int_value(provider, "timeout", self.at)),
            memory=_values.inherit(_values.int_value(provider, "memorySize", self.at)),
            tracing=_values.inherit(tracing_v),
            log_retention=_values.inherit(_values.int_value(provider, "logRetentionInDays", self.at)),
            architecture=_values.inherit(_values.str_value(provider, "architecture", self.at)),
            environment={k: v.inherited() for k, v in self._environment(env).items()},
            layers=tuple(v.inherited() for v in _values.layers(provider, self.at)),
        )

    def _environment(self, env: Any) -> dict[str, Value[str]]:
        if not isinstance(env, dict):
            return {}
        out: dict[str, Value[str]] = {}
        for key, raw in env.items():
            out[str(key)] = _values.env_value(raw, self.at(env, key), self.resolver)
        return out

    def _http_api_authorizers(self, provider: Mapping[str, Any]) -> Mapping[str, Any]:
        http_api = provider.get("httpApi")
        auths = http_api.get("authorizers") if isinstance(http_api, dict) else None
        return auths if isinstance(auths, dict) else {}

    def _resources(self) -> tuple[TemplateParts, Resolver]:
        """`resources:` (a mapping, or a list of mappings and `${file()}`s) read as CloudFormation.
        Resources from an included file keep that file's locations."""
        raw = self.vars.get("resources")
        chunks = raw if isinstance(raw, list) else [raw]
        pieces: list[tuple[Mapping[str, Any], str]] = []
        merged: LDict = LDict()
        for chunk in chunks:
            if not isinstance(chunk, dict) or not isinstance(chunk.get("Resources"), dict):
                continue
            res = chunk["Resources"]
            rel = self.vars.file_of(res) or self.vars.file_of(chunk) or self.rel
            pieces.append((res, rel))
            merged.update(res)
        self.resolver = Resolver({"Resources": merged}, self.rel, self.options.params, self.vars.region)
        total = TemplateParts()
        for res, rel in pieces:
            part = read_resources(res, rel, self.resolver)
            total = TemplateParts(
                resources={**total.resources, **part.resources},
                roles={**total.roles, **part.roles},
                permissions=total.permissions + part.permissions,
                log_groups={**total.log_groups, **part.log_groups},
                log_group_names={**total.log_group_names, **part.log_group_names},
                errors=total.errors + part.errors,
            )
        self.errors.extend(total.errors)
        return total, self.resolver

    def _mapping(self, raw: Any) -> Mapping[str, Any]:
        return raw if isinstance(raw, dict) else LDict()

    def _error(self, line: int, message: str, path: str | None = None, loss: Loss = Loss.PARTIAL) -> None:
        text = f"line {line}: {message}" if line else message
        self.errors.append(ScanError(path or self.rel, text, "load", loss))


class _FunctionReader:
    """One entry of `functions`."""

    def __init__(
        self,
        service: _Service,
        name: str,
        raw: Mapping[str, Any],
        loc: Loc,
        defaults: _Defaults,
        app_name: str,
        provider: Mapping[str, Any],
    ) -> None:
        self.s = service
        self.name = name
        self.raw = raw
        self.loc = loc
        self.at = service.at
        self.d = defaults
        self.app_name = app_name
        self.provider = provider

    def function(
        self,
        event_ctx: _sls_events.EventContext,
        role: Role | None,
        parts: TemplateParts,
        implied: tuple[Trigger, ...] = (),  # triggers a plugin adds (a lift queue's worker)
    ) -> Function:
        runtime = _values.str_value(self.raw, "runtime", self.at) or self.d.runtime or Value.unset(self.loc)
        handler = self._handler()
        wsgi_app = self._wsgi_app(handler.value)
        code, package_type = self._code(runtime, handler, wsgi_app)
        events_line = self.at(self.raw, "events").line if "events" in self.raw else 0
        triggers, errors = _sls_events.triggers(self.raw.get("events"), self.name, event_ctx, events_line)
        triggers = implied + triggers
        self.s.errors.extend(errors)
        url = self._url()
        if url is not None:
            auth_kind = AuthKind.IAM if url.auth_type.value == "AWS_IAM" else AuthKind.NONE
            triggers += (
                Trigger(
                    TriggerKind.FUNCTION_URL, url.loc, Authorizer(auth_kind, url.auth_type.loc, Origin.SET), public=True
                ),
            )
        environment = dict(self.d.environment)
        environment.update(self.s._environment(self.raw.get("environment")))
        return Function(
            id=f"{self.s.rel}#{self.name}",
            name=self.name,
            loc=self.loc,
            runtime=runtime,
            handler=handler,
            code=code,
            environment=environment,
            timeout=_values.int_value(self.raw, "timeout", self.at) or self.d.timeout or Value.unset(self.loc),
            memory=_values.int_value(self.raw, "memorySize", self.at) or self.d.memory or Value.unset(self.loc),
            reserved_concurrency=_values.int_value(self.raw, "reservedConcurrency", self.at) or Value.unset(self.loc),
            triggers=triggers,
            role=role,
            layers=_values.layers(self.raw, self.at) if "layers" in self.raw else self.d.layers,
            url=url,
            dead_letter=_values.str_value(self.raw, "onError", self.at) or Value.unset(self.loc),
            on_failure=self._on_failure(),
            tracing=_values.tracing(self.raw, "tracing", self.at) or self.d.tracing or Value.unset(self.loc),
            log_retention_days=self._log_retention(parts),
            package_type=package_type,
            framework="wsgi" if wsgi_app else None,
            architecture=_values.str_value(self.raw, "architecture", self.at)
            or self.d.architecture
            or Value.unset(self.loc),
            deployed_name=self._deployed_name(),
        )

    def _deployed_name(self) -> str | None:
        """`name:` of the function, else the Framework's `<service>-<stage>-<function key>`; None when the
        name or the service is a variable that could not be resolved."""
        own = self.raw.get("name")
        if own is not None:
            return own if isinstance(own, str) and own and not isinstance(own, Unresolved) else None
        service = self.s.vars.get("service")
        if not isinstance(service, str) or not service or isinstance(service, Unresolved):
            return None
        return f"{service}-{self.s.vars.stage}-{self.name}"

    def _handler(self) -> Value[str]:
        raw = self.raw.get("handler")
        if raw is not None and not isinstance(raw, str):  # a mapping or list would be read as a module path
            loc = self.at(self.raw, "handler")
            kind = "mapping" if isinstance(raw, dict) else "list" if isinstance(raw, list) else type(raw).__name__
            self.s._error(
                loc.line,
                f"handler of function {self.name} is a {kind}, not text like `handler.main`; its code cannot be located",
                loc.path,
            )
            return Value.unset(self.loc)
        v = _values.str_value(self.raw, "handler", self.at)
        if v is None:
            if self.raw.get("image") is None:
                self.s._error(
                    self.loc.line,
                    f"function {self.name} has no handler (and no image); its code cannot be located",
                    self.loc.path,
                )
            return Value.unset(self.loc)
        if v.is_unresolved:
            text = v.ref.text if v.ref else ""
            self.s._error(
                v.loc.line, f"handler of function {self.name} is `{text}`, which cannot be resolved", v.loc.path
            )
        return v

    def _code(self, runtime: Value[str], handler: Value[str], wsgi_app: str | None = None) -> tuple[Code, str]:
        lang = language_of(runtime.value)
        image = self.raw.get("image")
        if image is not None:
            shown = render(image.get("uri") or image.get("name")) if isinstance(image, dict) else render(image)
            note = f"container image {shown}; its code is not in the repository"
            return Code(lang, in_repo=False, note=note), "Image"

        def report(message: str) -> None:  # the function stays; only its code is not analysed
            self.s._error(handler.loc.line, f"function {self.name}: {message}", handler.loc.path)

        target = wsgi_app or handler.value
        artifact = self._artifact()
        # the function's name may name its Go binary's folder; a Java framework may read its environment
        env, names = (self._code_env() if lang == "java" else {}), (self.name,)
        if artifact is not None:  # a local zip is read in place; a jar is tied to the project building it
            base = self.s.doc.path.parent
            return locate_artifact(
                self.s.root, base, artifact, target, runtime.value, report, env=env, names=names
            ), "Zip"
        return locate_code(
            self.s.root, self.s.doc.path.parent, target, runtime.value, report, env=env, names=names
        ), "Zip"

    def _code_env(self) -> dict[str, str]:
        """Literal environment variables of the function over the provider's (a framework's settings)."""
        out: dict[str, str] = {}
        for env in (self.s.vars.get("provider", "environment"), self.raw.get("environment")):
            out.update({str(k): v for k, v in env.items() if isinstance(v, str)} if isinstance(env, dict) else {})
        return out

    def _wsgi_app(self, handler: str | None) -> str | None:
        """serverless-wsgi: the handler is the plugin's generated `wsgi_handler.handler`, the code that
        runs is the app `custom.wsgi.app` names (`app.app`: module `app`, object `app`)."""
        if handler not in ("wsgi_handler.handler", "wsgi.handler"):
            return None
        app = self.s.vars.get("custom", "wsgi", "app")  # only this value: resolving `custom` would say its errors
        return app if isinstance(app, str) and "." in app else None

    def _artifact(self) -> str | None:
        """`package.artifact` of the function (with `individually`), else of the service."""
        for pkg in (self.raw.get("package"), self.s.vars.get("package")):
            artifact = pkg.get("artifact") if isinstance(pkg, dict) else None
            if isinstance(artifact, str):
                return artifact
        return None

    def _url(self) -> FunctionUrl | None:
        raw = self.raw.get("url")
        if raw is None or raw is False:
            return None
        loc = self.at(self.raw, "url")
        if not isinstance(raw, dict):
            return FunctionUrl(Value("NONE", loc), loc)  # `url: true`: no authorizer means AuthType NONE
        auth = Value("NONE", loc)
        if raw.get("authorizer") is not None:
            auth_loc = self.at(raw, "authorizer")
            auth = Value(
                "AWS_IAM" if str(raw["authorizer"]).lower() == "aws_iam" else str(raw["authorizer"]).upper(), auth_loc
            )
        origins, credentials = _values.cors(raw.get("cors"))
        return FunctionUrl(auth, loc, origins, credentials)

    def _on_failure(self) -> Value[str]:
        dest = self.raw.get("destinations")
        if not isinstance(dest, dict) or dest.get("onFailure") is None:
            return Value.unset(self.loc)
        raw = dest["onFailure"]
        loc = self.at(dest, "onFailure")
        if isinstance(raw, dict):
            raw = raw.get("arn", raw.get("type"))
        return _values.env_value(raw, loc, self.s.resolver)

    def _log_retention(self, parts: TemplateParts) -> Value[int]:
        own = _values.int_value(self.raw, "logRetentionInDays", self.at)
        if own is not None:
            return own
        # a log group declared in `resources` (by the name the Framework gives it, or by overriding
        # the Framework's own `<Function>LogGroup` resource) decides the retention
        deployed = (
            self.raw.get("name")
            if isinstance(self.raw.get("name"), str)
            else f"{self.app_name}-{self.s.vars.stage}-{self.name}"
        )
        key = parts.log_group_names.get(f"{_normalized(self.name)}LogGroup") or f"/aws/lambda/{deployed}"
        if key in parts.log_groups:
            days, loc = parts.log_groups[key]
            if days is not None:
                return Value(days, loc)
        return self.d.log_retention or Value.unset(self.loc)


def _normalized(name: str) -> str:
    """The Framework's logical-id form of a function name (`hello-world` → `HelloDashworld`)."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


# ---- app-level ------------------------------------------------------------------------------------


def _roles(provider: _sls_iam.ProviderRoles, functions: tuple[Function, ...], parts: TemplateParts) -> dict[str, Role]:
    roles = dict(parts.roles)
    if provider.shared is not None:
        roles[provider.shared.id] = provider.shared  # created by the Framework even when unused
    for fn in functions:
        if fn.role is not None:
            roles.setdefault(fn.role.id, fn.role)
    return dict(sorted(roles.items()))


def _permissions(parts: TemplateParts, functions: Mapping[str, Any]) -> tuple[InvokePermission, ...]:
    """Invoke permissions of `resources`, pointed at the function they name (`HelloLambdaFunction`)."""
    by_logical_id = {f"{_normalized(n)}LambdaFunction": n for n in functions}
    targets: dict[Loc, str] = {}
    for res in parts.resources.values():
        if res.type == "AWS::Lambda::Permission":
            lid = _named_logical_id(res.properties.get("FunctionName"))
            if lid in by_logical_id:
                targets[res.loc] = by_logical_id[lid]
    return tuple(
        replace(p, function=targets[p.loc]) if p.function is None and p.loc in targets else p for p in parts.permissions
    )


def _function_target(functions: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """`!GetAtt HelloLambdaFunction.Arn` / `!Ref HelloLambdaFunction` → `hello`, the function the Framework
    generates that logical id for (None for anything else)."""
    by_logical_id = {f"{_normalized(n)}LambdaFunction": n for n in functions}
    return lambda raw: by_logical_id.get(_named_logical_id(raw) or "")


def _named_logical_id(raw: Any) -> str | None:
    """The logical id in `!Ref X` / `!GetAtt X.Arn`, even when X is a resource the Framework generates."""
    if isinstance(raw, dict) and len(raw) == 1:
        ((name, arg),) = raw.items()
        if name == "Ref" and isinstance(arg, str):
            return arg
        if name == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return parts[0]
    return None


__all__ = ["load"]
