"""SAM functions read without the translator, for templates it refuses as a whole.

When `aws-sam-translator` rejects or crashes on a whole template (a Globals section it does not
accept, an unknown Transform version, a bug of its own), the functions are still there to be
scanned. `untranslated(plain)` writes the CloudFormation the translator would have written for
each `AWS::Serverless::Function` as far as it follows directly from the SAM properties (Globals
merged, code location, environment, role with managed and inline policies); `relabel` then maps it
back to the SAM lines as for a real translation. Policy templates are not expanded (that is the
translator's job): their names are returned so the caller can say the role is incomplete.
`event_triggers` reads the functions' `Events` directly (no implicit API is built).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import AuthKind, Authorizer, Trigger, TriggerKind
from fnaudit.model.loc import Loc, Origin

FUNCTION = "AWS::Serverless::Function"
# SAM function property → CloudFormation AWS::Lambda::Function property, when copied as is
_SAME = (
    "Handler",
    "Runtime",
    "Timeout",
    "MemorySize",
    "Environment",
    "Layers",
    "Architectures",
    "ReservedConcurrentExecutions",
    "FunctionName",
    "PackageType",
    "VpcConfig",
    "KmsKeyArn",
    "LoggingConfig",
    "Role",
)
_HTTP = {"Api": TriggerKind.API_REST, "HttpApi": TriggerKind.API_HTTP}
_OTHER = {
    "SQS": (TriggerKind.SQS, "Queue"),
    "SNS": (TriggerKind.SNS, "Topic"),
    "S3": (TriggerKind.S3, "Bucket"),
    "DynamoDB": (TriggerKind.DYNAMODB_STREAM, "Stream"),
    "Kinesis": (TriggerKind.KINESIS, "Stream"),
    "Schedule": (TriggerKind.SCHEDULE, "Schedule"),
    "ScheduleV2": (TriggerKind.SCHEDULE, "ScheduleExpression"),
    "EventBridgeRule": (TriggerKind.EVENTBRIDGE, "Pattern"),
    "CloudWatchEvent": (TriggerKind.EVENTBRIDGE, "Pattern"),
    "CloudWatchLogs": (TriggerKind.CLOUDWATCH_LOGS, "LogGroupName"),
    "Cognito": (TriggerKind.COGNITO, "UserPool"),
    "IoTRule": (TriggerKind.IOT, "Sql"),
}
_IAM_AUTH = {"AWS_IAM": AuthKind.IAM, "NONE": AuthKind.NONE}


def untranslated(
    plain: Mapping[str, Any], managed_arn: Callable[[str], str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A CloudFormation template of the template's functions (and its other non-SAM resources),
    and the policy templates left unexpanded, by function logical id."""
    globals_ = plain.get("Globals")
    gfn = globals_.get("Function") if isinstance(globals_, Mapping) else None
    gfn = gfn if isinstance(gfn, Mapping) else {}
    resources: dict[str, Any] = {}
    unexpanded: dict[str, list[str]] = {}
    for lid, res in plain["Resources"].items():
        rtype = res.get("Type")
        if rtype == FUNCTION:
            props = _merged(gfn, res.get("Properties") if isinstance(res.get("Properties"), Mapping) else {})
            resources[lid] = {**_attributes(res), "Type": "AWS::Lambda::Function", "Properties": _function(props)}
            if "Role" not in props:
                resources[f"{lid}Role"], unexpanded[lid] = _role(lid, props, managed_arn)
                resources[lid]["Properties"]["Role"] = {"Fn::GetAtt": [f"{lid}Role", "Arn"]}
        elif isinstance(rtype, str) and not rtype.startswith("AWS::Serverless::"):
            resources[lid] = copy.deepcopy(res)
    out = {k: copy.deepcopy(v) for k, v in plain.items() if k not in ("Transform", "Globals", "Resources")}
    out["Resources"] = resources
    return out, {k: v for k, v in unexpanded.items() if v}


def _attributes(res: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(res[k]) for k in ("Condition", "DependsOn", "Metadata") if k in res}


