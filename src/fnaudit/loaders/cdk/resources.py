"""The other constructs (data, IAM, events, APIs) and the methods called on constructs afterwards
(`grant*`, `addToRolePolicy`, `addFunctionUrl`, `addEventSource`, `addMethod`, `addRoutes`...)."""

from __future__ import annotations

from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.cdk.functions import RETENTION_DAYS, async_invoke
from fnaudit.loaders.cdk.grants import GRANTS
from fnaudit.loaders.cdk.lowering import Out, arn_of
from fnaudit.loaders.cdk.values import Cfn, Construct, Made, ObjV, Sym, Unknown

# construct symbol (without its service) → (kind, CloudFormation type, {cdk prop: Cfn prop})
SIMPLE: dict[str, tuple[str, str, dict[str, str]]] = {
    "aws-dynamodb.Table": ("table", "AWS::DynamoDB::Table", {"tableName": "TableName"}),
    "aws-dynamodb.TableV2": ("table", "AWS::DynamoDB::GlobalTable", {"tableName": "TableName"}),
    "aws-s3.Bucket": ("bucket", "AWS::S3::Bucket", {"bucketName": "BucketName"}),
    "aws-sqs.Queue": ("queue", "AWS::SQS::Queue", {"queueName": "QueueName"}),
    "aws-sns.Topic": ("topic", "AWS::SNS::Topic", {"topicName": "TopicName"}),
    "aws-secretsmanager.Secret": (
        "secret",
        "AWS::SecretsManager::Secret",
        {"secretName": "Name", "secretStringValue": "SecretString"},  # `SecretValue.unsafePlainText`: as written
    ),
    "aws-cognito.UserPool": ("userpool", "AWS::Cognito::UserPool", {"userPoolName": "UserPoolName"}),
    "aws-kinesis.Stream": ("stream", "AWS::Kinesis::Stream", {"streamName": "Name"}),
}


def options(value: Any) -> ObjV | None:
    """An options object: a TypeScript literal, or in Python the struct class it is written with
    (`apigw.CorsOptions(allow_origins=...)`, `StageOptions(...)`): its keyword arguments."""
    if isinstance(value, ObjV):
        return value
    if isinstance(value, Made) and len(value.args) == 1 and isinstance(value.args[0], ObjV):
        return value.args[0]
    return None


def statement(out: Out, props: ObjV | None, rel: str, line: int) -> LDict:
    """`new PolicyStatement({ effect, actions, resources })`, each key on its own line."""
    stmt = LDict(out.v(rel, line))
    effect = props.get("effect") if props is not None else None
    stmt["Effect"] = "Deny" if isinstance(effect, Sym) and effect.last == "DENY" else "Allow"
    stmt.key_lines["Effect"] = stmt.line
    for key, cfn in (("actions", "Action"), ("resources", "Resource"), ("notActions", "NotAction")):
        value = props.get(key) if props is not None else None
        if value is not None:
            at = props.line_of(key) if props is not None else line
            out.put(stmt, cfn, [arn_of(v) for v in value] if isinstance(value, list) else value, rel, at)
    return stmt


def extend_statement(out: Out, stmt: LDict, method: str, args: list[Any], rel: str, line: int) -> None:
    """`statement.addActions('s3:GetObject')` / `addResources(bucket.arnForObjects('*'))`, on the call's line."""
    key = "Action" if method == "addActions" else "Resource"
    items = stmt.get(key)
    if not isinstance(items, LList):
        items = LList(out.v(rel, line))
        stmt[key] = items
        stmt.key_lines[key] = out.v(rel, line)
    for arg in args:
        items.append(out.cfn(arn_of(arg), rel, line))
        items.item_lines.append(out.v(rel, line))


def role(out: Out, c: Construct, props: ObjV) -> None:
    made = out.role(c.path, c.rel, c.line)
    c.data.update(made.data)
    c.kind = "role"
    res = out.resources[c.path]
    assumed = props.get("assumedBy")
    if assumed is not None:
        _trust(out, res["Properties"], assumed, c.rel, props.line_of("assumedBy"))
    if props.get("roleName") is not None:
        out.put(res["Properties"], "RoleName", props.get("roleName"), c.rel, props.line_of("roleName"))
    inline_policies(out, c, props.get("inlinePolicies"))
    managed = props.get("managedPolicies")
    if isinstance(managed, list):
        for arn in managed:
            at = arn.line if isinstance(arn, Made) else props.line_of("managedPolicies")
            out.managed_policy(c, _policy_arn(arn), c.rel, at)


