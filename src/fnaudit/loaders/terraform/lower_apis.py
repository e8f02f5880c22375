"""Lowering of API Gateway REST (v1) and HTTP (v2) resources.

Terraform splits a REST method and its integration into two resources; CloudFormation has the
integration inside the method: the integrations are joined to their methods once all are lowered.
Per-method stage settings (`aws_api_gateway_method_settings`) join their stage the same way.
"""

from __future__ import annotations

import json
from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.terraform.lower import Lowerer, Lowering, simple
from fnaudit.loaders.terraform.module import Instance


def _with_body(cfn_type: str, mapping: dict[str, str], nested: dict[str, tuple[str, dict[str, str]]]) -> Lowerer:
    def lower(inst: Instance, low: Lowering) -> None:
        props = low.props(inst, mapping)
        body = inst.block.attrs.get("body")
        if body is not None:
            props["Body"] = low.document(inst.value(body), inst.block.rel, body.line)
            props.key_lines["Body"] = low.lines.line(inst.block.rel, body.line)
        for name, (cfn, inner) in nested.items():
            for block in inst.block.nested(name):
                props[cfn] = low.props(inst, inner, block)
                props.key_lines[cfn] = low.lines.line(block.rel, block.line)
        low.add(inst, cfn_type, props)

    return lower


def _integration(inst: Instance, low: Lowering) -> None:
    """A REST integration: kept aside, joined to the method with the same API, resource and HTTP method."""
    props = low.props(
        inst,
        {
            "type": "Type",
            "uri": "Uri",
            "integration_http_method": "IntegrationHttpMethod",
            "rest_api_id": "RestApiId",
            "resource_id": "ResourceId",
            "http_method": "HttpMethod",
        },
    )

    def join() -> None:
        key = _method_key(props)
        for res in low.resources.values():
            if isinstance(res, LDict) and res.get("Type") == "AWS::ApiGateway::Method":
                method = res["Properties"]
                if _method_key(method) == key:
                    integration = LDict(props.line)
                    for k in ("Type", "Uri", "IntegrationHttpMethod"):
                        if k in props:
                            integration[k] = props[k]
                            integration.key_lines[k] = props.key_lines.get(k, props.line)
                    method["Integration"] = integration
                    method.key_lines["Integration"] = props.line

    low.after.append(join)


def _method_key(props: LDict) -> str:
    return json.dumps(
        [props.get("RestApiId"), props.get("ResourceId"), str(props.get("HttpMethod", "")).upper()], default=str
    )


def _method_settings(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"rest_api_id": "RestApiId", "stage_name": "StageName", "method_path": "MethodPath"})
    settings_blocks = inst.block.nested("settings")

    def join() -> None:
        for res in low.resources.values():
            if not (isinstance(res, LDict) and res.get("Type") == "AWS::ApiGateway::Stage"):
                continue
            stage = res["Properties"]
            if stage.get("RestApiId") != props.get("RestApiId") or stage.get("StageName") != props.get("StageName"):
                continue
            path = str(props.get("MethodPath", "*/*"))
            resource_path, _, http_method = path.rpartition("/")
            items = stage.setdefault("MethodSettings", LList(props.line))
            for block in settings_blocks:
                item = low.props(
                    inst,
                    {
                        "throttling_burst_limit": "ThrottlingBurstLimit",
                        "throttling_rate_limit": "ThrottlingRateLimit",
                        "logging_level": "LoggingLevel",
                        "metrics_enabled": "MetricsEnabled",
                    },
                    block,
                )
                item["HttpMethod"] = http_method or "*"
                item["ResourcePath"] = "/" + resource_path.lstrip("/") if resource_path not in ("*", "") else "/*"
                items.append(item)
                items.item_lines.append(item.line)

    low.after.append(join)


def _usage_plan(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "UsagePlanName"})
    stages: list[Any] = []
    for block in inst.block.nested("api_stages"):
        stages.append(low.props(inst, {"api_id": "ApiId", "stage": "Stage"}, block))
    if stages:
        props["ApiStages"] = stages
    for name, cfn, mapping in (
        ("throttle_settings", "Throttle", {"burst_limit": "BurstLimit", "rate_limit": "RateLimit"}),
        ("quota_settings", "Quota", {"limit": "Limit", "period": "Period", "offset": "Offset"}),
    ):
        for block in inst.block.nested(name):
            props[cfn] = low.props(inst, mapping, block)
            props.key_lines[cfn] = low.lines.line(block.rel, block.line)
    low.add(inst, "AWS::ApiGateway::UsagePlan", props)


