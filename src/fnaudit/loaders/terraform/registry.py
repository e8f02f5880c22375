"""The registry modules most Lambda apps are built with, interpreted from their documented inputs,
without downloading them: `terraform-aws-modules/lambda/aws` (a function, its role and policies, its
triggers' permissions, its URL, its event source mappings, its log group) and
`terraform-aws-modules/apigateway-v2/aws` (an HTTP API with routes and authorizers).

The resources are lowered under the addresses the module itself gives them
(`module.orders.aws_lambda_function.this[0]`), on the lines of the inputs that set them, and a
reference to the module's outputs (`module.orders.lambda_function_arn`) resolves to them.
"""

from __future__ import annotations

import re
from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.terraform.lower import Lowering
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Archive, Cfn, Unknown, as_text

# The registry name, or the module's own repository (`github.com/terraform-aws-modules/terraform-aws-lambda?ref=v7`,
# `git::https://github.com/...terraform-aws-lambda.git?ref=...`): the same code, so the same documented inputs.
# A sub-module of the repository (`//modules/deploy`) is another module: not the function module. Its
# `//modules/alias` is interpreted on its own (an alias and the event sources mapped to it).
_LAMBDA_REPO = (
    r"(?:(?:registry\.terraform\.io/)?terraform-aws-modules/lambda/aws"
    r"|(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-lambda(?:\.git)?)"
)
LAMBDA_MODULE = re.compile(rf"^{_LAMBDA_REPO}(?://)?(?:\?.*)?$")
LAMBDA_ALIAS_MODULE = re.compile(rf"^{_LAMBDA_REPO}//modules/alias/?(?:\?.*)?$")
APIGW_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/apigateway-v2/aws(//.*)?$")


def is_interpreted(source: str) -> bool:
    return bool(LAMBDA_MODULE.match(source) or LAMBDA_ALIAS_MODULE.match(source) or APIGW_MODULE.match(source))


def output(source: str, address: str, name: str) -> Any:
    """What an output of an interpreted module refers to."""
    if LAMBDA_MODULE.match(source):
        fn = f"{address}.aws_lambda_function.this[0]"
        role = f"{address}.aws_iam_role.lambda[0]"
        return {
            "lambda_function_arn": Cfn({"Fn::GetAtt": [fn, "Arn"]}),
            "lambda_function_qualified_arn": Cfn({"Fn::GetAtt": [fn, "Arn"]}),
            "lambda_function_name": Cfn({"Ref": fn}),
            "lambda_function_invoke_arn": Cfn(
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:aws:apigateway:",
                            {"Ref": "AWS::Region"},
                            ":lambda:path/2015-03-31/functions/",
                            {"Fn::GetAtt": [fn, "Arn"]},
                            "/invocations",
                        ],
                    ]
                }
            ),
            "lambda_role_arn": Cfn({"Fn::GetAtt": [role, "Arn"]}),
            "lambda_role_name": Cfn({"Ref": role}),
        }.get(name, Unknown(f"{address}.{name}", "output of a registry module"))
    if APIGW_MODULE.match(source):
        api = f"{address}.aws_apigatewayv2_api.this[0]"
        if name in ("api_id", "apigatewayv2_api_id", "id"):
            return Cfn({"Ref": api})
        if name in ("api_execution_arn", "apigatewayv2_api_execution_arn"):
            return Cfn({"Fn::GetAtt": [api, "ExecutionArn"]})
    return Unknown(f"{address}.{name}", "output of a registry module")


def lower(source: str, inst: Instance, low: Lowering) -> None:
    if LAMBDA_MODULE.match(source):
        _lambda_module(inst, low)
    elif LAMBDA_ALIAS_MODULE.match(source):
        _alias_module(inst, low)
    elif APIGW_MODULE.match(source):
        _apigw_module(inst, low)


# ---- terraform-aws-modules/lambda/aws -------------------------------------------------------------


def _flag(inst: Instance, name: str, default: bool) -> bool:
    value = inst.get(name) if name in inst.block.attrs else default
    return value if isinstance(value, bool) else default