def principals(value: Any) -> list[tuple[str, Any]]:
    """`new ServicePrincipal('x')`, `AnyPrincipal()`, `ArnPrincipal(arn)`, `AccountPrincipal(id)`,
    `AccountRootPrincipal()`, `FederatedPrincipal(provider)`, `CompositePrincipal(a, b)` → (`Service` | `AWS` |
    `Federated`, value) pairs; another principal is an unknown `AWS` one, never guessed."""
    if not isinstance(value, Made):
        return [("AWS", value)] if value is not None else []
    name = value.sym.rsplit(".", 1)[-1]
    arg = value.args[0] if value.args else None
    if name == "CompositePrincipal":
        return [p for a in value.args for p in principals(a)]
    if name == "ServicePrincipal":
        return [("Service", arg)]
    if name in ("FederatedPrincipal", "WebIdentityPrincipal"):
        return [("Federated", arg)]
    if name in ("AnyPrincipal", "StarPrincipal"):
        return [("AWS", "*")]
    if name == "ArnPrincipal":
        return [("AWS", arn_of(arg))]
    if name == "AccountPrincipal":
        return [("AWS", Cfn({"Fn::Join": ["", ["arn:aws:iam::", _account(arg), ":root"]]}))]
    if name == "AccountRootPrincipal":
        return [("AWS", Cfn({"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":root"]]}))]
    return [("AWS", Unknown(value.sym, "a principal the loader does not translate"))]


def _account(value: Any) -> Any:
    return value if isinstance(value, str) else {"Ref": "AWS::AccountId"}


def _trust(out: Out, props: LDict, assumed: Any, rel: str, line: int) -> None:
    """The role's trust policy, its statement on the `assumedBy` line (the line to narrow)."""
    found = principals(assumed)
    if not found:
        return
    principal = out.new_props(rel, line)
    for key, value in found:
        item = out.cfn(value, rel, line)
        if key in principal:
            have = principal[key]
            principal[key] = [*(have if isinstance(have, list) else [have]), item]
        else:
            principal[key] = item
            principal.key_lines[key] = out.v(rel, line)
    stmt = out.new_props(rel, line)
    stmt.update({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    stmt.key_lines.update(dict.fromkeys(("Effect", "Principal", "Action"), stmt.line))
    statements = LList(stmt.line)
    statements.append(stmt)
    statements.item_lines.append(stmt.line)
    doc = out.new_props(rel, line)
    doc.update({"Version": "2012-10-17", "Statement": statements})
    doc.key_lines.update({"Version": doc.line, "Statement": doc.line})
    props["AssumeRolePolicyDocument"] = doc
    props.key_lines["AssumeRolePolicyDocument"] = doc.line


def inline_policies(out: Out, c: Construct, policies: Any) -> None:
    """`inlinePolicies: { name: new PolicyDocument({ statements: [...] }) }` → the role's `Policies`."""
    if not isinstance(policies, ObjV):
        return
    items = LList(out.v(c.rel, policies.line))
    for name, (doc, at) in policies.items.items():
        statements = doc.args[0].get("statements") if isinstance(doc, Made) and doc.args else None
        if not isinstance(doc, Made) or not isinstance(statements, list):
            continue
        body = LDict(out.v(c.rel, at))
        body["Version"] = "2012-10-17"
        body["Statement"] = LList(out.v(c.rel, at))
        for stmt in statements:
            if isinstance(stmt, LDict):
                body["Statement"].append(stmt)
                body["Statement"].item_lines.append(stmt.line)
        policy = LDict(out.v(c.rel, at))
        policy.update({"PolicyName": name, "PolicyDocument": body})
        policy.key_lines.update({"PolicyName": policy.line, "PolicyDocument": policy.line})
        items.append(policy)
        items.item_lines.append(policy.line)
    if items:
        props = out.resources[c.path]["Properties"]
        props["Policies"] = items
        props.key_lines["Policies"] = items.line


# service of an L1 construct (`aws-lambda.CfnFunction`) → its CloudFormation namespace
_L1_SERVICES = {
    "aws-lambda": "Lambda",
    "aws-iam": "IAM",
    "aws-apigateway": "ApiGateway",
    "aws-apigatewayv2": "ApiGatewayV2",
    "aws-dynamodb": "DynamoDB",
    "aws-s3": "S3",
    "aws-sqs": "SQS",
    "aws-sns": "SNS",
    "aws-events": "Events",
    "aws-logs": "Logs",
    "aws-secretsmanager": "SecretsManager",
    "aws-cognito": "Cognito",
    "aws-kinesis": "Kinesis",
}


def l1(out: Out, sym: str, c: Construct, props: ObjV) -> bool:
    """An L1 construct (`new lambda.CfnFunction(this, 'Fn', { functionName, role, ... })`) is the resource
    of the same name, its props in CloudFormation's spelling; False when the service is not known."""
    service, _, name = sym.rpartition(".")
    namespace = _L1_SERVICES.get(service)
    if namespace is None or not name.startswith("Cfn"):
        return False
    c.kind = {"CfnFunction": "function", "CfnRole": "role"}.get(name, "l1")
    out.add(c.path, f"AWS::{namespace}::{name[3:]}", _pascal(out, props, c.rel), c.rel, c.line)
    if c.kind == "function":
        c.data["role"] = None  # the role it names is not followed: its grants are not known
    return True


def _pascal(out: Out, value: Any, rel: str) -> Any:
    if isinstance(value, ObjV):
        d = LDict(out.v(rel, value.line))
        for k, (item, at) in value.items.items():
            key = k[:1].upper() + k[1:] if k[:1].islower() else k  # a map's own keys (env vars) are kept
            d[key] = _pascal(out, item, rel) if isinstance(item, (ObjV, list)) else out.cfn(item, rel, at)
            d.key_lines[key] = out.v(rel, at)
        return d
    if isinstance(value, list):
        return [_pascal(out, v, rel) if isinstance(v, (ObjV, list)) else out.cfn(v, rel, 0) for v in value]
    return value


def _policy_arn(value: Any) -> Any:
    if isinstance(value, Made) and value.args:
        return value.args[-1]
    return value


def simple(out: Out, sym: str, c: Construct, props: ObjV) -> None:
    kind, cfn_type, mapping = SIMPLE[sym]
    c.kind = kind
    p = out.new_props(c.rel, c.line)
    for key, cfn in mapping.items():
        if props.get(key) is not None:
            out.put(p, cfn, props.get(key), c.rel, props.line_of(key))
    if kind == "table":
        p["BillingMode"] = "PAY_PER_REQUEST"
        stream = props.get("stream")
        if isinstance(stream, Sym):
            out.put(p, "StreamSpecification", {"StreamViewType": stream.last}, c.rel, props.line_of("stream"))
    out.add(c.path, cfn_type, p, c.rel, c.line)
    if kind == "bucket":
        _bucket_access(out, c, p, props)


# `BlockPublicAccess.BLOCK_ALL` / `BLOCK_ACLS`: the four settings of each (others are unknown)
_BLOCKS = {
    "BLOCK_ALL": (True, True, True, True),
    "BLOCK_ACLS": (True, True, False, False),
    "BLOCK_ACLS_ONLY": (True, True, False, False),
}
_BLOCK_KEYS = (
    ("blockPublicAcls", "BlockPublicAcls"),
    ("ignorePublicAcls", "IgnorePublicAcls"),
    ("blockPublicPolicy", "BlockPublicPolicy"),
    ("restrictPublicBuckets", "RestrictPublicBuckets"),
)


def _bucket_access(out: Out, c: Construct, p: LDict, props: ObjV) -> None:
    """`blockPublicAccess` (a `BlockPublicAccess` member or `new BlockPublicAccess({...})`),
    `accessControl: BucketAccessControl.PUBLIC_READ`, and `publicReadAccess: true` (the `BucketPolicy`
    CDK writes: `s3:GetObject` on every object to `*`, on the prop's line)."""
    rel = c.rel
    block = props.get("blockPublicAccess")
    at = props.line_of("blockPublicAccess")
    settings: ObjV | None = None
    if isinstance(block, Sym) and block.last in _BLOCKS:
        values = _BLOCKS[block.last]
        settings = ObjV({cfn: (v, at) for (_, cfn), v in zip(_BLOCK_KEYS, values, strict=True)}, at)
    elif isinstance(block, Made) and block.args and isinstance(block.args[0], ObjV):
        given = block.args[0]
        settings = ObjV(
            {cfn: (given.get(k), given.line_of(k)) for k, cfn in _BLOCK_KEYS if given.get(k) is not None}, at
        )
    if settings is not None:
        out.put(p, "PublicAccessBlockConfiguration", settings, rel, at)
    acl = props.get("accessControl")
    if isinstance(acl, Sym):
        name = "".join(w.title() for w in acl.last.split("_"))
        out.put(p, "AccessControl", name, rel, props.line_of("accessControl"))
    if props.get("publicReadAccess") is True:
        line = props.line_of("publicReadAccess")
        stmt = out.new_props(rel, line)
        stmt["Effect"] = "Allow"
        stmt["Principal"] = {"AWS": "*"}
        stmt["Action"] = "s3:GetObject"
        stmt["Resource"] = {"Fn::Join": ["", [{"Fn::GetAtt": [c.path, "Arn"]}, "/*"]]}
        stmt.key_lines.update(dict.fromkeys(("Effect", "Principal", "Action", "Resource"), stmt.line))
        doc = out.new_props(rel, line)
        doc.update({"Version": "2012-10-17", "Statement": [stmt]})
        policy = out.new_props(rel, line)
        out.put(policy, "Bucket", {"Ref": c.path}, rel, line)
        policy["PolicyDocument"] = doc
        policy.key_lines["PolicyDocument"] = doc.line
        out.add(c.path + "/Policy", "AWS::S3::BucketPolicy", policy, rel, line)


def event_rule(out: Out, c: Construct, props: ObjV) -> None:
    c.kind = "rule"
    p = out.new_props(c.rel, c.line)
    schedule = props.get("schedule")
    if isinstance(schedule, Made):
        out.put(p, "ScheduleExpression", _schedule(schedule), c.rel, props.line_of("schedule"))
    if props.get("eventPattern") is not None:
        out.put(p, "EventPattern", props.get("eventPattern"), c.rel, props.line_of("eventPattern"))
    p["Targets"] = LList(p.line)
    out.add(c.path, "AWS::Events::Rule", p, c.rel, c.line)
    for target in props.get("targets") or []:
        add_target(out, c, target, props.line_of("targets"))


def _schedule(value: Made) -> Any:
    arg = value.args[0] if value.args else None
    if value.sym.endswith("Schedule.rate") and isinstance(arg, Made) and arg.args:
        unit = arg.sym.rsplit(".", 1)[-1]
        n = arg.args[0]
        return f"rate({n} {unit[:-1] if n == 1 else unit})"
    if value.sym.endswith("Schedule.expression") and isinstance(arg, str):
        return arg
    if value.sym.endswith("Schedule.cron") and isinstance(arg, ObjV):
        return _cron(arg) or Unknown(value.sym, "a cron schedule with a field that is not known")
    return Unknown(value.sym, "a schedule the loader does not translate")


def _cron(options: ObjV) -> str | None:
    """`Schedule.cron({ minute, hour, day, month, weekDay, year })` as CDK writes it: unset fields are `*`, and
    day / weekDay are `?` when the other one is set (`day` defaults to `*` when neither is)."""
    fields = {k: options.get(k) for k in ("minute", "hour", "day", "month", "weekDay", "year")}
    if any(v is not None and not isinstance(v, (str, int)) for v in fields.values()):
        return None
    text = {k: str(v) for k, v in fields.items() if v is not None}
    if "day" in text and "weekDay" in text:
        return None  # CDK refuses both
    day = text.get("day", "?" if "weekDay" in text else "*")
    week_day = text.get("weekDay", "?")
    parts = (
        text.get("minute", "*"),
        text.get("hour", "*"),
        day,
        text.get("month", "*"),
        week_day,
        text.get("year", "*"),
    )
    return f"cron({' '.join(parts)})"


def add_target(out: Out, rule: Construct, target: Any, line: int) -> None:
    if not (isinstance(target, Made) and target.sym.endswith("LambdaFunction") and target.args):
        return
    targets = out.resources[rule.path]["Properties"]["Targets"]
    item = LDict(out.v(target.rel, target.line))
    item["Arn"] = arn_of(target.args[0]).value if isinstance(target.args[0], Construct) else None
    item["Id"] = f"Target{len(targets)}"
    item.key_lines.update({"Arn": item.line, "Id": item.line})
    targets.append(item)
    targets.item_lines.append(item.line)


# ---- APIs ------------------------------------------------------------------------------------------


def rest_api(out: Out, c: Construct, props: ObjV, handler: Any) -> None:
    """`RestApi`, or `LambdaRestApi` (`handler`: every path and method, `{proxy+}` ANY, to the function)."""
    c.kind = "restapi"
    p = out.new_props(c.rel, c.line)
    if props.get("restApiName") is not None:
        out.put(p, "Name", props.get("restApiName"), c.rel, props.line_of("restApiName"))
    out.add(c.path, "AWS::ApiGateway::RestApi", p, c.rel, c.line)
    stage = out.new_props(c.rel, c.line)
    stage["RestApiId"] = {"Ref": c.path}
    stage["StageName"] = "prod"
    deploy = options(props.get("deployOptions"))
    if deploy is not None:
        _deploy_options(out, stage, deploy, c.rel)
    stage_path = c.path + "/DeploymentStage.prod"
    out.add(stage_path, "AWS::ApiGateway::Stage", stage, c.rel, c.line)
    c.fields["deploymentStage"] = Construct("stage", stage_path, c.rel, c.line, data={"api": c})
    defaults = props.get("defaultMethodOptions")
    c.data["defaults"] = defaults if isinstance(defaults, ObjV) else None
    cors = options(props.get("defaultCorsPreflightOptions"))
    c.data["root"] = Construct("apiresource", c.path, c.rel, c.line, data={"api": c, "path": "/"})
    if cors is not None:
        c.data["root"].data["cors"] = cors
        add_preflight(out, c.data["root"], cors)
    if isinstance(handler, Construct) and props.get("proxy") is not False:
        line = props.line_of("handler")
        integration = Made("LambdaIntegration", (handler,), line, c.rel)
        add_method(out, c.data["root"], "ANY", integration, None, line)
        proxy = add_resource(out, c.data["root"], "{proxy+}", line)
        add_method(out, proxy, "ANY", integration, None, line)


def _deploy_options(out: Out, stage: LDict, deploy: ObjV, rel: str) -> None:
    """`deployOptions`: `stageName`, stage-wide `throttlingRateLimit` / `throttlingBurstLimit` (CDK writes them as
    the `/*/*` method setting) and `methodOptions: { '/path/GET': {...} }`, each at its own line."""
    if isinstance(deploy.get("stageName"), str):
        out.put(stage, "StageName", deploy.get("stageName"), rel, deploy.line_of("stageName"))
    settings = LList(out.v(rel, deploy.line))
    _method_setting(out, settings, "/*/*", deploy, rel)
    methods = options(deploy.get("methodOptions"))
    for key, (item, _) in methods.items.items() if methods is not None else ():
        opts = options(item)
        if opts is not None:
            _method_setting(out, settings, key, opts, rel)
    if settings:
        stage["MethodSettings"] = settings
        stage.key_lines["MethodSettings"] = settings.line


def _method_setting(out: Out, settings: LList, key: str, opts: ObjV, rel: str) -> None:
    names = (("throttlingRateLimit", "ThrottlingRateLimit"), ("throttlingBurstLimit", "ThrottlingBurstLimit"))
    given = [(k, cfn) for k, cfn in names if opts.get(k) is not None]
    if not given:
        return
    at = opts.line_of(given[0][0])
    path, _, verb = key.rpartition("/")
    item = out.new_props(rel, at)
    item["HttpMethod"] = verb or "*"
    item["ResourcePath"] = "/*" if path in ("/*", "") else "/" + path.lstrip("/").replace("/", "~1")
    item.key_lines.update({"HttpMethod": item.line, "ResourcePath": item.line})
    for k, cfn in given:
        out.put(item, cfn, opts.get(k), rel, opts.line_of(k))
    settings.append(item)
    settings.item_lines.append(item.line)


def add_preflight(out: Out, resource: Construct, cors: ObjV) -> None:
    """The `OPTIONS` mock method CDK adds for `defaultCorsPreflightOptions` / `addCorsPreflight`: its
    `Access-Control-Allow-Origin` on the line of `allowOrigins` (the line to change)."""
    api: Construct = resource.data["api"]
    rel = resource.rel
    origins = cors.get("allowOrigins")
    first = origins[0] if isinstance(origins, list) and origins else origins
    if isinstance(first, Sym):  # `Cors.ALL_ORIGINS`
        first = "*"
    at = cors.line_of("allowOrigins")
    params = out.new_props(rel, at)
    out.put(params, "method.response.header.Access-Control-Allow-Origin", f"'{first}'", rel, at)
    if cors.get("allowCredentials") is True:
        line = cors.line_of("allowCredentials")
        out.put(params, "method.response.header.Access-Control-Allow-Credentials", "'true'", rel, line)
    response = out.new_props(rel, at)
    response.update({"StatusCode": "204", "ResponseParameters": params})
    response.key_lines.update({"StatusCode": response.line, "ResponseParameters": response.line})
    integration = out.new_props(rel, at)
    integration.update({"Type": "MOCK", "IntegrationResponses": [response]})
    path = resource.data["path"]
    p = out.new_props(rel, at)
    p["RestApiId"] = {"Ref": api.path}
    p["ResourceId"] = {"Fn::GetAtt": [api.path, "RootResourceId"]} if path == "/" else {"Ref": resource.path}
    p.update({"HttpMethod": "OPTIONS", "AuthorizationType": "NONE", "Integration": integration})
    p.key_lines.update(dict.fromkeys(("RestApiId", "ResourceId", "HttpMethod", "AuthorizationType"), p.line))
    p.key_lines["Integration"] = integration.line
    out.add(f"{api.path}/Default{path.rstrip('/')}/OPTIONS", "AWS::ApiGateway::Method", p, rel, at)


def add_resource(out: Out, parent: Construct, part: Any, line: int, extra: Any = None) -> Construct:
    api: Construct = parent.data["api"]
    path = parent.data["path"].rstrip("/") + "/" + str(part if isinstance(part, str) else "{unknown}")
    lid = f"{api.path}/Default{path}"
    p = out.new_props(parent.rel, line)
    p["RestApiId"] = {"Ref": api.path}
    p["ParentId"] = {"Fn::GetAtt": [api.path, "RootResourceId"]} if parent.data["path"] == "/" else {"Ref": parent.path}
    out.put(p, "PathPart", part, parent.rel, line)
    out.add(lid, "AWS::ApiGateway::Resource", p, parent.rel, line)
    made = Construct("apiresource", lid, parent.rel, line, data={"api": api, "path": path})
    given = options(extra)
    own = options(given.get("defaultCorsPreflightOptions")) if given is not None else None
    cors = own if own is not None else parent.data.get("cors")  # children inherit it, as in CDK
    if isinstance(cors, ObjV):
        made.data["cors"] = cors
        add_preflight(out, made, cors)
    return made


def add_method(out: Out, resource: Construct, verb: Any, integration: Any, given: Any, line: int) -> None:
    api: Construct = resource.data["api"]
    rel = resource.rel
    path = resource.data["path"]
    method = str(verb).upper() if isinstance(verb, str) else "ANY"
    p = out.new_props(rel, line)
    p["RestApiId"] = {"Ref": api.path}
    p["ResourceId"] = {"Fn::GetAtt": [api.path, "RootResourceId"]} if path == "/" else {"Ref": resource.path}
    p["HttpMethod"] = method
    opts = given if isinstance(given, ObjV) else api.data.get("defaults")
    _authorization(out, p, opts, rel, line, api)
    _method_validator(out, p, opts, api, f"{api.path}/Default{path.rstrip('/')}/{method}", rel)
    fn = integration.args[0] if isinstance(integration, Made) and integration.args else None
    if isinstance(fn, Construct):
        body = LDict(out.v(rel, line))
        body["Type"] = "AWS_PROXY"
        body["IntegrationHttpMethod"] = "POST"
        body["Uri"] = _invoke_uri(fn)
        body.key_lines.update({"Type": body.line, "IntegrationHttpMethod": body.line, "Uri": body.line})
        p["Integration"] = body
        p.key_lines["Integration"] = body.line
    out.add(f"{api.path}/Default{path.rstrip('/')}/{method}", "AWS::ApiGateway::Method", p, rel, line)


def _authorization(out: Out, p: LDict, opts: ObjV | None, rel: str, line: int, api: Construct) -> None:
    auth = opts.get("authorizer") if opts is not None else None
    kind = opts.get("authorizationType") if opts is not None else None
    at = opts.line_of("authorizer") if opts is not None and auth is not None else line
    if isinstance(auth, Construct):
        p["AuthorizationType"] = auth.data.get("type", "CUSTOM")
        p["AuthorizerId"] = {"Ref": auth.path}
        if auth.path in out.resources:
            out.resources[auth.path]["Properties"].setdefault("RestApiId", {"Ref": api.path})
    elif isinstance(kind, Sym):
        p["AuthorizationType"] = {"IAM": "AWS_IAM", "COGNITO": "COGNITO_USER_POOLS"}.get(kind.last, kind.last)
    else:
        p["AuthorizationType"] = "NONE"
    p.key_lines["AuthorizationType"] = out.v(rel, at)
    if opts is not None and opts.get("apiKeyRequired") is not None:
        out.put(p, "ApiKeyRequired", opts.get("apiKeyRequired"), rel, opts.line_of("apiKeyRequired"))


def _invoke_uri(fn: Construct) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:aws:apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                {"Fn::GetAtt": [fn.path, "Arn"]},
                "/invocations",
            ],
        ]
    }


def rest_authorizer(out: Out, sym: str, c: Construct, props: ObjV) -> None:
    """`CognitoUserPoolsAuthorizer`, `TokenAuthorizer`, `RequestAuthorizer`: made when a method uses them
    (CDK attaches an authorizer to the API of its first method); here, on their own line."""
    c.kind = "authorizer"
    p = out.new_props(c.rel, c.line)
    if sym.endswith("CognitoUserPoolsAuthorizer"):
        c.data["type"] = "COGNITO_USER_POOLS"
        p["Type"] = "COGNITO_USER_POOLS"
        pools = props.get("cognitoUserPools") or []
        out.put(p, "ProviderARNs", [arn_of(x) for x in pools], c.rel, props.line_of("cognitoUserPools"))
    else:
        c.data["type"] = "CUSTOM"
        p["Type"] = "TOKEN" if sym.endswith("TokenAuthorizer") else "REQUEST"
        fn = props.get("handler")
        if isinstance(fn, Construct):
            p["AuthorizerUri"] = _invoke_uri(fn)
    p["Name"] = c.path.rsplit("/", 1)[-1]  # RestApiId: set by the first method that uses it, as CDK does
    out.add(c.path, "AWS::ApiGateway::Authorizer", p, c.rel, c.line)


def http_api(out: Out, c: Construct, props: ObjV) -> None:
    c.kind = "httpapi"
    p = out.new_props(c.rel, c.line)
    p["ProtocolType"] = "HTTP"
    if props.get("apiName") is not None:
        out.put(p, "Name", props.get("apiName"), c.rel, props.line_of("apiName"))
    cors = options(props.get("corsPreflight"))
    if cors is not None:
        _http_cors(out, p, cors, c.rel, props.line_of("corsPreflight"))
    out.add(c.path, "AWS::ApiGatewayV2::Api", p, c.rel, c.line)
    stage = out.new_props(c.rel, c.line)
    stage.update({"ApiId": {"Ref": c.path}, "StageName": "$default", "AutoDeploy": True})
    out.add(c.path + "/DefaultStage", "AWS::ApiGatewayV2::Stage", stage, c.rel, c.line)
    c.data["authorizer"] = props.get("defaultAuthorizer")
    c.data["authorizer_line"] = props.line_of("defaultAuthorizer")


def _http_cors(out: Out, p: LDict, cors: ObjV, rel: str, line: int) -> None:
    """`corsPreflight: { allowOrigins, allowCredentials, allowMethods }` → the API's `CorsConfiguration`."""
    body = ObjV({}, cors.line)
    for key, cfn in (("allowOrigins", "AllowOrigins"), ("allowCredentials", "AllowCredentials")):
        if key in cors.items:
            body.items[cfn] = cors.items[key]
    methods = cors.get("allowMethods")
    if isinstance(methods, list):
        names = [m.last if isinstance(m, Sym) else m for m in methods]
        body.items["AllowMethods"] = (names, cors.line_of("allowMethods"))
    out.put(p, "CorsConfiguration", body, rel, line)


def add_routes(out: Out, api: Construct, opts: ObjV, rel: str, line: int) -> None:
    path = opts.get("path")
    methods = opts.get("methods") or [Sym("aws-apigatewayv2.HttpMethod.ANY")]
    integration = opts.get("integration")
    fn = integration.args[-1] if isinstance(integration, Made) and integration.args else None
    if isinstance(fn, ObjV):  # CDK v1 `LambdaProxyIntegration(handler=fn)`: its props
        fn = fn.get("handler")
    auth = opts.get("authorizer") if "authorizer" in opts.items else api.data.get("authorizer")
    at = opts.line_of("authorizer") if "authorizer" in opts.items else line
    integ_id: str | None = None
    if isinstance(fn, Construct):
        integ_id = f"{api.path}/{fn.path.rsplit('/', 1)[-1]}Integration"
        ip = out.new_props(rel, line)
        ip.update(
            {
                "ApiId": {"Ref": api.path},
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::GetAtt": [fn.path, "Arn"]},
                "PayloadFormatVersion": "2.0",
            }
        )
        out.add(integ_id, "AWS::ApiGatewayV2::Integration", ip, rel, line)
    for m in methods if isinstance(methods, list) else [methods]:
        verb = m.last if isinstance(m, Sym) else str(m)
        key = f"{verb if verb != 'ANY' else 'ANY'} {path if isinstance(path, str) else '/{unknown}'}"
        p = out.new_props(rel, line)
        p["ApiId"] = {"Ref": api.path}
        p["RouteKey"] = key
        p.key_lines["RouteKey"] = out.v(rel, opts.line_of("path"))
        if integ_id is not None:
            p["Target"] = {"Fn::Join": ["", ["integrations/", {"Ref": integ_id}]]}
        if isinstance(auth, Made) and "Iam" in auth.sym:
            p["AuthorizationType"] = "AWS_IAM"
        elif isinstance(auth, Made):
            kind = "JWT" if ("Jwt" in auth.sym or "UserPool" in auth.sym) else "CUSTOM"
            p["AuthorizationType"] = kind
            p["AuthorizerId"] = {"Ref": _http_authorizer(out, api, auth, kind)}
        else:
            p["AuthorizationType"] = "NONE"
        p.key_lines["AuthorizationType"] = out.v(rel, at)
        out.add(f"{api.path}/{verb}{key.split(' ', 1)[1]}", "AWS::ApiGatewayV2::Route", p, rel, line)


def _http_authorizer(out: Out, api: Construct, auth: Made, kind: str) -> str:
    name = auth.args[0] if auth.args and isinstance(auth.args[0], str) else "Authorizer"
    lid = f"{api.path}/{name}"
    if lid not in out.resources:
        p = out.new_props(auth.rel, auth.line)
        p.update({"ApiId": {"Ref": api.path}, "AuthorizerType": "JWT" if kind == "JWT" else "REQUEST", "Name": name})
        if kind == "JWT":
            p["IdentitySource"] = ["$request.header.Authorization"]
            p["JwtConfiguration"] = {"Issuer": "cdk-issuer", "Audience": ["cdk"]}
        out.add(lid, "AWS::ApiGatewayV2::Authorizer", p, auth.rel, auth.line)
    return lid


# ---- methods ----------------------------------------------------------------------------------------


def call_method(out: Out, c: Construct, name: str, args: list[Any], rel: str, line: int) -> Any:
    """A method called on a construct; what it returns (a new API resource) or None."""
    grant = GRANTS.get((c.kind, name))
    if grant is not None:
        if args:
            resources: list[Any] = [arn_of(c)]
            if grant.objects:
                arn = arn_of(c)
                value = arn.value if isinstance(arn, Cfn) else arn
                resources.append(Cfn({"Fn::Join": ["", [value, "/*"]]}))
            out.statement(_role_of(args[0]), out.allow(list(grant.actions), resources, rel, line))
        return None
    first = args[0] if args else None
    if name in ("addToRolePolicy", "addToPolicy", "addToPrincipalPolicy") and isinstance(first, LDict):
        out.statement(_role_of(c), first)
    elif name == "addManagedPolicy":
        # the line of the policy named (where a multi-line call names it), the line to change
        out.managed_policy(_role_of(c), _policy_arn(first), rel, first.line if isinstance(first, Made) else line)
    elif name == "addFunctionUrl" and c.kind == "function":
        opts = first if isinstance(first, ObjV) else ObjV({}, line)
        auth = opts.get("authType")
        p = out.new_props(rel, line)
        p["TargetFunctionArn"] = {"Fn::GetAtt": [c.path, "Arn"]}
        p["AuthType"] = "NONE" if isinstance(auth, Sym) and auth.last == "NONE" else "AWS_IAM"
        p.key_lines["AuthType"] = out.v(rel, opts.line_of("authType") if auth is not None else line)
        out.add(c.path + "/FunctionUrl", "AWS::Lambda::Url", p, rel, line)
    elif name == "addEventSource" and isinstance(first, Made):
        _event_source(out, c, first, rel, line)
    elif name == "addPermission" and c.kind == "function" and len(args) > 1 and isinstance(args[1], ObjV):
        _permission(out, c, str(first) if isinstance(first, str) else "Permission", args[1], rel, line)
    elif name == "addEventSourceMapping" and c.kind == "function" and len(args) > 1 and isinstance(args[1], ObjV):
        event_source_mapping(out, c, f"{c.path}/{first}", args[1], rel, line)
    elif name == "configureAsyncInvoke" and c.kind == "function" and isinstance(first, ObjV):
        async_invoke(out, c, first, rel)
    elif name in ("attachInlinePolicy", "attachToRole", "attachToPolicy") and isinstance(first, Construct):
        policy, target = (first, c) if name == "attachInlinePolicy" else (c, first)
        _attach(out, policy, _role_of(target), rel, line)
    elif name in ("addStatements", "addStatement") and c.kind == "policy":
        for stmt in args:
            if isinstance(stmt, LDict):
                _policy_statements(out, c).append(stmt)
                _policy_statements(out, c).item_lines.append(stmt.line)
    elif name == "addEnvironment" and len(args) >= 2:
        env = out.resources[c.path]["Properties"].setdefault("Environment", LDict(out.v(rel, line)))
        variables = env.setdefault("Variables", LDict(out.v(rel, line)))
        out.put(variables, str(args[0]), args[1], rel, line)
    elif name == "addSubscription" and c.kind == "topic" and isinstance(first, Made) and first.args:
        _subscription(out, c, first.args[0], rel, line)
    elif name in ("addEventNotification", "addObjectCreatedNotification") and c.kind == "bucket":
        event = first if name == "addEventNotification" else Sym("aws-s3.EventType.OBJECT_CREATED")
        dest = args[1] if name == "addEventNotification" and len(args) > 1 else first
        if isinstance(dest, Made) and dest.sym.endswith("LambdaDestination") and dest.args:
            _bucket_notification(out, c, dest.args[0], [event], rel, line)
    elif name == "addTarget" and c.kind == "rule":
        add_target(out, c, first, line)
    elif name == "addResource" and c.kind == "apiresource":
        return add_resource(out, c, first, line, args[1] if len(args) > 1 else None)
    elif name == "addCorsPreflight" and c.kind == "apiresource" and options(first) is not None:
        add_preflight(out, c, options(first) or ObjV({}, line))
    elif name == "addUsagePlan" and c.kind == "restapi":
        made = Construct("construct", f"{c.path}/{first}", rel, line)
        usage_plan(out, made, args[1] if len(args) > 1 and isinstance(args[1], ObjV) else ObjV({}, line))
        return made
    elif name == "addApiStage" and c.kind == "usageplan" and isinstance(first, ObjV):
        _api_stage(out, c, first, rel, line)
    elif name == "addRequestValidator" and c.kind == "restapi":
        made = Construct("construct", f"{c.path}/{first}", rel, line)
        opts = args[1] if len(args) > 1 and isinstance(args[1], ObjV) else ObjV({}, line)
        request_validator(out, made, opts, c)
        return made
    elif name == "addMethod" and c.kind == "apiresource":
        add_method(out, c, first, args[1] if len(args) > 1 else None, args[2] if len(args) > 2 else None, line)
    elif name == "addRoutes" and c.kind == "httpapi" and isinstance(first, ObjV):
        add_routes(out, c, first, rel, line)
    else:  # a method the loader does not read: what it returns is not known
        return Unknown(f"{c.path}.{name}(...)")
    return None


def _role_of(grantee: Any) -> Any:
    if isinstance(grantee, Construct) and grantee.kind == "function":
        return grantee.data.get("role")
    return grantee


def _event_source(out: Out, fn: Construct, source: Made, rel: str, line: int) -> None:
    target = source.args[0] if source.args else None
    opts = source.args[1] if len(source.args) > 1 and isinstance(source.args[1], ObjV) else ObjV({}, line)
    if source.sym.endswith("SqsEventSource") and isinstance(target, Construct):
        p = out.new_props(rel, line)
        p.update({"EventSourceArn": {"Fn::GetAtt": [target.path, "Arn"]}, "FunctionName": {"Ref": fn.path}})
        if opts.get("batchSize") is not None:
            out.put(p, "BatchSize", opts.get("batchSize"), rel, opts.line_of("batchSize"))
        out.add(f"{fn.path}/SqsEventSource:{target.path}", "AWS::Lambda::EventSourceMapping", p, rel, line)
        grant = GRANTS[("queue", "grantConsumeMessages")]
        out.statement(fn.data.get("role"), out.allow(list(grant.actions), [arn_of(target)], rel, line))
    elif source.sym.endswith(("DynamoEventSource", "KinesisEventSource")) and isinstance(target, Construct):
        dynamo = source.sym.endswith("DynamoEventSource")
        p = out.new_props(rel, line)
        attr = "StreamArn" if dynamo else "Arn"
        p.update({"EventSourceArn": {"Fn::GetAtt": [target.path, attr]}, "FunctionName": {"Ref": fn.path}})
        for key, cfn in (("startingPosition", "StartingPosition"), ("batchSize", "BatchSize")):
            value = opts.get(key)
            if value is not None:
                out.put(p, cfn, value.last if isinstance(value, Sym) else value, rel, opts.line_of(key))
        kind = "DynamoDBEventSource" if dynamo else "KinesisEventSource"
        out.add(f"{fn.path}/{kind}:{target.path}", "AWS::Lambda::EventSourceMapping", p, rel, line)
        # as CDK does: the source grants the function what reading it takes, at the call's line
        call_method(out, target, "grantStreamRead" if dynamo else "grantRead", [fn], rel, line)
    elif source.sym.endswith("S3EventSource") and isinstance(target, Construct):
        events = opts.get("events") or []
        _bucket_notification(out, target, fn, events if isinstance(events, list) else [events], rel, line)
    elif source.sym.endswith("SnsEventSource") and isinstance(target, Construct):
        _subscription(out, target, fn, rel, line)


def _bucket_notification(out: Out, bucket: Construct, fn: Any, events: list[Any], rel: str, line: int) -> None:
    """`EventType.OBJECT_CREATED` → `s3:ObjectCreated:*` on the bucket's notification configuration."""
    if not isinstance(fn, Construct) or bucket.path not in out.resources:
        return
    props = out.resources[bucket.path]["Properties"]
    config = props.setdefault("NotificationConfiguration", LDict(out.v(rel, line)))
    items = config.setdefault("LambdaConfigurations", LList(out.v(rel, line)))
    for event in events:
        item = LDict(out.v(rel, line))
        name = event.last if isinstance(event, Sym) else str(event)
        words = name.split("_")
        item["Event"] = f"s3:{''.join(w.title() for w in words[:2])}:{''.join(w.title() for w in words[2:]) or '*'}"
        item["Function"] = {"Fn::GetAtt": [fn.path, "Arn"]}
        item.key_lines.update({"Event": item.line, "Function": item.line})
        items.append(item)
        items.item_lines.append(item.line)


def _subscription(out: Out, topic: Construct, fn: Any, rel: str, line: int) -> None:
    if not isinstance(fn, Construct):
        return
    p = out.new_props(rel, line)
    p.update({"TopicArn": {"Ref": topic.path}, "Protocol": "lambda", "Endpoint": {"Fn::GetAtt": [fn.path, "Arn"]}})
    out.add(f"{topic.path}/{fn.path.rsplit('/', 1)[-1]}", "AWS::SNS::Subscription", p, rel, line)


def _permission(out: Out, fn: Construct, pid: str, opts: ObjV, rel: str, line: int) -> None:
    """`fn.addPermission('Id', { principal, action, sourceArn, sourceAccount })` → `AWS::Lambda::Permission`
    with its `Principal` on the line of `principal` (the line to narrow)."""
    p = out.new_props(rel, line)
    p["FunctionName"] = {"Fn::GetAtt": [fn.path, "Arn"]}
    p.key_lines["FunctionName"] = p.line
    action = opts.get("action")
    out.put(p, "Action", action if action is not None else "lambda:InvokeFunction", rel, opts.line_of("action"))
    found = principals(opts.get("principal"))
    if found:
        _, who = found[0]
        out.put(p, "Principal", who, rel, opts.line_of("principal"))
    for key, cfn in (("sourceArn", "SourceArn"), ("sourceAccount", "SourceAccount")):
        if opts.get(key) is not None:
            out.put(p, cfn, arn_of(opts.get(key)), rel, opts.line_of(key))
    out.add(f"{fn.path}/{pid}", "AWS::Lambda::Permission", p, rel, line)


# ---- constructs beyond the simple ones ---------------------------------------------------------------


def construct(out: Out, sym: str, c: Construct, props: ObjV) -> bool:
    """`iam.Policy`, `iam.ManagedPolicy`, `logs.LogGroup`, `lambda.LayerVersion`, `apigateway.UsagePlan`,
    `RequestValidator`, then any L1 `Cfn*`: False when the construct is none of them."""
    if sym in ("aws-iam.Policy", "aws-iam.ManagedPolicy"):
        _policy(out, sym, c, props)
    elif sym == "aws-logs.LogGroup":
        c.kind = "loggroup"
        p = out.new_props(c.rel, c.line)
        if props.get("logGroupName") is not None:
            out.put(p, "LogGroupName", props.get("logGroupName"), c.rel, props.line_of("logGroupName"))
        retention = props.get("retention")
        if isinstance(retention, Sym) and retention.last in RETENTION_DAYS:
            out.put(p, "RetentionInDays", RETENTION_DAYS[retention.last], c.rel, props.line_of("retention"))
        elif retention is None:  # CDK's default for a LogGroup construct: two years
            out.put(p, "RetentionInDays", RETENTION_DAYS["TWO_YEARS"], c.rel, c.line)
        out.add(c.path, "AWS::Logs::LogGroup", p, c.rel, c.line)
    elif sym == "aws-lambda.LayerVersion":
        c.kind = "layer"
        p = out.new_props(c.rel, c.line)
        if props.get("layerVersionName") is not None:
            out.put(p, "LayerName", props.get("layerVersionName"), c.rel, props.line_of("layerVersionName"))
        out.add(c.path, "AWS::Lambda::LayerVersion", p, c.rel, c.line)
    elif sym == "aws-lambda.EventSourceMapping":
        target = props.get("target")
        if isinstance(target, Construct):
            event_source_mapping(out, target, c.path, props, c.rel, c.line)
        c.kind = "mapping"
    elif sym == "aws-apigateway.UsagePlan":
        usage_plan(out, c, props)
    elif sym == "aws-apigateway.RequestValidator":
        request_validator(out, c, props, None)
    else:
        return l1(out, sym, c, props)
    return True


def lookup(sym: str, args: list[Any]) -> Unknown | None:
    """`StringParameter.valueForStringParameter(this, name)` / `valueForSecureStringParameter` /
    `valueFromLookup`: a parameter resolved when deployed (or synthesised), a reference and never a value."""
    if not sym.startswith("aws-ssm.StringParameter.value") or len(args) < 2:
        return None
    name = args[1] if isinstance(args[1], str) else getattr(args[1], "text", "parameter")
    return Unknown(f"ssm:{name}", "an SSM parameter resolved when the stack is deployed")


def _policy(out: Out, sym: str, c: Construct, props: ObjV) -> None:
    """`new iam.Policy(this, 'P', { statements, roles })` / `ManagedPolicy`: the policy resource, attached to
    the roles it names (and later to those of `attachToRole` / `attachInlinePolicy`)."""
    managed = sym.endswith("ManagedPolicy")
    c.kind = "managedpolicy" if managed else "policy"
    p = out.new_props(c.rel, c.line)
    name_key = "managedPolicyName" if managed else "policyName"
    if props.get(name_key) is not None:
        out.put(
            p, "ManagedPolicyName" if managed else "PolicyName", props.get(name_key), c.rel, props.line_of(name_key)
        )
    elif not managed:
        p["PolicyName"] = c.path.replace("/", "")
    statements = LList(out.v(c.rel, props.line_of("statements")))
    for stmt in props.get("statements") or []:
        if isinstance(stmt, LDict):
            statements.append(stmt)
            statements.item_lines.append(stmt.line)
    doc = LDict(statements.line)
    doc.update({"Version": "2012-10-17", "Statement": statements})
    doc.key_lines.update({"Version": doc.line, "Statement": doc.line})
    p["PolicyDocument"] = doc
    p.key_lines["PolicyDocument"] = doc.line
    p["Roles"] = LList(p.line)
    p.key_lines["Roles"] = p.line
    out.add(c.path, "AWS::IAM::ManagedPolicy" if managed else "AWS::IAM::Policy", p, c.rel, c.line)
    for target in props.get("roles") or []:
        _attach(out, c, _role_of(target), c.rel, props.line_of("roles"))


def _policy_statements(out: Out, policy: Construct) -> LList:
    found: LList = out.resources[policy.path]["Properties"]["PolicyDocument"]["Statement"]
    return found


def _attach(out: Out, policy: Construct, target: Any, rel: str, line: int) -> None:
    if policy.kind not in ("policy", "managedpolicy") or policy.path not in out.resources:
        return
    if not isinstance(target, Construct) or target.kind != "role" or target.data.get("imported"):
        out.notes.append((out.v(rel, line), "a policy attached to a role not made in the app is not read"))
        return
    roles = out.resources[policy.path]["Properties"]["Roles"]
    roles.append({"Ref": target.path})
    roles.item_lines.append(out.v(rel, line))


# ---- usage plans and request validators -------------------------------------------------------------------


def usage_plan(out: Out, c: Construct, props: ObjV) -> None:
    """`api.addUsagePlan('P', { throttle: { rateLimit, burstLimit }, quota: { limit, period }, apiStages })`."""
    c.kind = "usageplan"
    p = out.new_props(c.rel, c.line)
    throttle = options(props.get("throttle"))
    if throttle is not None:
        body = ObjV(
            {
                cfn: throttle.items[k]
                for k, cfn in (("rateLimit", "RateLimit"), ("burstLimit", "BurstLimit"))
                if k in throttle.items
            },
            throttle.line,
        )
        out.put(p, "Throttle", body, c.rel, props.line_of("throttle"))
    quota = options(props.get("quota"))
    if quota is not None:
        period = quota.get("period")
        body = ObjV({}, quota.line)
        if quota.get("limit") is not None:
            body.items["Limit"] = quota.items["limit"]
        if isinstance(period, Sym):
            body.items["Period"] = (period.last, quota.line_of("period"))
        out.put(p, "Quota", body, c.rel, props.line_of("quota"))
    p["ApiStages"] = LList(p.line)
    p.key_lines["ApiStages"] = p.line
    out.add(c.path, "AWS::ApiGateway::UsagePlan", p, c.rel, c.line)
    for item in props.get("apiStages") or []:
        stage = options(item)
        if stage is not None:
            _api_stage(out, c, stage, c.rel, props.line_of("apiStages"))


def _api_stage(out: Out, plan: Construct, opts: ObjV, rel: str, line: int) -> None:
    """`{ stage: api.deploymentStage }` (or `{ api, stage }`) → an item of the plan's `ApiStages`."""
    stage = opts.get("stage")
    api = opts.get("api")
    if not isinstance(api, Construct) and isinstance(stage, Construct):
        api = stage.data.get("api")
    if not isinstance(api, Construct) or plan.path not in out.resources:
        return
    item = out.new_props(rel, line)
    item["ApiId"] = {"Ref": api.path}
    item["Stage"] = {"Ref": stage.path} if isinstance(stage, Construct) else "prod"
    item.key_lines.update({"ApiId": item.line, "Stage": item.line})
    stages = out.resources[plan.path]["Properties"]["ApiStages"]
    stages.append(item)
    stages.item_lines.append(item.line)


def request_validator(out: Out, c: Construct, props: ObjV, api: Any) -> None:
    """`api.addRequestValidator(...)`, `new RequestValidator(this, 'V', { restApi, validateRequestBody, ... })`."""
    c.kind = "validator"
    target = api if isinstance(api, Construct) else props.get("restApi")
    p = out.new_props(c.rel, c.line)
    if isinstance(target, Construct):
        p["RestApiId"] = {"Ref": target.path}
    for key, cfn in (
        ("validateRequestBody", "ValidateRequestBody"),
        ("validateRequestParameters", "ValidateRequestParameters"),
    ):
        if props.get(key) is not None:
            out.put(p, cfn, props.get(key), c.rel, props.line_of(key))
    if props.get("requestValidatorName") is not None:
        out.put(p, "Name", props.get("requestValidatorName"), c.rel, props.line_of("requestValidatorName"))
    out.add(c.path, "AWS::ApiGateway::RequestValidator", p, c.rel, c.line)


def _method_validator(out: Out, p: LDict, opts: ObjV | None, api: Construct, method: str, rel: str) -> None:
    """A method's `requestValidator` (a validator construct) or `requestValidatorOptions` (CDK makes one for it)."""
    if opts is None:
        return
    given = opts.get("requestValidator")
    inline = options(opts.get("requestValidatorOptions"))
    if isinstance(given, Construct) and given.kind == "validator":
        out.put(p, "RequestValidatorId", {"Ref": given.path}, rel, opts.line_of("requestValidator"))
    elif inline is not None:
        at = opts.line_of("requestValidatorOptions")
        made = Construct("construct", f"{method}/validator", rel, at)
        request_validator(out, made, inline, api)
        out.put(p, "RequestValidatorId", {"Ref": made.path}, rel, at)
    models = opts.get("requestModels")
    if isinstance(models, ObjV):
        out.put(p, "RequestModels", {k: "Model" for k in models.items}, rel, opts.line_of("requestModels"))


def event_source_mapping(out: Out, fn: Construct, lid: str, props: ObjV, rel: str, line: int) -> None:
    """`new lambda.EventSourceMapping(this, id, { target, eventSourceArn, batchSize, startingPosition })` and
    `fn.addEventSourceMapping(id, {...})`: the mapping as written (CDK grants nothing for it)."""
    p = out.new_props(rel, line)
    p["FunctionName"] = {"Ref": fn.path}
    p.key_lines["FunctionName"] = p.line
    for key, cfn in (
        ("eventSourceArn", "EventSourceArn"),
        ("batchSize", "BatchSize"),
        ("startingPosition", "StartingPosition"),
        ("enabled", "Enabled"),
    ):
        value = props.get(key)
        if value is not None:
            out.put(p, cfn, value.last if isinstance(value, Sym) else value, rel, props.line_of(key))
    out.add(lid, "AWS::Lambda::EventSourceMapping", p, rel, line)
