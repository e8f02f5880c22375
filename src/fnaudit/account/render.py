"""The deployed state of a region, written as the CloudFormation that would deploy it.

CloudFormation is AWS's own vocabulary for these resources, and fnaudit already reads it completely
(triggers, authorizers, permissions, roles, URLs, mappings, log groups): rendering the account as a
template lets every engine and rule run on the deployed state exactly as on a repository, and lets a
repository and an account be compared function by function. Nothing about the account is guessed here:
each property comes from an API response, and what the reader could not read is simply absent.

The template is written with `json.dumps(indent=2)`'s layout by `_Writer`, which remembers for every
line the resource it belongs to and the property path on it: `Locations` turns a finding's template line
back into the resource's ARN and its configuration key (`Environment.Variables.DB_PASSWORD`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.account.reader import LAYERS
from fnaudit.account.snapshot import DeployedFunction, DeployedRole, HttpApi, Layer, RegionSnapshot, RestApi
from fnaudit.loaders import archives

TEMPLATE = "template.json"
PACKAGES = "packages"
_FUNCTION_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+")
_LOGICAL = re.compile(r"[^A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class Where:
    """A template line's place in the account: the resource's ARN and the configuration key."""

    arn: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class RenderedRegion:
    account: str
    region: str
    template: str  # path of the template relative to the scan folder
    lines: tuple[Where, ...]  # index = line - 1
    packages: Mapping[str, str]  # package path relative to the scan folder → the function's ARN
    notes: Mapping[str, str]  # function name → why its code was not analysed (no package)

    @property
    def label(self) -> str:
        return f"aws:{self.account}:{self.region}"

    def where(self, line: int) -> Where:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else Where(self.label)


@dataclass(slots=True)
class _Resource:
    arn: str
    key_prefix: str = ""
    names: dict[str, str] = field(default_factory=dict)  # property path prefix → readable key prefix


def render(snapshot: RegionSnapshot, folder: Path, base: Path) -> RenderedRegion:
    """Write `snapshot` as `folder/template.json` (its packages are already in `folder/packages`)."""
    builder = _Builder(snapshot)
    template = builder.build()
    writer = _Writer(builder.resources, f"aws:{snapshot.account}:{snapshot.region}")
    text = writer.write(template)
    path = folder / TEMPLATE
    path.write_text(text, encoding="utf-8")
    rel = path.relative_to(base).as_posix()
    packages = {
        fn.package.path.relative_to(base).as_posix(): fn.arn for fn in snapshot.functions if fn.package.path is not None
    }
    packages.update(
        (layer.folder.relative_to(base).as_posix(), layer.arn + archives.SEPARATOR)
        for fn in snapshot.functions
        for layer in fn.layers
        if layer.folder is not None
    )
    notes = {fn.name: fn.package.note for fn in snapshot.functions if fn.package.note}
    return RenderedRegion(snapshot.account, snapshot.region, rel, tuple(writer.lines), packages, notes)


class _Builder:
    def __init__(self, snapshot: RegionSnapshot) -> None:
        self.s = snapshot
        self.out: dict[str, Any] = {}
        self.resources: dict[str, _Resource] = {}
        self.function_ids = {fn.arn: fn.name for fn in snapshot.functions}
        # a function's logical id is its name: no other resource may take one, whatever order they are added in
        self.reserved = frozenset(self.function_ids.values())
        self.role_ids: dict[str, str] = {}
        self.policy_ids: dict[str, str] = {}
        self.layer_ids: dict[str, str] = {}

    def add(self, lid: str, type_: str, props: dict[str, Any], arn: str, key_prefix: str = "") -> str:
        base, n = lid, 2
        while lid in self.out or lid in self.reserved:
            lid, n = f"{base}#{n}", n + 1
        self.out[lid] = {"Type": type_, "Properties": {k: v for k, v in props.items() if v not in (None, [], {})}}
        self.resources[lid] = _Resource(arn, key_prefix)
        return lid

    def fn_ref(self, arn: str) -> Any:
        """A reference to a function of the region when the ARN is one, else the ARN as text."""
        m = _FUNCTION_ARN.search(arn or "")
        if m and m.group(0) in self.function_ids:
            return {"Fn::GetAtt": [self.function_ids[m.group(0)], "Arn"]}
        return arn

    def build(self) -> dict[str, Any]:
        for role in self.s.roles.values():
            self._role(role)
        for fn in self.s.functions:
            self._function(fn)
        for http_api in self.s.http_apis:
            self._http_api(http_api)
        for rest_api in self.s.rest_apis:
            self._rest_api(rest_api)
        self._triggers()
        return {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Deployed state of account {self.s.account} in {self.s.region}, as read by fnaudit",
            "Resources": self.out,
        }

    # ---- IAM ------------------------------------------------------------------------------

    def _role(self, role: DeployedRole) -> None:
        managed: list[Any] = []
        for policy in role.attached:
            if policy.aws_managed or policy.document is None:
                managed.append(policy.arn)
                continue
            if policy.arn not in self.policy_ids:
                self.policy_ids[policy.arn] = self.add(
                    policy.name,
                    "AWS::IAM::ManagedPolicy",
                    {"ManagedPolicyName": policy.name, "PolicyDocument": policy.document},
                    policy.arn,
                )
            managed.append({"Ref": self.policy_ids[policy.arn]})
        lid = self.add(
            role.name,  # logical ids are how the report names a role: the role's own name
            "AWS::IAM::Role",
            {
                "RoleName": role.name,
                "AssumeRolePolicyDocument": role.trust,
                "Policies": [{"PolicyName": name, "PolicyDocument": doc} for name, doc in role.inline],
                "ManagedPolicyArns": managed,
                "PermissionsBoundary": role.boundary,
            },
            role.arn,
        )
        self.resources[lid].names.update(
            {f"Policies[{i}]": f"Policies.{name}" for i, (name, _) in enumerate(role.inline)}
        )
        self.role_ids[role.arn] = lid

    # ---- functions ------------------------------------------------------------------------

    def _function(self, fn: DeployedFunction) -> None:
        c = fn.configuration
        role_arn = str(c.get("Role", ""))
        image = c.get("PackageType") == "Image" or fn.image_uri is not None
        if image:
            code: Any = {"ImageUri": fn.image_uri or "(unknown image)"}
        elif fn.package.path is not None:
            code = f"{PACKAGES}/{fn.package.path.name}"
        else:  # not downloaded: the scan says so in coverage (the renderer's notes)
            code = {"S3Bucket": "deployed-package-not-read", "S3Key": fn.name}
        env = (c.get("Environment") or {}).get("Variables") or {}
        props: dict[str, Any] = {
            "FunctionName": fn.name,
            "PackageType": "Image" if image else None,
            "Runtime": c.get("Runtime"),
            "Handler": c.get("Handler"),
            "Role": {"Fn::GetAtt": [self.role_ids[role_arn], "Arn"]} if role_arn in self.role_ids else role_arn or None,
            "Code": code,
            "Environment": {"Variables": dict(env)} if env else None,
            "Timeout": c.get("Timeout"),
            "MemorySize": c.get("MemorySize"),
            "ReservedConcurrentExecutions": fn.concurrency,
            "Architectures": c.get("Architectures"),
            "Layers": [self._layer(layer) for layer in fn.layers],
            "TracingConfig": {"Mode": (c.get("TracingConfig") or {}).get("Mode")} if c.get("TracingConfig") else None,
            "DeadLetterConfig": c.get("DeadLetterConfig") or None,
            "VpcConfig": _vpc(c.get("VpcConfig")),
            "KmsKeyArn": c.get("KMSKeyArn"),
        }
        logging = c.get("LoggingConfig") or {}
        group = logging.get("LogGroup")
        if group and group != f"/aws/lambda/{fn.name}":
            props["LoggingConfig"] = {"LogGroup": group}
        self.out[fn.name] = {
            "Type": "AWS::Lambda::Function",
            "Properties": {k: v for k, v in props.items() if v not in (None, [], {})},
        }
        self.resources[fn.name] = _Resource(fn.arn)
        self._log_group(fn, str(group or f"/aws/lambda/{fn.name}"))
        for statement in _statements(fn.policy):
            self._permission(fn, statement, fn.arn, "Policy")
        for alias in fn.aliases:
            for statement in _statements(alias.policy):
                self._permission(fn, statement, alias.arn, f"Aliases.{alias.name}.Policy")
        if fn.url:
            cors = fn.url.get("Cors") or {}
            self.add(
                fn.name + "Url",
                "AWS::Lambda::Url",
                {
                    "TargetFunctionArn": {"Fn::GetAtt": [fn.name, "Arn"]},
                    "AuthType": fn.url.get("AuthType"),
                    "InvokeMode": fn.url.get("InvokeMode"),
                    "Cors": {k: v for k, v in cors.items() if v not in (None, [])} or None,
                },
                fn.arn,
                "FunctionUrlConfig",
            )
        for mapping in fn.mappings:
            self.add(
                fn.name + "Mapping",
                "AWS::Lambda::EventSourceMapping",
                {
                    "FunctionName": {"Ref": fn.name},
                    "EventSourceArn": mapping.get("EventSourceArn"),
                    "BatchSize": mapping.get("BatchSize"),
                    "Enabled": mapping.get("State") not in ("Disabled", "Disabling") if mapping.get("State") else None,
                    "StartingPosition": mapping.get("StartingPosition"),
                    "SelfManagedEventSource": mapping.get("SelfManagedEventSource"),
                    "Topics": mapping.get("Topics"),
                    "Queues": mapping.get("Queues"),
                },
                str(mapping.get("EventSourceMappingArn") or fn.arn),
            )
        if fn.invoke_config:
            ic = fn.invoke_config
            self.add(
                fn.name + "InvokeConfig",
                "AWS::Lambda::EventInvokeConfig",
                {
                    "FunctionName": {"Ref": fn.name},
                    "Qualifier": "$LATEST",
                    "MaximumRetryAttempts": ic.get("MaximumRetryAttempts"),
                    "MaximumEventAgeInSeconds": ic.get("MaximumEventAgeInSeconds"),
                    "DestinationConfig": _destinations(ic.get("DestinationConfig")),
                },
                fn.arn,
                "EventInvokeConfig",
            )

    def _layer(self, layer: Layer) -> Any:
        """A layer that was unpacked is a LayerVersion of the template with its folder as `Content`, so the
        dependency and secrets engines read its files; one that was not stays an ARN."""
        if layer.folder is None:
            return layer.arn
        if layer.label not in self.layer_ids:
            self.layer_ids[layer.label] = self.add(
                layer.label,
                "AWS::Lambda::LayerVersion",
                {"LayerName": layer.label.rsplit("-", 1)[0], "Content": f"{LAYERS}/{layer.label}"},
                layer.arn,
            )
        return {"Ref": self.layer_ids[layer.label]}

    def _log_group(self, fn: DeployedFunction, name: str) -> None:
        if name not in self.s.log_retention:
            return
        self.add(
            fn.name + "LogGroup",
            "AWS::Logs::LogGroup",
            {"LogGroupName": name, "RetentionInDays": self.s.log_retention[name]},
            f"arn:aws:logs:{self.s.region}:{self.s.account}:log-group:{name}",
        )

    def _permission(self, fn: DeployedFunction, st: Mapping[str, Any], arn: str, where: str) -> None:
        if st.get("Effect", "Allow") != "Allow":
            return
        principal = st.get("Principal")
        if isinstance(principal, Mapping):
            values = principal.get("Service") or principal.get("AWS") or next(iter(principal.values()), "*")
            principal = values[0] if isinstance(values, list) and values else values
        conditions = st.get("Condition") or {}
        flat: dict[str, Any] = {}
        for block in conditions.values() if isinstance(conditions, Mapping) else ():
            if isinstance(block, Mapping):
                flat.update({k.lower(): v for k, v in block.items()})
        action = st.get("Action")
        self.add(
            fn.name + "Permission" + _logical(str(st.get("Sid", ""))),
            "AWS::Lambda::Permission",
            {
                "FunctionName": {"Ref": fn.name},
                "Action": action[0] if isinstance(action, list) and action else action,
                "Principal": principal,
                "SourceArn": flat.get("aws:sourcearn"),
                "SourceAccount": flat.get("aws:sourceaccount"),
                "PrincipalOrgID": flat.get("aws:principalorgid"),
                # AWS writes it as a condition; some emulators beside the statement's keys
                "FunctionUrlAuthType": flat.get("lambda:functionurlauthtype") or st.get("FunctionUrlAuthType"),
            },
            arn,
            f"{where}.Statement.{st.get('Sid', '')}".rstrip("."),
        )

    # ---- APIs -----------------------------------------------------------------------------

    def _http_api(self, api: HttpApi) -> None:
        a = api.api
        api_id = str(a.get("ApiId"))
        arn = f"arn:aws:apigateway:{self.s.region}::/apis/{api_id}"
        api_lid = self.add(
            str(a.get("Name") or api_id),  # the report names an API by its logical id: the API's own name
            "AWS::ApiGatewayV2::Api",
            {
                "Name": a.get("Name"),
                "ProtocolType": a.get("ProtocolType"),
                "CorsConfiguration": a.get("CorsConfiguration"),
                "DisableExecuteApiEndpoint": a.get("DisableExecuteApiEndpoint"),
            },
            arn,
        )
        auth_ids: dict[str, str] = {}
        for auth in api.authorizers:
            auth_ids[str(auth.get("AuthorizerId"))] = self.add(
                _logical(api_lid) + "Authorizer" + _logical(str(auth.get("AuthorizerId"))),
                "AWS::ApiGatewayV2::Authorizer",
                {
                    "ApiId": {"Ref": api_lid},
                    "Name": auth.get("Name"),
                    "AuthorizerType": auth.get("AuthorizerType"),
                    "AuthorizerUri": auth.get("AuthorizerUri"),
                    "IdentitySource": auth.get("IdentitySource"),
                    "JwtConfiguration": auth.get("JwtConfiguration"),
                    "AuthorizerPayloadFormatVersion": auth.get("AuthorizerPayloadFormatVersion"),
                },
                f"{arn}/authorizers/{auth.get('AuthorizerId')}",
            )
        integration_ids: dict[str, str] = {}
        for integ in api.integrations:
            integration_ids[str(integ.get("IntegrationId"))] = self.add(
                _logical(api_lid) + "Integration" + _logical(str(integ.get("IntegrationId"))),
                "AWS::ApiGatewayV2::Integration",
                {
                    "ApiId": {"Ref": api_lid},
                    "IntegrationType": integ.get("IntegrationType"),
                    "IntegrationUri": self.fn_ref(str(integ.get("IntegrationUri", ""))),
                    "PayloadFormatVersion": integ.get("PayloadFormatVersion"),
                    "TimeoutInMillis": integ.get("TimeoutInMillis"),
                },
                f"{arn}/integrations/{integ.get('IntegrationId')}",
            )
        for route in api.routes:
            target = str(route.get("Target", ""))
            integ_id = target.split("/", 1)[1] if target.startswith("integrations/") else ""
            self.add(
                _logical(api_lid) + "Route" + _logical(str(route.get("RouteId"))),
                "AWS::ApiGatewayV2::Route",
                {
                    "ApiId": {"Ref": api_lid},
                    "RouteKey": route.get("RouteKey"),
                    "AuthorizationType": route.get("AuthorizationType"),
                    "AuthorizerId": {"Ref": auth_ids[route["AuthorizerId"]]}
                    if route.get("AuthorizerId") in auth_ids
                    else None,
                    "AuthorizationScopes": route.get("AuthorizationScopes"),
                    "ApiKeyRequired": route.get("ApiKeyRequired") or None,
                    "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration_ids[integ_id]}]]}
                    if integ_id in integration_ids
                    else target or None,
                },
                f"{arn}/routes/{route.get('RouteId')}",
            )
        for stage in api.stages:
            self.add(
                _logical(api_lid) + "Stage" + _logical(str(stage.get("StageName"))),
                "AWS::ApiGatewayV2::Stage",
                {
                    "ApiId": {"Ref": api_lid},
                    "StageName": stage.get("StageName"),
                    "AutoDeploy": stage.get("AutoDeploy"),
                    "DefaultRouteSettings": stage.get("DefaultRouteSettings"),
                    "RouteSettings": stage.get("RouteSettings"),
                    "AccessLogSettings": stage.get("AccessLogSettings"),
                },
                f"{arn}/stages/{stage.get('StageName')}",
            )

    def _rest_api(self, api: RestApi) -> None:
        a = api.api
        api_id = str(a.get("id"))
        arn = f"arn:aws:apigateway:{self.s.region}::/restapis/{api_id}"
        policy = a.get("policy")
        if isinstance(policy, str):
            try:
                policy = json.loads(policy.replace('\\"', '"'))
            except ValueError:
                policy = None
        api_lid = self.add(
            str(a.get("name") or api_id),
            "AWS::ApiGateway::RestApi",
            {
                "Name": a.get("name"),
                "Policy": policy,
                "EndpointConfiguration": {"Types": (a.get("endpointConfiguration") or {}).get("types")}
                if a.get("endpointConfiguration")
                else None,
                "ApiKeySourceType": a.get("apiKeySourceType"),
                "DisableExecuteApiEndpoint": a.get("disableExecuteApiEndpoint"),
            },
            arn,
        )
        auth_ids: dict[str, str] = {}
        for auth in api.authorizers:
            auth_ids[str(auth.get("id"))] = self.add(
                _logical(api_lid) + "Authorizer" + _logical(str(auth.get("id"))),
                "AWS::ApiGateway::Authorizer",
                {
                    "RestApiId": {"Ref": api_lid},
                    "Name": auth.get("name"),
                    "Type": auth.get("type"),
                    "AuthorizerUri": auth.get("authorizerUri"),
                    "ProviderARNs": auth.get("providerARNs"),
                    "IdentitySource": auth.get("identitySource"),
                },
                f"{arn}/authorizers/{auth.get('id')}",
            )
        by_id = {str(r.get("id")): r for r in api.resources}
        resource_ids: dict[str, Any] = {}
        for res in sorted(api.resources, key=lambda r: str(r.get("path", ""))):  # parents before children
            rid = str(res.get("id"))
            if not res.get("parentId"):
                resource_ids[rid] = {"Fn::GetAtt": [api_lid, "RootResourceId"]}
                continue
            parent = resource_ids.get(str(res["parentId"]), {"Fn::GetAtt": [api_lid, "RootResourceId"]})
            resource_ids[rid] = {
                "Ref": self.add(
                    _logical(api_lid) + "Resource" + _logical(rid),
                    "AWS::ApiGateway::Resource",
                    {"RestApiId": {"Ref": api_lid}, "ParentId": parent, "PathPart": res.get("pathPart")},
                    f"{arn}/resources/{rid}",
                )
            }
        for rid, res in by_id.items():
            for verb, method in (res.get("resourceMethods") or {}).items():
                integ = method.get("methodIntegration") or {}
                uri = str(integ.get("uri", ""))
                fn = self.fn_ref(uri)
                if isinstance(fn, dict):
                    uri_value: Any = {
                        "Fn::Sub": [
                            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Target}/invocations",
                            {"Target": fn},
                        ]
                    }
                else:
                    uri_value = uri or None
                self.add(
                    _logical(api_lid) + "Method" + _logical(rid) + _logical(verb),
                    "AWS::ApiGateway::Method",
                    {
                        "RestApiId": {"Ref": api_lid},
                        "ResourceId": resource_ids.get(rid),
                        "HttpMethod": verb,
                        "AuthorizationType": method.get("authorizationType"),
                        "AuthorizerId": {"Ref": auth_ids[method["authorizerId"]]}
                        if method.get("authorizerId") in auth_ids
                        else None,
                        "ApiKeyRequired": method.get("apiKeyRequired") or None,
                        "RequestValidatorId": method.get("requestValidatorId"),
                        "Integration": {
                            "Type": integ.get("type"),
                            "IntegrationHttpMethod": integ.get("httpMethod"),
                            "Uri": uri_value,
                        }
                        if integ
                        else None,
                    },
                    f"{arn}/resources/{rid}/methods/{verb}",
                )
        for stage in api.stages:
            settings = stage.get("methodSettings") or {}
            self.add(
                _logical(api_lid) + "Stage" + _logical(str(stage.get("stageName"))),
                "AWS::ApiGateway::Stage",
                {
                    "RestApiId": {"Ref": api_lid},
                    "StageName": stage.get("stageName"),
                    "TracingEnabled": stage.get("tracingEnabled"),
                    "MethodSettings": [
                        {
                            "ResourcePath": "/" + path.rsplit("/", 1)[0].lstrip("/") if path != "*/*" else "/*",
                            "HttpMethod": path.rsplit("/", 1)[-1],
                            "ThrottlingBurstLimit": s.get("throttlingBurstLimit"),
                            "ThrottlingRateLimit": s.get("throttlingRateLimit"),
                            "LoggingLevel": s.get("loggingLevel"),
                        }
                        for path, s in settings.items()
                        if isinstance(s, Mapping)
                    ],
                },
                f"{arn}/stages/{stage.get('stageName')}",
            )
        for plan in api.usage_plans:
            self.add(
                "UsagePlan" + _logical(str(plan.get("id"))),
                "AWS::ApiGateway::UsagePlan",
                {
                    "UsagePlanName": plan.get("name"),
                    "ApiStages": [
                        {"ApiId": {"Ref": api_lid}, "Stage": s.get("stage")}
                        for s in plan.get("apiStages") or ()
                        if s.get("apiId") == api_id
                    ],
                    "Throttle": _upper_keys(plan.get("throttle")),
                    "Quota": _upper_keys(plan.get("quota")),
                },
                f"arn:aws:apigateway:{self.s.region}::/usageplans/{plan.get('id')}",
            )

    # ---- other triggers -------------------------------------------------------------------

    def _triggers(self) -> None:
        for rule in self.s.rules:
            r = rule.rule
            pattern = r.get("EventPattern")
            self.add(
                str(r.get("Name")),
                "AWS::Events::Rule",
                {
                    "Name": r.get("Name"),
                    "ScheduleExpression": r.get("ScheduleExpression"),
                    "EventPattern": json.loads(pattern) if isinstance(pattern, str) else pattern,
                    "State": r.get("State"),
                    "EventBusName": r.get("EventBusName"),
                    "Targets": [{"Id": t.get("Id"), "Arn": self.fn_ref(str(t.get("Arn")))} for t in rule.targets],
                },
                str(r.get("Arn")),
            )
        for sub in self.s.subscriptions:
            self.add(
                "Subscription" + _logical(str(sub.get("SubscriptionArn", "")).rsplit(":", 1)[-1]),
                "AWS::SNS::Subscription",
                {
                    "Protocol": "lambda",
                    "Endpoint": self.fn_ref(str(sub.get("Endpoint"))),
                    "TopicArn": sub.get("TopicArn"),
                },
                str(sub.get("SubscriptionArn")),
            )
        for bucket, notifications in self.s.buckets:
            self.add(
                bucket,
                "AWS::S3::Bucket",
                {
                    "BucketName": bucket,
                    "NotificationConfiguration": {
                        "LambdaConfigurations": [
                            {
                                "Event": event,
                                "Function": self.fn_ref(str(c.get("LambdaFunctionArn"))),
                                "Filter": c.get("Filter"),
                            }
                            for c in notifications.get("LambdaFunctionConfigurations") or ()
                            for event in c.get("Events") or ()
                        ]
                    },
                },
                f"arn:aws:s3:::{bucket}",
            )


class _Writer:
    """`json.dumps(indent=2)`'s text, remembering where each line is in the account."""

    def __init__(self, resources: Mapping[str, _Resource], label: str) -> None:
        self.resources = resources
        self.label = label
        self.parts: list[str] = []
        self.lines: list[Where] = []

    def write(self, value: Any) -> str:
        self._walk(value, (), 0, "", "")
        return "\n".join(self.parts) + "\n"

    def _put(self, text: str, path: tuple[str | int, ...]) -> None:
        self.parts.append(text)
        self.lines.append(self._where(path))

    def _walk(self, value: Any, path: tuple[str | int, ...], indent: int, prefix: str, suffix: str) -> None:
        pad = " " * indent
        if isinstance(value, Mapping) and value:
            self._put(f"{pad}{prefix}{{", path)
            items = list(value.items())
            for i, (k, v) in enumerate(items):
                self._walk(
                    v,
                    (*path, str(k)),
                    indent + 2,
                    json.dumps(str(k), ensure_ascii=False) + ": ",
                    "," if i < len(items) - 1 else "",
                )
            self._put(f"{pad}}}{suffix}", path)
        elif isinstance(value, list | tuple) and value:
            self._put(f"{pad}{prefix}[", path)
            for i, v in enumerate(value):
                self._walk(v, (*path, i), indent + 2, "", "," if i < len(value) - 1 else "")
            self._put(f"{pad}]{suffix}", path)
        else:
            self._put(f"{pad}{prefix}{json.dumps(value, ensure_ascii=False)}{suffix}", path)

    def _where(self, path: tuple[str | int, ...]) -> Where:
        if len(path) < 2 or path[0] != "Resources" or str(path[1]) not in self.resources:
            return Where(self.label)
        res = self.resources[str(path[1])]
        rest = path[3:] if len(path) > 3 and path[2] == "Properties" else ()
        key = ""
        for part in rest:
            key = f"{key}[{part}]" if isinstance(part, int) else f"{key}.{part}" if key else part
        for raw, readable in res.names.items():
            if key == raw or key.startswith((raw + ".", raw + "[")):
                key = readable + key[len(raw) :]
                break
        if res.key_prefix:
            key = f"{res.key_prefix}.{key}" if key else res.key_prefix
        return Where(res.arn, key)


def _statements(policy: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    raw = (policy or {}).get("Statement") or []
    return [s for s in (raw if isinstance(raw, list) else [raw]) if isinstance(s, Mapping)]


def _vpc(raw: Any) -> Any:
    if not isinstance(raw, Mapping) or not raw.get("SubnetIds"):
        return None
    return {"SubnetIds": raw.get("SubnetIds"), "SecurityGroupIds": raw.get("SecurityGroupIds")}


def _destinations(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return None
    out = {k: v for k, v in raw.items() if isinstance(v, Mapping) and v.get("Destination")}
    return out or None


def _upper_keys(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return None
    return {k[:1].upper() + k[1:]: v for k, v in raw.items()} or None


def _logical(text: str) -> str:
    """A fragment of a CloudFormation logical id (alphanumeric) made from an AWS name or id."""
    return _LOGICAL.sub("", text)[:64]