def _lambda_module(inst: Instance, low: Lowering) -> None:
    # `create_layer = true` makes the module build a layer instead of a function (its `create_function` is
    # `create && create_function && !create_layer`)
    if (
        not _flag(inst, "create", True)
        or not _flag(inst, "create_function", True)
        or _flag(inst, "create_layer", False)
    ):
        return
    base = inst.address
    rel = inst.block.rel
    attrs = inst.block.attrs
    fn_addr = f"{base}.aws_lambda_function.this[0]"
    props = low.props(
        inst,
        {
            "function_name": "FunctionName",
            "handler": "Handler",
            "runtime": "Runtime",
            "timeout": "Timeout",
            "memory_size": "MemorySize",
            "reserved_concurrent_executions": "ReservedConcurrentExecutions",
            "layers": "Layers",
            "architectures": "Architectures",
        },
    )
    if props.get("ReservedConcurrentExecutions") == -1:
        del props["ReservedConcurrentExecutions"]
    if "tracing_mode" in attrs:
        low.set(props, "TracingConfig", {"Mode": inst.get("tracing_mode")}, rel, attrs["tracing_mode"].line)
    if "dead_letter_target_arn" in attrs:
        line = attrs["dead_letter_target_arn"].line
        low.set(props, "DeadLetterConfig", {"TargetArn": inst.get("dead_letter_target_arn")}, rel, line)
    env = attrs.get("environment_variables")
    if env is not None:
        from fnaudit.loaders.terraform.lower import object_lines

        value = inst.value(env)
        lines = object_lines(env.expr)
        variables = LDict(low.lines.line(rel, env.line))
        for k, v in value.items() if isinstance(value, dict) else []:
            line = lines.get(k, env.line)
            variables[k] = low.cfn(v, rel, line)
            variables.key_lines[k] = low.lines.line(rel, line)
        environment = LDict(variables.line)
        environment["Variables"] = variables
        environment.key_lines["Variables"] = variables.line
        props["Environment"] = environment
        props.key_lines["Environment"] = variables.line
    _module_code(inst, low, props)
    # the role: the module's own (default), or the one given as `lambda_role`
    if _flag(inst, "create_role", True):
        role_addr = f"{base}.aws_iam_role.lambda[0]"
        _module_role(inst, low, role_addr)
        low.set(props, "Role", Cfn({"Fn::GetAtt": [role_addr, "Arn"]}), rel, inst.block.line)
    elif "lambda_role" in attrs:
        low.set(props, "Role", inst.get("lambda_role"), rel, attrs["lambda_role"].line)
    low.add_at(fn_addr, "AWS::Lambda::Function", props, rel, inst.block.line)
    if _flag(inst, "create_lambda_function_url", False):
        line = attrs["create_lambda_function_url"].line
        url = LDict(low.lines.line(rel, line))
        low.set(url, "TargetFunctionArn", Cfn({"Ref": fn_addr}), rel, line)
        auth_attr = attrs.get("authorization_type")
        if auth_attr is not None:
            low.set(url, "AuthType", inst.get("authorization_type"), rel, auth_attr.line)
        else:
            url["AuthType"] = "NONE"  # the module's default: a public URL
            url.key_lines["AuthType"] = url.line
        low.add_at(f"{base}.aws_lambda_function_url.this[0]", "AWS::Lambda::Url", url, rel, line)
    if "cloudwatch_logs_retention_in_days" in attrs or _flag(inst, "use_existing_cloudwatch_log_group", False) is False:
        group = LDict(low.lines.line(rel, inst.block.line))
        name = as_text(inst.get("function_name"))
        if name is not None:
            group["LogGroupName"] = f"/aws/lambda/{name}"
        if "cloudwatch_logs_retention_in_days" in attrs:
            line = attrs["cloudwatch_logs_retention_in_days"].line
            low.set(group, "RetentionInDays", inst.get("cloudwatch_logs_retention_in_days"), rel, line)
        low.add_at(f"{base}.aws_cloudwatch_log_group.lambda[0]", "AWS::Logs::LogGroup", group, rel, inst.block.line)
    _allowed_triggers(inst, low, fn_addr)
    _event_source_mappings(inst, low, fn_addr)


def _module_code(inst: Instance, low: Lowering, props: LDict) -> None:
    attrs = inst.block.attrs
    rel = inst.block.rel
    if "image_uri" in attrs:
        low.set(props, "Code", {"ImageUri": inst.get("image_uri")}, rel, attrs["image_uri"].line)
        return
    if not _flag(inst, "create_package", True) and "local_existing_package" in attrs:
        line = attrs["local_existing_package"].line
        low.set(props, "Code", {"S3Bucket": "local-artifact", "S3Key": inst.get("local_existing_package")}, rel, line)
        return
    attr = attrs.get("source_path")
    if attr is None:
        return
    value = inst.value(attr)
    # `source_path` is a path, or a list of paths / `{ path = … }` maps: the first one is the code root
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        first = first.get("path")
    path = inst.scope.path_of(first)
    if path is None:
        low.set(props, "Code", {"S3Bucket": "local-artifact", "S3Key": first}, rel, attr.line)
        return
    local = low.code(inst, Archive(path, True))
    if local is not None:
        low.set(props, "Code", local, rel, attr.line)


