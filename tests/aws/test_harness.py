"""The harness of the `aws:` target tests: emulator, fixture account, enforcing server, throttling proxy."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from fnaudit.cli import main
from tests.aws.account import (
    SHOP,
    UnsupportedTemplate,
    add_role_statement,
    build_account,
    change_setting,
    corrupt_zip,
    delete_function,
    deploy_extra_function,
    set_reserved_concurrency,
    set_url_auth,
    zip_folder,
    zip_members,
    zip_slip_zip,
)
from tests.aws.conftest import AwsEnv
from tests.aws.emulator import ACCOUNT_ID, REGION, EnforcingEmulator, client, moto_api, user_with_policy
from tests.aws.proxy import Rule, throttling_proxy
from tests.conftest import SCAN_DATE

ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SQS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


def _members(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# --- the emulator -----------------------------------------------------------------------------------------------


def test_the_emulator_starts_empty_with_fake_credentials_only(aws_env: AwsEnv) -> None:
    assert aws_env.endpoint.startswith("http://127.0.0.1:")
    assert aws_env.client("sts").get_caller_identity()["Account"] == ACCOUNT_ID
    assert aws_env.client("lambda").list_functions()["Functions"] == []
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert "AWS_PROFILE" not in os.environ and "AWS_SESSION_TOKEN" not in os.environ
    assert Path(os.environ["AWS_CONFIG_FILE"]).read_text(encoding="utf-8") == ""
    assert Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read_text(encoding="utf-8") == ""
    # a client made the default way (no endpoint_url, credentials from the chain) lands on the emulator
    default = boto3.client("lambda")
    assert default.meta.endpoint_url == aws_env.endpoint
    assert default.meta.region_name == "eu-west-1"
    assert default._request_signer._credentials.access_key == "testing"


def test_each_test_gets_a_reset_account(aws_env: AwsEnv) -> None:
    build_account(aws_env.endpoint)
    assert len(aws_env.client("lambda").list_functions()["Functions"]) == 3
    moto_api(aws_env.endpoint, "reset")  # what the aws_env fixture does before each test
    assert aws_env.client("lambda").list_functions()["Functions"] == []
    assert aws_env.client("iam").list_roles()["Roles"] == []


# --- the fixture account ---------------------------------------------------------------------------------------


def test_build_account_creates_the_functions_of_the_template(aws_env: AwsEnv) -> None:
    account = build_account(aws_env.endpoint)
    assert (account.account_id, account.region, account.endpoint) == (ACCOUNT_ID, REGION, aws_env.endpoint)
    assert dict(account.functions) == {
        "OrdersFunction": ARN + "OrdersFunction",
        "ReceiptsFunction": ARN + "ReceiptsFunction",
        "OrderWorkerFunction": ARN + "OrderWorkerFunction",
    }
    lam = aws_env.client("lambda")
    deployed = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    shape = {
        name: (f["Runtime"], f["Handler"], f["Role"], f["Timeout"], f["MemorySize"], f.get("Environment"))
        for name, f in deployed.items()
    }
    assert shape == {
        "OrdersFunction": (
            "python3.12",
            "app.handler",
            f"arn:aws:iam::{ACCOUNT_ID}:role/shop-api-role",
            10,
            256,
            {
                "Variables": {
                    "DB_HOST": "orders.cluster-c8xk2hq4mzpa.eu-west-1.rds.amazonaws.com",
                    "DB_USER": "shop_api",
                    "DB_PASSWORD": "Vx7#mQ2p!Lr9zK4t",
                }
            },
        ),
        "ReceiptsFunction": (
            "nodejs20.x",
            "index.handler",
            f"arn:aws:iam::{ACCOUNT_ID}:role/shop-api-role",
            30,
            512,
            None,
        ),
        "OrderWorkerFunction": (
            "python3.12",
            "app.handler",
            f"arn:aws:iam::{ACCOUNT_ID}:role/shop-worker-role",
            60,
            128,
            {"Variables": {"ORDERS_TABLE": "shop-orders"}},
        ),
    }
    assert lam.get_function(FunctionName="OrdersFunction")["Concurrency"] == {"ReservedConcurrentExecutions": 20}
    assert "Concurrency" not in lam.get_function(FunctionName="ReceiptsFunction")
    # each function was created with the zip of its code folder, and the account records those bytes
    assert _members(account.packages["OrdersFunction"]) == ["app.py", "requirements.txt"]
    assert _members(account.packages["ReceiptsFunction"]) == ["index.js", "package-lock.json", "package.json"]
    assert _members(account.packages["OrderWorkerFunction"]) == ["app.py"]
    assert account.packages["OrdersFunction"] == zip_folder(SHOP / "orders")
    assert deployed["OrdersFunction"]["CodeSize"] == len(account.packages["OrdersFunction"])


def test_build_account_creates_the_triggers_and_permissions(aws_env: AwsEnv) -> None:
    account = build_account(aws_env.endpoint)
    lam = aws_env.client("lambda")
    receipts = json.loads(lam.get_policy(FunctionName="ReceiptsFunction")["Policy"])["Statement"]
    assert [(s["Sid"], s["Action"], s["Principal"]) for s in receipts] == [
        ("ReceiptsUrlPermission", "lambda:InvokeFunctionUrl", "*"),
        ("ReceiptsInvokePermission", "lambda:InvokeFunction", "*"),
    ]
    assert receipts[0]["FunctionUrlAuthType"] == "NONE"  # moto's shape; AWS writes a Condition
    url = lam.get_function_url_config(FunctionName="ReceiptsFunction")
    assert (url["AuthType"], url["FunctionArn"]) == ("NONE", ARN + "ReceiptsFunction")
    api = account.physical_ids["HttpApi"]
    orders = json.loads(lam.get_policy(FunctionName="OrdersFunction")["Policy"])["Statement"]
    assert [(s["Principal"], s["Condition"]) for s in orders] == [
        (
            {"Service": "apigateway.amazonaws.com"},
            {"ArnLike": {"AWS:SourceArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api}/*/*/orders"}},
        )
    ]
    gateway = aws_env.client("apigatewayv2")
    integration = account.physical_ids["OrdersIntegration"]
    routes = gateway.get_routes(ApiId=api)["Items"]
    assert [(r["RouteKey"], r["AuthorizationType"], r["Target"]) for r in routes] == [
        ("GET /orders", "NONE", f"integrations/{integration}")
    ]
    integrations = gateway.get_integrations(ApiId=api)["Items"]
    assert [(i["IntegrationId"], i["IntegrationType"], i["IntegrationUri"]) for i in integrations] == [
        (integration, "AWS_PROXY", ARN + "OrdersFunction")
    ]
    assert [s["StageName"] for s in gateway.get_stages(ApiId=api)["Items"]] == ["$default"]
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    assert [(m["EventSourceArn"], m["FunctionArn"], m["BatchSize"]) for m in mappings] == [
        (f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:shop-order-events", ARN + "OrderWorkerFunction", 10)
    ]
    groups = aws_env.client("logs").describe_log_groups()["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [("/aws/lambda/OrdersFunction", 14)]


def test_build_account_creates_the_roles_with_their_policies(aws_env: AwsEnv) -> None:
    build_account(aws_env.endpoint)
    iam = aws_env.client("iam")
    attached = iam.list_attached_role_policies(RoleName="shop-api-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BASIC, f"arn:aws:iam::{ACCOUNT_ID}:policy/shop-orders-table"]
    worker = iam.list_attached_role_policies(RoleName="shop-worker-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in worker] == [SQS_EXECUTION]
    assert iam.list_role_policies(RoleName="shop-api-role")["PolicyNames"] == ["shop-api-data"]
    inline = iam.get_role_policy(RoleName="shop-api-role", PolicyName="shop-api-data")["PolicyDocument"]
    assert inline["Statement"] == [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]
    # the AWS managed policy is known to the emulator with its real document
    basic = iam.get_policy(PolicyArn=BASIC)["Policy"]
    version = iam.get_policy_version(PolicyArn=BASIC, VersionId=basic["DefaultVersionId"])["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    custom = f"arn:aws:iam::{ACCOUNT_ID}:policy/shop-orders-table"
    document = iam.get_policy_version(PolicyArn=custom, VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Resource"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/shop-orders"
    trust = iam.get_role(RoleName="shop-worker-role")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_a_template_the_builder_cannot_create_is_refused(tmp_path: Path, aws_env: AwsEnv) -> None:
    (tmp_path / "template.yaml").write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    with pytest.raises(UnsupportedTemplate, match=r"resource types \['AWS::S3::Bucket'\] are not created"):
        build_account(aws_env.endpoint, tmp_path)
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: q, FifoQueue: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedTemplate, match=r"Q: properties \['FifoQueue'\] are not created"):
        build_account(aws_env.endpoint, tmp_path)


def test_packages_are_reproducible_and_served_to_the_hook(aws_env: AwsEnv, tmp_path: Path) -> None:
    account = build_account(aws_env.endpoint)
    assert zip_folder(SHOP / "receipts") == zip_folder(SHOP / "receipts")
    bad = corrupt_zip(account.packages["OrdersFunction"])
    folder = account.write_packages(tmp_path / "packages", replace={"OrdersFunction": bad})
    assert sorted(p.name for p in folder.iterdir()) == [
        "OrderWorkerFunction.zip",
        "OrdersFunction.zip",
        "ReceiptsFunction.zip",
    ]
    assert (folder / "ReceiptsFunction.zip").read_bytes() == account.packages["ReceiptsFunction"]
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(folder / "OrdersFunction.zip")
    assert _members(zip_slip_zip()) == ["app.py", "../../evil.py"]


def test_drift_helpers_change_the_deployed_account(aws_env: AwsEnv) -> None:
    account = build_account(aws_env.endpoint)
    assert change_setting(account, "OrdersFunction", Runtime="python3.9")["Runtime"] == "python3.9"
    lam = aws_env.client("lambda")
    assert lam.get_function_configuration(FunctionName="OrdersFunction")["Runtime"] == "python3.9"
    set_reserved_concurrency(account, "OrdersFunction", None)
    assert "Concurrency" not in lam.get_function(FunctionName="OrdersFunction")
    set_reserved_concurrency(account, "ReceiptsFunction", 5)
    assert lam.get_function(FunctionName="ReceiptsFunction")["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    set_url_auth(account, "ReceiptsFunction", "AWS_IAM")
    assert lam.get_function_url_config(FunctionName="ReceiptsFunction")["AuthType"] == "AWS_IAM"
    add_role_statement(
        account, "shop-worker-role", "console-edit", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    )
    assert sorted(aws_env.client("iam").list_role_policies(RoleName="shop-worker-role")["PolicyNames"]) == [
        "console-edit",
        "shop-worker-orders",
    ]


# --- the repository twin ---------------------------------------------------------------------------------------


def test_the_shop_fixture_scan_reports_its_deliberate_weaknesses(aws_advisory_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "shop.json"
    args = ["scan", str(SHOP), "--format", "json", "--output", str(out), "--db", str(aws_advisory_store)]
    assert main([*args, "--date", SCAN_DATE.isoformat()]) == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["errors"] == []
    found = {(f["rule_id"], f["function"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    # the weaknesses the fixture carries on purpose (the account scan must find them too)
    assert {
        ("CODE001", "OrdersFunction", "orders/app.py", 29),  # SQL built from a query parameter
        ("CODE002", "ReceiptsFunction", "receipts/index.js", 12),  # a shell command built from the body
        ("SECRET001", "OrdersFunction", "template.yaml", 80),  # DB_PASSWORD in plaintext
        ("AUTH001", "OrdersFunction", "template.yaml", 164),  # GET /orders without an authorizer
        ("AUTH002", "ReceiptsFunction", "template.yaml", 102),  # function URL with AuthType NONE
        ("AUTH003", "ReceiptsFunction", "template.yaml", 117),  # lambda:InvokeFunction for `*`
        ("IAM002", None, "template.yaml", 26),  # dynamodb:* in the inline policy
        ("DEP001", "ReceiptsFunction", "receipts/package-lock.json", 14),  # lodash 4.17.15
        ("DEP001", "OrdersFunction", "orders/requirements.txt", 2),  # urllib3 1.26.5
    } <= found
    # the log group with retention: only the two functions without one are reported
    assert {f for (rule, f, _, _) in found if rule == "OBS002"} == {"ReceiptsFunction", "OrderWorkerFunction"}
    assert "Vx7#mQ2p!Lr9zK4t" not in out.read_text(encoding="utf-8")


# --- the enforcing emulator --------------------------------------------------------------------------------------


def test_the_enforcing_emulator_denies_what_the_users_policy_does_not_allow(
    enforcing_endpoint: EnforcingEmulator,
) -> None:
    url = enforcing_endpoint.url
    build_account(url)  # while calls are still free
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:ListRoles", "sqs:ListQueues", "lambda:*", "s3:ListAllMyBuckets"],
                "Resource": "*",
            }
        ],
    }
    key, secret = user_with_policy(url, policy)
    enforcing_endpoint.enforce()

    def call(service: str, operation: str, access: str = key, **kwargs: Any) -> str:
        try:
            getattr(client(url, service, access, secret), operation)(**kwargs)
        except ClientError as error:
            body = str(error.response["Error"].get("Message", ""))
            return f"{_code(error)} {body.split('<Code>')[1].split('<')[0]}" if "<Code>" in body else _code(error)
        return "ok"

    assert call("iam", "list_roles") == "ok"
    assert call("iam", "list_users") == "AccessDenied"
    assert call("sqs", "list_queues") == "ok"
    # json services answer with an XML error body: boto3 sees only the HTTP status as the code
    assert call("logs", "describe_log_groups") == "403 AccessDenied"
    assert call("events", "list_rules") == "403 AccessDenied"
    assert call("sns", "list_topics") == "AccessDenied"
    # moto checks ListBuckets as `s3:ListBuckets`, where AWS needs `s3:ListAllMyBuckets` (allowed above)
    assert call("s3", "list_buckets") == "AccessDenied"
    # lambda: a call with a body is checked against the policy...
    assert call("lambda", "add_permission", **_permission("x")) == "ok"
    # ...but every GET fails moto's signature check, even with lambda:* allowed
    assert call("lambda", "list_functions") == "403 SignatureDoesNotMatch"
    assert call("apigatewayv2", "get_apis") == "403 SignatureDoesNotMatch"
    assert call("iam", "list_roles", access="AKIAIOSFODNN7EXAMPLE") == "InvalidClientTokenId"
    # the throttling proxy forwards the Host header it was signed for: signatures still match through it
    with throttling_proxy(url, []) as proxy:
        roles = client(proxy.url, "iam", key, secret).list_roles()["Roles"]
        assert sorted(r["RoleName"] for r in roles) == ["shop-api-role", "shop-worker-role"]
        with pytest.raises(ClientError, match="AccessDenied"):
            client(proxy.url, "iam", key, secret).list_users()


def _permission(sid: str) -> dict[str, str]:
    return {
        "FunctionName": "ReceiptsFunction",
        "StatementId": sid,
        "Action": "lambda:InvokeFunction",
        "Principal": "events.amazonaws.com",
    }


# --- the throttling proxy ----------------------------------------------------------------------------------------

RETRIES: dict[str, Any] = {"retries": {"mode": "adaptive", "max_attempts": 3}}


@pytest.mark.parametrize(
    ("service", "operation", "method", "code"),
    [
        ("lambda", "ListFunctions", "list_functions", "TooManyRequestsException"),
        ("apigatewayv2", "GetApis", "get_apis", "TooManyRequestsException"),
        ("iam", "ListRoles", "list_roles", "Throttling"),
        ("sqs", "ListQueues", "list_queues", "ThrottlingException"),
        ("logs", "DescribeLogGroups", "describe_log_groups", "ThrottlingException"),
        ("s3", "ListBuckets", "list_buckets", "SlowDown"),
    ],
)
def test_boto3_retries_through_the_throttling_proxy_then_gives_up(
    aws_env: AwsEnv, no_retry_delay: None, service: str, operation: str, method: str, code: str
) -> None:
    with throttling_proxy(aws_env.endpoint, [Rule(service, operation)]) as proxy:
        with pytest.raises(ClientError) as raised:
            getattr(client(proxy.url, service, **RETRIES), method)()
        assert _code(raised.value) == code
        # botocore's `max_attempts` counts retries: the first call and three more
        assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 3
        assert proxy.count(service, operation, faulted=True) == 4
        assert proxy.count(service, operation, faulted=False) == 0


def test_throttling_a_limited_number_of_times_lets_the_retry_succeed(aws_env: AwsEnv, no_retry_delay: None) -> None:
    build_account(aws_env.endpoint)
    rules = [Rule("lambda", "GetPolicy", times=2), Rule("events", "ListRules", times=1)]
    with throttling_proxy(aws_env.endpoint, rules) as proxy:
        lam = client(proxy.url, "lambda", **RETRIES)
        answer = lam.get_policy(FunctionName="ReceiptsFunction")
        assert answer["ResponseMetadata"]["RetryAttempts"] == 2
        assert json.loads(answer["Policy"])["Statement"][0]["Sid"] == "ReceiptsUrlPermission"
        assert client(proxy.url, "events", **RETRIES).list_rules()["Rules"] == []
        # other calls pass untouched
        assert len(lam.list_functions()["Functions"]) == 3
        assert [(c.operation, c.faulted) for c in proxy.calls] == [
            ("GetPolicy", True),
            ("GetPolicy", True),
            ("GetPolicy", False),
            ("ListRules", True),
            ("ListRules", False),
            ("ListFunctions", False),
        ]


def test_the_proxy_can_deny_one_call_in_the_services_protocol(aws_env: AwsEnv) -> None:
    build_account(aws_env.endpoint)
    rules = [
        Rule("lambda", "GetFunctionUrlConfig", code="AccessDeniedException", status=403, message="not authorized"),
        Rule("iam", "GetRolePolicy", code="AccessDenied", status=403),
    ]
    with throttling_proxy(aws_env.endpoint, rules) as proxy:
        lam = client(proxy.url, "lambda", **RETRIES)
        with pytest.raises(ClientError) as raised:
            lam.get_function_url_config(FunctionName="ReceiptsFunction")
        assert (_code(raised.value), raised.value.response["Error"]["Message"]) == (
            "AccessDeniedException",
            "not authorized",
        )
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        iam = client(proxy.url, "iam")
        with pytest.raises(ClientError, match=r"\(AccessDenied\)"):
            iam.get_role_policy(RoleName="shop-api-role", PolicyName="shop-api-data")
        # the sibling calls are answered by the emulator
        assert lam.get_policy(FunctionName="ReceiptsFunction")["Policy"]
        assert iam.list_role_policies(RoleName="shop-api-role")["PolicyNames"] == ["shop-api-data"]
        assert proxy.count("lambda", "GetFunctionUrlConfig") == 1  # a denial is not retried


def test_the_embedded_emulator_lists_http_api_authorizers(aws_env: AwsEnv) -> None:
    account = build_account(aws_env.endpoint)
    gateway = aws_env.client("apigatewayv2")
    api = account.physical_ids["HttpApi"]
    assert gateway.get_authorizers(ApiId=api)["Items"] == []  # moto 5.2.6 alone answers 500
    created = gateway.create_authorizer(
        ApiId=api,
        Name="shop-jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Audience": ["shop"], "Issuer": "https://issuer.example.com"},
    )
    listed = gateway.get_authorizers(ApiId=api)["Items"]
    assert [(a["AuthorizerId"], a["Name"], a["AuthorizerType"]) for a in listed] == [
        (created["AuthorizerId"], "shop-jwt", "JWT")
    ]


def _signed(service: str, **headers: str) -> dict[str, str]:
    scope = f"AWS4-HMAC-SHA256 Credential=testing/20261206/eu-west-1/{service}/aws4_request, SignedHeaders=host"
    return {"Authorization": scope, **headers}


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "expected"),
    [
        ("GET", "/2015-03-31/functions/", _signed("lambda"), b"", ("lambda", "ListFunctions")),
        ("GET", "/2015-03-31/functions/OrdersFunction/policy", _signed("lambda"), b"", ("lambda", "GetPolicy")),
        (
            "GET",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction%3Ax",
            _signed("lambda"),
            b"",
            ("lambda", "GetFunction"),
        ),
        (
            "GET",
            "/2018-10-31/layers?find=LayerVersion&Arn=x",
            _signed("lambda"),
            b"",
            ("lambda", "GetLayerVersionByArn"),
        ),
        ("GET", "/v2/apis/abc123/routes", _signed("apigateway"), b"", ("apigatewayv2", "GetRoutes")),
        ("GET", "/restapis/abc123/resources?embed=methods", _signed("apigateway"), b"", ("apigateway", "GetResources")),
        ("POST", "/", _signed("iam"), b"Action=ListRoles&Version=2010-05-08", ("iam", "ListRoles")),
        ("POST", "/", _signed("sqs", **{"X-Amz-Target": "AmazonSQS.ListQueues"}), b"{}", ("sqs", "ListQueues")),
        (
            "POST",
            "/",
            _signed("logs", **{"X-Amz-Target": "Logs_20140328.DescribeLogGroups"}),
            b"{}",
            ("logs", "DescribeLogGroups"),
        ),
        ("GET", "/shop-assets?notification", _signed("s3"), b"", ("s3", "GetBucketNotificationConfiguration")),
        ("POST", "/moto-api/reset", {}, b"", None),
    ],
)
def test_the_proxy_recognises_calls_as_aws_routes_them(
    method: str, path: str, headers: dict[str, str], body: bytes, expected: tuple[str, str] | None
) -> None:
    from tests.aws.proxy import recognise

    found = recognise(method, path, headers, body)
    assert (None if found is None else (found[0].name, found[1])) == expected


def test_a_function_deployed_by_hand_and_one_deleted(aws_env: AwsEnv, tmp_path: Path) -> None:
    account = build_account(aws_env.endpoint)
    role = f"arn:aws:iam::{ACCOUNT_ID}:role/shop-worker-role"
    code = zip_members([("app.py", b"def handler(event, context):\n    return 1\n")])
    assert deploy_extra_function(account, "HotfixFunction", role, code) == ARN + "HotfixFunction"
    delete_function(account, "OrderWorkerFunction")
    names = sorted(f["FunctionName"] for f in aws_env.client("lambda").list_functions()["Functions"])
    assert names == ["HotfixFunction", "OrdersFunction", "ReceiptsFunction"]
    folder = account.write_packages(tmp_path / "packages", {"HotfixFunction": code})
    assert (folder / "HotfixFunction.zip").read_bytes() == code
