"""Map a SAM template translated to CloudFormation back to the lines the user wrote.

The translator returns plain dicts without positions. `relabel(original, translated, rel)` returns
the translated template as line-aware `LDict`/`LList` values in which every node carries the line
of the SAM element that produced it:

- a resource that exists in the SAM template keeps its lines (new nodes SAM added to it, such as
  an S3 bucket's notification, get the line of the function event that asked for them);
- a generated resource (`FnRole`, `FnGetPermissionProd`, `FnUrl`, `ServerlessRestApi`, …) gets the
  line of its owner's element: the event, `FunctionUrlConfig`, `Policies` item, the function;
- a function's properties get the line of the property on the function, or of `Globals.Function`
  when only Globals set it (those are returned as `inherited` property paths);
- each route of an inline OpenAPI body gets the line of the event that declared it; when its
  authorizer (or API key requirement) comes from the API's `Auth.DefaultAuthorizer` (or
  `Auth.ApiKeyRequired`), on the API or in `Globals`, the line of that setting is returned in
  `route_auth` so the reader can report it as inherited from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fnaudit.loaders._cfn_triggers import RouteAuthSource
from fnaudit.loaders._yaml import LDict, LList, line_of, own_line

# SAM property → CloudFormation property path(s) it becomes on AWS::Lambda::Function
_SAM_TO_CFN = {
    "Tracing": ("TracingConfig", "TracingConfig.Mode"),
    "DeadLetterQueue": ("DeadLetterConfig", "DeadLetterConfig.TargetArn"),
    "CodeUri": ("Code", "Code"),
    "InlineCode": ("Code", "Code"),
    "ImageUri": ("Code", "Code"),
}
_CFN_TO_SAM = {cfn: sam for sam, (cfn, _) in _SAM_TO_CFN.items() if sam != "InlineCode" and sam != "ImageUri"}
_IMPLICIT_API = {"Api": "ServerlessRestApi", "HttpApi": "ServerlessHttpApi"}
_API_ID_KEY = {"Api": "RestApiId", "HttpApi": "ApiId"}
_EVENT_RESOURCE_KEY = {"S3": "Bucket", "Cognito": "UserPool"}
_SAM_API_TYPE = {"Api": "AWS::Serverless::Api", "HttpApi": "AWS::Serverless::HttpApi"}
_OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"})


@dataclass(slots=True)
class Relabelled:
    template: LDict
    inherited: dict[str, frozenset[str]] = field(default_factory=dict)
    route_auth: dict[tuple[str, str, str], RouteAuthSource] = field(default_factory=dict)


def relabel(original: Mapping[str, Any], translated: Mapping[str, Any], rel: str) -> Relabelled:
    return _Relabeller(original, translated).run()


class _Relabeller:
    def __init__(self, original: Mapping[str, Any], translated: Mapping[str, Any]) -> None:
        self.orig = original
        res = original.get("Resources")
        self.orig_res: Mapping[str, Any] = res if isinstance(res, Mapping) else {}
        self.trans = translated
        self.resources_line = line_of(original, "Resources", 1)
        globals_ = original.get("Globals")
        gfn = globals_.get("Function") if isinstance(globals_, Mapping) else None
        self.globals_fn: Mapping[str, Any] = gfn if isinstance(gfn, Mapping) else {}
        self.sam_functions = {
            lid: body
            for lid, body in self.orig_res.items()
            if isinstance(body, Mapping) and body.get("Type") == "AWS::Serverless::Function"
        }
        self.globals: Mapping[str, Any] = globals_ if isinstance(globals_, Mapping) else {}
        self.inherited: dict[str, frozenset[str]] = {}
        self.route_auth: dict[tuple[str, str, str], RouteAuthSource] = {}

    # ---- driver ---------------------------------------------------------------------------

    def run(self) -> Relabelled:
        out = LDict(own_line(self.orig, 1))
        for key, value in self.trans.items():
            out.key_lines[key] = line_of(self.orig, key, 1)
            if key == "Resources" and isinstance(value, Mapping):
                out[key] = self._resources(value)
            else:
                out[key] = _merge(value, self.orig.get(key), line_of(self.orig, key, 1))
        return Relabelled(out, self.inherited, self.route_auth)

    def _resources(self, resources: Mapping[str, Any]) -> LDict:
        out = LDict(self.resources_line)
        for lid, body in resources.items():
            line = self._resource_line(lid)
            out.key_lines[lid] = line
            if lid in self.sam_functions and isinstance(body, Mapping):
                out[lid] = self._function(lid, body, line)
            elif lid in self.orig_res:
                out[lid] = _merge(body, self.orig_res[lid], line, self._added_line(lid, line))
                self._definition_body(lid, out[lid])
            else:
                out[lid] = self._generated(lid, body, line)
            self._api_body(lid, out[lid])
        return out

    def _definition_body(self, lid: str, resource: Any) -> None:
        """An explicit API's `DefinitionBody` becomes `Body`: keep the lines of what the user wrote."""
        written = self._props(lid).get("DefinitionBody")
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        if isinstance(written, Mapping) and isinstance(props, LDict) and isinstance(props.get("Body"), Mapping):
            line = line_of(self._props(lid), "DefinitionBody", props.line)
            props["Body"] = _merge(props["Body"], written, line)
            props.key_lines["Body"] = line

    def _api_body(self, lid: str, resource: Any) -> None:
        """Give each route of an inline OpenAPI body the line of the event that declared it."""
        rtype = resource.get("Type") if isinstance(resource, Mapping) else None
        kind = {"AWS::ApiGateway::RestApi": "Api", "AWS::ApiGatewayV2::Api": "HttpApi"}.get(str(rtype))
        props = resource.get("Properties") if kind else None
        body = props.get("Body") if isinstance(props, Mapping) else None
        paths = body.get("paths") if isinstance(body, Mapping) else None
        if kind is None or not isinstance(paths, LDict):
            return
        event_auth: dict[tuple[str, str], Mapping[str, Any]] = {}
        event_lines: dict[tuple[str, str], int] = {}
        for _fn, path, method, event_line, auth in self._routes(lid, kind):
            ops = paths.get(path)
            verb = "x-amazon-apigateway-any-method" if method == "any" else method
            event_auth[(path, verb)] = auth
            event_lines[(path, verb)] = line_of(auth, "Authorizer", event_line) if "Authorizer" in auth else 0
            if isinstance(ops, LDict) and isinstance(ops.get(verb), LDict) and event_line:
                ops.key_lines[verb] = event_line
                ops[verb].line = event_line
        self._route_auth(lid, kind, paths, event_auth)
        self._route_decisions(lid, paths, event_lines)

    def _route_decisions(self, lid: str, paths: Mapping[str, Any], event_lines: Mapping[tuple[str, str], int]) -> None:
        """Note, for every route of the body, the line that decides its authorization (the line to change):
        the event's `Auth.Authorizer`; else, for an operation written in `DefinitionBody`, its `security` or
        the operation itself; else the route's line (its event). The translated body cannot tell: the
        `security` SAM adds to an operation carries the line of the API, not of anything the user wrote."""
        body = self.orig_res.get(lid)
        if lid not in _IMPLICIT_API.values() and not (
            isinstance(body, Mapping) and body.get("Type") in _SAM_API_TYPE.values()
        ):
            return  # a `Body` written as CloudFormation: SAM adds nothing to it, its lines are the user's
        written = self._props(lid).get("DefinitionBody")
        written_paths = written.get("paths") if isinstance(written, Mapping) else None
        for path, ops in paths.items():
            for verb, op in ops.items() if isinstance(ops, Mapping) else ():
                if str(verb).lower() not in _OPERATIONS or not isinstance(op, Mapping):
                    continue
                line = event_lines.get((path, verb), 0)
                if not line:
                    op_written, op_line = _operation(written_paths, path, str(verb))
                    if op_written is not None:
                        line = line_of(op_written, "security", 0) if "security" in op_written else 0
                        line = line or op_line
                line = line or line_of(ops, verb, own_line(op, 0))
                if line:
                    key = (lid, str(path), str(verb).lower())
                    self.route_auth[key] = replace(self.route_auth.get(key, RouteAuthSource()), decided_line=line)

    def _route_auth(
        self, lid: str, kind: str, paths: Mapping[str, Any], event_auth: Mapping[tuple[str, str], Mapping[str, Any]]
    ) -> None:
        """Note the routes whose authorizer / API key requirement the API's `Auth` decided, not the route."""
        default, default_line = self._api_auth(lid, kind, "DefaultAuthorizer")
        api_key, api_key_line = self._api_auth(lid, kind, "ApiKeyRequired")
        default = default if isinstance(default, str) else None
        api_key_line = api_key_line if api_key is True or str(api_key).lower() == "true" else 0
        if default is None and not api_key_line:
            return
        written = self._props(lid).get("DefinitionBody")
        written_paths = written.get("paths") if isinstance(written, Mapping) else None
        for path, ops in paths.items():
            for verb, op in ops.items() if isinstance(ops, Mapping) else ():
                if str(verb).lower() not in _OPERATIONS or not isinstance(op, Mapping):
                    continue
                names = _security_names(op.get("security"))
                if (path, verb) in event_auth:
                    own = event_auth[(path, verb)]
                    own_authorizer, own_api_key = "Authorizer" in own, "ApiKeyRequired" in own
                else:  # an operation written in DefinitionBody: its own `security`, if any, decides
                    ops_written = written_paths.get(path) if isinstance(written_paths, Mapping) else None
                    op_written = ops_written.get(verb) if isinstance(ops_written, Mapping) else None
                    own_authorizer = own_api_key = isinstance(op_written, Mapping) and "security" in op_written
                source = RouteAuthSource(
                    default_line if default is not None and not own_authorizer and default in names else 0,
                    api_key_line if not own_api_key and "api_key" in names else 0,
                )
                if source != RouteAuthSource():
                    self.route_auth[(lid, str(path), str(verb).lower())] = source

    def _api_auth(self, lid: str, kind: str, key: str) -> tuple[Any, int]:
        """`Auth.<key>` of a SAM API (value, line): on the API itself, else from `Globals.Api|HttpApi`."""
        body = self.orig_res.get(lid)
        if isinstance(body, Mapping) and body.get("Type") == _SAM_API_TYPE[kind]:
            auth = self._props(lid).get("Auth")
            if isinstance(auth, Mapping) and key in auth:
                return auth[key], line_of(auth, key, 0)
        elif lid != _IMPLICIT_API[kind]:
            return None, 0  # not a SAM API (a plain CloudFormation one): SAM adds no defaults to it
        section = self.globals.get(kind)
        auth = section.get("Auth") if isinstance(section, Mapping) else None
        if isinstance(auth, Mapping) and key in auth:
            return auth[key], line_of(auth, key, 0)
        return None, 0

    # ---- where a generated resource comes from --------------------------------------------

    def _resource_line(self, lid: str) -> int:
        if lid in self.orig_res:
            return line_of(self.orig_res, lid, self.resources_line)
        for kind, api in _IMPLICIT_API.items():
            if lid.startswith(api):
                found = next(iter(self._routes(api, kind)), None)
                return found[3] if found else self.resources_line
        owner = max((o for o in self.orig_res if lid.startswith(o)), key=len, default=None)
        if owner is None:
            return self.resources_line
        owner_line = line_of(self.orig_res, owner, self.resources_line)
        props = self._props(owner)
        suffix = lid[len(owner) :]
        events = props.get("Events")
        if isinstance(events, Mapping):
            name = max((e for e in events if suffix.startswith(str(e))), key=len, default=None)
            if name is not None:
                return line_of(events, name, owner_line)
        for prefix, prop in (
            ("url", "FunctionUrlConfig"),
            ("eventinvokeconfig", "EventInvokeConfig"),
            ("alias", "AutoPublishAlias"),
            ("version", "AutoPublishAlias"),
        ):
            if suffix.lower().startswith(prefix) and prop in props:
                return line_of(props, prop, owner_line)
        return owner_line

    def _added_line(self, lid: str, default: int) -> int:
        """Line for nodes SAM added to a user's resource: the event that targets it (S3, Cognito)."""
        for fn_lid in self.sam_functions:
            events = self._props(fn_lid).get("Events")
            for name, event in events.items() if isinstance(events, Mapping) else ():
                if not isinstance(event, Mapping):
                    continue
                key = _EVENT_RESOURCE_KEY.get(str(event.get("Type")))
                props = event.get("Properties")
                target = props.get(key) if key and isinstance(props, Mapping) else None
                if isinstance(target, Mapping) and target.get("Ref") == lid:
                    return line_of(events, name, default)
        return default

    def _routes(self, api: str, kind: str) -> list[tuple[str, str, str, int, Mapping[str, Any]]]:
        """(function, path, method, event line, event `Auth`) of every `kind` event routed to `api`."""
        out = []
        for fn_lid in self.sam_functions:
            events = self._props(fn_lid).get("Events")
            for name, event in events.items() if isinstance(events, Mapping) else ():
                if not isinstance(event, Mapping) or event.get("Type") != kind:
                    continue
                props = event.get("Properties")
                props = props if isinstance(props, Mapping) else {}
                api_ref = props.get(_API_ID_KEY[kind])
                target = api_ref.get("Ref") if isinstance(api_ref, Mapping) else api_ref
                if (target or _IMPLICIT_API[kind]) != api:
                    continue
                path = str(props.get("Path", "$default"))
                method = str(props.get("Method", "any")).lower()
                auth = props.get("Auth")
                out.append((fn_lid, path, method, line_of(events, name, 0), auth if isinstance(auth, Mapping) else {}))
        return out

    def _props(self, lid: str) -> Mapping[str, Any]:
        body = self.orig_res.get(lid)
        props = body.get("Properties") if isinstance(body, Mapping) else None
        return props if isinstance(props, Mapping) else {}

    # ---- generated resources --------------------------------------------------------------

    def _generated(self, lid: str, body: Any, line: int) -> Any:
        out = _merge(body, None, line)
        rtype = body.get("Type") if isinstance(body, Mapping) else None
        if rtype == "AWS::IAM::Role":
            owner = lid.removesuffix("Role")
            if owner in self.sam_functions:
                self._role(owner, out)
        return out

    def _role(self, fn_lid: str, role: LDict) -> None:
        props = role.get("Properties")
        if not isinstance(props, LDict):
            return
        sam_props = self._props(fn_lid)
        fn_line = line_of(self.orig_res, fn_lid, self.resources_line)
        policies = sam_props.get("Policies", self.globals_fn.get("Policies"))
        items = policies if isinstance(policies, list) else [policies] if policies is not None else []
        container = policies if isinstance(policies, list) else None
        default = line_of(sam_props, "Policies", fn_line)

        def item_line(i: int) -> int:
            return line_of(container, i, default) if container is not None else default

        inline = props.get("Policies")
        for pol in inline if isinstance(inline, list) else []:
            name = str(pol.get("PolicyName", "")) if isinstance(pol, Mapping) else ""
            index_text = name.rsplit("RolePolicy", 1)[-1]
            if not index_text.isdigit() or int(index_text) >= len(items):
                continue
            i = int(index_text)
            item = items[i]
            _set_lines(pol, item_line(i))
            if isinstance(item, Mapping) and len(item) == 1 and "Statement" not in item:
                pol["PolicyName"] = str(next(iter(item)))  # the policy template's name reads better
            elif isinstance(item, Mapping) and _plain(item) == _plain(pol.get("PolicyDocument")):
                pol["PolicyDocument"] = item  # written inline: keep the statements' own lines
        arns = props.get("ManagedPolicyArns")
        if isinstance(arns, LList):
            for i, arn in enumerate(arns):
                for j, item in enumerate(items):
                    if isinstance(item, str) and isinstance(arn, str) and (arn == item or arn.endswith("/" + item)):
                        arns.item_lines[i] = item_line(j)

    # ---- functions ------------------------------------------------------------------------

    def _function(self, lid: str, body: Mapping[str, Any], line: int) -> LDict:
        out: LDict = _merge(body, self.orig_res[lid], line)  # a mapping in, so an LDict out
        props = out.get("Properties")
        sam_props = self._props(lid)
        if not isinstance(props, LDict):
            return out
        inherited: set[str] = set()
        for key in list(props):
            sam_key = _CFN_TO_SAM.get(key, key)
            cfn_path = _SAM_TO_CFN.get(sam_key, (key, key))[1]
            if key == "Environment":
                self._environment(props, sam_props, inherited, line)
            elif sam_key in sam_props:
                props.key_lines[key] = line_of(sam_props, sam_key, line)
                props[key] = _merge(props[key], sam_props[sam_key] if sam_key == key else None, props.key_lines[key])
            elif sam_key in self.globals_fn:
                props.key_lines[key] = line_of(self.globals_fn, sam_key, line)
                props[key] = _merge(
                    props[key], self.globals_fn[sam_key] if sam_key == key else None, props.key_lines[key]
                )
                inherited.add(cfn_path)
            else:
                _set_lines(props[key], line)
                props.key_lines[key] = line
        self.inherited[lid] = frozenset(inherited)
        return out

    def _environment(self, props: LDict, sam_props: Mapping[str, Any], inherited: set[str], line: int) -> None:
        env = props.get("Environment")
        variables = env.get("Variables") if isinstance(env, Mapping) else None
        own = _variables(sam_props)
        shared = _variables(self.globals_fn)
        env_line = line_of(sam_props, "Environment", line_of(self.globals_fn, "Environment", line))
        props.key_lines["Environment"] = env_line
        if not isinstance(variables, LDict):
            return
        for key in list(variables):
            if key in own:
                variables[key] = _merge(variables[key], own[key], line_of(own, key, line))
                variables.key_lines[key] = line_of(own, key, line)
            elif key in shared:
                variables[key] = _merge(variables[key], shared[key], line_of(shared, key, line))
                variables.key_lines[key] = line_of(shared, key, line)
                inherited.add(f"Environment.Variables.{key}")