def _module_role(inst: Instance, low: Lowering, role_addr: str) -> None:
    rel = inst.block.rel
    attrs = inst.block.attrs
    role = LDict(low.lines.line(rel, inst.block.line))
    if "role_name" in attrs:
        low.set(role, "RoleName", inst.get("role_name"), rel, attrs["role_name"].line)
    role["AssumeRolePolicyDocument"] = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arns = LList(role.line)
    policies = LList(role.line)

    def policy(name: str, document: Any, line: int) -> None:
        item = LDict(low.lines.line(rel, line))
        item["PolicyName"] = name
        item["PolicyDocument"] = document
        item.key_lines.update({"PolicyName": item.line, "PolicyDocument": item.line})
        policies.append(item)
        policies.item_lines.append(item.line)

    if _flag(inst, "attach_cloudwatch_logs_policy", True):
        # the module's logs policy: create the log group's streams and write events to it
        logs = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"]
        statement = {"Effect": "Allow", "Action": logs, "Resource": "*"}
        policy(
            "logs", low.cfn({"Version": "2012-10-17", "Statement": [statement]}, rel, inst.block.line), inst.block.line
        )
    if _flag(inst, "attach_policy_statements", False) and "policy_statements" in attrs:
        line = attrs["policy_statements"].line
        document = {"Version": "2012-10-17", "Statement": _statements(inst.get("policy_statements"))}
        policy("policy_statements", low.cfn(document, rel, line), line)
    if _flag(inst, "attach_policy_json", False) and "policy_json" in attrs:
        line = attrs["policy_json"].line
        policy("policy_json", low.document(inst.get("policy_json"), rel, line), line)
    for flag, name in (("attach_policies", "policies"), ("attach_policy", "policy")):
        if _flag(inst, flag, False) and name in attrs:
            value = inst.get(name)
            line = low.lines.line(rel, attrs[name].line)
            for item in value if isinstance(value, list) else [value]:
                arns.append(low.cfn(item, rel, attrs[name].line))
                arns.item_lines.append(line)
    role["Policies"] = policies
    role.key_lines["Policies"] = policies.line
    role["ManagedPolicyArns"] = arns
    role.key_lines["ManagedPolicyArns"] = arns.line
    low.add_at(role_addr, "AWS::IAM::Role", role, rel, inst.block.line)


def _statements(value: Any) -> list[dict[str, Any]]:
    """`policy_statements = { name = { effect, actions, resources, … } }` → IAM statements."""
    out: list[dict[str, Any]] = []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for st in items:
        if not isinstance(st, dict):
            continue
        doc: dict[str, Any] = {"Effect": str(st.get("effect", "Allow")).title()}
        for tf, cfn in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if tf in st:
                doc[cfn] = st[tf]
        if "condition" in st:
            doc["Condition"] = st["condition"]
        out.append(doc)
    return out


def _allowed_triggers(inst: Instance, low: Lowering, fn_addr: str) -> None:
    attr = inst.block.attrs.get("allowed_triggers")
    if attr is None or (
        not _flag(inst, "create_current_version_allowed_triggers", True)
        and not _flag(inst, "create_unqualified_alias_allowed_triggers", True)
    ):
        return
    value = inst.value(attr)
    rel = inst.block.rel
    for key, trig in value.items() if isinstance(value, dict) else []:
        if not isinstance(trig, dict):
            continue
        perm = LDict(low.lines.line(rel, attr.line))
        principal = trig.get("principal") or (f"{trig['service']}.amazonaws.com" if "service" in trig else None)
        low.set(perm, "Action", trig.get("action", "lambda:InvokeFunction"), rel, attr.line)
        low.set(perm, "FunctionName", Cfn({"Ref": fn_addr}), rel, attr.line)
        if principal is not None:
            low.set(perm, "Principal", principal, rel, attr.line)
        if "source_arn" in trig:
            low.set(perm, "SourceArn", trig["source_arn"], rel, attr.line)
        if "source_account" in trig:
            low.set(perm, "SourceAccount", trig["source_account"], rel, attr.line)
        low.add_at(
            f'{inst.address}.aws_lambda_permission.unqualified_alias_triggers["{key}"]',
            "AWS::Lambda::Permission",
            perm,
            rel,
            attr.line,
        )


def _alias_module(inst: Instance, low: Lowering) -> None:
    """`//modules/alias`: an alias of `function_name`, and the event sources it maps to that alias (they
    invoke the aliased function); lowered as an alias so the template builder follows it to the function."""
    if not _flag(inst, "create", True):
        return
    rel = inst.block.rel
    alias_addr = f"{inst.address}.aws_lambda_alias.this[0]"
    props = low.props(inst, {"function_name": "FunctionName", "name": "Name", "function_version": "FunctionVersion"})
    if "FunctionName" not in props:
        return
    low.add_at(alias_addr, "AWS::Lambda::Alias", props, rel, inst.block.line)
    _event_source_mappings(inst, low, alias_addr)


