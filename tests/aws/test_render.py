"""The account rendered as CloudFormation, and every line of it traced back to an ARN and a key."""

from __future__ import annotations

import json
from pathlib import Path

from fnaudit.account.relocate import Relocator
from fnaudit.account.render import RenderedRegion, Where, _Builder, render
from fnaudit.account.snapshot import DeployedFunction, DeployedPolicy, DeployedRole, Package, RegionSnapshot
from fnaudit.errors import ScanError
from fnaudit.model.loc import Loc

ACCOUNT = "123456789012"
FN_ARN = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/orders-role"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/writes"


def _snapshot(package: Path | None) -> RegionSnapshot:
    fn = DeployedFunction(
        name="orders",
        arn=FN_ARN,
        configuration={
            "FunctionName": "orders",
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "Role": ROLE_ARN,
            "Environment": {"Variables": {"TABLE": "orders", "DB_PASSWORD": "not-a-real-one"}},
            "Timeout": 30,
            "TracingConfig": {"Mode": "Active"},
        },
        package=Package(package, None if package else "GetFunction failed"),
        concurrency=5,
        policy={
            "Statement": [
                {
                    "Sid": "public",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "lambda:InvokeFunction",
                    "Resource": FN_ARN,
                },
                {
                    "Sid": "apigw",
                    "Effect": "Allow",
                    "Principal": {"Service": "apigateway.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Resource": FN_ARN,
                    "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:eu-west-1:123456789012:abc/*"}},
                },
            ]
        },
        url={"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}},
    )
    role = DeployedRole(
        name="orders-role",
        arn=ROLE_ARN,
        trust={
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]
        },
        inline=(("tables", {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}),),
        attached=(
            DeployedPolicy(
                POLICY_ARN, "writes", {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
            ),
            DeployedPolicy(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"
            ),
        ),
    )
    return RegionSnapshot(ACCOUNT, "eu-west-1", (fn,), {ROLE_ARN: role}, log_retention={"/aws/lambda/orders": 14})


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_layout_is_json_dumps_indent_2(tmp_path: Path) -> None:
    snapshot = _snapshot(tmp_path / "eu-west-1" / "packages" / "orders.zip")
    (tmp_path / "eu-west-1").mkdir()
    rendered = render(snapshot, tmp_path / "eu-west-1", tmp_path)
    text = (tmp_path / "eu-west-1" / "template.json").read_text()
    assert text == json.dumps(_Builder(snapshot).build(), indent=2) + "\n"
    assert rendered.template == "eu-west-1/template.json"
    assert rendered.packages == {"eu-west-1/packages/orders.zip": FN_ARN}
    assert len(rendered.lines) == len(text.splitlines())


def test_each_line_names_its_resource_and_key(tmp_path: Path) -> None:
    (tmp_path / "eu-west-1").mkdir()
    rendered = render(_snapshot(tmp_path / "eu-west-1" / "packages" / "orders.zip"), tmp_path / "eu-west-1", tmp_path)
    text = (tmp_path / "eu-west-1" / "template.json").read_text()
    assert rendered.where(_line(text, '"DB_PASSWORD"')) == Where(FN_ARN, "Environment.Variables.DB_PASSWORD")
    assert rendered.where(_line(text, '"Runtime"')) == Where(FN_ARN, "Runtime")
    assert rendered.where(_line(text, '"ReservedConcurrentExecutions"')) == Where(
        FN_ARN, "ReservedConcurrentExecutions"
    )
    assert rendered.where(_line(text, '"AuthType"')) == Where(FN_ARN, "FunctionUrlConfig.AuthType")
    assert rendered.where(_line(text, '"Principal": "*"')) == Where(FN_ARN, "Policy.Statement.public.Principal")
    assert rendered.where(_line(text, '"dynamodb:*"')) == Where(
        ROLE_ARN, "Policies.tables.PolicyDocument.Statement[0].Action"
    )
    assert rendered.where(_line(text, '"s3:PutObject"')) == Where(POLICY_ARN, "PolicyDocument.Statement[0].Action")
    assert rendered.where(_line(text, '"RetentionInDays"')) == Where(
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/orders", "RetentionInDays"
    )
    assert rendered.where(1) == Where(f"aws:{ACCOUNT}:eu-west-1")  # outside any resource: the region
    assert rendered.where(10_000) == Where(f"aws:{ACCOUNT}:eu-west-1")


def test_roles_and_policies_keep_their_names(tmp_path: Path) -> None:
    template = _Builder(_snapshot(None)).build()["Resources"]
    assert template["orders-role"]["Type"] == "AWS::IAM::Role"
    assert template["orders-role"]["Properties"]["ManagedPolicyArns"] == [
        {"Ref": "writes"},
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ]
    assert template["orders"]["Properties"]["Role"] == {"Fn::GetAtt": ["orders-role", "Arn"]}
    # a package that was not read: the function stays, its code is outside the scan
    assert template["orders"]["Properties"]["Code"] == {"S3Bucket": "deployed-package-not-read", "S3Key": "orders"}
    permission = template["ordersPermissionapigw"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"] == "arn:aws:execute-api:eu-west-1:123456789012:abc/*"


def test_relocator_names_the_account() -> None:
    region = RenderedRegion(
        ACCOUNT,
        "eu-west-1",
        "eu-west-1/template.json",
        (Where("aws:x"), Where(FN_ARN, "Runtime")),
        {"eu-west-1/packages/orders.zip": FN_ARN},
        {},
    )
    r = Relocator([region])
    assert r.loc(Loc("eu-west-1/template.json", 2)) == Loc(FN_ARN, 0, "Runtime")
    assert r.loc(Loc("eu-west-1/packages/orders.zip!/src/app.py", 7)) == Loc(f"{FN_ARN}!/src/app.py", 7)
    assert r.text("eu-west-1/template.json#orders") == f"aws:{ACCOUNT}:eu-west-1#orders"
    error = ScanError("eu-west-1/packages/orders.zip", "eu-west-1/packages/orders.zip: not a zip file")
    assert r.walk(error) == ScanError(FN_ARN, f"{FN_ARN}: not a zip file")
    untouched = (Loc("app.py", 3), "plain text")
    assert r.walk(untouched) is untouched  # nothing to rewrite: shared, not copied