def _operation(paths: Any, path: Any, verb: str) -> tuple[Mapping[str, Any] | None, int]:
    """The operation `verb` of `path` as written in a `DefinitionBody` (keys compared without case) and
    the line of its key (`get:`), or (None, 0)."""
    ops = paths.get(path) if isinstance(paths, Mapping) else None
    for key, op in ops.items() if isinstance(ops, Mapping) else ():
        if str(key).lower() == verb.lower() and isinstance(op, Mapping):
            return op, line_of(ops, key, own_line(op, 0))
    return None, 0


def _security_names(security: Any) -> set[str]:
    """Scheme names of an OpenAPI operation's security requirements."""
    return (
        {str(k) for req in security if isinstance(req, Mapping) for k in req} if isinstance(security, list) else set()
    )


def _variables(props: Mapping[str, Any]) -> Mapping[str, Any]:
    env = props.get("Environment")
    variables = env.get("Variables") if isinstance(env, Mapping) else None
    return variables if isinstance(variables, Mapping) else {}


def _merge(value: Any, original: Any, line: int, added_line: int | None = None) -> Any:
    """`value` as line-aware data: lines from `original` where the structure matches, else `line`
    (or `added_line` for mapping keys the original does not have)."""
    added = line if added_line is None else added_line
    if isinstance(value, Mapping):
        out = LDict(own_line(original, line) if isinstance(original, Mapping) else line)
        for k, v in value.items():
            if isinstance(original, Mapping) and k in original:
                k_line = line_of(original, k, line)
                out[k] = _merge(v, original[k], k_line, added_line)
            else:
                k_line = added
                out[k] = _merge(v, None, k_line)
            out.key_lines[k] = k_line
        return out
    if isinstance(value, list):
        seq = LList(own_line(original, line) if isinstance(original, list) else line)
        same_shape = isinstance(original, list) and len(original) == len(value)
        for i, v in enumerate(value):
            i_line = line_of(original, i, line) if same_shape else line
            seq.append(_merge(v, original[i] if same_shape else None, i_line))
            seq.item_lines.append(i_line)
        return seq
    return value


def _set_lines(node: Any, line: int) -> None:
    if isinstance(node, LDict):
        node.line = line
        for k in node:
            node.key_lines[k] = line
            _set_lines(node[k], line)
    elif isinstance(node, LList):
        node.line = line
        node.item_lines = [line] * len(node)
        for item in node:
            _set_lines(item, line)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