def _merged(gfn: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """Globals under the function's own properties; environment variables merged by name, as SAM does."""
    out = {**copy.deepcopy(dict(gfn)), **copy.deepcopy(dict(props))}
    genv, env = gfn.get("Environment"), props.get("Environment")
    if isinstance(genv, Mapping) and isinstance(env, Mapping):
        gvars, own = genv.get("Variables"), env.get("Variables")
        if isinstance(gvars, Mapping) and isinstance(own, Mapping):
            out["Environment"] = {**dict(env), "Variables": {**dict(gvars), **dict(own)}}
    return out


def _function(props: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: props[k] for k in _SAME if k in props}
    if "Tracing" in props:
        out["TracingConfig"] = {"Mode": props["Tracing"]}
    if isinstance(props.get("DeadLetterQueue"), Mapping) and "TargetArn" in props["DeadLetterQueue"]:
        out["DeadLetterConfig"] = {"TargetArn": props["DeadLetterQueue"]["TargetArn"]}
    code = props.get("CodeUri")
    if "InlineCode" in props:
        out["Code"] = {"ZipFile": props["InlineCode"]}
    elif "ImageUri" in props:
        out["Code"] = {"ImageUri": props["ImageUri"]}
    elif isinstance(code, str) and code.startswith("s3://") and "/" in code[5:]:
        bucket, key = code[5:].split("/", 1)
        out["Code"] = {"S3Bucket": bucket, "S3Key": key}
    elif isinstance(code, Mapping):
        out["Code"] = {"S3Bucket": code.get("Bucket"), "S3Key": code.get("Key")}
    return out


def _role(lid: str, props: Mapping[str, Any], managed_arn: Callable[[str], str]) -> tuple[dict[str, Any], list[str]]:
    """The execution role SAM creates from `Policies`: managed policies by name or ARN, inline
    statement documents; policy templates are named in the second value, not expanded."""
    policies = props.get("Policies")
    items = policies if isinstance(policies, list) else [policies] if policies is not None else []
    arns: list[Any] = [managed_arn("AWSLambdaBasicExecutionRole")]
    inline: list[dict[str, Any]] = []
    templates: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            arns.append(item if item.startswith("arn:") else managed_arn(item))
        elif isinstance(item, Mapping) and "Statement" in item:
            inline.append({"PolicyName": f"{lid}RolePolicy{i}", "PolicyDocument": copy.deepcopy(dict(item))})
        elif isinstance(item, Mapping) and len(item) == 1:
            templates.append(str(next(iter(item))))
        else:
            arns.append(copy.deepcopy(item))  # an intrinsic (`!Ref ManagedPolicy`): an ARN at deploy time
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
        ],
    }
    role_props: dict[str, Any] = {"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": arns}
    if inline:
        role_props["Policies"] = inline
    if "PermissionsBoundary" in props:
        role_props["PermissionsBoundary"] = props["PermissionsBoundary"]
    return {"Type": "AWS::IAM::Role", "Properties": role_props}, templates


def event_triggers(data: Mapping[str, Any], rel: str, display: Callable[[Any], str]) -> dict[str, list[Trigger]]:
    """Each function's `Events` as triggers, read as written: an HTTP route is public, and its
    authorizer is the event's own `Auth.Authorizer`, else unknown when the API or `Globals` sets a
    default one, else none."""
    resources = data["Resources"]
    globals_ = data.get("Globals")
    out: dict[str, list[Trigger]] = {}
    for lid, res in resources.items():
        if not isinstance(res, Mapping) or res.get("Type") != FUNCTION:
            continue
        props = res.get("Properties")
        events = props.get("Events") if isinstance(props, Mapping) else None
        for name, event in events.items() if isinstance(events, Mapping) else ():
            if not isinstance(event, Mapping) or not isinstance(event.get("Properties", {}), Mapping):
                continue
            loc = Loc(rel, line_of(events, name))
            etype = str(event.get("Type"))
            ep = event.get("Properties", {})
            if etype in _HTTP:
                auth = _route_auth(ep, etype, resources, globals_, loc)
                kind = _HTTP[etype]
                trigger = Trigger(
                    kind,
                    loc,
                    auth,
                    path=display(ep.get("Path", "/")),
                    method=display(ep.get("Method", "ANY")).upper(),
                    public=True,
                    api=display(ep.get("RestApiId" if etype == "Api" else "ApiId", "")) or None,
                    integration_timeout=29 if kind is TriggerKind.API_REST else 30,
                    decided_at=_authorizer_written(ep, rel),
                )
            elif etype in _OTHER:
                kind, key = _OTHER[etype]
                source = display(ep[key]) if key in ep else None
                trigger = Trigger(kind, loc, Authorizer.none(loc), source=source)
            else:
                trigger = Trigger(TriggerKind.OTHER, loc, Authorizer.none(loc), source=etype)
            out.setdefault(str(lid), []).append(trigger)
    return out


def _authorizer_written(ep: Mapping[str, Any], rel: str) -> Loc | None:
    """The event's `Auth: {Authorizer: …}` line when written: it decides the route's authorization."""
    auth = ep.get("Auth")
    line = line_of(auth, "Authorizer", 0) if isinstance(auth, Mapping) and "Authorizer" in auth else 0
    return Loc(rel, line) if line else None


def _route_auth(ep: Mapping[str, Any], etype: str, resources: Mapping[str, Any], globals_: Any, loc: Loc) -> Authorizer:
    auth = ep.get("Auth")
    named = auth.get("Authorizer") if isinstance(auth, Mapping) else None
    if isinstance(named, str):
        kind = _IAM_AUTH.get(named, AuthKind.UNKNOWN)
        return Authorizer(kind, loc, Origin.SET, None if kind is AuthKind.NONE else named)
    api_ref = ep.get("RestApiId" if etype == "Api" else "ApiId")
    api_lid = api_ref.get("Ref") if isinstance(api_ref, Mapping) else None
    api = resources.get(api_lid) if isinstance(api_lid, str) else None
    api_props = api.get("Properties") if isinstance(api, Mapping) else None
    gapi = globals_.get(etype) if isinstance(globals_, Mapping) else None
    for holder in (api_props, gapi):
        api_auth = holder.get("Auth") if isinstance(holder, Mapping) else None
        if isinstance(api_auth, Mapping) and api_auth.get("DefaultAuthorizer"):
            default = str(api_auth["DefaultAuthorizer"])
            return Authorizer(_IAM_AUTH.get(default, AuthKind.UNKNOWN), loc, Origin.INHERITED, default)
    return Authorizer.none(loc)