_THROTTLE = {"throttling_burst_limit": "ThrottlingBurstLimit", "throttling_rate_limit": "ThrottlingRateLimit"}

LOWERERS: dict[str, Lowerer] = {
    # REST (v1)
    "aws_api_gateway_rest_api": _with_body(
        "AWS::ApiGateway::RestApi",
        {"name": "Name"},
        {"endpoint_configuration": ("EndpointConfiguration", {"types": "Types"})},
    ),
    "aws_api_gateway_resource": simple(
        "AWS::ApiGateway::Resource", {"rest_api_id": "RestApiId", "parent_id": "ParentId", "path_part": "PathPart"}
    ),
    "aws_api_gateway_method": simple(
        "AWS::ApiGateway::Method",
        {
            "rest_api_id": "RestApiId",
            "resource_id": "ResourceId",
            "http_method": "HttpMethod",
            "authorization": "AuthorizationType",
            "authorizer_id": "AuthorizerId",
            "api_key_required": "ApiKeyRequired",
            "request_validator_id": "RequestValidatorId",
            "request_parameters": "RequestParameters",
            "request_models": "RequestModels",
        },
    ),
    "aws_api_gateway_integration": _integration,
    "aws_api_gateway_authorizer": simple(
        "AWS::ApiGateway::Authorizer",
        {
            "rest_api_id": "RestApiId",
            "name": "Name",
            "type": "Type",
            "authorizer_uri": "AuthorizerUri",
            "provider_arns": "ProviderARNs",
            "identity_source": "IdentitySource",
        },
    ),
    "aws_api_gateway_request_validator": simple(
        "AWS::ApiGateway::RequestValidator",
        {
            "rest_api_id": "RestApiId",
            "name": "Name",
            "validate_request_body": "ValidateRequestBody",
            "validate_request_parameters": "ValidateRequestParameters",
        },
    ),
    "aws_api_gateway_stage": simple("AWS::ApiGateway::Stage", {"rest_api_id": "RestApiId", "stage_name": "StageName"}),
    "aws_api_gateway_method_settings": _method_settings,
    "aws_api_gateway_usage_plan": _usage_plan,
    # HTTP (v2)
    "aws_apigatewayv2_api": _with_body(
        "AWS::ApiGatewayV2::Api",
        {"name": "Name", "protocol_type": "ProtocolType"},
        {
            "cors_configuration": (
                "CorsConfiguration",
                {
                    "allow_origins": "AllowOrigins",
                    "allow_methods": "AllowMethods",
                    "allow_headers": "AllowHeaders",
                    "allow_credentials": "AllowCredentials",
                },
            )
        },
    ),
    "aws_apigatewayv2_route": simple(
        "AWS::ApiGatewayV2::Route",
        {
            "api_id": "ApiId",
            "route_key": "RouteKey",
            "target": "Target",
            "authorization_type": "AuthorizationType",
            "authorizer_id": "AuthorizerId",
            "api_key_required": "ApiKeyRequired",
        },
    ),
    "aws_apigatewayv2_integration": simple(
        "AWS::ApiGatewayV2::Integration",
        {
            "api_id": "ApiId",
            "integration_type": "IntegrationType",
            "integration_uri": "IntegrationUri",
            "payload_format_version": "PayloadFormatVersion",
        },
    ),
    "aws_apigatewayv2_authorizer": simple(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "api_id": "ApiId",
            "authorizer_type": "AuthorizerType",
            "name": "Name",
            "authorizer_uri": "AuthorizerUri",
            "identity_sources": "IdentitySource",
        },
        {"jwt_configuration": ("JwtConfiguration", {"audience": "Audience", "issuer": "Issuer"})},
    ),
    "aws_apigatewayv2_stage": simple(
        "AWS::ApiGatewayV2::Stage",
        {"api_id": "ApiId", "name": "StageName", "auto_deploy": "AutoDeploy"},
        {"default_route_settings": ("DefaultRouteSettings", _THROTTLE)},
    ),
}