def _event_source_mappings(inst: Instance, low: Lowering, fn_addr: str) -> None:
    attr = inst.block.attrs.get("event_source_mapping")
    if attr is None:
        return
    value = inst.value(attr)
    rel = inst.block.rel
    for key, esm in value.items() if isinstance(value, dict) else []:
        if not isinstance(esm, dict):
            continue
        props = LDict(low.lines.line(rel, attr.line))
        low.set(props, "FunctionName", Cfn({"Ref": fn_addr}), rel, attr.line)
        if "event_source_arn" in esm:
            low.set(props, "EventSourceArn", esm["event_source_arn"], rel, attr.line)
        if "batch_size" in esm:
            low.set(props, "BatchSize", esm["batch_size"], rel, attr.line)
        low.add_at(
            f'{inst.address}.aws_lambda_event_source_mapping.this["{key}"]',
            "AWS::Lambda::EventSourceMapping",
            props,
            rel,
            attr.line,
        )


# ---- terraform-aws-modules/apigateway-v2/aws ------------------------------------------------------


def _apigw_module(inst: Instance, low: Lowering) -> None:
    if not _flag(inst, "create", True):
        return
    base = inst.address
    rel = inst.block.rel
    attrs = inst.block.attrs
    api_addr = f"{base}.aws_apigatewayv2_api.this[0]"
    api = low.props(inst, {"name": "Name", "protocol_type": "ProtocolType"})
    api.setdefault("ProtocolType", "HTTP")
    low.add_at(api_addr, "AWS::ApiGatewayV2::Api", api, rel, inst.block.line)
    authorizers = inst.get("authorizers") if "authorizers" in attrs else {}
    for key, auth in authorizers.items() if isinstance(authorizers, dict) else []:
        line = attrs["authorizers"].line
        props = LDict(low.lines.line(rel, line))
        low.set(props, "ApiId", Cfn({"Ref": api_addr}), rel, line)
        low.set(props, "AuthorizerType", (auth or {}).get("authorizer_type", "JWT"), rel, line)
        low.set(props, "Name", (auth or {}).get("name", key), rel, line)
        low.add_at(
            f'{base}.aws_apigatewayv2_authorizer.this["{key}"]', "AWS::ApiGatewayV2::Authorizer", props, rel, line
        )
    # v5 of the module: `routes`; older versions: `integrations` keyed by route key
    routes_name = "routes" if "routes" in attrs else "integrations"
    routes = inst.get(routes_name) if routes_name in attrs else {}
    line = attrs[routes_name].line if routes_name in attrs else inst.block.line
    lines = _route_lines(attrs.get(routes_name))
    for key, route in routes.items() if isinstance(routes, dict) else []:
        if not isinstance(route, dict):
            continue
        at = lines.get(key, line)
        integration = route.get("integration", route)
        uri = integration.get("uri") or integration.get("lambda_arn") if isinstance(integration, dict) else None
        integ = LDict(low.lines.line(rel, at))
        low.set(integ, "ApiId", Cfn({"Ref": api_addr}), rel, at)
        low.set(integ, "IntegrationType", "AWS_PROXY", rel, at)
        if uri is not None:
            low.set(integ, "IntegrationUri", uri, rel, at)
        integ_addr = f'{base}.aws_apigatewayv2_integration.this["{key}"]'
        low.add_at(integ_addr, "AWS::ApiGatewayV2::Integration", integ, rel, at)
        props = LDict(low.lines.line(rel, at))
        low.set(props, "ApiId", Cfn({"Ref": api_addr}), rel, at)
        low.set(props, "RouteKey", key, rel, at)
        low.set(props, "Target", {"Fn::Join": ["", ["integrations/", {"Ref": integ_addr}]]}, rel, at)
        auth_type = route.get("authorization_type")
        if auth_type is not None:
            low.set(props, "AuthorizationType", auth_type, rel, at)
        auth_key = route.get("authorizer_key")
        if auth_key is not None:
            low.set(
                props, "AuthorizerId", Cfn({"Ref": f'{base}.aws_apigatewayv2_authorizer.this["{auth_key}"]'}), rel, at
            )
        low.add_at(f'{base}.aws_apigatewayv2_route.this["{key}"]', "AWS::ApiGatewayV2::Route", props, rel, at)


def _route_lines(attr: Any) -> dict[str, int]:
    from fnaudit.loaders.terraform.lower import object_lines

    return object_lines(attr.expr) if attr is not None and attr.expr is not None else {}
