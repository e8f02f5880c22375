"""The other constructs (data, IAM, events, APIs) and the methods called on constructs afterwards
(`grant*`, `addToRolePolicy`, `addFunctionUrl`, `addEventSource`, `addMethod`, `addRoutes`...)."""

from __future__ import annotations

from typing import Any

from fnaudit.loaders._yaml import LDict, LList
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
    "aws-secretsmanager.Secret": ("secret", "AWS::SecretsManager::Secret", {"secretName": "Name"}),
    "aws-cognito.UserPool": ("userpool", "AWS::Cognito::UserPool", {"userPoolName": "UserPoolName"}),
}


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
    service = "lambda.amazonaws.com"
    assumed = props.get("assumedBy")
    if isinstance(assumed, Made) and assumed.args and isinstance(assumed.args[0], str):
        service = assumed.args[0]
    made = out.role(c.path, c.rel, c.line, service)
    c.data.update(made.data)
    c.kind = "role"
    res = out.resources[c.path]
    if props.get("roleName") is not None:
        out.put(res["Properties"], "RoleName", props.get("roleName"), c.rel, props.line_of("roleName"))
    inline_policies(out, c, props.get("inlinePolicies"))
    managed = props.get("managedPolicies")
    if isinstance(managed, list):
        for arn in managed:
            at = arn.line if isinstance(arn, Made) else props.line_of("managedPolicies")
            out.managed_policy(c, _policy_arn(arn), c.rel, at)


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
    out.add(c.path, cfn_type, p, c.rel, c.line)


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
    return Unknown(value.sym, "a schedule the loader does not translate")


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
    out.add(c.path + "/DeploymentStage.prod", "AWS::ApiGateway::Stage", stage, c.rel, c.line)
    defaults = props.get("defaultMethodOptions")
    c.data["defaults"] = defaults if isinstance(defaults, ObjV) else None
    c.data["root"] = Construct("apiresource", c.path, c.rel, c.line, data={"api": c, "path": "/"})
    if isinstance(handler, Construct) and props.get("proxy") is not False:
        line = props.line_of("handler")
        integration = Made("LambdaIntegration", (handler,), line, c.rel)
        add_method(out, c.data["root"], "ANY", integration, None, line)
        proxy = add_resource(out, c.data["root"], "{proxy+}", line)
        add_method(out, proxy, "ANY", integration, None, line)


def add_resource(out: Out, parent: Construct, part: Any, line: int) -> Construct:
    api: Construct = parent.data["api"]
    path = parent.data["path"].rstrip("/") + "/" + str(part if isinstance(part, str) else "{unknown}")
    lid = f"{api.path}/Default{path}"
    p = out.new_props(parent.rel, line)
    p["RestApiId"] = {"Ref": api.path}
    p["ParentId"] = {"Fn::GetAtt": [api.path, "RootResourceId"]} if parent.data["path"] == "/" else {"Ref": parent.path}
    out.put(p, "PathPart", part, parent.rel, line)
    out.add(lid, "AWS::ApiGateway::Resource", p, parent.rel, line)
    return Construct("apiresource", lid, parent.rel, line, data={"api": api, "path": path})


def add_method(out: Out, resource: Construct, verb: Any, integration: Any, options: Any, line: int) -> None:
    api: Construct = resource.data["api"]
    rel = resource.rel
    path = resource.data["path"]
    method = str(verb).upper() if isinstance(verb, str) else "ANY"
    p = out.new_props(rel, line)
    p["RestApiId"] = {"Ref": api.path}
    p["ResourceId"] = {"Fn::GetAtt": [api.path, "RootResourceId"]} if path == "/" else {"Ref": resource.path}
    p["HttpMethod"] = method
    opts = options if isinstance(options, ObjV) else api.data.get("defaults")
    _authorization(out, p, opts, rel, line, api)
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
    out.add(c.path, "AWS::ApiGatewayV2::Api", p, c.rel, c.line)
    stage = out.new_props(c.rel, c.line)
    stage.update({"ApiId": {"Ref": c.path}, "StageName": "$default", "AutoDeploy": True})
    out.add(c.path + "/DefaultStage", "AWS::ApiGatewayV2::Stage", stage, c.rel, c.line)
    c.data["authorizer"] = props.get("defaultAuthorizer")
    c.data["authorizer_line"] = props.line_of("defaultAuthorizer")


def add_routes(out: Out, api: Construct, opts: ObjV, rel: str, line: int) -> None:
    path = opts.get("path")
    methods = opts.get("methods") or [Sym("aws-apigatewayv2.HttpMethod.ANY")]
    integration = opts.get("integration")
    fn = integration.args[-1] if isinstance(integration, Made) and integration.args else None
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
        return add_resource(out, c, first, line)
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
